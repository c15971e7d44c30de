import { readFile } from 'node:fs/promises';
import type { StoredFile } from '../store/store';
import { BoundedMap } from './boundedMap';

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
 */
export class SmallFileCache {
  private readonly entries = new Map<string, Buffer>();
  /** Reads under way, so that many clients asking for the same file at once cause one read. */
  private readonly loading = new Map<string, Promise<Buffer | undefined>>();
  /** Files asked for once and not admitted yet, by sha256. */
  private readonly askedOnce = new BoundedMap<string, true>(10_000);
  private bytes = 0;

  /**
   * The defaults let most module zips be kept (the median zip is far below 2 MiB) while 32 of the
   * largest still fit the budget, and the budget keeps a busy server well inside its memory target.
   */
  constructor(
    readonly maxFileBytes = 2 * 1024 * 1024,
    private readonly maxTotalBytes = 64 * 1024 * 1024,
  ) {}

  /**
   * Whether this request for the file is to be answered from memory: a file up to ADMIT_AT_ONCE_BYTES
   * at once, a larger one up to the size limit from its second request on.
   */
  admits(stored: StoredFile): boolean {
    if (stored.size > this.maxFileBytes) return false;
    if (stored.size <= ADMIT_AT_ONCE_BYTES || this.entries.has(stored.sha256) || this.loading.has(stored.sha256)) return true;
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
   * recorded: it changed since import, which the streaming path reports.
   */
  load(stored: StoredFile): Promise<Buffer | undefined> {
    const pending = this.loading.get(stored.sha256);
    if (pending !== undefined) return pending;
    const read = readFile(stored.file).then((bytes) => {
      if (bytes.length !== stored.size) return undefined;
      if (!this.entries.has(stored.sha256)) this.add(stored.sha256, bytes);
      return bytes;
    });
    this.loading.set(stored.sha256, read);
    const settled = () => {
      this.loading.delete(stored.sha256);
    };
    read.then(settled, settled);
    return read;
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
