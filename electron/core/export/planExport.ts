import { mkdir, readFile } from 'node:fs/promises';
import { neededToolchain } from '../../../shared/gomod/goToolchain';
import path from 'node:path';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { escapePath, escapeVersion } from '../../../shared/gomod/modulePath';
import { parseInventory, inventoryHas, type Inventory } from '../../../shared/roundtrip/inventory';
import { checkGapsAgainstRecords, inventoryProofGaps, withProofGaps } from './proofGaps';
import type { UnmetRequest } from '../../../shared/bundle/manifest';
import type { PlanWarning, ShipReason } from '../../../shared/export/planNotes';
import { planVolumes } from '../../../shared/bundle/volumePlan';
import type { ProgressListener } from '../../../shared/work/progress';
import type { AppDirs } from '../appDirs/appDirs';
import { downloadCacheDir } from '../cache/cacheMaintenance';
import { carriedKey, filesExportedBefore, treeHeadsExportedBefore } from '../catalog/exportHistory';
import { requireDestinationFolder } from '../drives/destination';
import { volumeSizeForFolder } from '../drives/volumeSize';
import { directRequirements, resolveRequirements, type Resolution, type ResolveRoot } from '../resolve/resolveRequirements';
import { DownloadCache } from '../upstream/downloadCache';
import { versionFileKey } from '../upstream/proxyKeys';
import { createUpstreamClient, ModuleNotFoundError, type UpstreamClient } from '../upstream/upstreamClient';
import { abandonedBundleBytes } from './abandonedBundles';
import { loadExportInputs, readInputText, type ExportInputSpec, type LoadedInputs, type PendingRoot } from './exportInputs';
import { ExportInterruptedError } from './exportInterrupted';
import { countFiles, EXPORT_PLAN_FORMAT, fileSha256, planIdentity, type ExportPlan, type PlannedFile, type PlannedModule } from './exportPlan';
import { bundleSpaceEstimate, destinationSpace, ensureBundleFits, fits, type DestinationSpace } from './exportSpace';
import { fetchVerifiedFiles, type VerifiedFile } from './fetchVerifiedFiles';
import type { GoCheckTarget } from './goCheck';
import { GoSumIndex } from './goSumIndex';
import { versionLists } from './stageTree';
import { ZipChecks } from './zipChecks';
import { ModuleNoticeLookup } from './moduleNoticeLookup';
import { queryLatest, withRetractionSources, type RetractionSource } from './latestQuery';
import { availableToolchains, requireToolchainNames, toolchainInputs, toolchainPlatforms, wantedToolchains, withToolchains } from './toolchains';
import { ModFerryError } from '../errors/modferryError';
import { grantWishes, NothingToExportError, NotFoundLog, UnmetRequestsError, type AnsweredRoot } from './wishList';
import type { ChecksumDatabaseSetting } from '../../../shared/sumdb/checksumDatabaseSetting';
import type { PlanProofs } from '../../../shared/export/exportPlan';
import { checkAgainstRecords, startProofs, type ProvenRecords } from './checksumProofs';

/** What to plan: the inputs, where from, and what the offline side already holds. */
export interface ExportPlanRequest extends ExportInputSpec {
  /** A GOPROXY value. */
  upstream: string;
  /** An inventory written by an offline store: what it holds is left out. */
  sinceInventory?: string;
  /** Any request-file line the upstream cannot supply fails the plan (--strict). */
  strict?: boolean;
  /**
   * The checksum database whose proofs the bundle carries (checksumDatabaseFromEnv reads GOSUMDB as
   * the go command does); none when absent. Given, never read from the environment here.
   */
  checksumDatabase?: ChecksumDatabaseSetting;
  /** goos/goarch pairs to carry toolchains for; default the settings' toolchainPlatforms, else this machine's. */
  toolchainPlatforms?: string[];
}

export interface PlanExportOptions {
  dirs: AppDirs;
  /** The destination, when already chosen: it must exist, and its free space is checked as soon as sizes are known. */
  outDir?: string;
  /** The volume size the run will be asked for: with outDir, refused at once when that drive cannot hold such a file. */
  volumeSize?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** Told at once of what the plan's warnings will also say. */
  onWarning?: (warning: PlanWarning) => void;
}

