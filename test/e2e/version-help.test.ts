import { describe, expect, it } from 'vitest';
import { repo, Sandbox } from './helpers.js';

const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string };

describe('version and help', () => {
  it('--version, -V and `version` print the package version and exit 0', () => {
    const s = new Sandbox({ git: false });
    for (const args of [['--version'], ['-V']]) {
      const r = s.ok(args);
      expect(r.stdout).toBe(`${pkg.version}\n`);
    }
    const v = s.ok(['version']);
    expect(v.stdout).toContain(`trove version: ${pkg.version}\n`);
    expect(v.stdout).toContain('Compatible with: DVC 3.x repositories');
    // The global config dir follows XDG_CONFIG_HOME.
    expect(v.stdout).toContain(`\tGlobal: ${s.home}/.config/dvc\n`);
    const json = JSON.parse(s.ok(['version', '--json']).stdout);
    expect(json.version).toBe(pkg.version);
  });

  it('version inside a repository reports the cache and the link types that work here', () => {
    const s = repo();
    const v = s.ok(['version']);
    expect(v.stdout).toContain(`Cache directory: ${s.root}/.dvc/cache\n`);
    expect(v.stdout).toMatch(/Cache types: .*copy/);
    expect(v.stdout).toContain('Repo: dvc, git\n');
    // Probing leaves nothing behind.
    expect(s.files('', { all: true }).filter((f) => f.includes('probe'))).toEqual([]);
  });

  const COMMANDS = [
    ['init'], ['add'], ['status'], ['commit'], ['checkout'], ['remove'], ['move'], ['gc'],
    ['unprotect'], ['config'], ['cache'], ['cache', 'dir'], ['version'],
  ];

  it('every command has --help (exit 0, usage on stdout)', () => {
    const s = new Sandbox({ git: false });
    for (const cmd of COMMANDS) {
      const r = s.trove([...cmd, '--help']);
      expect(r.code, cmd.join(' ')).toBe(0);
      expect(r.stdout, cmd.join(' ')).toContain(`Usage: trove ${cmd.join(' ')}`);
    }
    const top = s.ok(['--help']);
    for (const [cmd] of COMMANDS) expect(top.stdout).toContain(`  ${cmd}`);
  });

  it('every command and subcommand teaches: examples in its help, lines within 100 columns', () => {
    const s = new Sandbox({ git: false });
    /** The names under "Commands:" in a help text (aliases and `help` left out). */
    const subcommands = (help: string): string[] => {
      const block = help.split('\nCommands:\n')[1]?.split('\n\n')[0] ?? '';
      return [...block.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    };
    const all: string[][] = [];
    const visit = (cmd: string[]): void => {
      const help = s.ok([...cmd, '--help']).stdout;
      if (cmd.length > 0) all.push(cmd);
      for (const sub of subcommands(help)) visit([...cmd, sub]);
    };
    visit([]);
    expect(all.length).toBeGreaterThan(35);
    for (const cmd of all) {
      const help = s.ok([...cmd, '--help']).stdout;
      const examples = help.split(/\nExamples?:\n/)[1];
      expect(examples, `${cmd.join(' ')} has no examples`).toMatch(/^ {2}.*\btrove /m);
      for (const line of help.split('\n')) expect(line.length, `${cmd.join(' ')}: ${line}`).toBeLessThanOrEqual(100);
    }
  });

  it.each(['-q', '-v'])('%s is accepted by every command', (flag) => {
    const s = repo();
    s.write('f.txt', 'f');
    const runs: string[][] = [
      ['add', 'f.txt'], ['status'], ['commit'], ['checkout'], ['unprotect', 'f.txt'], ['gc', '-w', '-f'],
      ['config', 'cache.type', 'copy'], ['config', '-l'], ['cache', 'dir'], ['version'], ['move', 'f.txt', 'g.txt'], ['remove', 'g.txt.dvc'],
    ];
    for (const args of runs) {
      const r = s.trove([...args, flag]);
      expect(r.code, `${args.join(' ')} ${flag}: ${r.stderr}`).toBe(0);
      if (flag === '-q') expect(r.stderr, `${args.join(' ')} -q`).toBe('');
    }
    const init = new Sandbox();
    expect(init.trove(['init', flag]).code).toBe(0);
  });

  it('-v shows the debug line about the link type', () => {
    const s = repo();
    s.write('f.txt', 'f');
    s.ok(['config', 'cache.type', 'copy']);
    expect(s.ok(['add', 'f.txt', '-v']).stderr).toContain("DEBUG: Using 'copy' links");
  });

  it('unknown flags and commands are usage errors (exit 2)', () => {
    const s = repo();
    for (const args of [['--bogus'], ['status', '--bogus'], ['add', '-Z', 'x'], ['checkout', '--nope'], ['frobnicate'], ['gc', '-w', '--all-the-things']]) {
      const r = s.trove(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/error: unknown (option|command)/);
    }
    expect(s.trove(['move', 'only-one']).code).toBe(2);
  });
});
