/**
 * Moves a verified bundle's staged files into the tree and records them, in the order that
 * keeps a crash at any point repairable (see repairStore):
 *
 * Checksum-database proofs travel the same way, into sumdb/<db>/ instead of tree/, and are recorded
 * in the same catalog transaction (with the bundle's tree heads).
 *
 * 1. the staging folder is synced, so every staged name is on disk;
 * 2. the commit journal is written and synced: from here, a crash is finished by the next repair;
 * 3. each file is renamed into the tree (same disk: atomic, no copy), never over an existing
 *    file, and the tree folders are synced;
 * 4. one catalog transaction records the bundle and its files: from here, the proxy serves them.
 *
 * A failure within this process undoes steps 3 and 4 before it is reported.
 *
 * Then each damaged copy the bundle carried a good one of is restored. The catalog already
 * vouches for the good bytes, so only the tree changes, and at every moment it holds the
 * damaged copy or the good one under the file's name: the damaged copy gets a second name
 * in the staging folder, the good one is renamed over it (atomic), and the damaged one is
 * moved on to quarantine. A crash before the rename leaves the damaged copy to be restored by
 * the next import; after it, the file is restored and at worst the damaged bytes are lost.
 */
import { access, link, mkdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ignoreProgress, type ProgressListener } from '../../../shared/work/progress';
import { syncDirectory } from '../fsutil/durableFile';
import type { BundleRecord, Catalog } from './catalog';
import { writeCommitJournal, type JournalFile, type JournalProof } from './commitJournal';
import type { ProofHead } from './catalogProofs';
import { quarantineFiles } from './quarantine';
import type { StagingArea } from './stagingArea';
import { proofFile, treeFile, type StoreLayout } from './storeLayout';
import { pruneEmptyParentsSync } from '../fsutil/treeFsSync';

const PROGRESS_INTERVAL_MS = 250;

/** A damaged copy in the store replaced by the bundle's. */
export interface RestoredFile {
  /** Its path in the tree. */
  path: string;
  /** Where the damaged copy was moved. */
  quarantined: string;
}

/** The proofs a verified bundle brings: its tree heads, and the proof files staged for it. */
export interface StagedProofs {
  heads: ProofHead[];
  files: JournalProof[];
}

/** Resolves with the damaged copies it restored. */
export async function commitImport(
  layout: StoreLayout,
  catalog: Catalog,
  bundle: BundleRecord,
  staging: StagingArea,
  onProgress: ProgressListener = ignoreProgress,
  proofs: StagedProofs = { heads: [], files: [] },
): Promise<RestoredFile[]> {
  await commitNewFiles(layout, catalog, bundle, staging, proofs, onProgress);
  return restoreDamaged(layout, bundle, staging, onProgress);
}

/** Where a staged file goes: tree/ for module files, sumdb/<db>/ for proofs. */
type Move = { path: string; staged: string; size: number; target: string };

async function commitNewFiles(layout: StoreLayout, catalog: Catalog, bundle: BundleRecord, staging: StagingArea, proofs: StagedProofs, onProgress: ProgressListener): Promise<void> {
  const files = staging.staged;
  if (files.length === 0 && proofs.files.length === 0) {
    catalog.recordImport(bundle, [], proofs);
    return;
  }
  const moves: Move[] = [
    ...files.map((file) => ({ path: file.path, staged: file.staged, size: file.size, target: treeFile(layout, file.path) })),
    ...proofs.files.map((file) => ({ path: file.path, staged: file.staged, size: file.size, target: proofFile(layout, file.path) })),
  ];
  const totalBytes = moves.reduce((sum, file) => sum + file.size, 0);
  const report = (message: string, done: number, bytes: number): void =>
    onProgress({ stage: 'commit', message, files: done, totalFiles: moves.length, bytes, totalBytes });

  await syncDirectory(staging.dir);
  await writeCommitJournal(staging.dir, { bundle, files, ...(proofs.files.length + proofs.heads.length > 0 ? { proofs } : {}) });
  report(`moving ${moves.length} file(s) into the store`, 0, 0);

  const moved: Move[] = [];
  try {
    const folders = new Set<string>();
    let bytes = 0;
    let lastReport = Date.now();
    for (const file of moves) {
      const { target } = file;
      await makeFolders(path.dirname(target), target.startsWith(layout.sumdb) ? layout.sumdb : layout.tree, folders);
      if (await exists(target)) throw new Error(`${file.path}: a file appeared in the store during the import; nothing was imported`);
      await rename(staging.stagedFile(file), target);
      moved.push(file);
      bytes += file.size;
      if (Date.now() - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = Date.now();
        report(`moving ${file.path}`, moved.length, bytes);
      }
    }
    for (const folder of folders) await syncDirectory(folder);
    report(`recording ${moves.length} file(s) in the catalog`, moves.length, totalBytes);
    catalog.recordImport(bundle, files, proofs);
  } catch (error) {
    await undoMoves(layout, moved, moves);
    throw error;
  }
  report(`imported ${bundle.bundleId}`, moves.length, totalBytes);
}