/**
 * Resolves what the request needs and downloads and verifies every file into the download cache,
 * writing no bundle: the plan lists what would ship, its sizes, and what is already carried. The run
 * then ships exactly these files from the cache.
 */
export async function planExport(request: ExportPlanRequest, options: PlanExportOptions): Promise<ExportPlan> {
  const { signal, onProgress, dirs } = options;
  requireToolchainNames(request.toolchains ?? []);
  const inputs = await loadExportInputs(request);
  const carriesToolchains = (request.toolchains?.length ?? 0) > 0 || inputs.roots.some((r) => r.goMod !== undefined && neededToolchain(r.goMod) !== undefined);
  const wanted = carriesToolchains ? wantedToolchains(request.toolchains ?? [], inputs.roots, await toolchainPlatforms(dirs, request.toolchainPlatforms)) : [];
  const destination = options.outDir === undefined ? undefined : await requireDestinationFolder(options.outDir);
  const volumeSize = destination === undefined ? undefined : await volumeSizeForFolder(destination, options.volumeSize);
  const warnings: PlanWarning[] = [];
  const warn = (warning: PlanWarning): void => {
    warnings.push(warning);
    options.onWarning?.(warning);
  };
  for (const warning of inputs.warnings) warn(warning);
  const inventory = request.sinceInventory ? parseInventory(await readInputText(request.sinceInventory), request.sinceInventory) : undefined;
  const inputFiles = await hashInputFiles(inputs, request.sinceInventory);
  const space = destination === undefined ? undefined : await spaceForRun(destination);
  const held = inventory ? inventoryHas(inventory) : () => false;
  const proofGaps = inventoryProofGaps(inventory);
  await mkdir(dirs.cache, { recursive: true });
  const cache = new DownloadCache(downloadCacheDir(dirs));
  const transfer = { bytes: 0 };
  // Stops the downloads once the files verified so far already overfill the destination.
  const tooBig = new AbortController();
  const client = createUpstreamClient({
    goproxy: request.upstream,
    cacheDir: cache.dir,
    concurrency: options.concurrency,
    signal: signal === undefined ? tooBig.signal : AbortSignal.any([signal, tooBig.signal]),
    onBytes: (n) => {
      transfer.bytes += n;
    },
  });
  try {
    const proofSession = request.checksumDatabase === undefined
      ? undefined
      : startProofs(request.checksumDatabase, { client, upstream: request.upstream, cache, earlierHeads: earlierTreeHeads(dirs, inputs, inventory) });
    const [questions, toolchains] = await Promise.all([answerVersionQueries(inputs.roots, client), availableToolchains(wanted, client)]);
    if (!questions.roots.some(hasWork) && toolchains.found.length === 0) throw new NothingToExportError([...questions.unmet, ...toolchains.unmet]);
    const notices = new ModuleNoticeLookup(client);
    const notFound = new NotFoundLog();
    const goSum = new GoSumIndex(inputs.goSums);
    const zipChecks = new ZipChecks(client, signal);
    const wishes = await grantWishes(questions.roots, notFound, async (roots, { lone }) => {
      const working = roots.filter(hasWork);
      onProgress?.({ stage: 'resolve', message: `resolving ${working.length} input${working.length === 1 ? '' : 's'}` });
      for (const module of directRequirements(working)) zipChecks.prefetch(module);
      if (!lone) for (const toolchain of toolchains.found) zipChecks.prefetch(toolchain.module);
      const resolution = withToolchains(await resolveRequirements(working, {
        goMod: async (modPath, version) => {
          // Every version whose go.mod the graph needs ships its .info and its proof too: fetch them while the graph is walked.
          client.fetch(modPath, version, 'info').catch(() => undefined);
          proofSession?.prefetch({ path: modPath, version });
          try {
            return await readFile((await client.fetch(modPath, version, 'mod')).file, 'utf8');
          } catch (error) {
            notFound.note(error, modPath, version);
            throw error;
          }
        },
        latest: async (modPath) => (await queryLatest(client, modPath)).version,
      }, { signal, onProgress }), lone ? [] : toolchains.found);
      const shipping = withRetractionSources(resolution, roots, questions.retractionSources);
      notices.start(shipping.resolution);
      const known = destination !== undefined && space !== undefined ? await ensureKnownPartFits(destination, space, cache, shipping.resolution, held) : undefined;
      const arrived: Array<{ path: string; size: number }> = [];
      const onVerified = (f: VerifiedFile): void => {
        if (known === undefined || held(f.modulePath, f.version, f.kind)) return;
        arrived.push({ path: treePath({ path: f.modulePath, version: f.version }, f.kind), size: f.size });
        if (!tooBig.signal.aborted && !fits(bundleSpaceEstimate(arrived, shipping.resolution.modFiles.length), known.space)) tooBig.abort();
      };
      // The checksum database is asked while the files download; its answer is awaited once they are in.
      const proving = proofSession?.prove(withProofGaps(shipping.resolution.modFiles, proofGaps));
      proving?.catch(() => undefined);
      try {
        const files = await fetchVerifiedFiles(shipping.resolution, client, goSum, { signal, onProgress, transfer, onVerified, zipChecks });
        return { resolution: shipping.resolution, listed: shipping.listed, files, proving };
      } catch (error) {
        if (known !== undefined && tooBig.signal.aborted) await ensureBundleFits(known.destination, bundleSpaceEstimate(arrived, shipping.resolution.modFiles.length), known.space);
        throw error;
      }
    });
    const unmet = [...questions.unmet, ...toolchains.unmet, ...wishes.unmet].sort((a, b) => compareText(a.path, b.path) || compareText(a.version, b.version));
    if (request.strict && unmet.length > 0) throw new UnmetRequestsError(unmet);
    const { resolution, files, listed, proving } = wishes.outcome;
    const proven = await proving;
    const noticed = await notices.findings(resolution);
    const proofs = proven === undefined ? undefined : provenProofs(proven, files, warn);
    if (proven !== undefined && request.sinceInventory !== undefined) checkGapsAgainstRecords(proven.proofs.database, proven.lines, proofGaps, request.sinceInventory);
    const modules = plannedModules(resolution, files, held, filesExportedBefore(dirs), noticed.deprecated);
    if (modules.length === 0) {
      const names = inputs.roots.map((r) => r.name);
      throw new ModFerryError('input', `nothing to export: ${names.join(', ')} require${names.length === 1 ? 's' : ''} no module; a program of the standard library alone needs nothing carried`);
    }
    const proofFiles = proofs?.files ?? [];
    const shippedFiles = [...modules.flatMap((m) => m.files.filter((f) => !f.heldOffline).map((f) => ({ path: treePath(m, f.kind), size: f.size }))), ...proofFiles];
    const totals = countFiles(modules, (f) => !f.heldOffline);
    // Asked afresh: the downloads may have used the same disk.
    if (destination !== undefined) await ensureBundleFits(destination, bundleSpaceEstimate(shippedFiles, totals.modules), await spaceForRun(destination));
    // Throws, naming the file, when one is larger than a volume may be: the run would stop there.
    if (volumeSize !== undefined) planVolumes(shippedFiles, volumeSize.bytes);
    const exportedBefore = countFiles(modules, (f) => f.exportedIn !== undefined && !f.heldOffline);
    const listedBeyondZips = listedVersions(modules, listed, inventory);
    // The run stages every planned file, held offline or not, and ships each module's list.
    const lists = versionLists(modules.flatMap((m) => m.files.map((f) => ({ modulePath: m.path, version: m.version, kind: f.kind }))), undefined, listedBeyondZips);
    const plan: Omit<ExportPlan, 'id'> = {
      format: EXPORT_PLAN_FORMAT,
      createdAt: new Date().toISOString(),
      upstream: request.upstream,
      inputs: [...inputs.roots.map((r) => ({ name: r.name, input: r.input })), ...toolchainInputs(wanted)],
      inputFiles,
      checkTargets: checkTargets(inputs.roots, wishes.roots),
      listed: listedBeyondZips,
      modules,
      totals: {
        ...totals,
        files: totals.files + lists.length + proofFiles.length,
        bytes: totals.bytes + lists.reduce((sum, l) => sum + Buffer.byteLength(l.text), 0) + proofFiles.reduce((sum, f) => sum + f.size, 0),
        zips: modules.filter((m) => m.zip && m.files.some((f) => f.kind === 'zip' && !f.heldOffline)).length,
        lists: lists.length,
      },
      alreadyCarried: {
        heldOffline: countFiles(modules, (f) => f.heldOffline),
        exportedBefore: { ...exportedBefore, bundles: [...new Set(modules.flatMap((m) => m.files.flatMap((f) => (f.exportedIn !== undefined && !f.heldOffline ? [f.exportedIn] : []))))].sort() },
      },
      unmet,
      warnings: [...warnings, ...resolution.warnings, ...noticed.warnings],
      ...(proofs === undefined ? {} : { proofs }),
    };
    return { ...plan, id: planIdentity(plan) };
  } catch (error) {
    if (signal?.aborted) throw new ExportInterruptedError([], { cause: error });
    throw error;
  } finally {
    client.close();
  }
}

