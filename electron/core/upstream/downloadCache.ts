/**
 * A content-addressed download cache on disk:
 *
 *   <dir>/blobs/sha256/<hex>     the bytes, named by their SHA-256
 *   <dir>/index/<key>.json       {"sha256": "<hex>", "size": n} for a proxy-relative key,
 *                                e.g. index/github.com/!burnt!sushi/toml/@v/v1.2.0.zip.json
 *   <dir>/tmp/                   downloads in progress
 *
 * One small index file per key (rather than one shared index) lets several downloads, or several
 * ModFerry processes, commit at once without a lock: each commit is a rename. Keys can never
 * collide with each other's folders because `@v` cannot be a module path element.
 *
 * Every file lands by write → fsync → rename (index entries through writeFileDurably, whose temp file
 * sits beside the entry), so a crash leaves either the old state or the new one.
 * Only immutable files are accepted (isImmutableKey): a version list or `@latest` answer is never cached.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory, writeFileDurably } from '../fsutil/durableFile';
import { isImmutableKey } from './proxyKeys';

export interface CachedBlob {
  /** Absolute path of the blob. */
  file: string;
  sha256: string;
  size: number;
}

/** A download being written to a temp file in the cache, hashed as it goes. */
export interface BlobWriter {
  /** The temp file, for callers that check small bodies before committing them. */
  readonly tempFile: string;
  readonly size: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Makes the bytes durable, moves them to their blob and records key → blob; with no key, the caller keeps the blob's SHA-256 to find it. */
  commit(key?: string): Promise<CachedBlob>;
  /** Throws the bytes away; safe to call after a failed write or twice. */
  discard(): Promise<void>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const OWN_FILES = [
  /^blobs\/sha256\/[0-9a-f]{64}$/,
  /^index\/.+\.(info|mod|zip)\.json(\.[0-9a-f]{8}\.partial)?$/,
  /^index\/sumdb\/[^/]+\/(lookup|tile)\/.+\.json(\.[0-9a-f]{8}\.partial)?$/,
  /^tmp\/[0-9a-f]{24}\.(partial|index)$/,
];

/** Whether a `/`-separated path under the cache folder is one the cache itself writes: clean removes only these. */
export function isDownloadCacheFile(relativePath: string): boolean {
  return OWN_FILES.some((pattern) => pattern.test(relativePath));
}
const DAY_MS = 24 * 60 * 60 * 1000;

export class DownloadCache {
  readonly dir: string;
  private readonly blobDir: string;
  private readonly indexDir: string;
  private readonly tmpDir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    this.blobDir = path.join(this.dir, 'blobs', 'sha256');
    this.indexDir = path.join(this.dir, 'index');
    this.tmpDir = path.join(this.dir, 'tmp');
  }

  blobFile(sha256: string): string {
    return path.join(this.blobDir, sha256);
  }

  /**
   * The blob recorded for key, re-hashed before it is returned. A blob whose bytes no longer match
   * its name (disk fault, someone editing the cache) or that has gone missing is forgotten, its
   * index entry with it, and undefined is returned so the caller downloads it again.
   */
  async lookup(key: string, signal?: AbortSignal): Promise<CachedBlob | undefined> {
    const entryFile = this.indexFile(key);
    const entry = await readIndexEntry(entryFile);
    if (entry === 'missing') return undefined;
    if (entry === 'invalid') {
      await rm(entryFile, { force: true });
      return undefined;
    }
    const file = this.blobFile(entry.sha256);
    const actual = await hashFile(file, signal);
    if (actual !== undefined && actual.sha256 === entry.sha256 && actual.size === entry.size) {
      return { file, sha256: entry.sha256, size: entry.size };
    }
    if (actual !== undefined && actual.sha256 !== path.basename(file)) await rm(file, { force: true });
    await rm(entryFile, { force: true });
    return undefined;
  }

  /** The size recorded for key, without re-hashing its blob: an estimate for planning, not a verified answer. */
  async recordedSize(key: string): Promise<number | undefined> {
    const entry = await readIndexEntry(this.indexFile(key));
    return typeof entry === 'object' ? entry.size : undefined;
  }

