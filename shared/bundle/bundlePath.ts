/**
 * Every path a bundle may carry: the GOPROXY tree (treePath.ts) and, from format 3, the
 * checksum-database proofs under `sumdb/<name>/` (shared/sumdb/sumdbPath.ts). Code that only
 * handles module files keeps calling parseTreePath, which refuses `sumdb/` paths as before.
 */
import { isSumdbPath, parseSumdbPath, SumdbPathError, type SumdbPath } from '../sumdb/sumdbPath';
import { groupKeyOf, parseTreePath, TreePathError, unsafePathReason, type TreePath } from './treePath';

export interface SumdbBundlePath {
  kind: 'sumdb';
  sumdb: SumdbPath;
}

export type BundlePath = TreePath | SumdbBundlePath;
export type BundleFileKind = BundlePath['kind'];

/** Parses any bundle path; throws TreePathError naming the path for anything else. */
export function parseBundlePath(path: string): BundlePath {
  if (!isSumdbPath(path)) return parseTreePath(path);
  const unsafe = unsafePathReason(path);
  if (unsafe !== undefined) throw new TreePathError(path, unsafe);
  try {
    return { kind: 'sumdb', sumdb: parseSumdbPath(path) };
  } catch (error) {
    if (error instanceof SumdbPathError) throw new TreePathError(path, error.reason);
    throw error;
  }
}

/** Files that are kept together in one volume share a key; each checksum-database file stands alone. */
export function bundleGroupKey(path: string, parsed: BundlePath): string {
  return parsed.kind === 'sumdb' ? path : groupKeyOf(parsed);
}
