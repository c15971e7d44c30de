import { open } from 'node:fs/promises';
import { BlockReader } from './blockReader';
import { toModuleZipError } from './moduleZipError';

export interface OpenZipFile {
  readonly reader: BlockReader;
  close(): Promise<void>;
}

/** Opens a zip for reading; a file that cannot be opened is a ModuleZipError naming it. */
export async function openZipFile(zipFile: string): Promise<OpenZipFile> {
  const handle = await open(zipFile, 'r').catch((error: unknown) => {
    throw toModuleZipError(zipFile, error);
  });
  try {
    const { size } = await handle.stat();
    return { reader: new BlockReader(handle, size), close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw toModuleZipError(zipFile, error);
  }
}

/** Runs `use` on the open zip and closes it however `use` ends; every failure is a ModuleZipError naming the zip. */
export async function withZipFile<T>(zipFile: string, use: (reader: BlockReader) => Promise<T>): Promise<T> {
  const zip = await openZipFile(zipFile);
  try {
    return await use(zip.reader);
  } catch (error) {
    throw toModuleZipError(zipFile, error);
  } finally {
    await zip.close();
  }
}
