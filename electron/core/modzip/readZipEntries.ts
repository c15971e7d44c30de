import { Readable } from 'node:stream';
import { toModuleZipError } from './moduleZipError';
import { openZipFile } from './openZipFile';
import { centralDirectory } from './zipCentralDirectory';
import { entryContentChunks, entryDataOffset } from './zipEntryContent';

export interface ZipEntry {
  /** The name exactly as stored (UTF-8), directories ending in `/`. */
  readonly name: string;
  /** Declared size; reading the content fails if the data disagrees. */
  readonly uncompressedSize: number;
  /** A name ending in `/`: that, not the entry's attribute bits, is what makes a directory for Go. */
  readonly isDirectory: boolean;
  /**
   * The decompressed content. Read it before asking the iterator for the next entry.
   * It fails with a ModuleZipError when the data is corrupt, differs from the declared
   * size or fails the CRC-32 checks the go command makes.
   */
  open(): Promise<Readable>;
}

/**
 * The entries of a zip file in central-directory order, one at a time, never holding
 * more than one entry's metadata. The file is closed however iteration ends.
 *
 * Each entry's content is read where it lies: for the content of every entry, in one
 * pass over the file, use digestZipEntries.
 */
export async function* readZipEntries(zipFile: string): AsyncGenerator<ZipEntry, void, undefined> {
  const zip = await openZipFile(zipFile);
  const entries = centralDirectory(zip.reader, zipFile);
  let openContent: Readable | undefined;
  try {
    for (;;) {
      const next = await entries.next().catch((error: unknown) => {
        throw toModuleZipError(zipFile, error);
      });
      if (next.done === true) return;
      const entry = next.value;
      yield {
        name: entry.name,
        uncompressedSize: entry.uncompressedSize,
        isDirectory: entry.isDirectory,
        open: async () => {
          const dataOffset = await entryDataOffset(zip.reader, zipFile, entry).catch((error: unknown) => {
            throw toModuleZipError(zipFile, error, entry.name);
          });
          openContent = Readable.from(entryContentChunks(zip.reader, zipFile, entry, dataOffset), { objectMode: false });
          return openContent;
        },
      };
      openContent?.destroy();
      openContent = undefined;
    }
  } finally {
    // An entry's content is read through this file: it cannot outlive it.
    openContent?.destroy();
    await entries.return();
    await zip.close();
  }
}
