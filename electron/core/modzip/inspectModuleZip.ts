import { checkModuleZipFileSize, ModuleZipListingChecker, type ModuleVersion } from '../../../shared/gomod/moduleZipRules';
import { digestZipEntries } from './digestZipEntries';
import { h1Of } from './hashModuleZip';
import { ModuleZipError } from './moduleZipError';
import { withZipFile, type ZipFileReads, type ZipRange } from './openZipFile';
import { centralDirectory, type ZipEntryRecord } from './zipCentralDirectory';
import { errorMessage } from '../../../shared/errorMessage';

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
  /**
   * The zip is these bytes of the file, not the whole of it: a module zip inside a tar
   * volume is read where it lies. Nothing outside the range is read; a zip whose records
   * point outside it is corrupt.
   */
  range?: ZipRange;
  /** Stops the check between entries and between the chunks of a large one, rejecting with the abort. */
  signal?: AbortSignal;
  /** How the file is read (openZipFile); by default without blocking the thread. */
  reads?: ZipFileReads;
}

/**
 * Reads a module zip once: applies the go command's module zip rules to its listing,
 * then reads every entry's content front to back through the file, checking and hashing
 * it, and keeps the root go.mod. Any fault is a ModuleZipError naming the zip and, where
 * there is one, the entry.
 */
export async function inspectModuleZip(
  zipFile: string,
  mod: ModuleVersion,
  options: InspectOptions = {},
): Promise<InspectedModuleZip> {
  const checker = listingChecker(zipFile, mod);
  return withZipFile(zipFile, async (reader) => {
    const sizeProblem = checkModuleZipFileSize(reader.size);
    if (sizeProblem !== undefined) throw new ModuleZipError(zipFile, sizeProblem);

    const entries: ZipEntryRecord[] = [];
    let goModEntry: ZipEntryRecord | undefined;
    let files = 0;
    let bytes = 0;
    for await (const entry of centralDirectory(reader, zipFile)) {
      const problem = checker.check({ name: entry.name, size: entry.uncompressedSize, isDirectory: entry.isDirectory });
      if (problem !== undefined) throw new ModuleZipError(zipFile, problem.reason, problem.entry);
      // The rules above have capped its declared size, and reading enforces that size.
      if (entry.name === checker.goModEntry) goModEntry = entry;
      entries.push(entry);
      if (!entry.isDirectory) {
        files++;
        bytes += entry.uncompressedSize;
      }
    }

    const { sha256Hex, kept: goMod } = await digestZipEntries(reader, zipFile, entries, goModEntry, options.signal);
    if (goMod !== undefined) checkGoModMatches(zipFile, checker.goModEntry, goMod, options.expectedGoMod);
    const h1 = h1Of(entries.map(({ name }, i) => ({ name, sha256Hex: sha256Hex[i]! })));
    return { h1, ...(goMod === undefined ? {} : { goMod }), files, bytes };
  }, options.range, options.reads);
}

function listingChecker(zipFile: string, mod: ModuleVersion): ModuleZipListingChecker {
  try {
    return new ModuleZipListingChecker(mod);
  } catch (error) {
    throw new ModuleZipError(zipFile, errorMessage(error), undefined, { cause: error });
  }
}

function checkGoModMatches(zipFile: string, entry: string, goMod: Buffer, expected: Uint8Array | undefined): void {
  if (expected === undefined || goMod.equals(expected)) return;
  let at = 0;
  while (at < goMod.length && at < expected.length && goMod[at] === expected[at]) at++;
  const line = goMod.subarray(0, at).filter((byte) => byte === 0x0a).length + 1;
  throw new ModuleZipError(zipFile, `differs from the module's .mod file (first difference on line ${line})`, entry);
}
