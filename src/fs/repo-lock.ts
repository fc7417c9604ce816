import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TroveError } from '../errors.js';

export interface LockInfo {
  pid: number;
  host?: string;
  command?: string;
  since?: string;
}

export class LockHeldError extends TroveError {
  constructor(
    readonly lockPath: string,
    readonly holder: LockInfo | undefined,
  ) {
    const who = holder
      ? `process ${holder.pid}${holder.command ? ` ('${holder.command}')` : ''}${holder.since ? ` since ${holder.since}` : ''}`
      : 'another process';
    super('LOCKED', `the repository is locked by ${who}`, {
      hint: `wait for it to finish and retry; if no such process runs, delete '${lockPath}'`,
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads the holder of a lock file. DVC (zc.lockfile) writes a bare pid; trove writes JSON. */
function readHolder(file: string): LockInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text) as LockInfo;
    } catch {
      return undefined;
    }
  }
  const pid = Number.parseInt(text, 10);
  return Number.isFinite(pid) ? { pid } : undefined;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * An exclusive repo lock at `.dvc/tmp/lock`. A lock whose holder died (same host, pid gone) is
 * taken over, so a killed command never wedges the repo. Waits up to `waitMs`, then fails naming
 * the holder.
 */
export class RepoLock {
  private held = false;
  private readonly onExit = () => this.release();

  constructor(
    readonly file: string,
    private readonly command: string,
  ) {}

  acquire(waitMs = 3000): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const deadline = Date.now() + waitMs;
    const me: LockInfo = { pid: process.pid, host: os.hostname(), command: this.command, since: new Date().toISOString() };
    for (;;) {
      try {
        fs.writeFileSync(this.file, JSON.stringify(me), { flag: 'wx' });
        this.held = true;
        process.once('exit', this.onExit);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readHolder(this.file);
      const sameHost = !holder?.host || holder.host === os.hostname();
      if (holder && sameHost && (holder.pid === process.pid || !isAlive(holder.pid))) {
        // Stale: the holder is gone. Remove only if it is still the same stale file.
        try {
          const again = readHolder(this.file);
          if (again?.pid === holder.pid) fs.unlinkSync(this.file);
        } catch {
          /* raced with another taker; loop */
        }
        continue;
      }
      if (!holder) {
        // Empty or unreadable: a writer between create and write, or a dead one. Give it a moment.
        const st = fs.statSync(this.file, { throwIfNoEntry: false });
        if (st && Date.now() - st.mtimeMs > 2000) {
          fs.rmSync(this.file, { force: true });
          continue;
        }
      }
      if (Date.now() >= deadline) throw new LockHeldError(this.file, holder);
      sleepSync(50);
    }
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    process.removeListener('exit', this.onExit);
    try {
      const holder = readHolder(this.file);
      if (holder?.pid === process.pid) fs.unlinkSync(this.file);
    } catch {
      /* already gone */
    }
  }
}
