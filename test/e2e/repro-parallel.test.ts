/**
 * trove repro -j (independent stages at once, the same dvc.lock as a serial run, each stage's
 * lines together), and a repro killed while a stage runs, then one that recovers.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo, type Sandbox } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Four independent stages that sleep (the first longest, so that it finishes last), and one that
 * joins their outputs. Each stage writes when it started and ended (nanoseconds) outside the repo.
 */
function wideDag(): string {
  const sleeps = [2, 1, 1, 1];
  const wide = sleeps.map(
    (t, i) =>
      `  w${i + 1}:\n    cmd: date +%s%N > ../times/w${i + 1}.start; sleep ${t}; echo w${i + 1} says hi; echo ${i + 1} > o${i + 1}.txt; date +%s%N > ../times/w${i + 1}.end\n` +
      `    outs:\n    - o${i + 1}.txt\n`,
  );
  const join = '  join:\n    cmd: cat o1.txt o2.txt o3.txt o4.txt > all.txt\n    deps:\n    - o1.txt\n    - o2.txt\n    - o3.txt\n    - o4.txt\n    outs:\n    - all.txt\n';
  return `stages:\n${wide.join('')}${join}`;
}

function wideRepo(): Sandbox {
  const s = repo();
  fs.mkdirSync(path.join(s.base, 'times'));
  s.write('dvc.yaml', wideDag());
  return s;
}

/** [start, end] in ms of each wide stage, from the stamps the stages wrote. */
function intervals(s: Sandbox): [number, number][] {
  const read = (f: string) => Number(BigInt(fs.readFileSync(path.join(s.base, 'times', f), 'utf8').trim()) / 1_000_000n);
  return [1, 2, 3, 4].map((i) => [read(`w${i}.start`), read(`w${i}.end`)]);
}

/** The most intervals that overlap at one instant. */
function maxOverlap(iv: [number, number][]): number {
  const events = iv.flatMap(([a, b]) => [
    [a, 1],
    [b, -1],
  ]);
  events.sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
  let now = 0;
  let max = 0;
  for (const [, d] of events) {
    now += d!;
    max = Math.max(max, now);
  }
  return max;
}

