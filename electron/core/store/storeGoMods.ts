/**
 * A version's .mod and its zip's go.mod agree across bundles too: when an import brings one of
 * the two and the store already holds the other, they are compared before anything is
 * committed (verifyBundle compares the two within one bundle). The store's copy is used only
 * once its hash is the catalog's: a damaged copy says nothing about what the module holds.
 */
import { readFile } from 'node:fs/promises';
import type { BundleManifest } from '../../../shared/bundle/manifest';
import type { StoredFileKind } from '../../../shared/roundtrip/inventory';
import { firstDifferentLine, readZipGoMod } from '../bundle/zipGoMod';
import type { Catalog, HeldFile } from './catalog';
import type { JournalFile } from './commitJournal';
import { sha256OfFile } from './importPlan';

/** Where one of the two files comes from: the store, or the bundle being imported. */
export type GoModSource = { store: true } | { bundleId: string };

export class GoModConflictError extends Error {
  override name = 'GoModConflictError';

  constructor(
    readonly module: string,
    readonly version: string,
    readonly zipPath: string,
    readonly zipFrom: GoModSource,
    readonly modPath: string,
    readonly modFrom: GoModSource,
    readonly line: number,
  ) {
    super(
      `${module}@${version}: the go.mod in ${zipPath} (${describe(zipFrom)}) differs from ${modPath} (${describe(modFrom)}), ` +
        `first on line ${line}; nothing was imported`,
    );
  }
}

/** The store's copy of a file the comparison needs no longer has the catalog's bytes. */
export class DamagedStoreCopyError extends Error {
  override name = 'DamagedStoreCopyError';

  constructor(readonly path: string, why: string) {
    super(`${path}: the store's copy is damaged (${why}), so it cannot be compared with the bundle; import a bundle carrying it to restore it; nothing was imported`);
  }
}

export interface StagedFiles {
  readonly staged: readonly JournalFile[];
  stagedFile(file: JournalFile): string;
}

/** Throws GoModConflictError when a staged .mod or zip disagrees with its counterpart in the store. */
export async function checkGoModsAgainstStore(manifest: BundleManifest, staging: StagedFiles, catalog: Catalog, storeFileOf: (treePath: string) => string): Promise<void> {
  const inBundle = new Set(manifest.entries.map((entry) => entry.path));
  const bundle = { bundleId: manifest.bundleId };
  for (const file of staging.staged) {
    if (file.kind !== 'mod' && file.kind !== 'zip') continue;
    const otherKind: StoredFileKind = file.kind === 'mod' ? 'zip' : 'mod';
    const held = catalog.file(file.modulePath, file.version, otherKind);
    if (held === undefined || inBundle.has(held.path)) continue;
    const mod = { path: file.modulePath, version: file.version };
    const storeFile = storeFileOf(held.path);
    await checkIntact(held, storeFile);
    const [zipFile, modFile] = file.kind === 'zip' ? [staging.stagedFile(file), storeFile] : [storeFile, staging.stagedFile(file)];
    const goMod = await readZipGoMod(zipFile, mod);
    const line = goMod === undefined ? undefined : firstDifferentLine(goMod, await readFile(modFile));
    if (line === undefined) continue;
    const [zipPath, modPath] = file.kind === 'zip' ? [file.path, held.path] : [held.path, file.path];
    const [zipFrom, modFrom]: [GoModSource, GoModSource] = file.kind === 'zip' ? [bundle, { store: true }] : [{ store: true }, bundle];
    throw new GoModConflictError(mod.path, mod.version, zipPath, zipFrom, modPath, modFrom, line);
  }
}

async function checkIntact(held: HeldFile, file: string): Promise<void> {
  const sha256 = await sha256OfFile(file);
  if (sha256 !== held.sha256) throw new DamagedStoreCopyError(held.path, sha256 === undefined ? 'it is gone' : `sha256 ${sha256}, the catalog says ${held.sha256}`);
}

function describe(source: GoModSource): string {
  return 'store' in source ? 'the store' : `bundle ${source.bundleId}`;
}
