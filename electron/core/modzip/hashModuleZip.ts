import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { formatH1, hash1Summary, type HashedFile } from '../../../shared/gomod/hash1';
import { digestZipEntries } from './digestZipEntries';
import { ModuleZipError } from './moduleZipError';
import { withZipFile } from './openZipFile';
import { centralDirectory, type ZipEntryRecord } from './zipCentralDirectory';

/**
 * The h1 of a zip exactly as dirhash.HashZip computes it, which is what go.sum records
 * for `path version`: every entry, directories included, by its full name. The zip is
 * not checked against the module zip rules (inspectModuleZip does that).
 */
export async function hashModuleZip(zipFile: string): Promise<string> {
  return withZipFile(zipFile, async (reader) => {
    const entries: ZipEntryRecord[] = [];
    for await (const entry of centralDirectory(reader, zipFile)) {
      if (entry.name.includes('\n')) throw new ModuleZipError(zipFile, 'name contains a newline, which h1 cannot hash', entry.name);
      entries.push(entry);
    }
    const { sha256Hex } = await digestZipEntries(reader, zipFile, entries);
    // Go finds content by name, so a name listed twice is hashed twice, both times with its last content.
    const lastByName = new Map(entries.map((entry, i) => [entry.name, sha256Hex[i]!]));
    return h1Of(entries.map(({ name }) => ({ name, sha256Hex: lastByName.get(name)! })));
  });
}

/** The h1 go.sum records for `path version/go.mod`: a one-file tree holding just `go.mod`. */
export function hashGoModBytes(bytes: Uint8Array): string {
  return h1Of([{ name: 'go.mod', sha256Hex: createHash('sha256').update(bytes).digest('hex') }]);
}

/** hashGoModBytes of a .mod file, read as a stream. */
export async function hashGoModFile(file: string): Promise<string> {
  try {
    return h1Of([{ name: 'go.mod', sha256Hex: await sha256HexOf(createReadStream(file)) }]);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new Error(`${file}: ${code === 'ENOENT' ? 'no such file' : message}`, { cause: error });
  }
}

export function h1Of(files: ReadonlyArray<HashedFile>): string {
  return formatH1(createHash('sha256').update(hash1Summary(files), 'utf8').digest());
}

export async function sha256HexOf(content: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of content as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}
