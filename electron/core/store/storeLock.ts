/**
 * One writer at a time per store. An import moves files into the tree before its catalog
 * transaction, and the start-up repair removes tree files the catalog does not know; the
 * two must never overlap, even across processes (a running proxy, a CLI import). The lock
 * is a file created exclusively, naming its holder, so a lock left by a crashed process
 * is recognised and taken over.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';

export interface StoreLock {
  release(): void;
}

interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** A lock file still being written by its creator is at most this old. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** Locks this process holds: a lock file naming our own pid that is not among them was left by an earlier process. */
const heldHere = new Set<string>();

/** Takes the lock, or returns undefined when a live process holds it. */
export function tryLockStore(lockFile: string): StoreLock | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lockFile, 'wx', 0o644);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!isStale(lockFile)) return undefined;
      unlinkIfPresent(lockFile);
      continue;
    }
    try {
      const holder: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
      writeSync(fd, `${JSON.stringify(holder)}\n`);
    } finally {
      closeSync(fd);
    }
    heldHere.add(lockFile);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        heldHere.delete(lockFile);
        unlinkIfPresent(lockFile);
      },
    };
  }
  return undefined;
}

/** Takes the lock or throws, naming who holds it. */
export function lockStore(lockFile: string, storeDir: string): StoreLock {
  const lock = tryLockStore(lockFile);
  if (lock !== undefined) return lock;
  const holder = readHolder(lockFile);
  const who = holder === undefined ? 'another process' : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
  throw new Error(
    `${storeDir}: ${who} is importing into this store; wait for it to finish ` +
      `(if no import is running, remove ${lockFile})`,
  );
}

function isStale(lockFile: string): boolean {
  const holder = readHolder(lockFile);
  if (holder === undefined) {
    try {
      return Date.now() - statSync(lockFile).mtimeMs > UNREADABLE_LOCK_GRACE_MS;
    } catch {
      return true;
    }
  }
  // A process on another machine (a store on a network drive) cannot be checked: assume it is alive.
  if (holder.host !== os.hostname()) return false;
  if (holder.pid === process.pid) return !heldHere.has(lockFile);
  return !isAlive(holder.pid);
}

function readHolder(lockFile: string): LockHolder | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(lockFile, 'utf8'));
    const holder = parsed as Partial<LockHolder>;
    if (typeof holder.pid !== 'number' || typeof holder.host !== 'string' || typeof holder.since !== 'string') return undefined;
    return { pid: holder.pid, host: holder.host, since: holder.since };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
