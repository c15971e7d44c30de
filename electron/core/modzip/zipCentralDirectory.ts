/**
 * The central directory of a zip, read as Go's archive/zip reads it (Go 1.19), since the
 * go command is the reader whose verdict counts: the end record is the last signature
 * whose comment fits, zip64 records are used only when a valid locator points at them,
 * records are read until one is not a record, and only the low 16 bits of the count are
 * checked. Bytes before the zip proper (a self-extracting stub) shift every offset, as in Go.
 */
import type { BlockReader } from './blockReader';
import { ModuleZipError } from './moduleZipError';

export interface ZipEntryRecord {
  /** The name exactly as stored (UTF-8), directories ending in `/`. */
  readonly name: string;
  readonly isDirectory: boolean;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  /** Declared size; reading the content fails if the data disagrees. */
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

const END_BYTES = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_BYTES = 20;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_END_BYTES = 56;
const RECORD_SIGNATURE = 0x02014b50;
const RECORD_BYTES = 46;
const ZIP64_EXTRA_ID = 0x0001;
/** Go looks for the end record this far from the end of the file: a 64 KiB comment and a little more. */
const END_SEARCH_BYTES = 65 * 1024;
const END_SIGNATURE = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

interface DirectoryEnd {
  /** Where the end record (or the zip64 one) starts: the central directory ends there. */
  offset: number;
  records: number;
  directoryBytes: number;
  directoryOffset: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The entries in central-directory order, one at a time. A zip whose directory cannot be
 * found or does not hold the count of entries its end record gives fails with a
 * ModuleZipError, after the entries read before the fault was found.
 */
export async function* centralDirectory(reader: BlockReader, zipFile: string): AsyncGenerator<ZipEntryRecord, void, undefined> {
  const end = await directoryEnd(reader, zipFile);
  let baseOffset = end.offset - end.directoryBytes - end.directoryOffset;
  const start = baseOffset + end.directoryOffset;
  if (start < 0 || start >= reader.size) throw invalidZip(zipFile, 'the central directory lies outside the file');
  let at = start;
  let count = 0;
  for (;;) {
    const fixed = await reader.read(at, RECORD_BYTES);
    if (fixed.length < RECORD_BYTES) break;
    if (fixed.readUInt32LE(0) !== RECORD_SIGNATURE) {
      // Go's fallback for a directory size that does not add up: trust the recorded offset after all.
      if (count === 0 && baseOffset !== 0) {
        baseOffset = 0;
        at = end.directoryOffset;
        continue;
      }
      break;
    }
    const variableBytes = fixed.readUInt16LE(28) + fixed.readUInt16LE(30) + fixed.readUInt16LE(32);
    const variable = await reader.read(at + RECORD_BYTES, variableBytes);
    if (variable.length < variableBytes) break;
    yield record(zipFile, fixed, variable, baseOffset);
    count++;
    at += RECORD_BYTES + variableBytes;
  }
  if (count % 0x10000 !== end.records % 0x10000) {
    throw invalidZip(zipFile, `the central directory holds ${count} entries where its end record says ${end.records}`);
  }
}

async function directoryEnd(reader: BlockReader, zipFile: string): Promise<DirectoryEnd> {
  const tailStart = Math.max(0, reader.size - END_SEARCH_BYTES);
  const tail = await reader.read(tailStart, reader.size - tailStart);
  const at = endRecordIn(tail);
  if (at < 0) throw invalidZip(zipFile, 'no end of central directory record (not a zip, or cut short)');
  const end: DirectoryEnd = {
    offset: tailStart + at,
    records: tail.readUInt16LE(at + 10),
    directoryBytes: tail.readUInt32LE(at + 12),
    directoryOffset: tail.readUInt32LE(at + 16),
  };
  if (end.records === 0xffff || end.directoryBytes === 0xffffffff || end.directoryOffset === 0xffffffff) {
    return zip64End(reader, zipFile, end);
  }
  return end;
}

/** The last end record signature in the block whose comment ends within it, as Go finds it. */
function endRecordIn(block: Buffer): number {
  let at = block.length - END_BYTES;
  while (at >= 0) {
    at = block.lastIndexOf(END_SIGNATURE, at);
    if (at < 0 || at + END_BYTES + block.readUInt16LE(at + 20) <= block.length) return at;
    at--;
  }
  return -1;
}

async function zip64End(reader: BlockReader, zipFile: string, end: DirectoryEnd): Promise<DirectoryEnd> {
  if (end.offset < ZIP64_LOCATOR_BYTES) return end;
  const locator = await reader.read(end.offset - ZIP64_LOCATOR_BYTES, ZIP64_LOCATOR_BYTES);
  const isLocator =
    locator.readUInt32LE(0) === ZIP64_LOCATOR_SIGNATURE && locator.readUInt32LE(4) === 0 && locator.readUInt32LE(16) === 1;
  // Without a locator for a single-disk zip Go keeps the 32-bit values, and so do we.
  if (!isLocator) return end;
  const offset = uint64(locator, 8);
  const record = await reader.read(offset, ZIP64_END_BYTES);
  if (record.length < ZIP64_END_BYTES || record.readUInt32LE(0) !== ZIP64_END_SIGNATURE) {
    throw invalidZip(zipFile, 'the zip64 end of central directory locator points at no zip64 end record');
  }
  return { offset, records: uint64(record, 32), directoryBytes: uint64(record, 40), directoryOffset: uint64(record, 48) };
}

/** One central directory record: its fixed part and the name, extra field and comment after it. */
function record(zipFile: string, fixed: Buffer, variable: Buffer, baseOffset: number): ZipEntryRecord {
  const nameBytes = fixed.readUInt16LE(28);
  const name = entryName(zipFile, variable.subarray(0, nameBytes));
  const extra = variable.subarray(nameBytes, nameBytes + fixed.readUInt16LE(30));
  let compressedSize = fixed.readUInt32LE(20);
  let uncompressedSize = fixed.readUInt32LE(24);
  let localHeaderOffset = fixed.readUInt32LE(42);
  const zip64 = zip64Field(extra);
  if (zip64 !== undefined) {
    // The 64-bit values follow in this order, each present only when its 32-bit field is saturated.
    let at = 0;
    const next = (what: string): number => {
      if (at + 8 > zip64.length) throw new ModuleZipError(zipFile, `corrupt entry: its zip64 extra field lacks the ${what}`, name);
      at += 8;
      return uint64(zip64, at - 8);
    };
    if (uncompressedSize === 0xffffffff) uncompressedSize = next('uncompressed size');
    if (compressedSize === 0xffffffff) compressedSize = next('compressed size');
    if (localHeaderOffset === 0xffffffff) localHeaderOffset = next('local header offset');
  } else if (compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
    // Go takes an uncompressed size of 2³²-1 at face value, but not the other two.
    throw new ModuleZipError(zipFile, 'corrupt entry: a 64-bit size or offset without a zip64 extra field', name);
  }
  return {
    name,
    isDirectory: name.endsWith('/'),
    flags: fixed.readUInt16LE(8),
    method: fixed.readUInt16LE(10),
    crc32: fixed.readUInt32LE(16),
    compressedSize,
    uncompressedSize,
    localHeaderOffset: localHeaderOffset + baseOffset,
  };
}

/** The data of the first zip64 extra field; Go stops at a field that overruns the extra data. */
function zip64Field(extra: Buffer): Buffer | undefined {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const size = extra.readUInt16LE(at + 2);
    if (at + 4 + size > extra.length) return undefined;
    if (id === ZIP64_EXTRA_ID) return extra.subarray(at + 4, at + 4 + size);
    at += 4 + size;
  }
  return undefined;
}

// Go hashes and checks the raw name bytes: no CP437 guess for names without the UTF-8 flag
// and no Info-ZIP Unicode Path field in their place; the module zip rules then judge them.
function entryName(zipFile: string, raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new ModuleZipError(zipFile, 'entry name is not valid UTF-8', raw.toString('utf8'));
  }
}

/** Offsets and sizes past 2⁵³ cannot be exact, nor can they fit in any file we read. */
function uint64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function invalidZip(zipFile: string, detail: string): ModuleZipError {
  return new ModuleZipError(zipFile, `not a valid zip file: ${detail}`);
}
