/**
 * `modferry store check --repair`: the check, then, with the store lock held throughout, each
 * damaged or missing file restored from the bundles given, when one of them carries it.
 *
 * Nothing is deleted. A damaged copy is moved to the quarantine; a good copy takes its place with
 * one rename from the staging folder it was verified into (already flushed). A damaged or missing
 * file no bundle carries is forgotten by the catalog, so the proxy stops offering it and the next
 * request for it is a miss that lands in the next request file. Files in the tree that the catalog
 * does not list are quarantined. The proxy may go on serving throughout: between a damaged copy
 * leaving and the good one arriving, a request for it finds it missing and is answered with an
 * error, which is better than the wrong bytes.
 */
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { ProgressListener } from '../../../shared/work/progress';
import { syncDirectory } from '../fsutil/durableFile';
import type { Catalog, CheckedCatalogFile } from './catalog';
import { checkStore, storeIsSound, type StoreCheckReport } from './checkStore';
import { quarantineFiles, type QuarantinedFile } from './quarantine';
import { RestoreArea, type RestoreFromBundlesOptions } from './restoreFromBundle';
import { treeFile, TREE_DIR, type StoreLayout } from './storeLayout';
import { lockStore } from './storeLock';

export interface RestoredFile {
  file: CheckedCatalogFile;
  /** The bundle the good copy came from. */
  bundleId: string;
}

export interface ForgottenFile {
  file: CheckedCatalogFile;
  /** The copy the store had was damaged (and is now in the quarantine), or missing. */
  was: 'damaged' | 'missing';
}

export interface StoreRepairReport {
  restored: RestoredFile[];
  /** Proofs (`sumdb/<db>/…`) damaged or missing, forgotten by the catalog: a bundle carrying them brings them back. */
  proofsForgotten: string[];
  /** Files no bundle given carried: the catalog no longer lists them; a bundle holding their module version brings them back. */
  forgotten: ForgottenFile[];
  /** Tree paths of the damaged copies and the files the catalog did not list, now in the quarantine. */
  quarantined: string[];
  /** The quarantine folder they were moved to; undefined when there were none. */
  quarantineDir: string | undefined;
}

export interface StoreCheckResult {
  check: StoreCheckReport;
  /** Present when a repair was asked for and the store was not sound. */
  repair?: StoreRepairReport;
}

export interface RepairCheckedStoreOptions extends RestoreFromBundlesOptions {
  /** Bundle folders to take good copies from, tried in order. */
  bundles: readonly string[];
  onProgress?: ProgressListener;
}

/** The store is sound now: it was at the check, or the repair restored everything it found wrong. */
export function soundAfter(result: StoreCheckResult): boolean {
  return result.repair === undefined ? storeIsSound(result.check) : result.repair.forgotten.length === 0 && result.repair.proofsForgotten.length === 0;
}

export async function repairCheckedStore(layout: StoreLayout, catalog: Catalog, options: RepairCheckedStoreOptions): Promise<StoreCheckResult> {
  options.signal?.throwIfAborted();
  const lock = lockStore(layout.lock, layout.dir);
  try {
    const check = await checkStore(layout, catalog, options);
    if (storeIsSound(check)) return { check };
    const needed = [...check.damaged.map((damaged) => damaged.file), ...check.missing];
    const area = needed.length === 0 || options.bundles.length === 0 ? undefined : await RestoreArea.fromBundles(layout, options.bundles, needed, options);
    try {
      options.signal?.throwIfAborted();
      return { check, repair: await applyRepair(layout, catalog, check, area) };
    } finally {
      await area?.discard();
    }
  } finally {
    lock.release();
  }
}

async function applyRepair(layout: StoreLayout, catalog: Catalog, check: StoreCheckReport, area: RestoreArea | undefined): Promise<StoreRepairReport> {
  const landedByPath = new Map((area?.landed ?? []).map((landed) => [landed.file.path, landed]));
  const forgotten: ForgottenFile[] = [
    ...check.damaged.filter(({ file }) => !landedByPath.has(file.path)).map(({ file }): ForgottenFile => ({ file, was: 'damaged' })),
    ...check.missing.filter((file) => !landedByPath.has(file.path)).map((file): ForgottenFile => ({ file, was: 'missing' })),
  ];
  // Forgotten before the copy is moved: the proxy must stop offering a file before it goes.
  catalog.forgetFiles(forgotten.map(({ file }) => file.path));
  // No bundle restores a proof yet: a damaged or missing one is forgotten, and the next bundle carrying it brings it back.
  const { proofs } = check;
  catalog.proofs.forget([...proofs.damaged.map(({ path: proofPath }) => proofPath), ...proofs.missing]);

  const toQuarantine: QuarantinedFile[] = [
    ...check.damaged.map(({ file, why }) => ({
      from: `${TREE_DIR}/${file.path}`,
      why: `${file.modulePath}@${file.version}: damaged (${why}; the catalog's sha256 is ${file.sha256})${landedByPath.has(file.path) ? ', replaced by a good copy' : ''}`,
    })),
    ...check.stray.map((treePath) => ({ from: `${TREE_DIR}/${treePath}`, why: 'not in the catalog' })),
    ...proofs.damaged.map(({ path: proofPath, why }) => ({ from: proofPath, why: `checksum database proof damaged (${why}); forgotten` })),
    ...proofs.stray.map((proofPath) => ({ from: proofPath, why: 'not in the catalog' })),
  ];
  const quarantine = quarantineFiles(layout, toQuarantine, 'store-check');

  const restored: RestoredFile[] = [];
  for (const { file, landed, bundleId } of landedByPath.values()) {
    const target = treeFile(layout, file.path);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(landed, target);
    await syncDirectory(path.dirname(target));
    restored.push({ file, bundleId });
  }
  return {
    restored: restored.sort((a, b) => compareCodePoints(a.file.path, b.file.path)),
    forgotten,
    proofsForgotten: [...proofs.damaged.map(({ path: proofPath }) => proofPath), ...proofs.missing].sort(compareCodePoints),
    quarantined: quarantine.files.map((moved) => (moved.from.startsWith(`${TREE_DIR}/`) ? moved.from.slice(TREE_DIR.length + 1) : moved.from)).sort(compareCodePoints),
    quarantineDir: quarantine.dir,
  };
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
