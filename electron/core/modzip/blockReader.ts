/** What a BlockReader reads with: a FileHandle, or a file read with blocking calls (openZipFile). */
export interface ReadableFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/**
 * Bytes read from the file at once. A module zip is mostly small files: reading a block
 * at a time turns a thousand entries into a handful of reads, while a reader never holds
 * more than a block of any zip (two while walking through a large entry), however large.
 */
const BLOCK_BYTES = 1 << 20;

interface Block {
  start: number;
  bytes: Buffer;
}

/**
 * Byte ranges of a zip in an open file, served from the last block read. Walking forward
 * through the zip costs one read per block however many ranges it is cut into. A block is
 * never written to once read, so a range handed out stays valid after the reader moves on.
 *
 * Offsets count from the zip's first byte, which lies `base` bytes into the file (a zip
 * stored inside a tar volume); the zip is `size` bytes long. Nothing outside those bytes
 * is ever read: a range reaching before or past them comes back short, as at the end of a
 * file, and the caller finds the zip corrupt.
 */
export class BlockReader {
  private block: Block = { start: 0, bytes: Buffer.alloc(0) };
  /** The block after the current one, read while the caller works through a large entry. */
  private ahead: { start: number; block: Promise<Block> } | undefined;

  constructor(
    private readonly handle: ReadableFile,
    readonly size: number,
    private readonly base = 0,
  ) {}

  /** `length` bytes at `offset`, or fewer where the zip ends first; none for an offset before its start. */
  async read(offset: number, length: number): Promise<Buffer> {
    const held = this.readNow(offset, length);
    if (held !== undefined) return held;
    this.block = await this.blockHolding(offset, Math.min(offset + length, this.size));
    return this.readNow(offset, length)!;
  }

  /**
   * What read() answers, when that needs no reading (the bytes are in the block read last),
   * else undefined: a zip's many small entries mostly lie in the same block, and waiting for
   * each would cost more than using it.
   */
  readNow(offset: number, length: number): Buffer | undefined {
    const end = Math.min(offset + length, this.size);
    if (offset < 0 || offset >= end) return Buffer.alloc(0);
    if (offset < this.block.start || end > this.block.start + this.block.bytes.length) return undefined;
    return this.block.bytes.subarray(offset - this.block.start, end - this.block.start);
  }

  /**
   * `length` bytes at `offset` in pieces of at most a block, for a range too large to hold
   * at once. The next block is read while the caller works on a piece.
   */
  async *pieces(offset: number, length: number): AsyncGenerator<Buffer, void, undefined> {
    const end = Math.min(offset + length, this.size);
    for (let at = offset; at < end; ) {
      const { start, bytes } = this.block;
      const inBlock = at >= start && at < start + bytes.length;
      const piece = (await this.read(at, inBlock ? start + bytes.length - at : BLOCK_BYTES)).subarray(0, end - at);
      if (piece.length === 0) return;
      at += piece.length;
      if (at < end) this.readAhead(at);
      yield piece;
    }
  }

  /** Resolves once no read is under way, so that the file can be closed. */
  async idle(): Promise<void> {
    await this.ahead?.block.catch(() => undefined);
  }

  private readAhead(offset: number): void {
    const { start, length } = this.blockFor(offset, Math.min(offset + BLOCK_BYTES, this.size));
    if (this.ahead?.start === start) return;
    const block = this.readBlock(start, length);
    // Awaited when it is used, or by idle(): until then a failure is not unhandled.
    block.catch(() => undefined);
    this.ahead = { start, block };
  }

  private async blockHolding(offset: number, end: number): Promise<Block> {
    const { start, length } = this.blockFor(offset, end);
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead?.start === start) {
      const block = await ahead.block;
      if (end <= block.start + block.bytes.length) return block;
    } else {
      // Never two reads at once: the block read ahead is not wanted after all.
      await ahead?.block.catch(() => undefined);
    }
    return this.readBlock(start, length);
  }

  // A block that would run past the end of the zip starts earlier instead: the first read
  // (the end of central directory record) then holds all of a small zip.
  private blockFor(offset: number, end: number): { start: number; length: number } {
    const length = Math.min(Math.max(BLOCK_BYTES, end - offset), this.size);
    return { start: Math.min(offset, this.size - length), length };
  }

  private async readBlock(start: number, length: number): Promise<Block> {
    const bytes = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(bytes, filled, length - filled, this.base + start + filled);
      // The file shrank since it was opened: hand out what there is, the caller finds it short.
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { start, bytes: bytes.subarray(0, filled) };
  }
}
