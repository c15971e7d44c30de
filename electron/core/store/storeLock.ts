/**
 * One writer at a time per store. An import moves files into the tree before its catalog
 * transaction, and the repair before it moves files the catalog does not know out of the tree;
 * the two must never overlap, even across processes (two CLI imports, a store check).
 *
 * The lock is an exclusive transaction on a SQLite file of its own (`store.lock`), in rollback
 * journal mode and without a busy timeout: SQLite takes it with an OS file lock (fcntl, LockFileEx),
 * which no two holders can share, which SQLite arbitrates between connections of one process too,
 * and which the OS drops when the holder dies, however it dies. So there is no stale lock to judge.
 * A side file names the holder for the message a refused import prints; nothing decides by it.
 *
 * better-sqlite3 closes a connection the garbage collector reclaims, which would drop the OS lock
 * while its taker still relies on it; so every held connection stays referenced here until released.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { SqliteDatabase } from '../sqlite/sqliteDatabase';

const heldConnections = new Set<SqliteDatabase>();

export interface StoreLock {
  release(): void;
}

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

/** Another process holds the store lock; holder is what its note says, when it could be read. */
export class StoreLockedError extends Error {
  override name = 'StoreLockedError';

  constructor(
    readonly storeDir: string,
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder === undefined ? 'another process' : `process ${holder.pid} on ${holder.host} (since ${holder.since})`;
    super(`${storeDir}: ${who} is importing into or repairing this store; wait for it to finish and try again`);
  }
}

/** The note beside the lock file naming its holder. */
export function holderNoteOf(lockFile: string): string {
  return `${lockFile}.holder`;
}

/** Takes the lock, or returns undefined when another connection (in this process or another) holds it. */
export function tryLockStore(lockFile: string): StoreLock | undefined {
  const db = new SqliteDatabase(lockFile);
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return undefined;
    throw error;
  }
  const note = holderNoteOf(lockFile);
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  try {
    writeFileSync(note, `${JSON.stringify(holder)}\n`);
  } catch (error) {
    db.close();
    throw error;
  }
  heldConnections.add(db);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      // Removed while still held, so it never removes the note of the next holder.
      try {
        unlinkSync(note);
      } catch {
        // Only the message of a refused import reads it.
      }
      db.close();
      heldConnections.delete(db);
    },
  };
}

/** Takes the lock or throws a StoreLockedError naming who holds it. */
export function lockStore(lockFile: string, storeDir: string): StoreLock {
  const lock = tryLockStore(lockFile);
  if (lock !== undefined) return lock;
  throw new StoreLockedError(storeDir, lockFile, readHolder(holderNoteOf(lockFile)));
}

function readHolder(note: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(note, 'utf8')) as Partial<LockHolder>;
    if (typeof holder.pid !== 'number' || typeof holder.host !== 'string' || typeof holder.since !== 'string') return undefined;
    return { pid: holder.pid, host: holder.host, since: holder.since };
  } catch {
    return undefined;
  }
}
