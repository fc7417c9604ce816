import { spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corruptObjects, expectCleanFailure, fileDvc, repo, type Sandbox } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Polls (no timing assertions) until `ready()` holds or the child exits; then SIGKILLs it. */
async function killWhen(child: ChildProcess, ready: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  while (child.exitCode === null && child.signalCode === null) {
    if (ready()) {
      child.kill('SIGKILL');
      break;
    }
    await sleep(2);
  }
  return exited(child);
}

function entries(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every cache object hashes to its name; no temp files are left in the object directories. */
function expectIntactCache(s: Sandbox): void {
  const objects = s.cacheObjects();
  expect(corruptObjects(objects)).toEqual([]);
  for (const o of objects) expect(o.mode).toBe(0o444);
}

/** big.bin: 160 MiB, distinct per MiB so that a torn copy cannot hash to the right name. */
function writeBigFile(s: Sandbox): void {
  const fd = fs.openSync(s.abs('big.bin'), 'w');
  const block = crypto.randomBytes(1 << 20);
  for (let i = 0; i < 160; i++) {
    block.writeUInt32LE(i, 0);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
}

describe('a killed add leaves a repository the next command works in', () => {
  it('SIGKILL while one big file is copied into the cache', async () => {
    const s = repo();
    writeBigFile(s);
    const filesRoot = path.join(s.cacheDir(), 'files', 'md5');
    const child = s.spawnTrove(['add', 'big.bin']);
    const r = await killWhen(child, () =>
      entries(filesRoot).some((n) => n.startsWith('.trove-tmp-') && (fs.statSync(path.join(filesRoot, n), { throwIfNoEntry: false })?.size ?? 0) > 0),
    );
    expect(r.signal, 'add finished before it could be killed').toBe('SIGKILL');
    // No object was adopted from the partial copy.
    expect(s.cacheObjects()).toEqual([]);
    expect(s.exists('big.bin.dvc')).toBe(false);

    s.ok(['add', 'big.bin']);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expectIntactCache(s);
    expect(s.cacheObjects()).toHaveLength(1);
    expect(entries(filesRoot).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(s.exists('.dvc/tmp/lock')).toBe(false);
  });

  it('SIGKILL halfway through a directory of many files', async () => {
    const s = repo();
    const block = crypto.randomBytes(64 * 1024);
    for (let i = 0; i < 800; i++) {
      block.writeUInt32LE(i, 0);
      s.write(`ds/part-${Math.floor(i / 100)}/f${i}.bin`, block);
    }
    const filesRoot = path.join(s.cacheDir(), 'files', 'md5');
    const child = s.spawnTrove(['add', 'ds']);
    const r = await killWhen(child, () => entries(filesRoot).filter((n) => !n.startsWith('.')).length >= 16);
    expect(r.signal, 'add finished before it could be killed').toBe('SIGKILL');
    expect(s.exists('ds.dvc')).toBe(false);
    expectIntactCache(s);

    // The killed process's lock is taken over; the next add completes and status is clean.
    const again = s.ok(['add', 'ds']);
    expect(again.stderr).not.toMatch(/locked/);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expectIntactCache(s);
    expect(s.cacheObjects()).toHaveLength(801);
  });
});

describe('a killed checkout leaves a workspace the next checkout repairs', () => {
  it('SIGKILL while a big file is copied into a directory output; no -f needed afterwards', async () => {
    const s = repo();
    const block = crypto.randomBytes(1 << 20);
    fs.mkdirSync(s.abs('d'));
    const out = fs.openSync(s.abs('d/big.bin'), 'w');
    for (let i = 0; i < 160; i++) {
      block.writeUInt32LE(i, 0);
      fs.writeSync(out, block);
    }
    fs.closeSync(out);
    s.write('d/small.txt', 'small\n');
    s.ok(['add', 'd']);
    fs.rmSync(s.abs('d'), { recursive: true });
    const child = s.spawnTrove(['checkout']);
    const r = await killWhen(child, () => entries(s.abs('d')).some((n) => n.endsWith('.tmp')));
    expect(r.signal, 'checkout finished before it could be killed').toBe('SIGKILL');
    expect(entries(s.abs('d')).some((n) => n.endsWith('.tmp'))).toBe(true);

    const again = s.ok(['checkout']);
    expect(again.stdout).toBe('M       d/\n');
    expect(entries(s.abs('d')).sort()).toEqual(['big.bin', 'small.txt']);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expectIntactCache(s);
  });
});

describe('damaged state files', () => {
  it('a garbage or truncated hash index costs a re-hash, never a wrong answer', () => {
    const s = repo();
    s.writeAll({ 'd/a': 'a\n', 'd/b': 'b\n', 'f': 'f\n' });
    s.ok(['add', 'd', 'f']);
    const index = s.abs('.dvc/tmp/trove/hash-index');
    expect(fs.existsSync(index)).toBe(true);
    const good = fs.readFileSync(index);
    for (const bad of [crypto.randomBytes(good.length), good.subarray(0, good.length - 7), Buffer.alloc(0)]) {
      fs.writeFileSync(index, bad);
      expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
      s.write('d/a', 'A\n');
      expect(JSON.parse(s.ok(['status', '--json']).stdout)).toEqual({ 'd.dvc': [{ 'changed outs': { d: 'modified' } }] });
      s.write('d/a', 'a\n');
    }
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
  });
});

describe('interrupting add (Ctrl-C)', () => {
  it('SIGINT exits 130, releases the lock, leaves no partial object', async () => {
    const s = repo();
    writeBigFile(s);
    const filesRoot = path.join(s.cacheDir(), 'files', 'md5');
    const child = s.spawnTrove(['add', 'big.bin']);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    while (child.exitCode === null && !entries(filesRoot).some((n) => n.startsWith('.trove-tmp-'))) await sleep(2);
    child.kill('SIGINT');
    const r = await exited(child);
    expect(r.code, stderr).toBe(130);
    expect(stderr).toContain('Interrupted');
    expect(s.exists('.dvc/tmp/lock')).toBe(false);
    expect(s.exists('big.bin.dvc')).toBe(false);
    expectIntactCache(s);
    s.ok(['add', 'big.bin']);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expect(entries(filesRoot).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('the repository lock', () => {
  it('serialises two writers started together: both succeed', async () => {
    const s = repo();
    const block = crypto.randomBytes(64 * 1024);
    for (let i = 0; i < 300; i++) {
      block.writeUInt32LE(i, 0);
      s.write(`one/f${i}`, block);
      block.writeUInt32LE(i + 100_000, 0);
      s.write(`two/f${i}`, block);
    }
    const a = s.spawnTrove(['add', 'one'], { env: { TROVE_LOCK_WAIT_MS: '30000' } });
    const b = s.spawnTrove(['add', 'two'], { env: { TROVE_LOCK_WAIT_MS: '30000' } });
    const [ra, rb] = await Promise.all([exited(a), exited(b)]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    expect(s.exists('one.dvc') && s.exists('two.dvc')).toBe(true);
    expect(s.read('.gitignore').split('\n').filter(Boolean).sort()).toEqual(['/one', '/two']);
    expect(s.ok(['status']).stdout).toBe('Data and pipelines are up to date.\n');
    expectIntactCache(s);
    expect(s.cacheObjects()).toHaveLength(602);
  });


  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    return Number(r.stdout);
  }

  it('a writer waits briefly, then fails naming the live holder; the lock is left alone', () => {
    const s = repo();
    s.write('a.txt', 'a');
    const holder = s.spawnProcess('sleep', ['60']);
    const lock = JSON.stringify({ pid: holder.pid, command: 'add' });
    s.write('.dvc/tmp/lock', lock);
    for (const cmd of [['add', 'a.txt'], ['checkout'], ['commit', '-f'], ['gc', '-w', '-f'], ['remove', 'x.dvc']]) {
      const r = s.trove(cmd, { env: { TROVE_LOCK_WAIT_MS: '150' } });
      expectCleanFailure(r, new RegExp(`locked by process ${holder.pid} \\('add'\\)`));
      expect(r.stderr).toContain('.dvc/tmp/lock');
    }
    expect(s.read('.dvc/tmp/lock')).toBe(lock);
    expect(s.exists('a.txt.dvc')).toBe(false);
    // Readers do not need the lock.
    expect(s.trove(['status']).code).toBe(0);
    holder.kill('SIGKILL');
  });

  it('DVC\'s bare-pid lock format is understood too', () => {
    const s = repo();
    s.write('a.txt', 'a');
    const holder = s.spawnProcess('sleep', ['60']);
    s.write('.dvc/tmp/lock', `${holder.pid}\n`);
    expectCleanFailure(s.trove(['add', 'a.txt'], { env: { TROVE_LOCK_WAIT_MS: '100' } }), new RegExp(`locked by process ${holder.pid}`));
    holder.kill('SIGKILL');
  });

  it('a lock left by a dead process is taken over, and released afterwards', () => {
    const s = repo();
    s.write('a.txt', 'a');
    s.write('.dvc/tmp/lock', JSON.stringify({ pid: deadPid(), command: 'add' }));
    s.ok(['add', 'a.txt'], { env: { TROVE_LOCK_WAIT_MS: '100' } });
    expect(s.read('a.txt.dvc')).toBe(fileDvc('a.txt', 'a'));
    expect(s.exists('.dvc/tmp/lock')).toBe(false);
  });

  it('an empty lock file (a writer killed between create and write) does not wedge the repo forever', () => {
    const s = repo();
    s.write('a.txt', 'a');
    s.write('.dvc/tmp/lock', '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(s.abs('.dvc/tmp/lock'), old, old);
    s.ok(['add', 'a.txt'], { env: { TROVE_LOCK_WAIT_MS: '100' } });
    expect(s.exists('.dvc/tmp/lock')).toBe(false);
  });

  it('a failing command releases the lock', () => {
    const s = repo();
    expectCleanFailure(s.trove(['add', 'missing']));
    expect(s.exists('.dvc/tmp/lock')).toBe(false);
  });
});