/**
 * The proofs the bundle carries, once the downloaded files' hashes agree with the records (a
 * disagreement fails the export, naming the module). A database that could not be asked, or that has
 * no record of some versions, is warned about: the offline go command will refuse what lacks proofs.
 */
function provenProofs(proven: ProvenRecords, files: readonly VerifiedFile[], warn: (warning: PlanWarning) => void): PlanProofs {
  const { proofs } = proven;
  checkAgainstRecords(proofs.database, proven.lines, files);
  if (proofs.status === 'unavailable') {
    warn({ kind: 'proofs-unavailable', database: proofs.database, reason: proofs.reason ?? 'no answer' });
  }
  if (proofs.unknown.length > 0) {
    warn({ kind: 'proofs-unknown', database: proofs.database, modules: proofs.unknown });
  }
  return proofs;
}

/**
 * The tree heads a go command offline may have cached, by database: those earlier bundles from this
 * machine carried, and those the store holds as its request file or --since inventory names them.
 */
function earlierTreeHeads(dirs: AppDirs, inputs: LoadedInputs, inventory: Inventory | undefined): Map<string, number[]> {
  const heads = new Map<string, number[]>();
  for (const { database, size } of [...treeHeadsExportedBefore(dirs), ...inputs.treeHeads, ...(inventory?.sumdbHeads ?? [])]) {
    heads.set(database, [...(heads.get(database) ?? []), size]);
  }
  return heads;
}

