/**
 * A module zip's own go.mod, read alone: to compare it with the version's .mod file when the
 * two were not at hand together while the zip was checked (the .mod came later in the bundle,
 * or one of them is already in the store). The go command builds with the .mod file, so a zip
 * whose go.mod says otherwise (another module path, other requirements) is inconsistent.
 *
 * A zip without a go.mod is compared with nothing: the go command synthesizes `module <path>`
 * for it, and that is what the .mod holds.
 */
import { moduleZipPrefix, type ModuleVersion } from '../../../shared/gomod/moduleZipRules';
import { withZipFile, type ZipRange } from '../modzip/openZipFile';
import { centralDirectory } from '../modzip/zipCentralDirectory';
import { entryContentNow, entryData, entryDataOffset } from '../modzip/zipEntryContent';

/** The zip's root go.mod (`<path>@<version>/go.mod`), or undefined when it has none. The zip must have passed its checks. */
export async function readZipGoMod(zipFile: string, mod: ModuleVersion, range?: ZipRange): Promise<Buffer | undefined> {
  const name = `${moduleZipPrefix(mod)}go.mod`;
  return withZipFile(zipFile, async (reader) => {
    for await (const entry of centralDirectory(reader, zipFile)) {
      if (entry.name !== name) continue;
      const data = await entryData(reader, entry, await entryDataOffset(reader, zipFile, entry));
      // A copy, made before anything is awaited: the content may lie in the reader's block or in this thread's inflater.
      return Buffer.from(entryContentNow(zipFile, entry, data));
    }
    return undefined;
  }, range);
}

/** The 1-based line of the first byte at which two files differ; undefined when they are the same. */
export function firstDifferentLine(a: Uint8Array, b: Uint8Array): number | undefined {
  if (Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)) return undefined;
  let at = 0;
  while (at < a.length && at < b.length && a[at] === b[at]) at++;
  return a.subarray(0, at).filter((byte) => byte === 0x0a).length + 1;
}
