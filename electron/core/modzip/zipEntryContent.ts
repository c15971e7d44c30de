import { pipeline, Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import type { BlockReader } from './blockReader';
import { DATA_DESCRIPTOR_MAX_BYTES, EntryContentCheck, hasDataDescriptor } from './entryContentCheck';
import { EntryInflater } from './entryInflater';
import { ModuleZipError, toModuleZipError } from './moduleZipError';
import type { ZipEntryRecord } from './zipCentralDirectory';

const STORED = 0;
const DEFLATED = 8;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;

/**
 * Entries up to this size, compressed and declared, are inflated whole, in one call on this
 * thread (the zip checks of a bundle run on a thread per core, so zlib's thread pool would
 * only add hand-overs); larger ones are streamed, so no more than this is ever held for one entry.
 */
const WHOLE_ENTRY_BYTES = 8 << 20;
/** Inflate output per step for streamed entries. */
const INFLATE_CHUNK_BYTES = 256 * 1024;

/** This thread's inflater: its output buffer serves one entry at a time, which is all a thread inflates at once. */
let inflater: EntryInflater | undefined;

export type EntryReading = 'whole' | 'streamed';

export function entryReading(entry: ZipEntryRecord): EntryReading {
  return Math.max(entry.compressedSize, entry.uncompressedSize) <= WHOLE_ENTRY_BYTES ? 'whole' : 'streamed';
}

/**
 * Where the entry's data starts: past its local header, whose own name and extra lengths
 * count, not the central directory's. Refuses what cannot be read: a method other than
 * stored or deflated, encryption, data that runs past the end of the file.
 */
export async function entryDataOffset(reader: BlockReader, zipFile: string, entry: ZipEntryRecord): Promise<number> {
  return entryDataOffsetNow(reader, zipFile, entry) ?? dataOffsetAfter(zipFile, entry, await reader.read(entry.localHeaderOffset, LOCAL_HEADER_BYTES), reader.size);
}

/** entryDataOffset when its local header needs no reading (BlockReader.readNow), else undefined. */
export function entryDataOffsetNow(reader: BlockReader, zipFile: string, entry: ZipEntryRecord): number | undefined {
  if (entry.method !== STORED && entry.method !== DEFLATED) throw corrupt(zipFile, entry, `unsupported compression method ${entry.method}`);
  if ((entry.flags & 0x1) !== 0) throw corrupt(zipFile, entry, 'the entry is encrypted');
  const header = reader.readNow(entry.localHeaderOffset, LOCAL_HEADER_BYTES);
  return header === undefined ? undefined : dataOffsetAfter(zipFile, entry, header, reader.size);
}

function dataOffsetAfter(zipFile: string, entry: ZipEntryRecord, header: Buffer, zipBytes: number): number {
  if (header.length < LOCAL_HEADER_BYTES || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
    throw corrupt(zipFile, entry, `no local file header at offset ${entry.localHeaderOffset}`);
  }
  const dataOffset = entry.localHeaderOffset + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (dataOffset + entry.compressedSize > zipBytes) throw corrupt(zipFile, entry, 'its data runs past the end of the file');
  return dataOffset;
}

/** An entry's data and, when it has a data descriptor, what follows (where the descriptor is). */
export interface EntryData {
  data: Buffer;
  following: Buffer;
}

/** The whole of an entry's compressed data; it shares memory with the reader's block. */
export async function entryData(reader: BlockReader, entry: ZipEntryRecord, dataOffset: number): Promise<EntryData> {
  return entryDataNow(reader, entry, dataOffset) ?? splitData(entry, await reader.read(dataOffset, dataBytes(entry)));
}

/** entryData when it needs no reading (BlockReader.readNow), else undefined. */
export function entryDataNow(reader: BlockReader, entry: ZipEntryRecord, dataOffset: number): EntryData | undefined {
  const withDescriptor = reader.readNow(dataOffset, dataBytes(entry));
  return withDescriptor === undefined ? undefined : splitData(entry, withDescriptor);
}

function dataBytes(entry: ZipEntryRecord): number {
  return entry.compressedSize + (hasDataDescriptor(entry) ? DATA_DESCRIPTOR_MAX_BYTES : 0);
}

function splitData(entry: ZipEntryRecord, withDescriptor: Buffer): EntryData {
  return { data: withDescriptor.subarray(0, entry.compressedSize), following: withDescriptor.subarray(entry.compressedSize) };
}

/**
 * The checked content of a whole entry, inflated on this thread. It may share memory with the
 * data, or lie in this thread's inflater: either way it is valid only until the next entry is
 * read, and must be used before anything is awaited.
 */
export function entryContentNow(zipFile: string, entry: ZipEntryRecord, { data, following }: EntryData): Buffer {
  let content = data;
  if (entry.method !== STORED) {
    try {
      content = (inflater ??= new EntryInflater()).inflate(data, entry.uncompressedSize);
    } catch (error) {
      throw toModuleZipError(zipFile, error, entry.name);
    }
  }
  return checked(zipFile, entry, content, following);
}

function checked(zipFile: string, entry: ZipEntryRecord, content: Buffer, following: Buffer): Buffer {
  const check = new EntryContentCheck(zipFile, entry);
  check.add(content);
  check.finish(following);
  return content;
}

/** The checked content of any entry, streamed a piece at a time; a fault is a ModuleZipError naming the entry. */
export async function* entryContentChunks(
  reader: BlockReader,
  zipFile: string,
  entry: ZipEntryRecord,
  dataOffset: number,
): AsyncGenerator<Buffer, void, undefined> {
  const check = new EntryContentCheck(zipFile, entry);
  const data = reader.pieces(dataOffset, entry.compressedSize);
  // Whatever stops reading early (an error, a consumer that stops) tears down the whole pipeline.
  const content: AsyncIterable<Buffer> = entry.method === STORED
    ? data
    : pipeline(Readable.from(data, { objectMode: false }), createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES }), () => {});
  try {
    for await (const chunk of content) {
      check.add(chunk);
      yield chunk;
    }
  } catch (error) {
    throw toModuleZipError(zipFile, error, entry.name);
  }
  const end = dataOffset + entry.compressedSize;
  check.finish(hasDataDescriptor(entry) ? await reader.read(end, DATA_DESCRIPTOR_MAX_BYTES) : Buffer.alloc(0));
}

function corrupt(zipFile: string, entry: ZipEntryRecord, detail: string): ModuleZipError {
  return new ModuleZipError(zipFile, `corrupt entry: ${detail}`, entry.name);
}
