/**
 * Makes the catalog and the disk agree again after a crash, a lost catalog, or hands in the
 * tree. Run with the store lock held, before an import (and by a store check that repairs);
 * never when a store is only read. It deletes nothing it cannot prove is its own debris:
 *
 * An import moves its files into the tree, then records them in one catalog transaction.
 * Interrupted between the two, it leaves a commit journal in its staging folder; here that
 * commit is finished (each file re-hashed against the journal, files still staged moved in)
 * or, if any file is lost, undone (the files it moved, whose hashes the journal gives, removed).
 * Then:
 * - leftover staging folders an import marked as its own lose the files an import writes;
 *   anything else in staging/ is quarantined;
 * - catalog rows whose file is gone are forgotten, so the proxy never offers a file it lacks;
 * - a catalog that lists no file while the tree holds some was lost, not emptied: it is rebuilt
 *   from the tree (see rebuildCatalog), and the files that cannot be rebuilt are quarantined;
 * - otherwise tree files the catalog does not list are quarantined: no verified bundle vouched
 *   for them, but they may be someone's only copy;
 * - checksum-database proofs under sumdb/ likewise: rows whose file is gone are forgotten, files
 *   the catalog does not list are quarantined.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Catalog } from './catalog';
import { JOURNAL_FILE, journalProofs, readCommitJournal, type CommitJournal } from './commitJournal';
import { quarantineFiles, type QuarantinedFile, type QuarantineReport } from './quarantine';
import { rebuildFromTree } from './rebuildCatalog';
import { isMarkedStagingFolder, isStagingFileName } from './stagingMarker';
import { proofFile, STAGING_DIR, SUMDB_DIR, TREE_DIR, treeFile, type StoreLayout } from './storeLayout';
import { syncDirectorySync } from '../fsutil/durableFile';
import { listTreeSync, pruneEmptyParentsSync, sha256OfFileSync } from '../fsutil/treeFsSync';

export interface RepairReport {
  /** Bundles whose interrupted commit was finished. */
  completed: string[];
  /** Bundles whose interrupted commit could not be finished and was undone. */
  undone: string[];
  /** Leftover staging folders of ModFerry's own imports, removed. */
  stagingRemoved: string[];
  /** Catalog entries whose file had gone, forgotten. */
  missingForgotten: string[];
  /** Set when the catalog listed no file while tree/ held some, and was rebuilt from tree/. */
  rebuilt?: CatalogRebuildReport;
  /** What was moved out of the store instead of deleted, and where to. */
  quarantined: QuarantineReport;
}

export interface CatalogRebuildReport {
  /** The synthetic bundle the rebuilt rows are recorded under. */
  bundleId: string;
  files: number;
}

type FileState = 'committed' | 'moved' | 'staged' | 'lost';

/** Pure: whether a repair changed anything. */
export function repairDidSomething(report: RepairReport): boolean {
  return (
    report.completed.length + report.undone.length + report.stagingRemoved.length + report.missingForgotten.length + report.quarantined.files.length > 0 ||
    report.rebuilt !== undefined
  );
}

