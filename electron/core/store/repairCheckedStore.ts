/**
 * `modferry store check --repair`: the check, then, with the store lock held throughout, each
 * damaged or missing file restored from the bundles given, when one of them carries it.
 *
 * Nothing is deleted. A damaged copy is moved to the quarantine; a good copy takes its place with
 * one rename from the staging folder it was verified into (already flushed). A damaged or missing
 * file no bundle carries is forgotten by the catalog, so the proxy stops offering it and the next
 * request for it is a miss that lands in the next request file. Checksum-database proofs (lookup
 * records and hash tiles) are restored alike from a bundle carrying them with the catalog's SHA-256;
 * one no bundle carries is forgotten and named (database and path), and the next bundle carrying it
 * brings it back. Tree heads live in the catalog itself, not in files: a damaged note is put back from
 * a bundle carrying a head of the same tree, and otherwise kept and named. Files in the tree that the catalog
 * does not list are quarantined. The proxy may go on serving throughout: between a damaged copy
 * leaving and the good one arriving, a request for it finds it missing and is answered with an
 * error, which is better than the wrong bytes.
 */
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { ProgressListener } from '../../../shared/work/progress';
import { syncDirectory } from '../fsutil/durableFile';
import { parseSumdbPath } from '../../../shared/sumdb/sumdbPath';
import type { Catalog, CheckedCatalogFile } from './catalog';
import type { HeldProof } from './catalogProofs';
import { checkStore, storeIsSound, type StoreCheckReport } from './checkStore';
import { quarantineFiles, type QuarantinedFile } from './quarantine';
import { RestoreArea, type RestoreFromBundlesOptions } from './restoreFromBundle';
import { proofFile, treeFile, TREE_DIR, type StoreLayout } from './storeLayout';
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

/** A checksum-database proof by its database and its path `sumdb/<db>/…` (in the store and in bundles alike). */
export interface ProofName {
  db: string;
  path: string;
}

export interface StoreRepairReport {
  restored: RestoredFile[];
  /** Proofs damaged or missing, put back from the bundle named. */
  proofsRestored: Array<ProofName & { bundleId: string }>;
  /** Proofs damaged or missing that no bundle given carried, forgotten by the catalog: a bundle carrying them brings them back. */
  proofsForgotten: Array<ProofName & { was: 'damaged' | 'missing' }>;
  /** Tree heads whose damaged note was put back from the bundle named. */
  headsRestored: Array<{ db: string; size: number; bundleId: string }>;
  /**
   * Tree heads still damaged: no bundle given carried a head of the same tree. Kept, never forgotten:
   * a store without its newest head would serve an older one, which clients that saw it refuse.
   */
  headsDamaged: Array<{ db: string; size: number; why: string }>;
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
  const { repair } = result;
  return repair === undefined ? storeIsSound(result.check) : repair.forgotten.length === 0 && repair.proofsForgotten.length === 0 && repair.headsDamaged.length === 0;
}

export async function repairCheckedStore(layout: StoreLayout, catalog: Catalog, options: RepairCheckedStoreOptions): Promise<StoreCheckResult> {
  options.signal?.throwIfAborted();
  const lock = lockStore(layout.lock, layout.dir);
  try {
    const check = await checkStore(layout, catalog, options);
    if (storeIsSound(check)) return { check };
    const needed = {
      files: [...check.damaged.map((damaged) => damaged.file), ...check.missing],
      proofs: [...check.proofs.damaged.map((damaged) => damaged.path), ...check.proofs.missing].flatMap((proofPath): HeldProof[] => {
        const held = catalog.proofs.file(proofPath);
        return held === undefined ? [] : [held];
      }),
      heads: check.proofs.damagedHeads,
    };
    const nothingNeeded = needed.files.length + needed.proofs.length + needed.heads.length === 0;
    const area = nothingNeeded || options.bundles.length === 0 ? undefined : await RestoreArea.fromBundles(layout, options.bundles, needed, options);
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
  const { proofs } = check;
  const landedProofs = new Map((area?.landedProofs ?? []).map((landed) => [landed.proof.path, landed]));
  const proofsForgotten = [
    ...proofs.damaged.map(({ path: proofPath }) => ({ ...proofName(proofPath), was: 'damaged' as const })),
    ...proofs.missing.map((proofPath) => ({ ...proofName(proofPath), was: 'missing' as const })),
  ].filter((proof) => !landedProofs.has(proof.path));
  catalog.proofs.forget(proofsForgotten.map((proof) => proof.path));
  const headsRestored: StoreRepairReport['headsRestored'] = [];
  for (const { db, size, note, bundleId } of area?.landedHeads ?? []) {
    const damaged = proofs.damagedHeads.find((head) => head.db === db && head.size === size);
    if (damaged === undefined) continue;
    catalog.proofs.replaceNote({ db, size, hash: damaged.hash, note });
    headsRestored.push({ db, size, bundleId });
  }
  const headsDamaged = proofs.damagedHeads
    .filter((head) => !headsRestored.some((restored) => restored.db === head.db && restored.size === head.size))
    .map(({ db, size, why }) => ({ db, size, why }));

  const toQuarantine: QuarantinedFile[] = [
    ...check.damaged.map(({ file, why }) => ({
      from: `${TREE_DIR}/${file.path}`,
      why: `${file.modulePath}@${file.version}: damaged (${why}; the catalog's sha256 is ${file.sha256})${landedByPath.has(file.path) ? ', replaced by a good copy' : ''}`,
    })),
    ...check.stray.map((treePath) => ({ from: `${TREE_DIR}/${treePath}`, why: 'not in the catalog' })),
    ...proofs.damaged.map(({ path: proofPath, why }) => ({
      from: proofPath,
      why: `checksum database proof damaged (${why}); ${landedProofs.has(proofPath) ? 'replaced by a good copy' : 'forgotten'}`,
    })),
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
  const proofsRestored: StoreRepairReport['proofsRestored'] = [];
  for (const { proof, landed, bundleId } of landedProofs.values()) {
    const target = proofFile(layout, proof.path);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(landed, target);
    await syncDirectory(path.dirname(target));
    proofsRestored.push({ ...proofName(proof.path), bundleId });
  }
  return {
    restored: restored.sort((a, b) => compareCodePoints(a.file.path, b.file.path)),
    proofsRestored: proofsRestored.sort((a, b) => compareCodePoints(a.path, b.path)),
    forgotten,
    proofsForgotten: proofsForgotten.sort((a, b) => compareCodePoints(a.path, b.path)),
    headsRestored,
    headsDamaged,
    quarantined: quarantine.files.map((moved) => (moved.from.startsWith(`${TREE_DIR}/`) ? moved.from.slice(TREE_DIR.length + 1) : moved.from)).sort(compareCodePoints),
    quarantineDir: quarantine.dir,
  };
}

function proofName(proofPath: string): ProofName {
  return { db: parseSumdbPath(proofPath).name, path: proofPath };
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
