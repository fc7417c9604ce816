import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FileFormatError, MultiError } from '../../../src/errors.js';
import { Config } from '../../../src/repo/config/config.js';
import { editIni, parseIni, quoteIni, removeIniSection } from '../../../src/repo/config/configobj.js';
import { caughtSync, fixture, useTempDirs } from '../helpers.js';

const REMOTE = 'remote "local"';

describe('.dvc/config edits, byte for byte against DVC 3.22.1', () => {
  it('init writes an empty config', () => {
    expect(fixture('dvc-config.after-init')).toBe('');
  });

  it('`remote add -d local /srv/dvc-remote`: core.remote, then the remote url', () => {
    let text = fixture('dvc-config.after-init');
    text = editIni(text, 'core', 'remote', 'local', '.dvc/config');
    text = editIni(text, REMOTE, 'url', '/srv/dvc-remote', '.dvc/config');
    expect(text).toBe(fixture('dvc-config.after-remote-add'));
  });

  it('`remote modify local jobs 4` and `verify false` append to the section', () => {
    let text = fixture('dvc-config.after-remote-add');
    text = editIni(text, REMOTE, 'jobs', '4', '.dvc/config');
    text = editIni(text, REMOTE, 'verify', 'false', '.dvc/config');
    expect(text).toBe(fixture('dvc-config.after-remote-modify'));
  });

  it('setting a key to the value it has changes nothing', () => {
    const text = fixture('dvc-config.after-remote-modify');
    expect(editIni(text, 'core', 'remote', 'local', '.dvc/config')).toBe(text);
  });

  it('unsetting keys walks back to the earlier files', () => {
    let text = fixture('dvc-config.after-remote-modify');
    text = editIni(text, REMOTE, 'verify', undefined, '.dvc/config');
    text = editIni(text, REMOTE, 'jobs', undefined, '.dvc/config');
    expect(text).toBe(fixture('dvc-config.after-remote-add'));
    text = removeIniSection(text, REMOTE, '.dvc/config');
    text = editIni(text, 'core', 'remote', undefined, '.dvc/config');
    expect(text).toBe('');
  });

  it('parseIni reads the values and lines back', () => {
    const ini = parseIni(fixture('dvc-config.after-remote-modify'), '.dvc/config');
    expect([...ini.sections.keys()]).toEqual(['core', REMOTE]);
    expect(ini.sections.get('core')!.entries.get('remote')).toEqual({ value: 'local', line: 2 });
    const remote = ini.sections.get(REMOTE)!;
    expect(remote.line).toBe(3);
    expect(Object.fromEntries([...remote.entries].map(([k, e]) => [k, e.value]))).toEqual({
      url: '/srv/dvc-remote',
      jobs: '4',
      verify: 'false',
    });
    expect(remote.entries.get('verify')!.line).toBe(6);
  });
});

describe('configobj quoting', () => {
  it.each([
    ['local', 'local'],
    ['/srv/dvc-remote', '/srv/dvc-remote'],
    ['s3://bucket/path?x=1', 's3://bucket/path?x=1'],
    ['reflink,copy', '"reflink,copy"'],
    [' leading', '" leading"'],
    ['trailing ', '"trailing "'],
    ['\tindent', '"\tindent"'],
    ['has # hash', '"has # hash"'],
    ['"quoted"', `'"quoted"'`],
    ["it's", "it's"],
    [`it's "x" ok`, `"""it's "x" ok"""`],
    ['say "hi", ok', `'say "hi", ok'`],
    ['', '""'],
    ['inner space', 'inner space'],
    ["mid'quote", "mid'quote"],
  ])('%j is written as %s', (value, written) => {
    expect(quoteIni(value)).toBe(written);
  });

  it.each(['local', 'reflink,copy', ' leading', 'trailing ', 'has # hash', '"quoted"', "it's", 'say "hi", ok', '', "mid'quote", 'a=b', 'x = y', `it's "x" ok`, `'both" `, `"both'`])(
    '%j survives a write and a read',
    (value) => {
      const text = editIni('', 'core', 'k', value, 'c');
      expect(parseIni(text, 'c').sections.get('core')!.entries.get('k')!.value).toBe(value);
    },
  );

  it('refuses a value with a line break rather than writing a broken file', () => {
    expect(() => editIni('', 'core', 'k', 'a\nb', 'c')).toThrow(/line breaks/);
  });

  it('`config cache.type reflink,copy` writes a quoted value, as DVC does', () => {
    expect(editIni('', 'cache', 'type', 'reflink,copy', 'c')).toBe('[cache]\n    type = "reflink,copy"\n');
  });

  it.each([
    ['type = reflink,copy', 'reflink,copy'],
    ['type = reflink, copy', 'reflink,copy'],
    ['type = "reflink", "copy"', 'reflink,copy'],
    ['type = reflink, copy  # a comment', 'reflink,copy'],
    ['type = plain # a comment', 'plain'],
    ["type = 'single'", 'single'],
    ['type = "double" # c', 'double'],
    ['type =', ''],
    [`type = """it's "x" ok""" # c`, `it's "x" ok`],
    [`type = '''a "b" 'c' d'''`, `a "b" 'c' d`],
  ])('reads %j as %j', (line, value) => {
    expect(parseIni(`[cache]\n${line}\n`, 'c').sections.get('cache')!.entries.get('type')!.value).toBe(value);
  });

  it('reads CRLF files, indented keys and comments', () => {
    const ini = parseIni('# top\r\n[core]\r\n  # note\r\n\tremote=local\r\n', 'c');
    expect(ini.sections.get('core')!.entries.get('remote')).toEqual({ value: 'local', line: 4 });
  });
});

