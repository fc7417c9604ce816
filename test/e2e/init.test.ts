import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, FORMATS, Sandbox } from './helpers.js';

const DVC_GITIGNORE = fs.readFileSync(path.join(FORMATS, 'dvc-dir.gitignore'), 'utf8');
const DVCIGNORE = fs.readFileSync(path.join(FORMATS, 'dvcignore.after-init'), 'utf8');
const CONFIG_AFTER_INIT = fs.readFileSync(path.join(FORMATS, 'dvc-config.after-init'), 'utf8');

describe('trove init', () => {
  it('creates .dvc/ and .dvcignore exactly as dvc init does, and stages them', () => {
    const s = new Sandbox();
    const r = s.ok(['init']);
    expect(r.stdout).toMatch(/^Initialized DVC repository\.\n\nYou can now commit the changes to git\.\n/);
    expect(s.read('.dvc/config')).toBe(CONFIG_AFTER_INIT);
    expect(s.read('.dvc/config')).toBe('');
    expect(s.read('.dvc/.gitignore')).toBe(DVC_GITIGNORE);
    expect(s.read('.dvcignore')).toBe(DVCIGNORE);
    expect(s.lstat('.dvc/tmp').isDirectory()).toBe(true);
    expect(s.staged()).toEqual(['.dvc/.gitignore', '.dvc/config', '.dvcignore']);
    // Nothing else appears in the workspace.
    expect(s.tree('', ['.git']).map((l) => l.slice(5))).toEqual(['.dvc/', '.dvc/.gitignore', '.dvc/config', '.dvc/tmp/', '.dvcignore']);
  });

  it('refuses to run outside a git repository without --no-scm', () => {
    const s = new Sandbox({ git: false });
    const r = s.trove(['init']);
    expectCleanFailure(r, /not tracked by any supported SCM tool/);
    expect(r.stderr).toMatch(/--no-scm/);
    expect(s.exists('.dvc')).toBe(false);
    expect(s.exists('.dvcignore')).toBe(false);
  });

  it('--no-scm writes core.no_scm the way DVC does', () => {
    const s = new Sandbox({ git: false });
    s.ok(['init', '--no-scm']);
    expect(s.read('.dvc/config')).toBe('[core]\n    no_scm = True\n');
    expect(s.read('.dvc/.gitignore')).toBe(DVC_GITIGNORE);
    expect(s.read('.dvcignore')).toBe(DVCIGNORE);
  });

  it('fails when .dvc exists, and -f re-initialises', () => {
    const s = new Sandbox();
    s.ok(['init']);
    s.write('.dvc/config', '[core]\n    autostage = true\n');
    const again = s.trove(['init']);
    expectCleanFailure(again, /'\.dvc' exists/);
    expect(again.stderr).toMatch(/-f/);
    expect(s.read('.dvc/config')).toBe('[core]\n    autostage = true\n');

    s.ok(['init', '-f']);
    expect(s.read('.dvc/config')).toBe('');
    expect(s.read('.dvc/.gitignore')).toBe(DVC_GITIGNORE);
  });

  it('refuses a subdirectory of a git repository unless --subdir', () => {
    const s = new Sandbox();
    fs.mkdirSync(s.abs('sub'));
    const r = s.trove(['init'], { cwd: 'sub' });
    expectCleanFailure(r, /not the root of the git repository/);
    expect(s.exists('sub/.dvc')).toBe(false);
    s.ok(['init', '--subdir'], { cwd: 'sub' });
    expect(s.exists('sub/.dvc/config')).toBe(true);
  });

  it('-q prints nothing', () => {
    const s = new Sandbox();
    const r = s.ok(['init', '-q']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });
});
