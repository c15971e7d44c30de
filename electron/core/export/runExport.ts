import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { parseInventory, inventoryHas } from '../../../shared/roundtrip/inventory';
import type { ProgressListener } from '../../../shared/work/progress';
import { signingKeysDir, type AppDirs } from '../appDirs/appDirs';
import { writeBundle } from '../bundle/writeBundle';
import { readBackSeal, readBackVolumes } from '../bundle/readBack';
import { requireDestinationFolder, removableDriveWarning } from '../drives/destination';
import { removeTree } from '../fsutil/removeTree';
import { removeAbandonedBundles } from './abandonedBundles';
import { downloadCacheDir } from '../cache/cacheMaintenance';
import { exportSigningKey } from '../keys/signingKey';
import { resolveRequirements, type ResolveRoot } from '../resolve/resolveRequirements';
import type { UnmetRequest } from '../../../shared/bundle/manifest';
import { createUpstreamClient, ModuleNotFoundError, type UpstreamClient } from '../upstream/upstreamClient';
import { loadExportInputs, type ExportInputSpec, type PendingRoot } from './exportInputs';
import { grantWishes, NothingToExportError, NotFoundLog, UnmetRequestsError, type AnsweredRoot } from './wishList';
import { fetchVerifiedFiles, type VerifiedFile } from './fetchVerifiedFiles';
import { queryLatest, withRetractionSources, type RetractionSource } from './latestQuery';
import { checkWithGo, findGo, type GoCheckTarget } from './goCheck';
import { createExportStaging } from './exportStaging';
import { GoSumIndex } from './goSumIndex';
import { stageTree } from './stageTree';

export interface ExportRequest extends ExportInputSpec {
  /** A GOPROXY value. */
  upstream: string;
  outDir: string;
  volumeSize?: number;
  /** An inventory written by an offline store: what it holds is left out. */
  sinceInventory?: string;
  /** The signing key; the default one in the data folder is created on first use. */
  keyFile?: string;
  /** False skips the offline go command check (--no-check). */
  check: boolean;
  /** Any request-file line the upstream cannot supply fails the export (--strict). */
  strict?: boolean;
  dirs: AppDirs;
  toolVersion: string;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Told at once, before the long work, of what the result's warnings will also say. */
  onWarning?: (warning: string) => void;
}

export interface ExportedModule extends ModuleVersion {
  zip: boolean;
  neededBy: string[];
  reason: string;
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
  warnings: string[];
  /** Request-file lines left out, each with why; the manifest carries them to the offline side. */
  unmet: UnmetRequest[];
  check: { status: 'passed' } | { status: 'skipped'; reason: string };
  signer: { fingerprint: string; keyFile: string; created: boolean };
}

/** The export was stopped (Ctrl-C); everything it had written is gone. */
export class ExportInterruptedError extends Error {
  override name = 'ExportInterruptedError';
  /** The unfinished bundle folder (when writing had begun) and the staging folder. */
  readonly removed: readonly string[];

  constructor(removed: readonly string[], options?: ErrorOptions) {
    super(`interrupted; removed ${removed.join(' and ')}`, options);
    this.removed = removed;
  }
}

