import { createHash } from 'node:crypto';
import type { BlockReader } from './blockReader';
import { isAbortError, ModuleZipError, toModuleZipError } from './moduleZipError';
import type { ZipEntryRecord } from './zipCentralDirectory';
import { entryContentChunks, entryContentNow, entryData, entryDataNow, entryDataOffset, entryDataOffsetNow, entryReading, type EntryData } from './zipEntryContent';

export interface ZipEntryDigests {
  /** Hex SHA-256 of each entry's content, in the order the entries were given. */
  sha256Hex: string[];
  /** The content of the entry asked to be kept, when there is one. */
  kept?: Buffer;
}

/**
 * Reads every entry's content once, checked as the go command checks it, and hashes it.
 * The entries are taken in the order their data lies in the file, so the file is read
 * front to back a block at a time whatever order the central directory lists them in;
 * gaps are skipped. Entries whose data overlaps are refused: no writer makes them, and
 * reading them would let a small zip expand into any amount of content. When several
 * entries are faulty, the one reported is the first in the file. An abort stops it between
 * entries and between the chunks of a large one.
 */
export async function digestZipEntries(
  reader: BlockReader,
  zipFile: string,
  entries: ReadonlyArray<ZipEntryRecord>,
  keep?: ZipEntryRecord,
  signal?: AbortSignal,
): Promise<ZipEntryDigests> {
  const sha256Hex = new Array<string>(entries.length);
  let kept: Buffer | undefined;
  const digestWhole = (entry: ZipEntryRecord, position: number, data: EntryData): void => {
    const content = entryContentNow(zipFile, entry, data);
    sha256Hex[position] = createHash('sha256').update(content).digest('hex');
    // Copied: the content lies in the inflater's buffer, which the next entry reuses, or in a block of the file.
    if (entry === keep) kept = Buffer.from(content);
  };
  const digestStreamed = async (entry: ZipEntryRecord, position: number, dataOffset: number): Promise<void> => {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    for await (const chunk of entryContentChunks(reader, zipFile, entry, dataOffset)) {
      signal?.throwIfAborted();
      hash.update(chunk);
      if (entry === keep) chunks.push(chunk);
    }
    sha256Hex[position] = hash.digest('hex');
    if (entry === keep) kept = Buffer.concat(chunks);
  };

  const inFileOrder = [...entries.keys()].sort((a, b) => entries[a]!.localHeaderOffset - entries[b]!.localHeaderOffset);
  let previous: { entry: ZipEntryRecord; dataEnd: number } | undefined;
  for (const position of inFileOrder) {
    signal?.throwIfAborted();
    const entry = entries[position]!;
    if (previous !== undefined && entry.localHeaderOffset < previous.dataEnd) {
      throw new ModuleZipError(zipFile, `corrupt entry: it overlaps the data of ${JSON.stringify(previous.entry.name)}`, entry.name);
    }
    try {
      // Most entries lie in the block read last: they are digested without waiting for anything.
      const dataOffset = entryDataOffsetNow(reader, zipFile, entry) ?? (await entryDataOffset(reader, zipFile, entry));
      if (entryReading(entry) === 'whole') {
        digestWhole(entry, position, entryDataNow(reader, entry, dataOffset) ?? (await entryData(reader, entry, dataOffset)));
      } else {
        await digestStreamed(entry, position, dataOffset);
      }
      previous = { entry, dataEnd: dataOffset + entry.compressedSize };
    } catch (error) {
      throw isAbortError(error) ? error : toModuleZipError(zipFile, error, entry.name);
    }
  }
  return kept === undefined ? { sha256Hex } : { sha256Hex, kept };
}
