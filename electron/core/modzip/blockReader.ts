import type { FileHandle } from 'node:fs/promises';

/**
 * Bytes read from the file at once. A module zip is mostly small files: reading a block
 * at a time turns a thousand entries into a handful of reads, while a reader never holds
 * more than a block of any zip, however large.
 */
const BLOCK_BYTES = 1 << 20;

/**
 * Byte ranges of an open file, served from the last block read. Walking forward through
 * the file costs one read per block however many ranges it is cut into. A block is never
 * written to once read, so a range handed out stays valid after the reader moves on.
 */
export class BlockReader {
  private block = Buffer.alloc(0);
  private blockStart = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  /** `length` bytes at `offset`, or fewer where the file ends first. */
  async read(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(offset + length, this.size);
    if (offset >= end) return Buffer.alloc(0);
    if (offset < this.blockStart || end > this.blockStart + this.block.length) await this.readBlockHolding(offset, end);
    return this.block.subarray(offset - this.blockStart, end - this.blockStart);
  }

  /** `length` bytes at `offset` in pieces of at most a block, for a range too large to hold at once. */
  async *pieces(offset: number, length: number): AsyncGenerator<Buffer, void, undefined> {
    const end = Math.min(offset + length, this.size);
    for (let at = offset; at < end; ) {
      const inBlock = at >= this.blockStart && at < this.blockStart + this.block.length;
      const piece = await this.read(at, inBlock ? this.blockStart + this.block.length - at : BLOCK_BYTES);
      if (piece.length === 0) return;
      yield piece.subarray(0, end - at);
      at += piece.length;
    }
  }

  private async readBlockHolding(offset: number, end: number): Promise<void> {
    // A block that would run past the end of the file starts earlier instead: the first read
    // (the end of central directory record) then holds all of a small zip.
    const length = Math.min(Math.max(BLOCK_BYTES, end - offset), this.size);
    const start = Math.min(offset, this.size - length);
    const block = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(block, filled, length - filled, start + filled);
      // The file shrank since it was opened: hand out what there is, the caller finds it short.
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.block = block.subarray(0, filled);
    this.blockStart = start;
  }
}
