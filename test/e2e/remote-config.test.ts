import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORMATS, Sandbox, expectCleanFailure, repo } from './helpers.js';

const golden = (name: string) => fs.readFileSync(path.join(FORMATS, name), 'utf8');

describe('trove remote: the session DVC 3 recorded, byte for byte', () => {
  it('add -d, modify jobs and verify, list', () => {
    const s = repo();
    const add = s.ok(['remote', 'add', '-d', 'local', '/srv/dvc-remote']);
    expect(add.stdout).toBe('');
    expect(add.stderr).toBe("Setting 'local' as a default remote.\n");
    expect(s.read('.dvc/config')).toBe(golden('dvc-config.after-remote-add'));

    const jobs = s.ok(['remote', 'modify', 'local', 'jobs', '4']);
    expect(jobs.stdout + jobs.stderr).toBe('');
    s.ok(['remote', 'modify', 'local', 'verify', 'false']);
    expect(s.read('.dvc/config')).toBe(golden('dvc-config.after-remote-modify'));

    expect(s.ok(['remote', 'list']).stdout).toBe('local\t/srv/dvc-remote\n');
    expect(JSON.parse(s.ok(['remote', 'list', '--json']).stdout)).toEqual([{ name: 'local', url: '/srv/dvc-remote', level: 'project', default: true }]);
    expect(s.ok(['remote', 'default']).stdout).toBe('local\n');
    // Nothing else was written.
    expect(s.exists('.dvc/config.local')).toBe(false);
  });

  it('-q silences the "Setting ... as a default" line', () => {
    const s = repo();
    expect(s.ok(['remote', 'add', '-d', '-q', 'local', '/srv/dvc-remote']).stderr).toBe('');
    expect(s.read('.dvc/config')).toBe(golden('dvc-config.after-remote-add'));
  });
});

describe('trove remote add', () => {
  it('refuses an existing name without -f; -f replaces the remote in place, dropping its options', () => {
    const s = repo();
    s.ok(['remote', 'add', 'a', '/srv/a']);
    s.ok(['remote', 'add', 'b', '/srv/b']);
    s.ok(['remote', 'modify', 'a', 'jobs', '4']);
    const again = s.trove(['remote', 'add', 'a', '/srv/other']);
    expectCleanFailure(again, /remote 'a' already exists/, 1);
    expect(again.stderr).toContain('-f');
    s.ok(['remote', 'add', '-f', 'a', '/srv/other']);
    expect(s.read('.dvc/config')).toBe(`['remote "a"']\n    url = /srv/other\n['remote "b"']\n    url = /srv/b\n`);
  });

  it('stores a relative path relative to .dvc/ (as DVC), and lists it as an absolute path', () => {
    const s = repo();
    fs.mkdirSync(s.abs('sub/dir'), { recursive: true });
    s.ok(['remote', 'add', 'up', '../storage']);
    s.ok(['remote', 'add', 'deep', '../../elsewhere'], { cwd: 'sub/dir' });
    s.ok(['remote', 'add', 'loc', 'file:///srv/loc']);
    expect(s.read('.dvc/config')).toBe(
      `['remote "up"']\n    url = ../../storage\n['remote "deep"']\n    url = ../elsewhere\n['remote "loc"']\n    url = file:///srv/loc\n`,
    );
    expect(s.ok(['remote', 'list']).stdout).toBe(`up\t${path.join(s.base, 'storage')}\ndeep\t${path.join(s.root, 'elsewhere')}\nloc\tfile:///srv/loc\n`);
  });

  it('lower-cases names, as DVC does', () => {
    const s = repo();
    s.ok(['remote', 'add', '-d', 'MyStore', '/srv/x']);
    expect(s.read('.dvc/config')).toBe(`[core]\n    remote = mystore\n['remote "mystore"']\n    url = /srv/x\n`);
    s.ok(['remote', 'modify', 'MYSTORE', 'jobs', '2']);
    expect(s.ok(['remote', 'list']).stdout).toBe('mystore\t/srv/x\n');
  });

  it('a new [core] section goes before existing remote sections', () => {
    const s = repo();
    s.ok(['remote', 'add', 'a', '/srv/a']);
    s.ok(['remote', 'add', '-d', 'b', '/srv/b']);
    expect(s.read('.dvc/config')).toBe(`[core]\n    remote = b\n['remote "a"']\n    url = /srv/a\n['remote "b"']\n    url = /srv/b\n`);
  });
});

