import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockHeldError, RepoLock } from '../../../src/fs/repo-lock.js';
import { caughtSync, useTempDirs } from '../helpers.js';

const tmp = useTempDirs();
let lockFile: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  lockFile = path.join(tmp(), '.dvc', 'tmp', 'lock');
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A live process that is not this one. */
function liveOtherPid(): number {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

/** The pid of a process that has exited (pids are not reused that fast). */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(r.stdout).trim());
}

function writeLock(text: string): void {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  fs.writeFileSync(lockFile, text);
}

const holder = () => JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number; command?: string };

describe('RepoLock', () => {
  it('acquire writes who holds it; release removes it', () => {
    const lock = new RepoLock(lockFile, 'trove add');
    lock.acquire(0);
    expect(holder()).toMatchObject({ pid: process.pid, command: 'trove add' });
    lock.release();
    expect(fs.existsSync(lockFile)).toBe(false);
    lock.release(); // idempotent
  });

  it('a lock held by a live other process fails with LockHeldError naming it', () => {
    const pid = liveOtherPid();
    writeLock(JSON.stringify({ pid, host: os.hostname(), command: 'trove push', since: '2026-01-01T00:00:00Z' }));
    const e = caughtSync(() => new RepoLock(lockFile, 'trove add').acquire(200));
    expect(e).toBeInstanceOf(LockHeldError);
    expect((e as LockHeldError).holder?.pid).toBe(pid);
    expect((e as Error).message).toContain(`process ${pid}`);
    expect((e as Error).message).toContain('trove push');
    expect((e as LockHeldError).hint).toContain(lockFile);
    // The holder's lock is left alone.
    expect(holder().pid).toBe(pid);
  });

  it("DVC's bare-pid lock of a live process is respected", () => {
    const pid = liveOtherPid();
    writeLock(`${pid}\n`);
    const e = caughtSync(() => new RepoLock(lockFile, 'trove add').acquire(100));
    expect(e).toBeInstanceOf(LockHeldError);
    expect((e as LockHeldError).holder?.pid).toBe(pid);
  });

  it('a lock whose holder died is taken over', () => {
    writeLock(JSON.stringify({ pid: deadPid(), host: os.hostname(), command: 'trove add' }));
    const lock = new RepoLock(lockFile, 'trove status');
    lock.acquire(0);
    expect(holder()).toMatchObject({ pid: process.pid, command: 'trove status' });
    lock.release();
  });

  it("DVC's bare-pid lock of a dead process is taken over", () => {
    writeLock(` ${deadPid()} \n`);
    const lock = new RepoLock(lockFile, 'trove add');
    lock.acquire(0);
    expect(holder().pid).toBe(process.pid);
    lock.release();
  });

  it('a lock from another host is never assumed dead', () => {
    writeLock(JSON.stringify({ pid: deadPid(), host: `not-${os.hostname()}` }));
    expect(caughtSync(() => new RepoLock(lockFile, 'trove add').acquire(100))).toBeInstanceOf(LockHeldError);
  });

  it('an old empty lock file (a writer that died between create and write) is taken over', () => {
    writeLock('');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile, old, old);
    const lock = new RepoLock(lockFile, 'trove add');
    lock.acquire(0);
    expect(holder().pid).toBe(process.pid);
    lock.release();
  });

  it('a fresh empty lock file is someone about to write: wait, then fail', () => {
    writeLock('');
    expect(caughtSync(() => new RepoLock(lockFile, 'trove add').acquire(100))).toBeInstanceOf(LockHeldError);
    expect(fs.readFileSync(lockFile, 'utf8')).toBe('');
  });

  it('release does not remove a lock that another process took over', () => {
    const lock = new RepoLock(lockFile, 'trove add');
    lock.acquire(0);
    const pid = liveOtherPid();
    fs.writeFileSync(lockFile, JSON.stringify({ pid }));
    lock.release();
    expect(holder().pid).toBe(pid);
  });
});