export async function repairStore(layout: StoreLayout, catalog: Catalog, at: Date = new Date()): Promise<RepairReport> {
  // Judged before any interrupted commit adds rows: those would make a lost catalog look merely short.
  const catalogLost = !catalog.holdsFiles();
  const report: RepairReport = { completed: [], undone: [], stagingRemoved: [], missingForgotten: [], quarantined: { dir: undefined, files: [] } };
  const toQuarantine: QuarantinedFile[] = [];
  // Files an interrupted import wrote: a lost catalog never vouched for them, so they are never rebuilt.
  const journaled = new Set<string>();
  mkdirSync(layout.staging, { recursive: true });

  for (const name of readdirSync(layout.staging).sort()) {
    const dir = path.join(layout.staging, name);
    const isFolder = lstatSync(dir).isDirectory();
    const journal = isFolder ? readCommitJournal(dir) : undefined;
    const marked = isFolder && isMarkedStagingFolder(dir);
    if (!marked && journal === undefined) {
      toQuarantine.push({ from: `${STAGING_DIR}/${name}`, why: 'in staging/ but not left there by a ModFerry import' });
      continue;
    }
    if (journal !== undefined) {
      settleJournal(layout, catalog, journal, dir, report);
      for (const file of journal.files) journaled.add(file.path);
    }
    const staged = new Set([...(journal?.files ?? []), ...(journal === undefined ? [] : journalProofs(journal).files)].map((f) => f.staged));
    const written = marked ? isStagingFileName : (file: string) => file === JOURNAL_FILE || staged.has(file);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isFile() && written(entry.name)) unlinkSync(path.join(dir, entry.name));
      else toQuarantine.push({ from: `${STAGING_DIR}/${name}/${entry.name}`, why: 'in a leftover import folder, but not written by the import' });
    }
    report.stagingRemoved.push(name);
  }

  const listing = listTreeSync(layout.tree);
  const onDisk = new Set(listing.files);
  const known = catalog.allPaths();
  report.missingForgotten = [...known].filter((treePath) => !onDisk.has(treePath)).sort();
  catalog.forgetFiles(report.missingForgotten);
  const unknown = listing.files.filter((treePath) => !known.has(treePath)).sort();
  const rebuildable = catalogLost ? unknown.filter((treePath) => !journaled.has(treePath)) : [];
  if (rebuildable.length > 0) {
    const rebuild = await rebuildFromTree(layout, rebuildable, at);
    if (rebuild.files.length > 0) {
      catalog.recordImport(rebuild.bundle, rebuild.files);
      report.rebuilt = { bundleId: rebuild.bundle.bundleId, files: rebuild.files.length };
    }
    toQuarantine.push(...rebuild.refused);
  }
  const rebuilt = new Set(rebuildable);
  const strays = unknown.filter((treePath) => !rebuilt.has(treePath));
  toQuarantine.push(...strays.map((treePath) => ({ from: `${TREE_DIR}/${treePath}`, why: 'not in the catalog: no imported bundle brought it' })));
  toQuarantine.push(...listing.others.sort().map((treePath) => ({ from: `${TREE_DIR}/${treePath}`, why: 'not a regular file' })));

  // Checksum-database proofs under sumdb/ are judged alike, by their catalog rows.
  const proofListing = listTreeSync(layout.sumdb);
  const proofsOnDisk = new Set(proofListing.files.map((file) => `${SUMDB_DIR}/${file}`));
  const knownProofs = new Set(catalog.proofs.allFiles().map((file) => file.path));
  const goneProofs = [...knownProofs].filter((proofPath) => !proofsOnDisk.has(proofPath)).sort();
  catalog.proofs.forget(goneProofs);
  report.missingForgotten.push(...goneProofs);
  toQuarantine.push(...[...proofsOnDisk].filter((proofPath) => !knownProofs.has(proofPath)).sort().map((from) => ({ from, why: 'not in the catalog: no imported bundle brought it' })));
  toQuarantine.push(...proofListing.others.sort().map((file) => ({ from: `${SUMDB_DIR}/${file}`, why: 'not a regular file' })));

  report.quarantined = quarantineFiles(layout, toQuarantine, 'repair', at);
  for (const name of report.stagingRemoved) removeEmptyFolder(path.join(layout.staging, name));
  // Quarantining may have pruned them, empty.
  mkdirSync(layout.tree, { recursive: true });
  mkdirSync(layout.staging, { recursive: true });
  return report;
}

/** A journal's module files and proofs alike: where each goes, and how the catalog knows it. */
interface Settled<F> {
  file: F;
  target: string;
  root: string;
  state: FileState;
}

function settleJournal(layout: StoreLayout, catalog: Catalog, journal: CommitJournal, stagingDir: string, report: RepairReport): void {
  const files = journal.files.map((file) => {
    const target = treeFile(layout, file.path);
    return { file, target, root: layout.tree, state: fileState(catalog.fileByPath(file.path), target, file, stagingDir) };
  });
  const proofs = journalProofs(journal);
  const proofFiles = proofs.files.map((file) => {
    const target = proofFile(layout, file.path);
    return { file, target, root: layout.sumdb, state: fileState(catalog.proofs.file(file.path), target, file, stagingDir) };
  });
  const pending = files.filter(({ state }) => state !== 'committed');
  const pendingProofs = proofFiles.filter(({ state }) => state !== 'committed');
  const all: Array<Settled<{ staged: string }>> = [...pending, ...pendingProofs];
  if (all.length === 0) return;
  if (all.some(({ state }) => state === 'lost')) {
    for (const { target, root, state } of all) if (state === 'moved') removeFile(target, root);
    report.undone.push(journal.bundle.bundleId);
    return;
  }
  const folders = new Set<string>();
  for (const { file, target, state } of all) {
    if (state !== 'staged') continue;
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(path.join(stagingDir, file.staged), target);
    folders.add(path.dirname(target));
  }
  for (const folder of folders) syncDirectorySync(folder);
  catalog.recordImport(journal.bundle, pending.map(({ file }) => file), { heads: proofs.heads, files: pendingProofs.map(({ file }) => file) });
  report.completed.push(journal.bundle.bundleId);
}

function fileState(held: { sha256: string } | undefined, target: string, file: { staged: string; sha256: string }, stagingDir: string): FileState {
  if (held !== undefined) return held.sha256 === file.sha256 ? 'committed' : 'lost';
  const inStore = sha256OfFileSync(target);
  if (inStore !== undefined) return inStore === file.sha256 ? 'moved' : 'lost';
  return sha256OfFileSync(path.join(stagingDir, file.staged)) === file.sha256 ? 'staged' : 'lost';
}

function removeFile(file: string, root: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  pruneEmptyParentsSync(file, root);
}

function removeEmptyFolder(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
