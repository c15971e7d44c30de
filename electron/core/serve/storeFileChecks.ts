/**
 * Whether a store file still holds the bytes the catalog recorded. Import verified every file, but a
 * disk can flip a byte later, keeping the size: such a copy must never go out as a good answer
 * under the catalog's hash as its ETag. A file is hashed whole the first time it is served, and the
 * verdict is kept for that copy of the file, known by (device, inode, size, modification time):
 * anything that rewrites or restores the file changes one of them and gets it hashed again, while an
 * unchanged file is never hashed twice.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Transform } from 'node:stream';
import type { StoredFile } from '../store/store';
import { BoundedMap } from './boundedMap';

/** The store file is a copy the store verified on import; a different size, or no file, means it changed since. */
export class StoreFileChangedError extends Error {
  override name = 'StoreFileChangedError';
  readonly file: string;

  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.file = file;
  }
}

/** The store file is the recorded size but not the recorded bytes. */
export class StoreFileDamagedError extends Error {
  override name = 'StoreFileDamagedError';
  readonly file: string;
  readonly expectedSha256: string;
  readonly actualSha256: string;

  constructor(file: string, expectedSha256: string, actualSha256: string) {
    super(`${file}: sha256 ${actualSha256} on disk, but the catalog recorded ${expectedSha256}`);
    this.file = file;
    this.expectedSha256 = expectedSha256;
    this.actualSha256 = actualSha256;
  }
}

/** What tells one copy of a file from another. */
export type FileIdentity = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>;

interface Checked extends FileIdentity {
  /** The sha256 of the whole copy, as hashed. */
  sha256: string;
}

/** Files whose verdict is kept: the store files a busy proxy serves, bounded as the memory of request targets is (~15 MB at most). */
const MAX_CHECKED = 50_000;
const READ_BYTES = 1024 * 1024;

export class StoreFileChecks {
  private readonly checked = new BoundedMap<string, Checked>(MAX_CHECKED);
  /** Whole-file hashes under way, by file and identity: many requests for one file hash it once. */
  private readonly hashing = new Map<string, Promise<void>>();

  /**
   * True when this copy of the file was hashed and matched the catalog, false when it was never
   * hashed; throws StoreFileDamagedError when it was hashed and did not match.
   */
  verified(stored: StoredFile, identity: FileIdentity): boolean {
    const known = this.checked.get(stored.file);
    if (known === undefined || !sameCopy(known, identity)) return false;
    if (known.sha256 !== stored.sha256) throw new StoreFileDamagedError(stored.file, stored.sha256, known.sha256);
    return true;
  }

  /** The modification time of the file when it was last hashed. */
  mtimeOf(file: string): number | undefined {
    return this.checked.get(file)?.mtimeMs;
  }

  /** Keeps the hash of this copy's whole content; throws StoreFileDamagedError when it is not the catalog's. */
  record(stored: StoredFile, identity: FileIdentity, sha256: string): void {
    const { dev, ino, size, mtimeMs } = identity;
    this.checked.set(stored.file, { dev, ino, size, mtimeMs, sha256 });
    if (sha256 !== stored.sha256) throw new StoreFileDamagedError(stored.file, stored.sha256, sha256);
  }

  /** Hashes the whole file through an open handle, unless this copy was hashed already; throws when it is damaged. */
  verifyWhole(stored: StoredFile, handle: FileHandle, identity: FileIdentity): Promise<void> {
    if (this.verified(stored, identity)) return Promise.resolve();
    const key = `${identity.dev}:${identity.ino}:${identity.size}:${identity.mtimeMs}:${stored.file}`;
    let pending = this.hashing.get(key);
    if (pending === undefined) {
      pending = hashThrough(handle, stored).then((sha256) => this.record(stored, identity, sha256));
      this.hashing.set(key, pending);
      const settled = (): void => {
        this.hashing.delete(key);
      };
      pending.then(settled, settled);
    }
    return pending;
  }

  /**
   * A pass-through for a stream of the whole file that hashes what passes. The last chunk goes on
   * only once the hash matched: on a mismatch the stream fails instead, so a client never receives
   * a complete body of bad bytes.
   */
  verifyingStream(stored: StoredFile, identity: FileIdentity): Transform {
    const hash = createHash('sha256');
    let seen = 0;
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        hash.update(chunk);
        seen += chunk.length;
        if (seen < stored.size) {
          callback(null, chunk);
          return;
        }
        try {
          this.record(stored, identity, hash.digest('hex'));
          callback(null, chunk);
        } catch (error) {
          callback(error as Error);
        }
      },
      flush: (callback) => {
        callback(seen < stored.size ? new StoreFileChangedError(stored.file, `ended after ${seen} of the ${stored.size} bytes the store recorded`) : null);
      },
    });
  }
}

function sameCopy(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.size === b.size && a.dev === b.dev;
}

async function hashThrough(handle: FileHandle, stored: StoredFile): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(stored.size, READ_BYTES)));
  let position = 0;
  while (position < stored.size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, stored.size - position), position);
    if (bytesRead === 0) throw new StoreFileChangedError(stored.file, `ended after ${position} of the ${stored.size} bytes the store recorded`);
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}
