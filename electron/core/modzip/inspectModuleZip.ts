import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { HashedFile } from '../../../shared/gomod/hash1';
import { checkModuleZipFileSize, ModuleZipListingChecker, type ModuleVersion } from '../../../shared/gomod/moduleZipRules';
import { h1Of, sha256HexOf } from './hashModuleZip';
import { ModuleZipError, toModuleZipError } from './moduleZipError';
import { readZipEntries } from './readZipEntries';

export interface InspectedModuleZip {
  /** What go.sum records for the module's content (dirhash.HashZip). */
  h1: string;
  /** The zip's root go.mod, when it has one. */
  goMod?: Buffer;
  /** Number of files (directory entries not counted). */
  files: number;
  /** Total uncompressed size of those files. */
  bytes: number;
}

export interface InspectOptions {
  /**
   * The module's .mod file. When the zip has a go.mod, the two must be identical: the go
   * command builds with the .mod file, so a zip whose go.mod says otherwise is inconsistent.
   */
  expectedGoMod?: Uint8Array;
}

/**
 * Reads a module zip once, entry by entry: applies the go command's module zip rules,
 * hashes every entry and keeps the root go.mod. Any fault is a ModuleZipError naming
 * the zip and, where there is one, the entry.
 */
export async function inspectModuleZip(
  zipFile: string,
  mod: ModuleVersion,
  options: InspectOptions = {},
): Promise<InspectedModuleZip> {
  const checker = listingChecker(zipFile, mod);
  const zipBytes = await stat(zipFile).then((s) => s.size, (error: unknown) => {
    throw toModuleZipError(zipFile, error);
  });
  const sizeProblem = checkModuleZipFileSize(zipBytes);
  if (sizeProblem !== undefined) throw new ModuleZipError(zipFile, sizeProblem);

  const hashed: HashedFile[] = [];
  let goMod: Buffer | undefined;
  let files = 0;
  let bytes = 0;
  for await (const entry of readZipEntries(zipFile)) {
    const problem = checker.check({ name: entry.name, size: entry.uncompressedSize, isDirectory: entry.isDirectory });
    if (problem !== undefined) throw new ModuleZipError(zipFile, problem.reason, problem.entry);
    if (entry.name === checker.goModEntry) {
      // The rules above have capped its declared size, and reading enforces that size.
      goMod = await readAll(await entry.open());
      checkGoModMatches(zipFile, entry.name, goMod, options.expectedGoMod);
      hashed.push({ name: entry.name, sha256Hex: createHash('sha256').update(goMod).digest('hex') });
    } else {
      hashed.push({ name: entry.name, sha256Hex: await sha256HexOf(await entry.open()) });
    }
    if (!entry.isDirectory) {
      files++;
      bytes += entry.uncompressedSize;
    }
  }
  return { h1: h1Of(hashed), ...(goMod === undefined ? {} : { goMod }), files, bytes };
}

function listingChecker(zipFile: string, mod: ModuleVersion): ModuleZipListingChecker {
  try {
    return new ModuleZipListingChecker(mod);
  } catch (error) {
    throw new ModuleZipError(zipFile, error instanceof Error ? error.message : String(error), undefined, { cause: error });
  }
}

function checkGoModMatches(zipFile: string, entry: string, goMod: Buffer, expected: Uint8Array | undefined): void {
  if (expected === undefined || goMod.equals(expected)) return;
  let at = 0;
  while (at < goMod.length && at < expected.length && goMod[at] === expected[at]) at++;
  const line = goMod.subarray(0, at).filter((byte) => byte === 0x0a).length + 1;
  throw new ModuleZipError(zipFile, `differs from the module's .mod file (first difference on line ${line})`, entry);
}

async function readAll(content: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
