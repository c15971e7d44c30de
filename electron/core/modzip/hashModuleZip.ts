import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { formatH1, hash1Summary, type HashedFile } from '../../../shared/gomod/hash1';
import { ModuleZipError } from './moduleZipError';
import { readZipEntries } from './readZipEntries';

/**
 * The h1 of a zip exactly as dirhash.HashZip computes it, which is what go.sum records
 * for `path version`: every entry, directories included, by its full name. The zip is
 * not checked against the module zip rules (inspectModuleZip does that).
 */
export async function hashModuleZip(zipFile: string): Promise<string> {
  const names: string[] = [];
  const sha256ByName = new Map<string, string>();
  for await (const entry of readZipEntries(zipFile)) {
    if (entry.name.includes('\n')) throw new ModuleZipError(zipFile, 'name contains a newline, which h1 cannot hash', entry.name);
    names.push(entry.name);
    // Go finds content by name, so a name listed twice is hashed twice, both times with its last content.
    sha256ByName.set(entry.name, await sha256HexOf(await entry.open()));
  }
  return h1Of(names.map((name) => ({ name, sha256Hex: sha256ByName.get(name) ?? '' })));
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