async function restoreDamaged(layout: StoreLayout, bundle: BundleRecord, staging: StagingArea, onProgress: ProgressListener): Promise<RestoredFile[]> {
  const files = staging.restores;
  if (files.length === 0) return [];
  const report = (message: string, done: number): void => onProgress({ stage: 'commit', message, files: done, totalFiles: files.length, bytes: 0, totalBytes: 0 });
  const damagedCopy = (file: JournalFile): string => path.join(staging.dir, `${file.staged}.damaged`);
  for (const file of files) {
    report(`restoring ${file.path}`, 0);
    await link(treeFile(layout, file.path), damagedCopy(file));
  }
  await syncDirectory(staging.dir);
  const folders = new Set<string>();
  for (const [done, file] of files.entries()) {
    report(`replacing ${file.path}`, done);
    const target = treeFile(layout, file.path);
    await rename(staging.stagedFile(file), target);
    folders.add(path.dirname(target));
  }
  for (const folder of folders) await syncDirectory(folder);
  report(`quarantining ${files.length} damaged cop${files.length === 1 ? 'y' : 'ies'}`, files.length);
  const quarantined = files.map((file) => ({
    path: file.path,
    from: path.relative(layout.dir, damagedCopy(file)).split(path.sep).join('/'),
    why: `the damaged copy of tree/${file.path} (its sha256 is not ${file.sha256}, which the catalog and bundle ${bundle.bundleId} give it); replaced by the bundle's copy`,
  }));
  const { dir } = quarantineFiles(layout, quarantined, 'damaged');
  // Moving the copies out may have emptied, and so pruned, the staging folder itself: the store keeps one.
  await mkdir(layout.staging, { recursive: true });
  if (dir === undefined) throw new Error(`${staging.dir}: the damaged copies were gone before they could be moved to quarantine`);
  return quarantined.map(({ path: treePath, from }) => ({ path: treePath, quarantined: path.join(dir, ...from.split('/')) }));
}

/** Creates a file's folder; notes it and, for folders it had to create, their parents, as needing a sync. */
async function makeFolders(folder: string, root: string, toSync: Set<string>): Promise<void> {
  toSync.add(folder);
  const firstCreated = await mkdir(folder, { recursive: true });
  if (firstCreated === undefined) return;
  for (let dir = path.dirname(firstCreated); ; dir = path.dirname(dir)) {
    toSync.add(dir);
    if (dir === root || !dir.startsWith(root)) return;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The moved files were new to the tree, so removing them (and the folders made for them)
 * restores it; what cannot be removed now, the next repair quarantines as not in the catalog.
 */
async function undoMoves(layout: StoreLayout, moved: readonly Move[], all: readonly Move[]): Promise<void> {
  for (const file of moved) await unlink(file.target).catch(() => undefined);
  for (const file of all) pruneEmptyParentsSync(file.target, file.target.startsWith(layout.sumdb) ? layout.sumdb : layout.tree);
}
