import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PlanWarning, ShipReason } from '../../../shared/export/planNotes';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import type { UnmetRequest } from '../../../shared/bundle/manifest';
import type { ProgressListener } from '../../../shared/work/progress';
import type { AppDirs } from '../appDirs/appDirs';
import { writeBundle } from '../bundle/writeBundle';
import { readBackSeal, readBackVolumes } from '../bundle/readBack';
import { volumeSizeForFolder } from '../drives/volumeSize';
import { downloadCacheDir } from '../cache/cacheMaintenance';
import { requireDestinationFolder, removableDriveWarning } from '../drives/destination';
import { ModFerryError } from '../errors/modferryError';
import { errorMessage } from '../../../shared/errorMessage';
import { removeTree } from '../fsutil/removeTree';
import type { SigningKey } from '../keys/signingKey';
import { DownloadCache } from '../upstream/downloadCache';
import { createUpstreamClient, type UpstreamClient } from '../upstream/upstreamClient';
import { removeAbandonedBundles } from './abandonedBundles';
import { createExportStaging } from './exportStaging';
import { ExportInterruptedError } from './exportInterrupted';
import { requireCurrentPlan, type ExportPlan, type PlanProofs } from './exportPlan';
import type { BundleSourceFile } from '../bundle/writeBundle';
import { bundleSpaceEstimate, ensureBundleFits } from './exportSpace';
import type { VerifiedFile } from './fetchVerifiedFiles';
import { checkWithGo, findGo, goReleaseOf, type GoCheckTarget } from './goCheck';
import { stageTree } from './stageTree';

export interface RunExportOptions {
  outDir: string;
  volumeSize?: number;
  /** The key the bundle is signed with; the caller chooses it (see exportBundle). */
  signingKey: SigningKey;
  /** False skips the offline go command check (--no-check). */
  check: boolean;
  dirs: AppDirs;
  toolVersion: string;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Told at once of what the result's warnings will say beyond the plan's own. */
  onWarning?: (warning: PlanWarning) => void;
}

export interface ExportedModule extends ModuleVersion {
  zip: boolean;
  neededBy: string[];
  reason: ShipReason;
}

export interface ExportResult {
  bundleDir: string;
  bundleId: string;
  /** When the bundle was made, as its manifest says. */
  createdAt: string;
  /** What was asked for: each project, go.mod, --module or request file, by name. */
  inputs: string[];
  volumes: number;
  files: number;
  bytes: number;
  modules: ExportedModule[];
  /** Files the --since inventory said the offline store already holds. */
  leftOut: number;
  warnings: PlanWarning[];
  /** Request-file lines left out, each with why; the manifest carries them to the offline side. */
  unmet: UnmetRequest[];
  check: GoProof;
  /** The checksum database's proofs the bundle carries, as the plan found them; absent when none were asked for. */
  proofs?: PlanProofs;
}

/** Whether the go command proved the bundle; the reason for a skip is a code the caller words. */
export type GoProof = { status: 'passed' } | GoProofSkipped;
export interface GoProofSkipped {
  status: 'skipped';
  /** not-asked: the caller turned the check off; no-go: there is no go command to run; go-too-old: it is older than every project asks for (each warned about). */
  reason: 'not-asked' | 'no-go' | 'go-too-old';
}

/**
 * Carries out a plan: stages the files it verified as a GOPROXY tree, proves it with the go command
 * while the volumes are written and read back, and seals the bundle only when both pass.
 */