/** The destination's free space once the run has removed the abandoned bundles there, as it does first; undefined when the file system does not tell. */
async function spaceForRun(destination: string): Promise<DestinationSpace | undefined> {
  const space = await destinationSpace(destination);
  if (space === undefined) return undefined;
  return { ...space, availableBytes: space.availableBytes + (await abandonedBundleBytes(destination, space.blockSize)) };
}

/** The go.mod, go.sum and request files the plan is made from, and the --since inventory. */
async function hashInputFiles(inputs: LoadedInputs, sinceInventory: string | undefined): Promise<ExportPlan['inputFiles']> {
  const files = [
    ...inputs.roots.flatMap((r) => (r.goModFile !== undefined ? [r.goModFile] : r.input.kind === 'request' ? [r.input.value] : [])),
    ...inputs.goSums.map((s) => s.file),
    ...(sinceInventory === undefined ? [] : [sinceInventory]),
  ];
  return Promise.all([...new Set(files.map((f) => path.resolve(f)))].map(async (file) => ({ file, sha256: await fileSha256(file) })));
}

/**
 * Before the files not yet in the download cache are downloaded: the part of the bundle whose size the
 * cache already knows must fit, or the downloads would be for nothing.
 */
async function ensureKnownPartFits(
  destination: string,
  space: DestinationSpace,
  cache: DownloadCache,
  resolution: Resolution,
  held: (path: string, version: string, kind: 'info' | 'mod' | 'zip') => boolean,
): Promise<{ destination: string; space: DestinationSpace }> {
  const wanted = [
    ...resolution.modFiles.flatMap((m) => [{ m, kind: 'info' as const }, { m, kind: 'mod' as const }]),
    ...resolution.zipFiles.map((m) => ({ m, kind: 'zip' as const })),
  ].filter(({ m, kind }) => !held(m.path, m.version, kind));
  const known = await Promise.all(wanted.map(async ({ m, kind }) => {
    const size = await cache.recordedSize(versionFileKey(m.path, m.version, kind));
    return size === undefined ? [] : [{ path: treePath(m, kind), size }];
  }));
  await ensureBundleFits(destination, bundleSpaceEstimate(known.flat(), resolution.modFiles.length), space);
  return { destination, space };
}

