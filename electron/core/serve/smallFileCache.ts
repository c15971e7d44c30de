import { readFile } from 'node:fs/promises';
import type { StoredFile } from '../store/store';

/**
 * Keeps the bytes of small store files (.info, .mod and small zips) in memory, keyed by their sha256:
 * a module version's files never change, and the go command asks for the same go.mod files over and
 * over, so most answers skip the open/stat/read/close round trip. Bounded by total bytes, least
 * recently used out first. Large files are always streamed.
 */
export class SmallFileCache {
  private readonly entries = new Map<string, Buffer>();
  private bytes = 0;

  constructor(
    readonly maxFileBytes = 64 * 1024,
    private readonly maxTotalBytes = 64 * 1024 * 1024,
  ) {}

  /** The file's bytes when it is small enough to keep, or undefined to stream it instead. */
  async get(stored: StoredFile): Promise<Buffer | undefined> {
    if (stored.size > this.maxFileBytes) return undefined;
    const hit = this.entries.get(stored.sha256);
    if (hit) {
      this.entries.delete(stored.sha256);
      this.entries.set(stored.sha256, hit);
      return hit;
    }
    const bytes = await readFile(stored.file);
    // A size that differs from the catalog's means the file changed; the streaming path reports that.
    if (bytes.length !== stored.size) return undefined;
    this.entries.set(stored.sha256, bytes);
    this.bytes += bytes.length;
    for (const [key, value] of this.entries) {
      if (this.bytes <= this.maxTotalBytes) break;
      this.entries.delete(key);
      this.bytes -= value.length;
    }
    return bytes;
  }
}
