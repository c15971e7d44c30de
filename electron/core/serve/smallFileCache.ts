import { readFile } from 'node:fs/promises';
import type { StoredFile } from '../store/store';

/**
 * Keeps the bytes of small store files (.info, .mod and most module zips) in memory, keyed by their
 * sha256: a module version's files never change, and a team's go commands ask for the same files over
 * and over, so most answers skip the open/stat/read/close round trip and go out in one write. Bounded
 * by total bytes, least recently used out first. Larger files are always streamed, so a download of a
 * big zip costs a stream buffer, never the file.
 */
export class SmallFileCache {
  private readonly entries = new Map<string, Buffer>();
  /** Reads under way, so that many clients asking for the same file at once cause one read. */
  private readonly loading = new Map<string, Promise<Buffer | undefined>>();
  private bytes = 0;

  /**
   * The defaults let most module zips be kept (the median zip is far below 2 MiB) while 32 of the
   * largest still fit the budget, and the budget keeps a busy server well inside its memory target.
   */
  constructor(
    readonly maxFileBytes = 2 * 1024 * 1024,
    private readonly maxTotalBytes = 64 * 1024 * 1024,
  ) {}

  /** Whether the file is small enough to be kept. */
  keeps(stored: StoredFile): boolean {
    return stored.size <= this.maxFileBytes;
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
   * Reads a file it keeps into memory. Undefined when the file on disk is not the size the catalog
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