  async beginWrite(): Promise<BlobWriter> {
    await mkdir(this.tmpDir, { recursive: true });
    const tempFile = path.join(this.tmpDir, `${randomBytes(12).toString('hex')}.partial`);
    const handle = await open(tempFile, 'wx');
    return new TempBlobWriter(this, tempFile, handle);
  }

  /** Records key → blob, atomically. Called by BlobWriter.commit. */
  async recordKey(key: string, blob: CachedBlob): Promise<void> {
    const entryFile = this.indexFile(key);
    await mkdir(path.dirname(entryFile), { recursive: true });
    await writeFileDurably(entryFile, JSON.stringify({ sha256: blob.sha256, size: blob.size }));
  }

  /** Moves a finished temp file to its blob name. Called by BlobWriter.commit. */
  async storeBlob(tempFile: string, sha256: string): Promise<string> {
    await mkdir(this.blobDir, { recursive: true });
    const file = this.blobFile(sha256);
    // Replacing an existing blob is harmless: the same name means the same bytes.
    try {
      await rename(tempFile, file);
    } catch (err) {
      // Windows refuses to replace a file someone has open; the blob already there has this name,
      // and lookup re-hashes it before it is ever used.
      if ((await stat(file).catch(() => undefined)) === undefined) throw err;
      await rm(tempFile, { force: true });
    }
    await syncDirectory(this.blobDir);
    return file;
  }

  /**
   * Deletes downloads left in tmp/ by a process that crashed or was killed. Only old ones: another
   * ModFerry process may be using the same cache right now.
   */
  async removeStaleTempFiles(olderThanMs = DAY_MS): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch {
      return;
    }
    const cutoff = Date.now() - olderThanMs;
    for (const name of names) {
      const file = path.join(this.tmpDir, name);
      const info = await stat(file).catch(() => undefined);
      if (info !== undefined && info.mtimeMs < cutoff) await rm(file, { force: true });
    }
  }

  private indexFile(key: string): string {
    if (!isImmutableKey(key)) throw new Error(`download cache: ${JSON.stringify(key)} is not the .info, .mod or .zip of an exact module version`);
    return path.join(this.indexDir, ...key.split('/')) + '.json';
  }
}

class TempBlobWriter implements BlobWriter {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private open = true;

  constructor(
    private readonly cache: DownloadCache,
    readonly tempFile: string,
    private readonly handle: FileHandle,
  ) {}

  get size(): number {
    return this.bytes;
  }

  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, offset, chunk.length - offset);
      offset += bytesWritten;
    }
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  async commit(key?: string): Promise<CachedBlob> {
    if (key !== undefined && !isImmutableKey(key)) throw new Error(`download cache: ${JSON.stringify(key)} is not the .info, .mod or .zip of an exact module version`);
    await this.handle.sync();
    await this.close();
    const sha256 = this.hash.digest('hex');
    const file = await this.cache.storeBlob(this.tempFile, sha256);
    const blob = { file, sha256, size: this.bytes };
    if (key !== undefined) await this.cache.recordKey(key, blob);
    return blob;
  }

  async discard(): Promise<void> {
    await this.close().catch(() => undefined);
    await rm(this.tempFile, { force: true });
  }

  private async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.handle.close();
  }
}

async function readIndexEntry(file: string): Promise<{ sha256: string; size: number } | 'missing' | 'invalid'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const entry: unknown = JSON.parse(text);
    if (typeof entry !== 'object' || entry === null) return 'invalid';
    const { sha256, size } = entry as Record<string, unknown>;
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) return 'invalid';
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return 'invalid';
    return { sha256, size };
  } catch {
    return 'invalid';
  }
}

/** SHA-256 and size of a file, read as a stream; undefined when it does not exist. */
export async function hashFile(file: string, signal?: AbortSignal): Promise<{ sha256: string; size: number } | undefined> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file, { signal })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    signal?.throwIfAborted();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    throw err;
  }
  return { sha256: hash.digest('hex'), size };
}
