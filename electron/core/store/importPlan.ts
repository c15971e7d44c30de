/**
 * What importing a bundle would change, decided from its signed manifest before any volume
 * is read: which files are new, which the store already holds with the same bytes, and
 * whether any file the store holds would change (which refuses the whole import: a module
 * version's bytes never change, so different bytes mean one of the two copies is wrong).
 */
import type { BundleEntry, BundleManifest } from '../../../shared/bundle/manifest';
import { parseTreePath } from '../../../shared/bundle/treePath';
import type { HeldFile } from './catalog';

export interface ImportPlan {
  bundleId: string;
  /** Files the store does not hold: they will be written. */
  fresh: BundleEntry[];
  /** Files the store holds with the same bytes. */
  present: BundleEntry[];
  /** `@v/list` files: not stored, since lists are answered from the catalog. */
  lists: BundleEntry[];
}

export interface FileConflict {
  path: string;
  storeSha256: string;
  bundleSha256: string;
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
            `${first.bundleSha256} in bundle ${bundleId})${more}; nothing was imported`,
    );
    this.conflicts = conflicts;
  }
}

/** Throws ImportConflictError when any file would change. */
export function planImport(manifest: BundleManifest, held: (treePath: string) => HeldFile | undefined): ImportPlan {
  const plan: ImportPlan = { bundleId: manifest.bundleId, fresh: [], present: [], lists: [] };
  const conflicts: FileConflict[] = [];
  for (const entry of manifest.entries) {
    if (parseTreePath(entry.path).kind === 'list') {
      plan.lists.push(entry);
      continue;
    }
    const stored = held(entry.path);
    if (stored === undefined) plan.fresh.push(entry);
    else if (stored.sha256 === entry.sha256) plan.present.push(entry);
    else conflicts.push(conflictOf(entry, stored));
  }
  if (conflicts.length > 0) throw new ImportConflictError(manifest.bundleId, conflicts);
  return plan;
}

export function conflictOf(entry: BundleEntry, stored: HeldFile): FileConflict {
  return { path: entry.path, storeSha256: stored.sha256, bundleSha256: entry.sha256 };
}
