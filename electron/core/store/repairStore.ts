/**
 * Makes the catalog and the disk agree again after a crash (or after someone changed the
 * tree by hand). Run with the store lock held, before an import and when a store is opened.
 *
 * An import moves its files into the tree, then records them in one catalog transaction.
 * Interrupted between the two, it leaves a commit journal in its staging folder; here that
 * commit is finished (each file re-hashed against the journal, files still staged moved in)
 * or, if any file is lost, undone. Then:
 * - staging is emptied;
 * - catalog rows whose file is gone are forgotten, so the proxy never offers a file it lacks;
 * - tree files the catalog does not list are removed: no verified bundle vouched for them.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from './catalog';
import { readCommitJournal, type CommitJournal, type JournalFile } from './commitJournal';
import { treeFile, type StoreLayout } from './storeLayout';
import { syncDirectorySync } from '../fsutil/durableFile';
import { listTreeSync, pruneEmptyParentsSync, sha256OfFileSync } from '../fsutil/treeFsSync';

export interface RepairReport {
  /** Bundles whose interrupted commit was finished. */
  completed: string[];
  /** Bundles whose interrupted commit could not be finished and was undone. */
  undone: string[];
  /** Leftover staging folders (and files) removed. */
  stagingRemoved: string[];
  /** Tree paths the catalog did not list, removed. */
  strayRemoved: string[];
  /** Catalog entries whose file had gone, forgotten. */
  missingForgotten: string[];
}

type FileState = 'committed' | 'moved' | 'staged' | 'lost';

export function repairStore(layout: StoreLayout, catalog: Catalog): RepairReport {
  const report: RepairReport = { completed: [], undone: [], stagingRemoved: [], strayRemoved: [], missingForgotten: [] };
  mkdirSync(layout.tree, { recursive: true });
  mkdirSync(layout.staging, { recursive: true });

  for (const name of readdirSync(layout.staging).sort()) {
    const dir = path.join(layout.staging, name);
    const journal = lstatSync(dir).isDirectory() ? readCommitJournal(dir) : undefined;
    if (journal !== undefined) settleJournal(layout, catalog, journal, dir, report);
    rmSync(dir, { recursive: true, force: true });
    report.stagingRemoved.push(name);
  }

  const listing = listTreeSync(layout.tree);
  const onDisk = new Set(listing.files);
  const known = catalog.allPaths();
  report.missingForgotten = [...known].filter((treePath) => !onDisk.has(treePath)).sort();
  catalog.forgetFiles(report.missingForgotten);
  report.strayRemoved = [...listing.files.filter((treePath) => !known.has(treePath)), ...listing.others].sort();
  for (const treePath of report.strayRemoved) removeTreeFile(layout, treePath);
  return report;
}

function settleJournal(layout: StoreLayout, catalog: Catalog, journal: CommitJournal, stagingDir: string, report: RepairReport): void {
  const states = journal.files.map((file) => ({ file, state: fileState(layout, catalog, file, stagingDir) }));
  const pending = states.filter(({ state }) => state !== 'committed');
  if (pending.length === 0) return;
  if (pending.some(({ state }) => state === 'lost')) {
    for (const { file, state } of pending) if (state === 'moved') removeTreeFile(layout, file.path);
    report.undone.push(journal.bundle.bundleId);
    return;
  }
  const folders = new Set<string>();
  for (const { file, state } of pending) {
    if (state !== 'staged') continue;
    const target = treeFile(layout, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(path.join(stagingDir, file.staged), target);
    folders.add(path.dirname(target));
  }
  for (const folder of folders) syncDirectorySync(folder);
  catalog.recordImport(journal.bundle, pending.map(({ file }) => file));
  report.completed.push(journal.bundle.bundleId);
}

function fileState(layout: StoreLayout, catalog: Catalog, file: JournalFile, stagingDir: string): FileState {
  const held = catalog.fileByPath(file.path);
  if (held !== undefined) return held.sha256 === file.sha256 ? 'committed' : 'lost';
  const inTree = sha256OfFileSync(treeFile(layout, file.path));
  if (inTree !== undefined) return inTree === file.sha256 ? 'moved' : 'lost';
  return sha256OfFileSync(path.join(stagingDir, file.staged)) === file.sha256 ? 'staged' : 'lost';
}

function removeTreeFile(layout: StoreLayout, treePath: string): void {
  const file = treeFile(layout, treePath);
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  pruneEmptyParentsSync(file, layout.tree);
}
