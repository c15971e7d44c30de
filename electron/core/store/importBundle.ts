/**
 * Imports a bundle into a store in one streaming pass: verifyBundle reads each volume once,
 * in order, and every new file lands in the store's staging folder as its bytes are hashed.
 * Volumes are never joined and the bundle is never unpacked anywhere else first, so the
 * store's disk needs room for the new files once, which is checked before any volume is read.
 *
 * Nothing reaches the tree until the whole bundle has verified. Any failure (signature,
 * trust, a changed byte, a missing or truncated volume, a path outside the layout, a file
 * the store holds with other bytes, a full disk, an abort) leaves the store as it was.
 *
 * Checksum-database proofs come in with the modules, in the same commit. The store only moves
 * forward: every tree head a bundle carried is kept, the newest (largest) is what the proxy answers
 * with, and a fork refuses the whole import (see importProofs).
 */
import type { UnmetRequest } from '../../../shared/bundle/manifest';
import type { ProgressListener } from '../../../shared/work/progress';
import { verifyBundle, type SignerCandidate, type TrustAnswer } from '../bundle/verifyBundle';
import type { TrustStore } from '../keys/trustStore';
import { checkBundleIdentity } from './bundleIdentity';
import { commitImport, type RestoredFile } from './commitImport';
import type { DiskStore } from './diskStore';
import { findDamagedCopies, planImport, type ImportPlan } from './importPlan';
import { StagingArea } from './stagingArea';
import type { RepairReport } from './repairStore';
import { checkGoModsAgainstStore } from './storeGoMods';
import { treeFile } from './storeLayout';
import { lockStore } from './storeLock';
import { parseSumdbPath } from '../../../shared/sumdb/sumdbPath';
import type { HeldFile } from './catalog';
import { newestHeads, stagedProofs } from './importProofs';
import { ensureImportSpace } from './storeSpace';

export interface ImportBundleOptions {
  store: DiskStore;
  /** Asked once the signature is known to be valid: trusted, 'trust-new' (accept and remember), or refuse. */
  trust: (signer: SignerCandidate) => TrustAnswer | Promise<TrustAnswer>;
  /** Where a signer accepted with 'trust-new' is recorded, once its bundle has verified. */
  trustStore?: TrustStore;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Told what the repair before the import did, before the bundle is read: shown even if the import then fails. */
  onRepair?: (report: RepairReport) => void;
}

export interface ImportResult {
  bundleId: string;
  /** Fingerprint of the key that signed the bundle. */
  signer: string;
  /** The signer was accepted as new for this import and is now trusted. */
  signerNewlyTrusted: boolean;
  /** The store already held this bundle in full: nothing was read beyond the manifest, nothing changed. */
  alreadyImported: boolean;
  /** Files written into the store, and their total size. */
  added: number;
  addedBytes: number;
  /** Files of the bundle the store already held with the same bytes. */
  alreadyPresent: number;
  /** Damaged copies in the store (bytes other than the catalog's) replaced by the bundle's, the damaged ones quarantined. */
  restored: RestoredFile[];
  /** Request-file lines the online side could not meet, as the bundle's manifest lists them. */
  unmet: UnmetRequest[];
  /** Checksum-database proofs: files added, and each database's newest tree head in the store after the import. */
  proofs: { added: number; heads: Array<{ db: string; size: number }> };
}

/** Thrown from onManifest to stop verifyBundle before it reads any volume. */
class AlreadyImported extends Error {
  constructor(
    readonly signer: string,
    readonly plan: ImportPlan,
    readonly unmet: UnmetRequest[],
  ) {
    super(`${plan.bundleId} is already imported`);
  }
}

export async function importBundle(bundleDir: string, options: ImportBundleOptions): Promise<ImportResult> {
  options.signal?.throwIfAborted();
  const { store } = options;
  const lock = lockStore(store.layout.lock, store.dir);
  try {
    // Not `onRepair?.(await store.repair())`: optional chaining would skip the repair itself when no one listens.
    const repaired = await store.repair();
    options.onRepair?.(repaired);
    return await importLocked(bundleDir, options);
  } finally {
    lock.release();
  }
}

