import { open } from 'node:fs/promises';
import { BlockReader } from './blockReader';
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
 * Opens a zip for reading: the whole file, or only `range` of it. A file that cannot be
 * opened, or that ends before the range does, is a ModuleZipError naming it.
 */
export async function openZipFile(zipFile: string, range?: ZipRange): Promise<OpenZipFile> {
  if (range !== undefined && !isRange(range)) throw new RangeError(`${zipFile}: not a byte range: ${JSON.stringify(range)}`);
  const handle = await open(zipFile, 'r').catch((error: unknown) => {
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
export async function withZipFile<T>(zipFile: string, use: (reader: BlockReader) => Promise<T>, range?: ZipRange): Promise<T> {
  const zip = await openZipFile(zipFile, range);
  try {
    return await use(zip.reader);
  } catch (error) {
    throw isAbortError(error) ? error : toModuleZipError(zipFile, error);
  } finally {
    await zip.close();
  }
}

function isRange({ offset, length }: ZipRange): boolean {
  return Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0;
}
