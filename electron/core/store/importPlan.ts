/**
 * What importing a bundle would change, decided from its signed manifest before any volume
 * is read: which files are new, which the store already holds with the same bytes, and
 * whether any file the store holds would change (which refuses the whole import: a module
 * version's bytes never change, so different bytes mean one of the two copies is wrong).
 * Two exceptions: an .info file may differ in layout and extra fields and still say the
 * same (compared once its bytes are read), and a store copy that no longer has the bytes
 * the catalog vouches for is damaged, not different: the bundle's verified copy restores it.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { BundleEntry, BundleManifest } from '../../../shared/bundle/manifest';
import { parseTreePath } from '../../../shared/bundle/treePath';
import type { HeldFile } from './catalog';
import { isSumdbPath, parseSumdbPath } from '../../../shared/sumdb/sumdbPath';
import { proofConflictError } from './catalogProofs';

export interface ImportPlan {
  bundleId: string;
  /** Files the store does not hold: they will be written. */
  fresh: BundleEntry[];
  /** Files the store holds with the same bytes. */
  present: BundleEntry[];
  /** `@v/list` files: not stored, since lists are answered from the catalog. */
  lists: BundleEntry[];
  /** .info files the store holds with other bytes: the same file if they say the same (StagingArea compares them). */
  differingInfo: BundleEntry[];
  /** Checksum-database files (sumdb/…) the store does not hold yet, tree heads included. */
  freshProofs: BundleEntry[];
  /** Checksum-database files the store holds with the same bytes. */
  presentProofs: BundleEntry[];
}

export interface FileConflict {
  path: string;
  storeSha256: string;
  bundleSha256: string;
  /** How the two differ, when their bytes alone do not say (two .info files). */
  detail?: string;
}

/** A bundle file the store already holds with different bytes; nothing of the bundle is imported. */
export class ImportConflictError extends Error {
  override name = 'ImportConflictError';
  readonly conflicts: readonly FileConflict[];

  constructor(bundleId: string, conflicts: readonly FileConflict[]) {
    const [first] = conflicts;
    const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more file(s) differ)` : '';
    super(
      first === undefined
        ? `${bundleId}: conflicts with the store`
        : `${first.path}: the store already holds different bytes (sha256 ${first.storeSha256} in the store, ` +
            `${first.bundleSha256} in bundle ${bundleId})${first.detail === undefined ? '' : `: ${first.detail}`}${more}; nothing was imported`,
    );
    this.conflicts = conflicts;
  }
}

/**
 * Throws ImportConflictError when any file would change. A lookup record or hash tile never changes
 * either: other bytes under a name the store holds mean a forked or forged database.
 */
export function planImport(
  manifest: BundleManifest,
  held: (treePath: string) => HeldFile | undefined,
  heldProof: (proofPath: string) => HeldFile | undefined = () => undefined,
): ImportPlan {
  const plan: ImportPlan = { bundleId: manifest.bundleId, fresh: [], present: [], lists: [], differingInfo: [], freshProofs: [], presentProofs: [] };
  const conflicts: FileConflict[] = [];
  for (const entry of manifest.entries) {
    if (isSumdbPath(entry.path)) {
      const stored = parseSumdbPath(entry.path).kind === 'latest' ? undefined : heldProof(entry.path);
      if (stored === undefined) plan.freshProofs.push(entry);
      else if (stored.sha256 === entry.sha256) plan.presentProofs.push(entry);
      else throw proofConflictError(entry.path, stored.sha256, entry.sha256, manifest.bundleId);
      continue;
    }
    const { kind } = parseTreePath(entry.path);
    if (kind === 'list') {
      plan.lists.push(entry);
      continue;
    }
    const stored = held(entry.path);
    if (stored === undefined) plan.fresh.push(entry);
    else if (stored.sha256 === entry.sha256) plan.present.push(entry);
    else if (kind === 'info') plan.differingInfo.push(entry);
    else conflicts.push(conflictOf(entry, stored));
  }
  if (conflicts.length > 0) throw new ImportConflictError(manifest.bundleId, conflicts);
  return plan;
}

export function conflictOf(entry: BundleEntry, stored: HeldFile, detail?: string): FileConflict {
  return { path: entry.path, storeSha256: stored.sha256, bundleSha256: entry.sha256, ...(detail === undefined ? {} : { detail }) };
}

/**
 * Of the files planned as present, those whose copy in the store no longer has the bytes the
 * catalog (and the bundle) give them: a flipped bit on the disk, a hand edit. Each is hashed.
 */
export async function findDamagedCopies(present: readonly BundleEntry[], storeFileOf: (treePath: string) => string, signal?: AbortSignal): Promise<BundleEntry[]> {
  const damaged: BundleEntry[] = [];
  for (const entry of present) {
    signal?.throwIfAborted();
    if ((await sha256OfFile(storeFileOf(entry.path))) !== entry.sha256) damaged.push(entry);
  }
  return damaged;
}

/** The file's SHA-256 (hex), or undefined when it is not there. */
export async function sha256OfFile(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return hash.digest('hex');
}