export async function runExport(request: ExportRequest): Promise<ExportResult> {
  const { signal, onProgress } = request;
  const inputs = await loadExportInputs(request);
  const destination = await requireDestinationFolder(request.outDir);
  const warnings: string[] = [];
  const warn = (warning: string): void => {
    warnings.push(warning);
    request.onWarning?.(warning);
  };
  for (const warning of inputs.warnings) warn(warning);
  for (const debris of await removeAbandonedBundles(destination)) {
    const kept = debris.kept.length === 0 ? '' : `; kept what is not ModFerry's: ${debris.kept.join(', ')}`;
    warn(`removed the unfinished bundle ${debris.dir} left by an export that did not complete (${debris.why})${kept}`);
  }
  const inventory = request.sinceInventory ? parseInventory(await readFile(request.sinceInventory, 'utf8'), request.sinceInventory) : undefined;
  await mkdir(request.dirs.cache, { recursive: true });
  const transfer = { bytes: 0 };
  const client = createUpstreamClient({
    goproxy: request.upstream,
    cacheDir: downloadCacheDir(request.dirs),
    concurrency: request.concurrency,
    signal,
    onBytes: (n) => {
      transfer.bytes += n;
    },
  });
  // Asked now, while the graph is walked, so the proof does not wait for it.
  const goCommand = request.check ? findGo() : Promise.resolve(undefined);
  const staging = await createExportStaging(request.dirs.cache);
  // Listing the drives starts a program or two: it runs while the graph is walked, and its warning is told when it comes.
  const driveChecked = removableDriveWarning(destination).then((warning) => {
    if (warning !== undefined) warn(warning);
  });
  let bundleDir: string | undefined;
  try {
    const questions = await answerVersionQueries(inputs.roots, client);
    if (!questions.roots.some(hasWork)) throw new NothingToExportError(questions.unmet);
    const notFound = new NotFoundLog();
    const goSum = new GoSumIndex(inputs.goSums);
    const wishes = await grantWishes(questions.roots, notFound, async (roots) => {
      const working = roots.filter(hasWork);
      onProgress?.({ stage: 'resolve', message: `resolving ${working.length} input${working.length === 1 ? '' : 's'}` });
      const resolution = await resolveRequirements(working, {
        goMod: async (modPath, version) => {
          // Every version whose go.mod the graph needs ships its .info too: fetch it while the graph is walked.
          client.fetch(modPath, version, 'info').catch(() => undefined);
          try {
            return await readFile((await client.fetch(modPath, version, 'mod')).file, 'utf8');
          } catch (error) {
            notFound.note(error, modPath, version);
            throw error;
          }
        },
        latest: async (modPath) => (await queryLatest(client, modPath)).version,
      }, { signal, onProgress });
      const shipping = withRetractionSources(resolution, roots, questions.retractionSources);
      const files = await fetchVerifiedFiles(shipping.resolution, client, goSum, { signal, onProgress, transfer });
      return { resolution: shipping.resolution, listed: shipping.listed, files };
    });
    const unmet = [...questions.unmet, ...wishes.unmet].sort((a, b) => compareText(a.path, b.path) || compareText(a.version, b.version));
    if (request.strict && unmet.length > 0) throw new UnmetRequestsError(unmet);
    const answered = wishes.roots;
    const { resolution, files, listed } = wishes.outcome;
    await driveChecked;
    const tree = await stageTree(path.join(staging, 'tree'), files, inventory, listed);
    const targets: GoCheckTarget[] = inputs.roots
      .map((r, i) => ({ name: r.name, projectDir: r.projectDir, goModFile: r.goModFile, modules: answered[i]!.modules }))
      .filter((t, i) => hasWork(answered[i]!));
    // The go command proves the staged tree while the volumes are written; the bundle is sealed only if it passes.
    const checking = request.check ? proveWithGo(goCommand, tree.dir, targets, { signal, onProgress, extractedBytes: extractedSize(files) }) : Promise.resolve({ status: 'skipped' as const, reason: '--no-check was given' });
    let proved = false;
    checking.then(() => {
      proved = true;
    }, () => undefined);
    const held = inventory ? inventoryHas(inventory) : () => false;
    const shipped = tree.files.filter((f) => f.kind === 'list' || !held(f.modulePath, f.version, f.kind));
    const signer = await exportSigningKey(signingKeysDir(request.dirs), request.keyFile);
    const written = await writeBundle({
      outDir: request.outDir,
      files: shipped,
      inputs: inputs.roots.map((r) => r.input),
      unmet,
      volumeSize: request.volumeSize,
      signingKey: signer.key,
      toolVersion: request.toolVersion,
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
    await readBackSeal(written.bundleDir, { signerFingerprint: signer.key.fingerprint, expectedManifest: written.manifest, signal });
    const result: ExportResult = {
      bundleDir: written.bundleDir,
      bundleId: written.manifest.bundleId,
      createdAt: written.manifest.createdAt,
      inputs: inputs.roots.map((r) => r.name),
      volumes: written.manifest.volumes.length,
      files: written.manifest.entries.length,
      bytes: written.manifest.entries.reduce((sum, e) => sum + e.size, 0),
      modules: exportedModules(resolution.modFiles, resolution.zipFiles, resolution.neededBy, resolution.reasons),
      leftOut: tree.files.length - shipped.length,
      warnings: [...warnings, ...resolution.warnings],
      unmet,
      check,
      signer: { fingerprint: signer.key.fingerprint, keyFile: signer.file, created: signer.created },
    };
    return result;
  } catch (error) {
    // The finally below removes the staging folder, and writeBundle its folder, before the caller hears of it.
    if (signal?.aborted) {
      throw new ExportInterruptedError(bundleDir === undefined ? [staging] : [bundleDir, staging], { cause: error });
    }
    throw error;
  } finally {
    client.close();
    await Promise.all([driveChecked, removeTree(staging)]);
  }
}

/**
 * `path@latest` and partial versions (`v1.2`) become concrete versions, asked of the upstream as the go
 * command would. A request file's lines may name modules no proxy has: the go command asks for every
 * prefix of an import path it cannot place (github.com/a, github.com/a/b, ...), and the offline proxy
 * records each miss. Those lines are unmet requests; a --module the upstream lacks stops the export.
 */
async function answerVersionQueries(
  roots: readonly PendingRoot[],
  client: UpstreamClient,
): Promise<{ roots: AnsweredRoot[]; unmet: UnmetRequest[]; retractionSources: RetractionSource[] }> {
  const unmet: UnmetRequest[] = [];
  const retractionSources: RetractionSource[] = [];
  const answeredRoots = await Promise.all(roots.map(async (root): Promise<AnsweredRoot> => {
    const answered = await Promise.all(root.modules.map(async (m) => {
      try {
        if (m.version === 'latest') {
          const { version, retractionsFrom } = await queryLatest(client, m.path);
          const module = { path: m.path, version };
          if (retractionsFrom !== undefined && retractionsFrom !== version) retractionSources.push({ rootName: root.name, module, retractionsFrom });
          return { module, line: m };
        }
        return { module: { path: m.path, version: (await client.info(m.path, m.version)).Version }, line: m };
      } catch (error) {
        if (root.input.kind !== 'request' || !(error instanceof ModuleNotFoundError)) throw error;
        unmet.push({ path: m.path, version: m.version, reason: error.message, missing: error.version === undefined ? error.path : `${error.path}@${error.version}` });
        return undefined;
      }
    }));
    const found = answered.filter((a) => a !== undefined);
    const modules = found.length > 0 ? found.map((a) => a.module) : undefined;
    return { name: root.name, goMod: root.goMod, modules, ...(root.input.kind === 'request' ? { lines: found.map((a) => a.line) } : {}) };
  }));
  return { roots: answeredRoots, unmet, retractionSources };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hasWork(root: ResolveRoot): boolean {
  return root.goMod !== undefined || root.modules !== undefined;
}

async function proveWithGo(
  goCommand: Promise<string | undefined>,
  tree: string,
  targets: readonly GoCheckTarget[],
  options: { signal?: AbortSignal; onProgress?: ProgressListener; extractedBytes: number },
): Promise<ExportResult['check']> {
  if (!(await goCommand)) return { status: 'skipped', reason: 'no go command on PATH' };
  await checkWithGo(tree, targets, options);
  return { status: 'passed' };
}

/** What the go command writes to its module cache for these files: each zip and its files, extracted. */
function extractedSize(files: readonly VerifiedFile[]): number {
  return files.reduce((sum, f) => (f.kind === 'zip' ? sum + f.size + (f.unpackedBytes ?? 0) : sum), 0);
}

function exportedModules(
  modFiles: readonly ModuleVersion[],
  zipFiles: readonly ModuleVersion[],
  neededBy: Map<string, string[]>,
  reasons: Map<string, string>,
): ExportedModule[] {
  const zips = new Set(zipFiles.map((m) => `${m.path}@${m.version}`));
  return modFiles.map((m) => {
    const key = `${m.path}@${m.version}`;
    return { ...m, zip: zips.has(key), neededBy: neededBy.get(key) ?? [], reason: reasons.get(key) ?? '' };
  });
}
