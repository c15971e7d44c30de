/**
 * What a folder given as a store holds, judged without changing anything in it: nothing yet,
 * a store (it has the marker), a store from before the marker (its catalog.db is a ModFerry
 * catalog), or something else, which ModFerry must leave alone.
 */
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../../shared/errorMessage';
import { modFerryCatalogVersion } from './catalogSchema';
import { ModFerryError } from '../errors/modferryError';
import type { StoreLayout } from './storeLayout';

export type StoreFolder =
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'store' }
  | { kind: 'unmarked-store' }
  | { kind: 'foreign' };

export function inspectStoreFolder(layout: StoreLayout): StoreFolder {
  let entries: string[];
  try {
    entries = readdirSync(layout.dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') {
      throw new ModFerryError('store', 'not a folder: a store is a folder; give the folder that holds it (or an empty one to make it in)', { file: layout.dir }, { cause: error, problem: 'store-folder-is-file' });
    }
    throw new ModFerryError('store', `the folder cannot be read (${code ?? errorMessage(error)})`, { file: layout.dir }, { cause: error, problem: 'store-folder-unreadable' });
  }
  if (entries.length === 0) return { kind: 'empty' };
  if (existsSync(layout.marker)) return { kind: 'store' };
  if (existsSync(layout.catalog) && modFerryCatalogVersion(layout.catalog) !== undefined) return { kind: 'unmarked-store' };
  return { kind: 'foreign' };
}

/** Whether this process may write the store: its folder, and its catalog when there is one. */
export function storeWritable(layout: StoreLayout): boolean {
  try {
    accessSync(layout.dir, constants.W_OK);
    if (existsSync(layout.catalog)) accessSync(layout.catalog, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether any file (anything but a folder) is under root; stops at the first. */
export function treeHoldsFiles(root: string): boolean {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  return entries.some((entry) => !entry.isDirectory() || treeHoldsFiles(path.join(root, entry.name)));
}