function treePath(m: ModuleVersion, kind: PlannedFile['kind']): string {
  return `${escapePath(m.path)}/@v/${escapeVersion(m.version)}.${kind}`;
}

function plannedModules(
  resolution: Resolution,
  files: readonly VerifiedFile[],
  held: (path: string, version: string, kind: 'info' | 'mod' | 'zip') => boolean,
  exportedBefore: Map<string, string>,
  deprecations: ReadonlyMap<string, string>,
): PlannedModule[] {
  const zips = new Set(resolution.zipFiles.map(moduleKey));
  const filesOf = new Map<string, PlannedFile[]>();
  for (const f of files) {
    const key = moduleKey({ path: f.modulePath, version: f.version });
    const exportedIn = exportedBefore.get(carriedKey({ module: f.modulePath, version: f.version, kind: f.kind }));
    const planned: PlannedFile = {
      kind: f.kind,
      size: f.size,
      sha256: f.sha256,
      ...(f.h1 === undefined ? {} : { h1: f.h1 }),
      ...(f.unpackedBytes === undefined ? {} : { unpackedBytes: f.unpackedBytes }),
      heldOffline: held(f.modulePath, f.version, f.kind),
      ...(exportedIn === undefined ? {} : { exportedIn }),
    };
    filesOf.set(key, [...(filesOf.get(key) ?? []), planned]);
  }
  const order = { info: 0, mod: 1, zip: 2 };
  return resolution.modFiles.map((m) => {
    const key = moduleKey(m);
    const deprecated = deprecations.get(key);
    return {
      path: m.path,
      version: m.version,
      ...(deprecated === undefined ? {} : { deprecated }),
      zip: zips.has(key),
      // resolveRequirements gives every version it lists a reason.
      reason: resolution.reasons.get(key) as ShipReason,
      neededBy: resolution.neededBy.get(key) ?? [],
      files: (filesOf.get(key) ?? []).sort((a, b) => order[a.kind] - order[b.kind]),
    };
  });
}

/**
 * The versions each `@v/list` names beyond the zips that ship: retraction sources, and the zips the
 * offline store already holds (`@latest` must see them, and never pick a version with no zip).
 */
function listedVersions(modules: readonly PlannedModule[], listed: readonly ModuleVersion[], inventory: Inventory | undefined): ModuleVersion[] {
  const paths = new Set(modules.map((m) => m.path));
  const held = (inventory?.modules ?? []).filter((m) => m.files.includes('zip') && paths.has(m.path)).map((m) => ({ path: m.path, version: m.version }));
  const all = new Map([...listed, ...held].map((m) => [moduleKey(m), m]));
  return [...all.values()];
}

function checkTargets(roots: readonly PendingRoot[], answered: readonly AnsweredRoot[]): GoCheckTarget[] {
  return roots.flatMap((r, i) => {
    const root = answered[i]!;
    if (!hasWork(root)) return [];
    return [{
      name: r.name,
      ...(r.projectDir === undefined ? {} : { projectDir: r.projectDir }),
      ...(r.goModFile === undefined ? {} : { goModFile: r.goModFile }),
      ...(root.modules === undefined ? {} : { modules: root.modules.map((m) => ({ path: m.path, version: m.version })) }),
    }];
  });
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

function moduleKey(m: ModuleVersion): string {
  return `${m.path}@${m.version}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hasWork(root: ResolveRoot): boolean {
  return root.goMod !== undefined || root.modules !== undefined;
}
