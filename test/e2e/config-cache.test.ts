import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, fileDvc, listCache, md5, repo, Sandbox } from './helpers.js';

describe('trove config', () => {
  it('get, set and unset at the project level (the default), in DVC\'s INI layout', () => {
    const s = repo();
    s.ok(['config', 'core.autostage', 'true']);
    s.ok(['config', 'cache.type', 'hardlink,copy']);
    expect(s.read('.dvc/config')).toBe('[core]\n    autostage = true\n[cache]\n    type = "hardlink,copy"\n');
    expect(s.ok(['config', 'core.autostage']).stdout).toBe('true\n');
    expect(s.ok(['config', 'cache.type']).stdout).toBe('hardlink,copy\n');
    s.ok(['config', '--unset', 'core.autostage']);
    expect(s.read('.dvc/config')).toBe('[cache]\n    type = "hardlink,copy"\n');
    const unset = s.trove(['config', 'core.autostage']);
    expect(unset.code).toBe(1);
    expect(unset.stdout).toBe('');
    expectCleanFailure(s.trove(['config', '--unset', 'core.autostage']), /not set/);
  });

  it('setting cache.type warns, as DVC does, that existing links need --relink', () => {
    const s = repo();
    const r = s.ok(['config', 'cache.type', 'symlink']);
    expect(r.stderr).toContain("You have changed the 'cache.type' option");
    expect(r.stderr).toContain('checkout --relink');
  });

  it('levels: --local, --project and --global (isolated by XDG_CONFIG_HOME), local wins', () => {
    const s = repo();
    s.ok(['config', '--global', 'cache.type', 'copy']);
    const globalFile = path.join(s.home, '.config', 'dvc', 'config');
    expect(fs.readFileSync(globalFile, 'utf8')).toBe('[cache]\n    type = copy\n');
    expect(s.ok(['config', 'cache.type']).stdout).toBe('copy\n');
    s.ok(['config', '--project', 'cache.type', 'symlink']);
    expect(s.ok(['config', 'cache.type']).stdout).toBe('symlink\n');
    s.ok(['config', '--local', 'cache.type', 'hardlink']);
    expect(s.read('.dvc/config.local')).toBe('[cache]\n    type = hardlink\n');
    expect(s.ok(['config', 'cache.type']).stdout).toBe('hardlink\n');
    expect(s.ok(['config', '--global', 'cache.type']).stdout).toBe('copy\n');
    expect(s.ok(['config', '--project', 'cache.type']).stdout).toBe('symlink\n');
    expectCleanFailure(s.trove(['config', '--local', 'core.autostage']), /not set in the local config/);

    expect(s.ok(['config', '--list']).stdout).toBe('cache.type=hardlink\n');
    expect(s.ok(['config', '--list', '--global']).stdout).toBe('cache.type=copy\n');
    s.ok(['config', 'remote.store.url', '/srv/store']);
    expect(s.read('.dvc/config')).toContain('[\'remote "store"\']\n    url = /srv/store\n');
    expect(s.ok(['config', '-l', '--project']).stdout).toBe('cache.type=symlink\nremote.store.url=/srv/store\n');

    // The effective type is used: the local hardlink.
    s.write('f', 'f');
    s.ok(['add', 'f']);
    expect(s.lstat('f').nlink).toBe(2);
    s.ok(['config', '--local', '--unset', 'cache.type']);
    expect(s.read('.dvc/config.local')).toBe('');
    // Nothing leaked into the real home.
    expect(fs.existsSync(path.join(s.home, '.config', 'dvc', 'config'))).toBe(true);
  });

  it('--global works outside any repository; --local does not', () => {
    const s = new Sandbox({ git: false });
    s.ok(['config', '--global', 'core.autostage', 'true']);
    expect(s.ok(['config', '--global', 'core.autostage']).stdout).toBe('true\n');
    expectCleanFailure(s.trove(['config', '--local', 'core.autostage', 'true']), /repository/);
  });

  it('rejects unknown sections, keys, malformed names and bad values', () => {
    const s = repo();
    expectCleanFailure(s.trove(['config', 'foo.bar', '1']), /unknown config section 'foo'/);
    expectCleanFailure(s.trove(['config', 'core.nope', '1']), /unknown config key 'core\.nope'/);
    expectCleanFailure(s.trove(['config', 'nodots', '1']), /not a config option name/);
    expectCleanFailure(s.trove(['config', 'core.autostage', 'maybe']), /true or false/);
    expect(s.read('.dvc/config')).toBe('');
  });

  it('a broken config file is reported with file and line', () => {
    const s = repo();
    s.write('.dvc/config', '[core]\n    autostage = true\n[cache\n');
    s.write('a', 'a');
    const r = s.trove(['add', 'a']);
    expectCleanFailure(r, /\.dvc\/config:3/);
    s.write('.dvc/config', '[core]\n    bogus = 1\n');
    expectCleanFailure(s.trove(['status']), /\.dvc\/config:2: unknown key 'bogus'/);
  });
});