describe('malformed config lines give file:line errors', () => {
  it.each([
    ['[core\n', 1],
    ['[core]\nremote\n', 2],
    ['remote = local\n', 1],
    ['[core]\nremote = local\nremote = other\n', 3],
    ['[core]\n[core]\n', 2],
    ['[core]\nurl = "unterminated\n', 2],
    ['[core]\nurl = "a" trailing\n', 2],
    ['[[nested]]\n', 1],
  ])('%j fails at line %i', (text, line) => {
    const e = caughtSync(() => parseIni(text, '.dvc/config'));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).file).toBe('.dvc/config');
    expect((e as FileFormatError).line).toBe(line);
    expect((e as Error).message.startsWith(`.dvc/config:${line}: `)).toBe(true);
  });
});

describe('Config.load', () => {
  const tmp = useTempDirs();
  let root: string;
  beforeEach(() => {
    root = tmp();
    // Isolate from any global or system DVC config on this machine.
    vi.stubEnv('DVC_GLOBAL_CONFIG_DIR', path.join(root, 'global'));
    vi.stubEnv('DVC_SYSTEM_CONFIG_DIR', path.join(root, 'system'));
    fs.mkdirSync(path.join(root, '.dvc'));
    return () => vi.unstubAllEnvs();
  });

  it('reads the golden config', () => {
    fs.writeFileSync(path.join(root, '.dvc', 'config'), fixture('dvc-config.after-remote-modify'));
    const config = Config.load(path.join(root, '.dvc'));
    expect(config.get('core', 'remote')).toMatchObject({ value: 'local', level: 'repo', line: 2 });
    expect(config.get(REMOTE, 'jobs')!.value).toBe('4');
    expect(config.getBool(REMOTE, 'verify')).toBe(false);
  });

  it('config.local wins over config, which wins over global', () => {
    fs.mkdirSync(path.join(root, 'global'));
    fs.writeFileSync(path.join(root, 'global', 'config'), '[core]\n    remote = g\n    autostage = true\n');
    fs.writeFileSync(path.join(root, '.dvc', 'config'), '[core]\n    remote = r\n');
    fs.writeFileSync(path.join(root, '.dvc', 'config.local'), '[core]\n    remote = l\n');
    const config = Config.load(path.join(root, '.dvc'));
    expect(config.get('core', 'remote')).toMatchObject({ value: 'l', level: 'local' });
    expect(config.getAt('repo', 'core', 'remote')).toBe('r');
    expect(config.getBool('core', 'autostage')).toBe(true);
  });

  it('reports unknown sections and keys, each with file and line', () => {
    fs.writeFileSync(path.join(root, '.dvc', 'config'), '[core]\n    remote = local\n    remtoe = typo\n[cach]\n    dir = x\n[\'remote "x"\']\n    anything = goes\n');
    const e = caughtSync(() => Config.load(path.join(root, '.dvc')));
    expect(e).toBeInstanceOf(MultiError);
    const problems = (e as MultiError).errors.map((x) => [(x as FileFormatError).file, (x as FileFormatError).line]);
    expect(problems).toEqual([
      ['.dvc/config', 3],
      ['.dvc/config', 4],
    ]);
    expect((e as Error).message).toContain("unknown key 'remtoe' in section 'core'");
    expect((e as Error).message).toContain("unknown section 'cach'");
  });

  it('a single problem is a FileFormatError naming the file and line', () => {
    fs.writeFileSync(path.join(root, '.dvc', 'config.local'), '[core]\nremote = local\noops\n');
    const e = caughtSync(() => Config.load(path.join(root, '.dvc')));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).file).toBe('.dvc/config.local');
    expect((e as FileFormatError).line).toBe(3);
  });

  it('a bad boolean names where it was set', () => {
    fs.writeFileSync(path.join(root, '.dvc', 'config'), '[core]\n    autostage = maybe\n');
    const e = caughtSync(() => Config.load(path.join(root, '.dvc')).getBool('core', 'autostage'));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).line).toBe(2);
  });

  it('Config.write edits one key atomically and keeps the rest', () => {
    const file = path.join(root, '.dvc', 'config');
    fs.writeFileSync(file, '# mine\n[core]\n    remote = local\n');
    Config.write(path.join(root, '.dvc'), 'repo', 'cache', 'type', 'hardlink,symlink');
    expect(fs.readFileSync(file, 'utf8')).toBe('# mine\n[core]\n    remote = local\n[cache]\n    type = "hardlink,symlink"\n');
    expect(fs.readdirSync(path.join(root, '.dvc'))).toEqual(['config']);
  });
});
