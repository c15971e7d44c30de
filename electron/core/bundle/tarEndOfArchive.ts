/**
 * Where a volume ends as GNU tar sees it. tar stops reading at the first zero block where a
 * header belongs (warning "A lone zero block" when a second does not follow), so an entry past
 * it is not extracted; the tar package, in contrast, reads on past a lone zero block. A volume
 * is promised to extract on its own with tar, so whatever lies after that block must be zero
 * padding: anything else would be a file one reader lands and another never sees.
 *
 * This walks the volume block by block beside the parser, reading only each header's size
 * field to know where the next header is. It needs no other field: the bundle's entries are
 * regular files and PAX headers, whose data follows them for the size their ustar field gives
 * (the writer puts a size too large for that field in base-256 there too, as the tar package does).
 */
import { TAR_BLOCK_BYTES } from '../../../shared/bundle/tarLayout';

export interface TarEndProblem {
  /** Offset in the volume of the first non-zero byte after the end. */
  at: number;
  /** Offset of the zero block that ended the archive. */
  endedAt: number;
}

const SIZE_FIELD = { offset: 124, length: 12 } as const;

export class TarEndWatch {
  /** Data blocks of the current entry still to pass before the next header. */
  private dataBlocks = 0;
  private endedAt: number | undefined;
  /** A header whose size field is not readable: the parser refuses it, and the walk stops here. */
  private lost = false;

  /** Looks at the next blocks of the volume, which start at `position`; the first problem found, if any. */
  feed(chunk: Uint8Array, position: number): TarEndProblem | undefined {
    let at = 0;
    while (at + TAR_BLOCK_BYTES <= chunk.length && !this.lost) {
      if (this.endedAt !== undefined) {
        const nonZero = chunk.subarray(at).findIndex((byte) => byte !== 0);
        return nonZero === -1 ? undefined : { at: position + at + nonZero, endedAt: this.endedAt };
      }
      if (this.dataBlocks > 0) {
        // Data is passed over in bulk: only headers are looked at.
        const skipped = Math.min(this.dataBlocks, Math.floor((chunk.length - at) / TAR_BLOCK_BYTES));
        this.dataBlocks -= skipped;
        at += skipped * TAR_BLOCK_BYTES;
        continue;
      }
      const block = chunk.subarray(at, at + TAR_BLOCK_BYTES);
      if (block.every((byte) => byte === 0)) {
        this.endedAt = position + at;
      } else {
        const size = headerSize(block);
        if (size === undefined) this.lost = true;
        else this.dataBlocks = Math.ceil(size / TAR_BLOCK_BYTES);
      }
      at += TAR_BLOCK_BYTES;
    }
    return undefined;
  }
}

/** The size field: octal digits ended by NUL or space, or base-256 when its first byte's top bit is set. */
function headerSize(block: Uint8Array): number | undefined {
  const field = block.subarray(SIZE_FIELD.offset, SIZE_FIELD.offset + SIZE_FIELD.length);
  const first = field[0] ?? 0;
  if ((first & 0x80) !== 0) {
    if (first !== 0x80) return undefined;
    let size = 0;
    for (const byte of field.subarray(1)) size = size * 256 + byte;
    return Number.isSafeInteger(size) ? size : undefined;
  }
  const text = Buffer.from(field).toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}