describe('repro -j', () => {
  it('-j 2 runs two independent stages at a time, never more, and writes the lock a serial run writes', async () => {
    const serial = wideRepo();
    const parallel = wideRepo();
    const [rs, rp] = await Promise.all([
      exitedWithOutput(serial.spawnTrove(['repro', '-j', '1'])),
      exitedWithOutput(parallel.spawnTrove(['repro', '-j', '2'])),
    ]);
    expect(rs.code, rs.stderr).toBe(0);
    expect(rp.code, rp.stderr).toBe(0);

    expect(maxOverlap(intervals(serial))).toBe(1);
    const iv = intervals(parallel);
    expect(maxOverlap(iv)).toBe(2);
    // w2 (1 s) finished before w1 (2 s): the stages did not end in plan order...
    expect(iv[1]![1]).toBeLessThan(iv[0]![1]);
    // ...and yet dvc.lock has the serial run's bytes, stages in plan order.
    expect(parallel.read('dvc.lock')).toBe(serial.read('dvc.lock'));
    // .gitignore too: the lines are put in plan order once the run ends.
    expect(parallel.read('.gitignore')).toBe(serial.read('.gitignore'));
    expect([...parallel.read('dvc.lock').matchAll(/^ {2}(\S+):$/gm)].map((m) => m[1])).toEqual(['w1', 'w2', 'w3', 'w4', 'join']);
    expect(parallel.read('all.txt')).toBe('1\n2\n3\n4\n');
    expect(parallel.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expect(parallel.ok(['repro', '-j', '2']).stdout).toBe(
      `${['w1', 'w2', 'w3', 'w4', 'join'].map((n) => `Stage '${n}' didn't change, skipping`).join('\n')}\nData and pipelines are up to date.\n`,
    );

    // Each stage's lines are printed together: its reason, command, output and lock update.
    for (let i = 1; i <= 4; i++) {
      expect(rp.stdout).toMatch(
        new RegExp(`Running stage 'w${i}': it has no entry in dvc\\.lock yet\\n> date [^\\n]*\\nw${i} says hi\\n(Generating lock file 'dvc\\.lock'\\n)?Updating lock file 'dvc\\.lock'\\n`),
      );
    }
    expect(rp.stdout.match(/Generating lock file/g)).toHaveLength(1);
    expect(rp.stdout.indexOf("Running stage 'join'")).toBeGreaterThan(rp.stdout.lastIndexOf("Running stage 'w"));
  });

  it('-j 2 with a failure: the independent stage in flight finishes and is locked; nothing new starts', async () => {
    const s = repo();
    s.write(
      'dvc.yaml',
      'stages:\n  bad:\n    cmd: echo broken; exit 4\n    outs:\n    - bad.txt\n  slow:\n    cmd: sleep 1; echo s > slow.txt\n    outs:\n    - slow.txt\n' +
        '  later:\n    cmd: echo l > later.txt\n    outs:\n    - later.txt\n',
    );
    const r = s.trove(['repro', '-j', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ERROR: failed to reproduce 'bad': command 'echo broken; exit 4' exited with code 4\n/);
    expect(r.stderr).toMatch(/not run, because the run stopped at the failure \(-k goes on with them\): later\n/);
    // The failed stage's captured output is printed with its lines.
    expect(r.stdout).toContain("Running stage 'bad': it has no entry in dvc.lock yet\n> echo broken; exit 4\nbroken\n");
    expect(s.read('dvc.lock')).toMatch(/^ {2}slow:$/m);
    expect(s.exists('later.txt')).toBe(false);
  });
});

async function exitedWithOutput(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const { code } = await exited(child);
  return { code, stdout, stderr };
}

describe('a repro killed while a stage runs', () => {
  it('SIGKILL mid-stage: dvc.lock stays valid, and the next repro runs the stage again without a stale lock in the way', async () => {
    const s = repo();
    s.writeAll({
      'in.txt': 'one\n',
      // While slow.flag exists, the stage records its pid and blocks; otherwise it copies.
      'slow.sh': 'if [ -f slow.flag ]; then echo $$ > slow.pid; exec sleep 60; fi\ncp a.txt slow.txt\n',
      'dvc.yaml':
        'stages:\n  a:\n    cmd: cp in.txt a.txt\n    deps:\n    - in.txt\n    outs:\n    - a.txt\n' +
        '  slow:\n    cmd: sh slow.sh\n    deps:\n    - a.txt\n    - slow.sh\n    outs:\n    - slow.txt\n',
    });
    s.ok(['repro']);
    const before = s.read('dvc.lock');

    s.write('in.txt', 'two\n');
    s.write('slow.flag', '');
    const child = s.spawnTrove(['repro']);
    let stagePid = 0;
    while (child.exitCode === null) {
      if (s.exists('slow.pid') && s.read('slow.pid').trim() !== '') {
        stagePid = Number(s.read('slow.pid').trim());
        break;
      }
      await sleep(10);
    }
    expect(stagePid, 'the stage started').toBeGreaterThan(0);
    child.kill('SIGKILL');
    expect((await exited(child)).signal).toBe('SIGKILL');
    // SIGKILL gives trove no chance to stop its children: the stage is still running. Kill it too.
    expect(isAlive(stagePid)).toBe(true);
    process.kill(stagePid, 'SIGKILL');
    // (An orphan is reaped by init; where nothing reaps it, it stays a zombie: do not wait forever.)
    for (let i = 0; i < 200 && isAlive(stagePid); i++) await sleep(10);

    // The lock file is whole: a's new entry was written, slow's old one kept; its output was removed before it ran.
    const mid = s.read('dvc.lock');
    expect(mid).not.toBe(before);
    expect(mid.split('\n  slow:\n')[1]).toBe(before.split('\n  slow:\n')[1]);
    expect(s.exists('slow.txt')).toBe(false);
    expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({
      slow: [{ 'changed deps': { 'a.txt': 'modified' } }, { 'changed outs': { 'slow.txt': 'deleted' } }],
    });
    // The killed process's repository lock is still there, naming a dead process.
    expect(s.exists('.dvc/tmp/lock')).toBe(true);

    fs.rmSync(s.abs('slow.flag'));
    fs.rmSync(s.abs('slow.pid'));
    const r = s.ok(['repro'], { env: { TROVE_LOCK_WAIT_MS: '200' } });
    expect(r.stdout).toContain("Stage 'a' didn't change, skipping\nRunning stage 'slow': dependency a.txt was modified; output slow.txt was deleted\n> sh slow.sh\n");
    expect(s.read('slow.txt')).toBe('two\n');
    expect(s.exists('.dvc/tmp/lock')).toBe(false);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    // No temp file of an interrupted lock write was left beside dvc.lock.
    expect(fs.readdirSync(s.root).filter((f) => f.startsWith('dvc.lock') || f.includes('.tmp'))).toEqual(['dvc.lock']);
  });
});
