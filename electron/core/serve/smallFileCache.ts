import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { StoredFile } from '../store/store';
import { BoundedMap } from './boundedMap';
import { StoreFileChecks } from './storeFileChecks';

/** .info and .mod files, and the smallest zips: kept from their first request, as they cost next to nothing. */
const ADMIT_AT_ONCE_BYTES = 64 * 1024;

/**
 * Keeps the bytes of small store files (.info, .mod and most module zips) in memory, keyed by their
 * sha256: a module version's files never change, and a team's go commands ask for the same files over
 * and over, so most answers skip the open/stat/read/close round trip and go out in one write. Bounded
 * by total bytes, least recently used out first. Larger files are always streamed, so a download of a
 * big zip costs a stream buffer, never the file.
 *
 * A zip is admitted on its second request: a client fetching a project's dependencies for the first
 * time asks for many zips once each, and reading each whole into memory would hold up to a zip per
 * connection at once; streamed, each costs a stream buffer.
 *
 * A file is hashed as it is admitted (unless its checks say this copy was hashed already), and
 * refused when the hash is not the catalog's: what is kept in memory is always the recorded bytes.
 */
export class SmallFileCache {
  private readonly entries = new Map<string, Buffer>();
  /** Reads under way by file (each copy is checked on its own), so that many clients asking for the same file at once cause one read. */
  private readonly loading = new Map<string, Promise<Buffer | undefined>>();
  /** Files asked for once and not admitted yet, by sha256. */
  private readonly askedOnce = new BoundedMap<string, true>(10_000);
  private bytes = 0;

  /** What is known of each store file on disk, shared with the streaming path. */
  readonly checks: StoreFileChecks;
  readonly maxFileBytes: number;
  private readonly maxTotalBytes: number;

  /**
   * The defaults let most module zips be kept (the median zip is far below 2 MiB) while 32 of the
   * largest still fit the budget, and the budget keeps a busy server well inside its memory target.
   */
  constructor(options: { checks?: StoreFileChecks; maxFileBytes?: number; maxTotalBytes?: number } = {}) {
    this.checks = options.checks ?? new StoreFileChecks();
    this.maxFileBytes = options.maxFileBytes ?? 2 * 1024 * 1024;
    this.maxTotalBytes = options.maxTotalBytes ?? 64 * 1024 * 1024;
  }

  /**
   * Whether this request for the file is to be answered from memory: a file up to ADMIT_AT_ONCE_BYTES
   * at once, a larger one up to the size limit from its second request on.
   */
  admits(stored: StoredFile): boolean {
    if (stored.size > this.maxFileBytes) return false;
    if (stored.size <= ADMIT_AT_ONCE_BYTES || this.entries.has(stored.sha256) || this.loading.has(stored.file)) return true;
    if (this.askedOnce.get(stored.sha256) === true) return true;
    this.askedOnce.set(stored.sha256, true);
    return false;
  }

  /** The file's bytes when they are in memory now; marks them recently used. */
  peek(stored: StoredFile): Buffer | undefined {
    const hit = this.entries.get(stored.sha256);
    if (hit === undefined) return undefined;
    this.entries.delete(stored.sha256);
    this.entries.set(stored.sha256, hit);
    return hit;
  }

  /**
   * Reads a file it admitted into memory. Undefined when the file on disk is not the size the catalog
   * recorded: it changed since import, which the streaming path reports. Rejects with
   * StoreFileDamagedError when the file is that size but not those bytes.
   */
  load(stored: StoredFile): Promise<Buffer | undefined> {
    const pending = this.loading.get(stored.file);
    if (pending !== undefined) return pending;
    const read = this.readChecked(stored).then((bytes) => {
      if (bytes !== undefined && !this.entries.has(stored.sha256)) this.add(stored.sha256, bytes);
      return bytes;
    });
    this.loading.set(stored.file, read);
    const settled = () => {
      this.loading.delete(stored.file);
    };
    read.then(settled, settled);
    return read;
  }

  private async readChecked(stored: StoredFile): Promise<Buffer | undefined> {
    const handle = await open(stored.file, 'r');
    try {
      const identity = await handle.stat();
      if (identity.size !== stored.size) return undefined;
      const hashedBefore = this.checks.verified(stored, identity);
      const bytes = await handle.readFile();
      if (bytes.length !== stored.size) return undefined;
      if (!hashedBefore) this.checks.record(stored, identity, createHash('sha256').update(bytes).digest('hex'));
      return bytes;
    } finally {
      await handle.close();
    }
  }

  private add(key: string, bytes: Buffer): void {
    this.entries.set(key, bytes);
    this.bytes += bytes.length;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxTotalBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.length;
    }
  }
}