export async function runExport(plan: ExportPlan, options: RunExportOptions): Promise<ExportResult> {
  const { signal, onProgress } = options;
  await requireCurrentPlan(plan);
  const destination = await requireDestinationFolder(options.outDir);
  const volumeSize = await volumeSizeForFolder(destination, options.volumeSize);
  const warnings = [...plan.warnings];
  const warn = (warning: PlanWarning): void => {
    warnings.push(warning);
    options.onWarning?.(warning);
  };
  // Listing the drives starts a program or two: it runs while the bundle is staged and written, and its warning is told when it comes.
  const driveChecked = removableDriveWarning(destination).then((warning) => {
    if (warning !== undefined) warn(warning);
  });
  for (const debris of await removeAbandonedBundles(destination)) {
    warn({ kind: 'abandoned-removed', dir: debris.dir, writer: debris.writer, kept: debris.kept });
  }
  await mkdir(options.dirs.cache, { recursive: true });
  const cache = new DownloadCache(downloadCacheDir(options.dirs));
  const client = createUpstreamClient({ goproxy: plan.upstream, cacheDir: cache.dir, concurrency: options.concurrency, signal });
  // Asked now, while the files are staged, so the proof does not wait for it.
  const goCommand = options.check ? findGo() : Promise.resolve(undefined);
  const staging = await createExportStaging(options.dirs.cache);
  let bundleDir: string | undefined;
  // The proof's module cache is removed while the bundle is sealed; the export waits for it before it is done.
  const proofCleanups: Array<Promise<void>> = [];
  try {
    const files = await plannedFiles(plan, cache, client);
    const tree = await stageTree(path.join(staging, 'tree'), files, undefined, plan.listed);
    const held = new Set(plan.modules.flatMap((m) => m.files.filter((f) => f.heldOffline).map((f) => `${m.path}@${m.version}.${f.kind}`)));
    const moduleFiles = tree.files.filter((f) => f.kind === 'list' || !held.has(`${f.modulePath}@${f.version}.${f.kind}`));
    const shipped: BundleSourceFile[] = [...moduleFiles, ...(await plannedProofFiles(plan, cache))];
    await ensureBundleFits(destination, bundleSpaceEstimate(shipped, plan.modules.length));
    // The go command proves the staged tree while the volumes are written; the bundle is sealed only if it passes.
    const checking = options.check ? proveWithGo(goCommand, tree.dir, plan.checkTargets, { signal, onProgress, extractedBytes: extractedSize(files) }, proofCleanups, warn) : Promise.resolve<GoProof>({ status: 'skipped', reason: 'not-asked' });
    let proved = false;
    checking.then(() => {
      proved = true;
    }, () => undefined);
    const written = await writeBundle({
      outDir: options.outDir,
      files: shipped,
      inputs: plan.inputs.map((i) => i.input),
      unmet: plan.unmet,
      volumeSize: volumeSize.bytes,
      signingKey: options.signingKey,
      toolVersion: options.toolVersion,
      signal,
      onProgress,
      beforeSealing: async (dir, manifest) => {
        // The volumes are read back while the go command still runs; what may be left after is the go command.
        const readingBack = readBackVolumes(dir, manifest, { signal, onProgress });
        const [proof, readBack] = await Promise.allSettled([checking, readingBack.then(() => {
          if (!proved) onProgress?.({ stage: 'prove', message: 'volumes written and read back; waiting for the go command to prove the bundle' });
        })]);
        if (proof.status === 'rejected') throw proof.reason;
        if (readBack.status === 'rejected') throw readBack.reason;
      },
      onBundleDir: (dir) => {
        bundleDir = dir;
      },
    });
    const check = await checking;
    await readBackSeal(written.bundleDir, { signerFingerprint: options.signingKey.fingerprint, expectedManifest: written.manifest, signal });
    await driveChecked;
    // The bundle is sealed and good by now: a scratch folder the go command's proof left is worth a warning, not a failure.
    for (const cleanup of await Promise.allSettled(proofCleanups)) {
      if (cleanup.status === 'rejected') warn({ kind: 'proof-cleanup', detail: errorMessage(cleanup.reason) });
    }
    return {
      bundleDir: written.bundleDir,
      bundleId: written.manifest.bundleId,
      createdAt: written.manifest.createdAt,
      inputs: plan.inputs.map((i) => i.name),
      volumes: written.manifest.volumes.length,
      files: written.manifest.entries.length,
      bytes: written.manifest.entries.reduce((sum, e) => sum + e.size, 0),
      modules: plan.modules.map((m) => ({ path: m.path, version: m.version, zip: m.zip, neededBy: m.neededBy, reason: m.reason })),
      leftOut: tree.files.length - moduleFiles.length,
      warnings,
      unmet: plan.unmet,
      check,
      ...(plan.proofs === undefined ? {} : { proofs: plan.proofs }),
    };
  } catch (error) {
    // The finally below removes the staging folder, and writeBundle its folder, before the caller hears of it.
    if (signal?.aborted) {
      throw new ExportInterruptedError(bundleDir === undefined ? [staging] : [bundleDir, staging], { cause: error });
    }
    throw error;
  } finally {
    client.close();
    await Promise.all([driveChecked, removeTree(staging), Promise.allSettled(proofCleanups)]);
  }
}

