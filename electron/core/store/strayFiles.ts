/**
 * Files in the tree that the catalog does not list. Read-only: nothing is removed, not even an
 * empty folder. A file an import has moved into the tree and is about to record (its commit
 * journal names it) is not stray: the import, or the next opening of the store, settles it.
 */
import { lstat, opendir, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog } from './catalog';
import { journalProofs, readCommitJournal } from './commitJournal';
import { SUMDB_DIR, type StoreLayout } from './storeLayout';

/** Tree paths (relative to tree/, `/`-separated, sorted) of everything in the tree the catalog does not list. */
export function findStrayFiles(layout: StoreLayout, catalog: Catalog, signal?: AbortSignal): Promise<string[]> {
  return findUnlisted(layout, { folder: layout.tree, prefix: '', under: layout.tree }, (file) => catalog.fileByPath(file) !== undefined, signal);
}

/**
 * Proof paths (`sumdb/<db>/…`, sorted) of the files under sumdb/ the catalog does not list, journaled
 * ones (an import about to record them) excepted. Read-only, like findStrayFiles.
 */
export function findStrayProofs(layout: StoreLayout, catalog: Catalog, signal?: AbortSignal): Promise<string[]> {
  return findUnlisted(layout, { folder: layout.sumdb, prefix: SUMDB_DIR, under: layout.dir }, (file) => catalog.proofs.file(file) !== undefined, signal);
}

/**
 * The files under `where.folder`, named `where.prefix/…` (relative to `where.under`), that `listed` does
 * not know and no commit journal names.
 */
async function findUnlisted(
  layout: StoreLayout,
  where: { folder: string; prefix: string; under: string },
  listed: (file: string) => boolean,
  signal?: AbortSignal,
): Promise<string[]> {
  const candidates: string[] = [];
  const walk = async (dir: string, relative: string): Promise<void> => {
    let entries;
    try {
      entries = await opendir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for await (const entry of entries) {
      signal?.throwIfAborted();
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), child);
      else if (!listed(child)) candidates.push(child);
    }
  };
  await walk(where.folder, where.prefix);
  if (candidates.length === 0) return [];
  // Confirmed once the walk is over: an import that committed meanwhile has recorded its files by now.
  const journaled = await journaledPaths(layout);
  const stray: string[] = [];
  for (const candidate of candidates) {
    if (listed(candidate) || journaled.has(candidate)) continue;
    if (await exists(path.join(where.under, ...candidate.split('/')))) stray.push(candidate);
  }
  return stray.sort();
}

/** Tree and proof paths named by the commit journals in staging/. */
async function journaledPaths(layout: StoreLayout): Promise<Set<string>> {
  const paths = new Set<string>();
  const names = await readdir(layout.staging).catch(() => []);
  for (const name of names) {
    const journal = readCommitJournal(path.join(layout.staging, name));
    if (journal === undefined) continue;
    for (const file of [...journal.files, ...journalProofs(journal).files]) paths.add(file.path);
  }
  return paths;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
