import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { ModuleZipError, toModuleZipError } from './moduleZipError';

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
   * size or fails the CRC-32 check the go command makes.
   */
  open(): Promise<Readable>;
}

const OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: true,
  // Go hashes and checks the raw name bytes: no CP437 guess, no Info-ZIP Unicode Path
  // substitute and no path validation of yauzl's own (the module zip rules are Go's).
  decodeStrings: false,
  validateEntrySizes: true,
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The entries of a zip file in central-directory order, one at a time, never holding
 * more than one entry's metadata. The file is closed however iteration ends.
 */
export async function* readZipEntries(zipFile: string): AsyncGenerator<ZipEntry, void, undefined> {
  const zip = await yauzl.openPromise(zipFile, OPTIONS).catch((error: unknown) => {
    throw toModuleZipError(zipFile, error);
  });
  const entries = zip.eachEntry();
  let openStream: Readable | undefined;
  try {
    for (;;) {
      const next = await entries.next().catch((error: unknown) => {
        throw toModuleZipError(zipFile, error);
      });
      if (next.done === true) return;
      const entry = next.value;
      const name = entryName(zipFile, entry.fileNameRaw);
      yield {
        name,
        uncompressedSize: entry.uncompressedSize,
        isDirectory: name.endsWith('/'),
        open: async () => {
          const raw = await zip.openReadStreamPromise(entry).catch((error: unknown) => {
            throw toModuleZipError(zipFile, error, name);
          });
          const content = Readable.from(checkedContent(raw, entry, zipFile, name), { objectMode: false });
          // A generator that never ran cannot clean up after itself: an opened but unread entry would keep the file open.
          content.once('close', () => raw.destroy());
          openStream = content;
          return content;
        },
      };
      openStream?.destroy();
      openStream = undefined;
    }
  } finally {
    // An unread entry stream holds the file open.
    openStream?.destroy();
    await entries.return?.();
    zip.close();
  }
}

function entryName(zipFile: string, raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new ModuleZipError(zipFile, 'entry name is not valid UTF-8', raw.toString('utf8'));
  }
}

async function* checkedContent(raw: Readable, entry: yauzl.Entry, zipFile: string, name: string): AsyncGenerator<Buffer> {
  let crc = 0;
  try {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      yield chunk;
    }
  } catch (error) {
    throw toModuleZipError(zipFile, error, name);
  }
  // Go's rule: a zero CRC in the header means "not recorded" unless a data descriptor follows the data.
  const hasDataDescriptor = (entry.generalPurposeBitFlag & 0x8) !== 0;
  if ((hasDataDescriptor || entry.crc32 !== 0) && crc !== entry.crc32) {
    throw new ModuleZipError(zipFile, `checksum error: content has CRC-32 ${hex32(crc)}, the zip records ${hex32(entry.crc32)}`, name);
  }
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