/**
 * The files the plan verified, from the download cache, where each lies under its SHA-256. One the cache
 * has lost since is downloaded again and must have the bytes the plan verified.
 */
async function plannedFiles(plan: ExportPlan, cache: DownloadCache, client: UpstreamClient): Promise<VerifiedFile[]> {
  return Promise.all(plan.modules.flatMap((m) => m.files.map(async (f): Promise<VerifiedFile> => {
    const planned = { modulePath: m.path, version: m.version, kind: f.kind, size: f.size, sha256: f.sha256, h1: f.h1, unpackedBytes: f.unpackedBytes };
    const blob = cache.blobFile(f.sha256);
    if ((await stat(blob).catch(() => undefined))?.size === f.size) return { ...planned, source: blob };
    const fetched = await client.fetch(m.path, m.version, f.kind);
    if (fetched.sha256 !== f.sha256) {
      throw new ModFerryError(
        'upstream',
        `the download cache lost the .${f.kind} the plan verified, and the upstream now answers other bytes (SHA-256 ${fetched.sha256}, planned ${f.sha256}): make the plan again`,
        { module: m.path, version: m.version },
      );
    }
    return { ...planned, source: fetched.file };
  })));
}

/** The checksum database's files the plan proved, from the download cache, where each lies under its SHA-256. */
async function plannedProofFiles(plan: ExportPlan, cache: DownloadCache): Promise<BundleSourceFile[]> {
  return Promise.all((plan.proofs?.files ?? []).map(async (f) => {
    const source = cache.blobFile(f.sha256);
    if ((await stat(source).catch(() => undefined))?.size !== f.size) {
      throw new ModFerryError('input', `the download cache lost ${f.path}, a checksum-database file the plan proved: make the plan again`);
    }
    return { path: f.path, source, size: f.size, sha256: f.sha256 };
  }));
}

async function proveWithGo(
  goCommand: Promise<string | undefined>,
  tree: string,
  targets: readonly GoCheckTarget[],
  options: { signal?: AbortSignal; onProgress?: ProgressListener; extractedBytes: number },
  cleanups: Array<Promise<void>>,
  warn: (warning: PlanWarning) => void,
): Promise<GoProof> {
  const version = await goCommand;
  if (!version) return { status: 'skipped', reason: 'no-go' };
  const goRelease = goReleaseOf(version);
  const { cleanedUp, unchecked } = await checkWithGo(tree, targets, { ...options, goRelease });
  cleanedUp.catch(() => undefined);
  cleanups.push(cleanedUp);
  for (const target of unchecked) warn({ kind: 'go-too-old', file: target.name, needs: target.needs, go: goRelease ?? version, ...(target.module === undefined ? {} : { module: target.module }) });
  return unchecked.length === targets.length && targets.length > 0 ? { status: 'skipped', reason: 'go-too-old' } : { status: 'passed' };
}

/** What the go command writes to its module cache for these files: each zip and its files, extracted. */
function extractedSize(files: readonly VerifiedFile[]): number {
  return files.reduce((sum, f) => (f.kind === 'zip' ? sum + f.size + (f.unpackedBytes ?? 0) : sum), 0);
}
