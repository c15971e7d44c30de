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
export async function findStrayFiles(layout: StoreLayout, catalog: Catalog, signal?: AbortSignal): Promise<string[]> {
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
      else if (catalog.fileByPath(child) === undefined) candidates.push(child);
    }
  };
  await walk(layout.tree, '');
  if (candidates.length === 0) return [];
  // Confirmed once the walk is over: an import that committed meanwhile has recorded its files by now.
  const journaled = await journaledPaths(layout);
  const stray: string[] = [];
  for (const candidate of candidates) {
    if (catalog.fileByPath(candidate) !== undefined || journaled.has(candidate)) continue;
    if (await exists(path.join(layout.tree, ...candidate.split('/')))) stray.push(candidate);
  }
  return stray.sort();
}

/**
 * Proof paths (`sumdb/<db>/…`, sorted) of the files under sumdb/ the catalog does not list, journaled
 * ones (an import about to record them) excepted. Read-only, like findStrayFiles.
 */
export async function findStrayProofs(layout: StoreLayout, catalog: Catalog, signal?: AbortSignal): Promise<string[]> {
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
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(path.join(dir, entry.name), child);
      else if (catalog.proofs.file(child) === undefined) candidates.push(child);
    }
  };
  await walk(layout.sumdb, SUMDB_DIR);
  if (candidates.length === 0) return [];
  const journaled = await journaledPaths(layout);
  const stray: string[] = [];
  for (const candidate of candidates) {
    if (catalog.proofs.file(candidate) !== undefined || journaled.has(candidate)) continue;
    if (await exists(path.join(layout.dir, ...candidate.split('/')))) stray.push(candidate);
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
