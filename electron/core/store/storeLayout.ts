/**
 * Where things live in a store folder:
 *
 *   modferry-store.json  the marker that makes the folder a store (see storeMarker)
 *   tree/        the escaped GOPROXY layout (`<escaped module>/@v/<escaped version>.{info,mod,zip}`),
 *                servable as is by any static file server and safe on case-insensitive file systems
 *   catalog.db   the SQLite catalog: what the store holds, where it came from, what was asked for
 *   staging/     one folder per import in progress: files land here until the whole bundle verified
 *   store.lock   a SQLite file whose exclusive transaction is the store lock (see storeLock),
 *                held while an import or a repair runs; store.lock.holder names its holder
 *   quarantine/  files moved out of the tree instead of deleted (see quarantine.ts)
 *   sumdb/       checksum-database proofs: `<db>/lookup/…` records and `<db>/tile/8/…` hash tiles, as the
 *                database serves them; the catalog lists them and holds the tree heads (see catalogProofs)
 */
import path from 'node:path';
import { appDirs } from '../appDirs/appDirs';
import { SUMDB_ROOT } from '../../../shared/sumdb/sumdbPath';

export const TREE_DIR = 'tree';
export const CATALOG_FILE = 'catalog.db';
export const STAGING_DIR = 'staging';
export const LOCK_FILE = 'store.lock';
export const MARKER_FILE = 'modferry-store.json';
/** Proof paths in a bundle (`sumdb/<db>/…`) are their paths in the store. */
export const SUMDB_DIR = SUMDB_ROOT;

export function defaultStoreDir(): string {
  return path.join(appDirs().data, 'store');
}

export interface StoreLayout {
  dir: string;
  tree: string;
  catalog: string;
  staging: string;
  lock: string;
  marker: string;
  sumdb: string;
}

export function storeLayout(dir: string): StoreLayout {
  const absolute = path.resolve(dir);
  return {
    dir: absolute,
    tree: path.join(absolute, TREE_DIR),
    catalog: path.join(absolute, CATALOG_FILE),
    staging: path.join(absolute, STAGING_DIR),
    lock: path.join(absolute, LOCK_FILE),
    marker: path.join(absolute, MARKER_FILE),
    sumdb: path.join(absolute, SUMDB_DIR),
  };
}

/** The file for a tree path (`/`-separated, already checked to be in the GOPROXY layout). */
export function treeFile(layout: StoreLayout, treePath: string): string {
  return path.join(layout.tree, ...treePath.split('/'));
}

/** The file of a checksum-database proof, by its path `sumdb/<db>/…` (already checked by parseSumdbPath). */
export function proofFile(layout: StoreLayout, proofPath: string): string {
  return path.join(layout.dir, ...proofPath.split('/'));
}

/** An import's own staging folder, named after its bundle. */
export function stagingDirOf(layout: StoreLayout, bundleId: string): string {
  return path.join(layout.staging, bundleId);
}
