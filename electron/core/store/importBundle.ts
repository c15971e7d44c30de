/**
 * Imports a bundle into a store in one streaming pass: verifyBundle reads each volume once,
 * in order, and every new file lands in the store's staging folder as its bytes are hashed.
 * Volumes are never joined and the bundle is never unpacked anywhere else first, so the
 * store's disk needs room for the new files once, which is checked before any volume is read.
 *
 * Nothing reaches the tree until the whole bundle has verified. Any failure (signature,
 * trust, a changed byte, a missing or truncated volume, a path outside the layout, a file
 * the store holds with other bytes, a full disk, an abort) leaves the store as it was.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, parseManifest, serializeManifest, type BundleManifest, type UnmetRequest } from '../../../shared/bundle/manifest';
import type { ProgressListener } from '../../../shared/work/progress';
import { BundleVerifyError } from '../bundle/bundleVerifyError';
import { verifyBundle, type SignerCandidate, type TrustAnswer } from '../bundle/verifyBundle';
import type { TrustStore } from '../keys/trustStore';
import { commitImport } from './commitImport';
import type { DiskStore } from './diskStore';
import { planImport, type ImportPlan } from './importPlan';
import { StagingArea } from './stagingArea';
import { lockStore } from './storeLock';
import { ensureImportSpace } from './storeSpace';

export interface ImportBundleOptions {
  store: DiskStore;
  /** Asked once the signature is known to be valid: trusted, 'trust-new' (accept and remember), or refuse. */
  trust: (signer: SignerCandidate) => TrustAnswer | Promise<TrustAnswer>;
  /** Where a signer accepted with 'trust-new' is recorded, once its bundle has verified. */
  trustStore?: TrustStore;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
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
  /** Request-file lines the online side could not meet, as the bundle's manifest lists them. */
  unmet: UnmetRequest[];
}

/** verifyBundle's own limit: a larger manifest.json is refused there. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

/** Thrown from the trust question to stop verifyBundle before it reads any volume. */
class AlreadyImported extends Error {
  constructor(
    readonly signer: string,
    readonly plan: ImportPlan,
  ) {
    super(`${plan.bundleId} is already imported`);
  }
}

export async function importBundle(bundleDir: string, options: ImportBundleOptions): Promise<ImportResult> {
  options.signal?.throwIfAborted();
  const { store } = options;
  const lock = lockStore(store.layout.lock, store.dir);
  try {
    store.repair();
    return await importLocked(bundleDir, options);
  } finally {
    lock.release();
  }
}

async function importLocked(bundleDir: string, options: ImportBundleOptions): Promise<ImportResult> {
  const { store } = options;
  const catalog = store.catalog;
  const preview = await readManifestPreview(bundleDir);
  // Set by the trust question, which verifyBundle asks after the signature checked out and before it reads a volume.
  const state: { staging?: StagingArea } = {};

  let verified;
  try {
    verified = await verifyBundle(bundleDir, {
      trust: async (signer) => {
        const answer = await options.trust(signer);
        if (answer === false) return false;
        if (preview === undefined) throw new BundleVerifyError(`${MANIFEST_FILE}: changed while it was read; copy the bundle again`);
        const plan = planImport(preview, (treePath) => catalog.fileByPath(treePath));
        if (plan.fresh.length === 0 && catalog.hasBundle(plan.bundleId)) throw new AlreadyImported(signer.fingerprint, plan);
        await ensureImportSpace(store.dir, plan.bundleId, plan.fresh.map((entry) => entry.size));
        state.staging = new StagingArea(store.layout, plan.bundleId, (treePath) => catalog.fileByPath(treePath));
        return answer;
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
        unmet: preview?.unmet ?? [],
      };
    }
    throw error;
  }

  const { staging } = state;
  if (staging === undefined || preview === undefined) throw new Error(`${bundleDir}: the bundle verified without being planned`);
  try {
    const { manifest, signer } = verified;
    if (serializeManifest(manifest) !== serializeManifest(preview)) {
      throw new BundleVerifyError(`${MANIFEST_FILE}: changed while the bundle was imported; copy the bundle again`);
    }
    options.signal?.throwIfAborted();
    if (signer.newlyTrusted) await options.trustStore?.trustKey(signer.publicKey);
    const bundle = { bundleId: manifest.bundleId, signer: signer.fingerprint, createdAt: manifest.createdAt, importedAt: new Date().toISOString() };
    await commitImport(store.layout, catalog, bundle, staging, options.onProgress);
    catalog.recordUnmetRequests(manifest.bundleId, manifest.unmet ?? []);
    return {
      bundleId: manifest.bundleId,
      signer: signer.fingerprint,
      signerNewlyTrusted: signer.newlyTrusted && options.trustStore !== undefined,
      alreadyImported: false,
      added: staging.staged.length,
      addedBytes: staging.staged.reduce((sum, file) => sum + file.size, 0),
      alreadyPresent: staging.present,
      unmet: manifest.unmet ?? [],
    };
  } finally {
    // After a commit, a leftover staging folder is only clutter: the next repair removes it.
    await staging.discard().catch(() => undefined);
  }
}

/** The manifest as first read, to plan the import; undefined if it does not parse (verifyBundle then says why). */
async function readManifestPreview(bundleDir: string): Promise<BundleManifest | undefined> {
  const file = path.join(bundleDir, MANIFEST_FILE);
  try {
    if ((await stat(file)).size > MAX_MANIFEST_BYTES) return undefined;
    return parseManifest(await readFile(file, 'utf8'), MANIFEST_FILE);
  } catch {
    return undefined;
  }
}