async function importLocked(bundleDir: string, options: ImportBundleOptions): Promise<ImportResult> {
  const { store } = options;
  const catalog = store.catalog;
  // Set once the manifest is signed, trusted and parsed, before verifyBundle reads a volume.
  const state: { staging?: StagingArea } = {};

  let verified;
  try {
    verified = await verifyBundle(bundleDir, {
      trust: options.trust,
      onManifest: async ({ manifest, signer, manifestSha256 }) => {
        checkBundleIdentity(manifest.bundleId, catalog.bundleIdentity(manifest.bundleId), { signer: signer.fingerprint, manifestSha256 });
        const heldProof = (proofPath: string): HeldFile | undefined => catalog.proofs.file(proofPath);
        const plan = planImport(manifest, (treePath) => catalog.fileByPath(treePath), heldProof);
        const damaged = await findDamagedCopies(plan.present, (treePath) => treeFile(store.layout, treePath), options.signal);
        const newProofs = plan.freshProofs.some((entry) => parseSumdbPath(entry.path).kind !== 'latest');
        if (plan.fresh.length === 0 && damaged.length === 0 && !newProofs && catalog.hasBundle(plan.bundleId)) throw new AlreadyImported(signer.fingerprint, plan, manifest.unmet ?? []);
        await ensureImportSpace(store.dir, plan.bundleId, [...plan.fresh, ...damaged, ...plan.freshProofs].map((entry) => entry.size));
        const damagedPaths = new Set(damaged.map((entry) => entry.path));
        state.staging = new StagingArea(store.layout, plan.bundleId, (treePath) => catalog.fileByPath(treePath), damagedPaths, heldProof);
      },
      signal: options.signal,
      onProgress: options.onProgress,
      onEntry: (entry, data) => {
        if (state.staging === undefined) throw new Error(`${entry.path}: read before the import was planned`);
        return state.staging.land(entry, data);
      },
    });
  } catch (error) {
    await state.staging?.discard();
    if (error instanceof AlreadyImported) {
      return {
        bundleId: error.plan.bundleId,
        signer: error.signer,
        signerNewlyTrusted: false,
        alreadyImported: true,
        added: 0,
        addedBytes: 0,
        alreadyPresent: error.plan.present.length,
        restored: [],
        unmet: error.unmet,
        proofs: { added: 0, heads: newestHeads(catalog.proofs) },
      };
    }
    throw error;
  }

  const { staging } = state;
  if (staging === undefined) throw new Error(`${bundleDir}: the bundle verified without being planned`);
  try {
    const { manifest, signer, manifestSha256 } = verified;
    await checkGoModsAgainstStore(manifest, staging, catalog, (treePath) => treeFile(store.layout, treePath));
    options.signal?.throwIfAborted();
    if (signer.newlyTrusted) await options.trustStore?.trustKey(signer.publicKey);
    const bundle = { bundleId: manifest.bundleId, signer: signer.fingerprint, manifestSha256, createdAt: manifest.createdAt, importedAt: new Date().toISOString() };
    const proofs = await stagedProofs(staging, manifest.bundleId, store);
    const restored = await commitImport(store.layout, catalog, bundle, staging, options.onProgress, proofs);
    catalog.recordUnmetRequests(manifest.bundleId, manifest.unmet ?? []);
    return {
      bundleId: manifest.bundleId,
      signer: signer.fingerprint,
      signerNewlyTrusted: signer.newlyTrusted && options.trustStore !== undefined,
      alreadyImported: false,
      added: staging.staged.length,
      addedBytes: staging.staged.reduce((sum, file) => sum + file.size, 0),
      alreadyPresent: staging.present,
      restored,
      unmet: manifest.unmet ?? [],
      proofs: { added: proofs.files.length, heads: newestHeads(catalog.proofs) },
    };
  } finally {
    // After a commit, a leftover staging folder is only clutter: the next repair removes it.
    await staging.discard().catch(() => undefined);
  }
}