describe('trove remote modify', () => {
  it('checks the option against the kind of remote, listing the valid ones', () => {
    const s = repo();
    s.ok(['remote', 'add', 'l', '/srv/l']);
    s.ok(['remote', 'add', 's3', 's3://bucket/dvc']);
    const bad = s.trove(['remote', 'modify', 'l', 'endpointurl', 'http://localhost:9000']);
    expectCleanFailure(bad, /'endpointurl' is not an option of local remote 'l'/, 1);
    expect(bad.stderr).toContain('options of local remotes: checksum_jobs, jobs');
    s.ok(['remote', 'modify', 's3', 'endpointurl', 'http://localhost:9000']);
    expectCleanFailure(s.trove(['remote', 'modify', 's3', 'projectname', 'p']), /not an option of s3 remote/);
    expectCleanFailure(s.trove(['remote', 'modify', 's3', 'jobs', 'many']), /jobs must be a positive whole number/);
    expectCleanFailure(s.trove(['remote', 'modify', 's3', 'verify', 'maybe']), /verify must be true or false/);
    // Changing the url to a kind that does not take the options it has is refused.
    expectCleanFailure(s.trove(['remote', 'modify', 's3', 'url', '/srv/local']), /endpointurl \(\.dvc\/config:5\)/);
    expect(s.read('.dvc/config')).toBe(`['remote "l"']\n    url = /srv/l\n['remote "s3"']\n    url = s3://bucket/dvc\n    endpointurl = http://localhost:9000\n`);
    s.ok(['remote', 'modify', '--unset', 's3', 'endpointurl']);
    s.ok(['remote', 'modify', 's3', 'url', '/srv/local']);
    expect(s.read('.dvc/config')).toBe(`['remote "l"']\n    url = /srv/l\n['remote "s3"']\n    url = /srv/local\n`);
  });

  it('--unset removes an option (any option, so bad ones can be cleaned up) and says when there was none', () => {
    const s = repo();
    s.ok(['remote', 'add', 'l', '/srv/l']);
    s.write('.dvc/config', `['remote "l"']\n    url = /srv/l\n    bogus = 1\n`);
    s.ok(['remote', 'modify', '-u', 'l', 'bogus']);
    expect(s.read('.dvc/config')).toBe(`['remote "l"']\n    url = /srv/l\n`);
    expect(s.ok(['remote', 'modify', '--unset', 'l', 'jobs']).stderr).toMatch(/'jobs' was not set for remote 'l' in \.dvc\/config/);
    expectCleanFailure(s.trove(['remote', 'modify', '--unset', 'l', 'url']), /needs its url/);
  });

  it('a secret written to the project config warns; --local does not, and merges with the project remote', () => {
    const s = repo();
    s.ok(['remote', 'add', '-d', 'store', 's3://bucket/dvc']);
    const warned = s.ok(['remote', 'modify', 'store', 'secret_access_key', 'hunter2']);
    expect(warned.stderr).toMatch(/WARNING: 'secret_access_key' of remote 'store' is a secret, and \.dvc\/config is committed to git/);
    expect(warned.stderr).toContain('--local');
    s.ok(['remote', 'modify', '--unset', 'store', 'secret_access_key']);
    const quiet = s.ok(['remote', 'modify', '--local', 'store', 'secret_access_key', 'hunter2']);
    expect(quiet.stderr).toBe('');
    s.ok(['remote', 'modify', '--local', 'store', 'access_key_id', 'AKIA']);
    expect(s.read('.dvc/config.local')).toBe(`['remote "store"']\n    secret_access_key = hunter2\n    access_key_id = AKIA\n`);
    expect(s.read('.dvc/config')).toBe(`[core]\n    remote = store\n['remote "store"']\n    url = s3://bucket/dvc\n`);
    // A url with a password in it warns too.
    expect(s.ok(['remote', 'add', 'pw', 's3://user:pass@bucket/x']).stderr).toMatch(/WARNING: the url of remote 'pw' holds a password/);
  });

  it('keeps the mode of a config.local made private', () => {
    const s = repo();
    s.ok(['remote', 'add', 'store', 's3://bucket/dvc']);
    s.ok(['remote', 'modify', '--local', 'store', 'access_key_id', 'AKIA']);
    fs.chmodSync(s.abs('.dvc/config.local'), 0o600);
    s.ok(['remote', 'modify', '--local', 'store', 'secret_access_key', 'x']);
    expect(s.mode('.dvc/config.local')).toBe(0o600);
  });

  it('the remote must exist at that level or below: the error says where it is', () => {
    const s = repo();
    s.ok(['remote', 'add', '--local', 'mine', '/srv/mine']);
    const r = s.trove(['remote', 'modify', 'mine', 'jobs', '2']);
    expectCleanFailure(r, /remote 'mine' doesn't exist/, 1);
    expect(r.stderr).toContain('.dvc/config.local');
    expect(r.stderr).toContain('--local');
    s.ok(['remote', 'modify', '--local', 'mine', 'jobs', '2']);
    expectCleanFailure(s.trove(['remote', 'modify', 'nope', 'jobs', '2']), /remote 'nope' doesn't exist/, 1);
    // No value and no --unset: a usage error.
    expectCleanFailure(s.trove(['remote', 'modify', '--local', 'mine', 'jobs']), /give a value/, 2);
  });
});

describe('trove remote list', () => {
  it('never shows a password from a url, nor secret options', () => {
    const s = repo();
    s.ok(['remote', 'add', 's3', 's3://AKIA:s3cr3t@bucket/path']);
    s.ok(['remote', 'modify', '--local', 's3', 'secret_access_key', 'hunter2']);
    s.ok(['remote', 'add', 'web', 'gs://user:pw@bucket/x?token=abc']);
    const text = s.ok(['remote', 'list']).stdout;
    expect(text).toBe('s3\ts3://bucket/path\nweb\tgs://bucket/x\n');
    const json = s.ok(['remote', 'list', '--json']).stdout;
    for (const out of [text, json]) for (const secret of ['s3cr3t', 'hunter2', 'AKIA', 'pw@', 'token']) expect(out).not.toContain(secret);
    const bad = s.trove(['remote', 'add', 's3', 's3://AKIA:s3cr3t@bucket/other']);
    expectCleanFailure(bad, /already exists/);
    expect(bad.stderr).not.toContain('s3cr3t');
  });

  it('reads every level (lowest first) or one level; --json is sorted by name', () => {
    const s = repo();
    s.ok(['remote', 'add', '--global', 'zglobal', '/srv/g']);
    s.ok(['remote', 'add', 'project', '/srv/p']);
    s.ok(['remote', 'add', '--local', 'alocal', '/srv/l']);
    expect(s.ok(['remote', 'list']).stdout).toBe('zglobal\t/srv/g\nproject\t/srv/p\nalocal\t/srv/l\n');
    expect(s.ok(['remote', 'list', '--local']).stdout).toBe('alocal\t/srv/l\n');
    expect(s.ok(['remote', 'list', '--project']).stdout).toBe('project\t/srv/p\n');
    expect(JSON.parse(s.ok(['remote', 'list', '--json']).stdout).map((r: { name: string; level: string }) => `${r.name}:${r.level}`)).toEqual([
      'alocal:local',
      'project:project',
      'zglobal:global',
    ]);
    expect(fs.readFileSync(path.join(s.home, '.config', 'dvc', 'config'), 'utf8')).toBe(`['remote "zglobal"']\n    url = /srv/g\n`);
    expect(new Sandbox({ git: false }).ok(['remote', 'list']).stdout).toBe('');
  });
});

describe('trove remote rename, remove, default', () => {
  it('rename moves the section (and its --local overlay) and follows core.remote', () => {
    const s = repo();
    s.ok(['remote', 'add', '-d', 'old', 's3://bucket/dvc']);
    s.ok(['remote', 'add', 'other', '/srv/other']);
    s.ok(['remote', 'modify', '--local', 'old', 'access_key_id', 'AKIA']);
    s.ok(['remote', 'default', '--local', 'old']);
    const r = s.ok(['remote', 'rename', 'old', 'new']);
    expect(r.stderr).toContain("Renamed remote 'old' to 'new' in .dvc/config, .dvc/config.local.");
    expect(s.read('.dvc/config')).toBe(`[core]\n    remote = new\n['remote "other"']\n    url = /srv/other\n['remote "new"']\n    url = s3://bucket/dvc\n`);
    expect(s.read('.dvc/config.local')).toBe(`[core]\n    remote = new\n['remote "new"']\n    access_key_id = AKIA\n`);
    expectCleanFailure(s.trove(['remote', 'rename', 'new', 'other']), /remote 'other' already exists/, 1);
    expectCleanFailure(s.trove(['remote', 'rename', 'gone', 'x']), /remote 'gone' doesn't exist/, 1);
  });

  it('remove drops the section and its overlay, and unsets core.remote where it names it', () => {
    const s = repo();
    s.ok(['remote', 'add', '-d', 'store', 's3://bucket/dvc']);
    s.ok(['remote', 'add', 'keep', '/srv/keep']);
    s.ok(['remote', 'modify', '--local', 'store', 'secret_access_key', 'x']);
    s.ok(['remote', 'default', '--local', 'store']);
    const r = s.ok(['remote', 'remove', 'store']);
    expect(r.stderr).toContain("'store' is no longer the default remote (.dvc/config, .dvc/config.local).");
    expect(s.read('.dvc/config')).toBe(`['remote "keep"']\n    url = /srv/keep\n`);
    expect(s.read('.dvc/config.local')).toBe('');
    expect(s.ok(['remote', 'list']).stdout).toBe('keep\t/srv/keep\n');
    expectCleanFailure(s.trove(['remote', 'remove', 'store']), /remote 'store' doesn't exist/, 1);
  });

  it('default prints, sets and unsets; a missing remote cannot be the default', () => {
    const s = repo();
    const none = s.trove(['remote', 'default']);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('No default remote set\n');
    expect(JSON.parse(s.ok(['remote', 'default', '--json']).stdout)).toEqual({ default: null });
    s.ok(['remote', 'add', 'a', '/srv/a']);
    s.ok(['remote', 'default', 'a']);
    expect(s.read('.dvc/config')).toBe(`[core]\n    remote = a\n['remote "a"']\n    url = /srv/a\n`);
    expect(s.ok(['remote', 'default']).stdout).toBe('a\n');
    expect(s.ok(['config', 'core.remote']).stdout).toBe('a\n');
    const missing = s.trove(['remote', 'default', 'nope']);
    expectCleanFailure(missing, /remote 'nope' doesn't exist/, 1);
    expect(missing.stderr).toContain('remotes: a');
    expect(s.trove(['remote', 'default', '--local']).code).toBe(1);
    s.ok(['remote', 'default', '--unset']);
    expect(s.read('.dvc/config')).toBe(`['remote "a"']\n    url = /srv/a\n`);
  });
});

describe('levels and places', () => {
  it('--global works outside a repository; the project level needs one', () => {
    const s = new Sandbox({ git: false });
    s.ok(['remote', 'add', '--global', '-d', 'shared', '/srv/shared']);
    expect(fs.readFileSync(path.join(s.home, '.config', 'dvc', 'config'), 'utf8')).toBe(`[core]\n    remote = shared\n['remote "shared"']\n    url = /srv/shared\n`);
    expect(s.ok(['remote', 'list']).stdout).toBe('shared\t/srv/shared\n');
    expect(s.ok(['remote', 'default']).stdout).toBe('shared\n');
    expectCleanFailure(s.trove(['remote', 'add', 'x', '/srv/x']), /not inside a trove\/DVC repository/, 1);
    expectCleanFailure(s.trove(['remote', 'add', '--local', 'x', '/srv/x']), /not inside a trove\/DVC repository/, 1);
  });

  it('`trove config remote.<name>.<key>` checks the key per kind of remote and stores paths as DVC', () => {
    const s = repo();
    s.ok(['config', 'remote.s.url', 's3://bucket/x']);
    s.ok(['config', 'remote.s.endpointurl', 'http://localhost:9000']);
    expectCleanFailure(s.trove(['config', 'remote.s.projectname', 'p']), /'projectname' is not an option of s3 remote 's'/, 1);
    s.ok(['config', 'remote.l.url', '../store']);
    expect(s.read('.dvc/config')).toBe(`['remote "s"']\n    url = s3://bucket/x\n    endpointurl = http://localhost:9000\n['remote "l"']\n    url = ../../store\n`);
    // Values are checked as `remote modify` checks them, and a bad one is not written.
    expectCleanFailure(s.trove(['config', 'remote.l.jobs', 'x']), /jobs must be a positive whole number, not 'x'/, 1);
    expectCleanFailure(s.trove(['config', 'remote.s.use_ssl', 'maybe']), /use_ssl/, 1);
    expect(s.read('.dvc/config')).not.toContain('jobs');
  });

  it('bad names and usage errors exit without a stack trace', () => {
    const s = repo();
    expectCleanFailure(s.trove(['remote', 'add', 'a"b', '/srv/x']), /cannot be a remote name/, 1);
    expectCleanFailure(s.trove(['remote', 'add', 'a', '']), /url is empty/, 1);
    const usage = s.trove(['remote', 'add', 'only-name']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing required argument/);
    expect(s.trove(['remote', 'frobnicate']).code).toBe(2);
    expect(s.trove(['remote', 'add', '--global', '--local', 'a', '/x']).code).toBe(2);
  });

  it('an unsupported kind of remote is saved for DVC, with a warning', () => {
    const s = repo();
    const r = s.ok(['remote', 'add', 'ssh', 'ssh://host/path']);
    expect(r.stderr).toMatch(/WARNING: trove cannot use 'ssh:\/\/' remotes yet/);
    s.ok(['remote', 'modify', 'ssh', 'user', 'me']);
    expect(s.read('.dvc/config')).toBe(`['remote "ssh"']\n    url = ssh://host/path\n    user = me\n`);
  });

  it('help for every subcommand teaches with examples', () => {
    const s = new Sandbox({ git: false });
    const top = s.ok(['remote', '--help']).stdout;
    expect(top).toContain('Usage: trove remote');
    for (const example of ['trove remote add -d storage', 'endpointurl http://localhost:9000', 'modify --local s3store secret_access_key', 'gs://my-bucket']) {
      expect(top).toContain(example);
    }
    for (const sub of ['add', 'modify', 'list', 'remove', 'rename', 'default']) {
      const r = s.ok(['remote', sub, '--help']);
      expect(r.stdout).toContain(`Usage: trove remote ${sub}`);
      expect(r.stdout).toContain('--local');
    }
    expect(s.ok(['--help']).stdout).toContain('  remote');
  });
});
