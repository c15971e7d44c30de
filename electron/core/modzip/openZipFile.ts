import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { BlockReader, type ReadableFile } from './blockReader';
import { isAbortError, ModuleZipError, toModuleZipError } from './moduleZipError';

/** Where a zip lies inside a larger file, such as a tar volume: exactly the bytes `[offset, offset + length)`. */
export interface ZipRange {
  offset: number;
  length: number;
}

export interface OpenZipFile {
  readonly reader: BlockReader;
  close(): Promise<void>;
}

/**
 * How a zip file is read. `blocking`: with blocking calls, for a thread that has nothing else
 * to do while a zip is read (a zip check worker), where a read from the page cache takes less
 * time than handing it to the I/O thread pool and back.
 */
export type ZipFileReads = 'async' | 'blocking';

/**
 * Opens a zip for reading: the whole file, or only `range` of it. A file that cannot be
 * opened, or that ends before the range does, is a ModuleZipError naming it.
 */
export async function openZipFile(zipFile: string, range?: ZipRange, reads: ZipFileReads = 'async'): Promise<OpenZipFile> {
  if (range !== undefined && !isRange(range)) throw new RangeError(`${zipFile}: not a byte range: ${JSON.stringify(range)}`);
  const handle = await (reads === 'blocking' ? openBlocking(zipFile) : open(zipFile, 'r')).catch((error: unknown) => {
    throw toModuleZipError(zipFile, error);
  });
  try {
    const { size } = await handle.stat();
    if (range !== undefined && range.offset + range.length > size) {
      throw new ModuleZipError(zipFile, `the file is ${size} bytes, too short to hold the zip at bytes ${range.offset}-${range.offset + range.length}`);
    }
    const reader = range === undefined ? new BlockReader(handle, size) : new BlockReader(handle, range.length, range.offset);
    return {
      reader,
      close: async () => {
        await reader.idle();
        await handle.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw toModuleZipError(zipFile, error);
  }
}

/** Runs `use` on the open zip and closes it however `use` ends; every failure is a ModuleZipError naming the zip. */
export async function withZipFile<T>(zipFile: string, use: (reader: BlockReader) => Promise<T>, range?: ZipRange, reads?: ZipFileReads): Promise<T> {
  const zip = await openZipFile(zipFile, range, reads);
  try {
    return await use(zip.reader);
  } catch (error) {
    throw isAbortError(error) ? error : toModuleZipError(zipFile, error);
  } finally {
    await zip.close();
  }
}

interface OpenedFile extends ReadableFile {
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** The file, read with blocking calls behind the FileHandle calls openZipFile makes. */
async function openBlocking(file: string): Promise<OpenedFile> {
  const fd = openSync(file, 'r');
  return {
    read: async (buffer, offset, length, position) => ({ bytesRead: readSync(fd, buffer, offset, length, position) }),
    stat: async () => fstatSync(fd),
    close: async () => closeSync(fd),
  };
}

function isRange({ offset, length }: ZipRange): boolean {
  return Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0;
}
