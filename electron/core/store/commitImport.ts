/**
 * Moves a verified bundle's staged files into the tree and records them, in the order that
 * keeps a crash at any point repairable (see repairStore):
 *
 * 1. the staging folder is synced, so every staged name is on disk;
 * 2. the commit journal is written and synced: from here, a crash is finished by the next repair;
 * 3. each file is renamed into the tree (same disk: atomic, no copy), never over an existing
 *    file, and the tree folders are synced;
 * 4. one catalog transaction records the bundle and its files: from here, the proxy serves them.
 *
 * A failure within this process undoes steps 3 and 4 before it is reported.
 */
import { access, mkdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ignoreProgress, type ProgressListener } from '../../../shared/work/progress';
import { syncDirectory } from '../fsutil/durableFile';
import type { BundleRecord, Catalog } from './catalog';
import { writeCommitJournal, type JournalFile } from './commitJournal';
import type { StagingArea } from './stagingArea';
import { treeFile, type StoreLayout } from './storeLayout';
import { pruneEmptyParentsSync } from '../fsutil/treeFsSync';

const PROGRESS_INTERVAL_MS = 250;

export async function commitImport(
  layout: StoreLayout,
  catalog: Catalog,
  bundle: BundleRecord,
  staging: StagingArea,
  onProgress: ProgressListener = ignoreProgress,
): Promise<void> {
  const files = staging.staged;
  if (files.length === 0) {
    catalog.recordImport(bundle, []);
    return;
  }
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const report = (message: string, done: number, bytes: number): void =>
    onProgress({ stage: 'commit', message, files: done, totalFiles: files.length, bytes, totalBytes });

  await syncDirectory(staging.dir);
  await writeCommitJournal(staging.dir, { bundle, files });
  report(`moving ${files.length} file(s) into the store`, 0, 0);

  const moved: JournalFile[] = [];
  try {
    const folders = new Set<string>();
    let bytes = 0;
    let lastReport = Date.now();
    for (const file of files) {
      const target = treeFile(layout, file.path);
      await makeFolders(path.dirname(target), layout.tree, folders);
      if (await exists(target)) throw new Error(`${file.path}: a file appeared in the store's tree during the import; nothing was imported`);
      await rename(staging.stagedFile(file), target);
      moved.push(file);
      bytes += file.size;
      if (Date.now() - lastReport >= PROGRESS_INTERVAL_MS) {
        lastReport = Date.now();
        report(`moving ${file.path}`, moved.length, bytes);
      }
    }
    for (const folder of folders) await syncDirectory(folder);
    report(`recording ${files.length} file(s) in the catalog`, files.length, totalBytes);
    catalog.recordImport(bundle, files);
  } catch (error) {
    await undoMoves(layout, moved, files);
    throw error;
  }
  report(`imported ${bundle.bundleId}`, files.length, totalBytes);
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
async function undoMoves(layout: StoreLayout, moved: readonly JournalFile[], all: readonly JournalFile[]): Promise<void> {
  for (const file of moved) await unlink(treeFile(layout, file.path)).catch(() => undefined);
  for (const file of all) pruneEmptyParentsSync(treeFile(layout, file.path), layout.tree);
}