describe('trove cache dir', () => {
  it('prints the default cache directory', () => {
    const s = repo();
    expect(s.ok(['cache', 'dir']).stdout).toBe(`${s.root}/.dvc/cache\n`);
  });

  it('sets a cache outside the repository (relative paths stored relative to .dvc/), and the repo works', () => {
    const s = repo();
    const r = s.ok(['cache', 'dir', '../shared-cache']);
    expect(r.code).toBe(0);
    expect(s.read('.dvc/config')).toBe('[cache]\n    dir = ../../shared-cache\n');
    const ext = path.join(s.base, 'shared-cache');
    expect(s.ok(['cache', 'dir']).stdout).toBe(`${ext}\n`);
    // From a subdirectory the same relative value means another place; the stored value is right.
    s.writeAll({ 'data/f.txt': 'f\n', 'g.txt': 'g\n' });
    s.ok(['add', 'data', 'g.txt']);
    expect(s.read('g.txt.dvc')).toBe(fileDvc('g.txt', 'g\n'));
    expect(listCache(path.join(ext, 'files', 'md5')).map((o) => o.oid)).toContain(md5('g\n'));
    expect(fs.existsSync(s.cacheDir())).toBe(false);
    fs.rmSync(s.abs('data'), { recursive: true });
    fs.rmSync(s.abs('g.txt'));
    expect(s.ok(['checkout']).stdout).toBe('A       data/\nA       g.txt\n');
    expect(s.read('data/f.txt')).toBe('f\n');
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    s.ok(['gc', '-w', '-f']);
    expect(listCache(path.join(ext, 'files', 'md5'))).toHaveLength(3);
  });

  it('a cache outside the repository with symlink checkouts: re-add, status and checkout work', () => {
    const s = repo();
    s.ok(['cache', 'dir', '../ext-cache']);
    s.ok(['config', 'cache.type', 'symlink']);
    s.writeAll({ 'd/x': 'x\n', 'f': 'f\n' });
    s.ok(['add', 'd', 'f']);
    expect(fs.readlinkSync(s.abs('f')).startsWith(path.join(s.base, 'ext-cache'))).toBe(true);
    expect(s.ok(['add', 'd', 'f']).stderr).toContain("'f' didn't change");
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    fs.rmSync(s.abs('d'), { recursive: true });
    expect(s.ok(['checkout']).stdout).toBe('A       d/\n');
    expect(s.read('d/x')).toBe('x\n');
  });

  it('an absolute path is stored as is; --local and --unset work', () => {
    const s = repo();
    const ext = path.join(s.base, 'abs-cache');
    s.ok(['cache', 'dir', '--local', ext]);
    expect(s.read('.dvc/config.local')).toBe(`[cache]\n    dir = ${ext}\n`);
    expect(s.ok(['cache', 'dir']).stdout).toBe(`${ext}\n`);
    s.ok(['cache', 'dir', '--local', '--unset']);
    expect(s.ok(['cache', 'dir']).stdout).toBe(`${s.root}/.dvc/cache\n`);
  });

  it('a cache dir that is a file is refused when set, and reported (not a crash) when configured', () => {
    const s = repo();
    s.write('not-a-dir', 'x');
    expectCleanFailure(s.trove(['cache', 'dir', 'not-a-dir']), /'not-a-dir' is not a directory/);
    expect(s.read('.dvc/config')).toBe('');
    s.ok(['config', 'cache.dir', '../not-a-dir']);
    s.write('f', 'f');
    expectCleanFailure(s.trove(['add', 'f']), /not a directory: .*not-a-dir/);
  });

  it('cache.dir set with `config` is relative to the config file', () => {
    const s = repo();
    s.ok(['config', 'cache.dir', '../../elsewhere']);
    expect(s.ok(['cache', 'dir']).stdout).toBe(`${path.join(s.base, 'elsewhere')}\n`);
  });
});
