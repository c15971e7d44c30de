import { crc32 } from 'node:zlib';
import { ModuleZipError } from './moduleZipError';
import type { ZipEntryRecord } from './zipCentralDirectory';

const DATA_DESCRIPTOR_SIGNATURE = 0x08074b50;
/** What follows an entry's data when it has a data descriptor: Go reads at most this much of it. */
export const DATA_DESCRIPTOR_MAX_BYTES = 16;

export function hasDataDescriptor(entry: ZipEntryRecord): boolean {
  return (entry.flags & 0x8) !== 0;
}

/**
 * The checks Go's archive/zip makes on an entry's content as it is read: never more than
 * the declared size, exactly that size at the end, then the data descriptor's CRC-32 and
 * the content's own CRC-32 against the central directory's.
 */
export class EntryContentCheck {
  private crc = 0;
  private bytes = 0;

  constructor(
    private readonly zipFile: string,
    private readonly entry: ZipEntryRecord,
  ) {}

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    if (this.bytes > this.entry.uncompressedSize) {
      throw this.corrupt(`content is larger than the ${this.entry.uncompressedSize} bytes the zip declares`);
    }
    this.crc = crc32(chunk, this.crc);
  }

  /** `following`: the bytes after the entry's data, where its data descriptor is when it has one. */
  finish(following: Buffer): void {
    const { entry } = this;
    if (this.bytes !== entry.uncompressedSize) {
      throw this.corrupt(`content is ${this.bytes} bytes where the zip declares ${entry.uncompressedSize}`);
    }
    if (hasDataDescriptor(entry)) {
      const recorded = descriptorCrc(following);
      if (recorded === undefined) throw this.corrupt('the data descriptor runs past the end of the file');
      if (recorded !== entry.crc32) {
        throw new ModuleZipError(this.zipFile, `checksum error: the data descriptor records CRC-32 ${hex32(recorded)}, the central directory ${hex32(entry.crc32)}`, entry.name);
      }
    }
    // Go's rule: a zero CRC in the header means "not recorded" unless a data descriptor follows the data.
    if ((hasDataDescriptor(entry) || entry.crc32 !== 0) && this.crc !== entry.crc32) {
      throw new ModuleZipError(this.zipFile, `checksum error: content has CRC-32 ${hex32(this.crc)}, the zip records ${hex32(entry.crc32)}`, entry.name);
    }
  }

  private corrupt(detail: string): ModuleZipError {
    return new ModuleZipError(this.zipFile, `corrupt entry: ${detail}`, this.entry.name);
  }
}

/** The descriptor's CRC-32, its signature optional; Go wants the two sizes after it present, though it ignores them. */
function descriptorCrc(following: Buffer): number | undefined {
  const signed = following.length >= 4 && following.readUInt32LE(0) === DATA_DESCRIPTOR_SIGNATURE;
  const crcAt = signed ? 4 : 0;
  return following.length >= crcAt + 12 ? following.readUInt32LE(crcAt) : undefined;
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
