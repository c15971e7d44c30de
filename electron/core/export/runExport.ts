import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { parseInventory, inventoryHas } from '../../../shared/roundtrip/inventory';
import type { ProgressListener } from '../../../shared/work/progress';
import { signingKeysDir, type AppDirs } from '../appDirs/appDirs';
import { writeBundle } from '../bundle/writeBundle';
import { ExportHistory } from '../catalog/exportHistory';
import { readBackBundle } from '../bundle/readBack';
import { requireDestinationFolder, removableDriveWarning } from '../drives/destination';
import { removeTree } from '../fsutil/removeTree';
import { exportSigningKey } from '../keys/signingKey';
import { resolveRequirements, type ResolveRoot } from '../resolve/resolveRequirements';
import { createUpstreamClient, ModuleNotFoundError, type UpstreamClient } from '../upstream/upstreamClient';
import { loadExportInputs, type ExportInputSpec, type PendingRoot } from './exportInputs';
import { fetchVerifiedFiles } from './fetchVerifiedFiles';
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
  volumes: number;
  files: number;
  bytes: number;
  modules: ExportedModule[];
  /** Files the --since inventory said the offline store already holds. */
  leftOut: number;
  warnings: string[];
  check: { status: 'passed' } | { status: 'skipped'; reason: string };
  signer: { fingerprint: string; keyFile: string; created: boolean };
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
  const driveWarning = await removableDriveWarning(destination);
  if (driveWarning !== undefined) warn(driveWarning);
  const inventory = request.sinceInventory ? parseInventory(await readFile(request.sinceInventory, 'utf8'), request.sinceInventory) : undefined;
  await mkdir(request.dirs.cache, { recursive: true });
  const transfer = { bytes: 0 };
  const client = createUpstreamClient({
    goproxy: request.upstream,
    cacheDir: path.join(request.dirs.cache, 'downloads'),
    concurrency: request.concurrency,
    signal,
    onBytes: (n) => {
      transfer.bytes += n;
    },
  });
  const staging = await createExportStaging(request.dirs.cache);
  try {
    const answered = await answerVersionQueries(inputs.roots, client, warnings);
    const roots = answered.filter(hasWork);
    if (roots.length === 0) throw new Error(`nothing to export: the upstream has none of the requested modules (${warnings.join('; ')})`);
    onProgress?.({ stage: 'resolve', message: `resolving ${roots.length} input${roots.length === 1 ? '' : 's'}` });
    const resolution = await resolveRequirements(roots, {
      goMod: async (modPath, version) => {
        // Every version whose go.mod the graph needs ships its .info too: fetch it while the graph is walked.
        client.fetch(modPath, version, 'info').catch(() => undefined);
        return readFile((await client.fetch(modPath, version, 'mod')).file, 'utf8');
      },
      latest: async (modPath) => (await client.latest(modPath)).Version,
    }, { signal, onProgress });
    const files = await fetchVerifiedFiles(resolution, client, new GoSumIndex(inputs.goSums), { signal, onProgress, transfer });
    const tree = await stageTree(path.join(staging, 'tree'), files, inventory);
    const targets: GoCheckTarget[] = inputs.roots
      .map((r, i) => ({ name: r.name, projectDir: r.projectDir, goModFile: r.goModFile, modules: answered[i]!.modules }))
      .filter((t, i) => hasWork(answered[i]!));
    // The go command proves the staged tree while the volumes are written; the bundle is sealed only if it passes.
    const checking = request.check ? proveWithGo(tree.dir, targets, { signal, onProgress }) : Promise.resolve({ status: 'skipped' as const, reason: '--no-check was given' });
    checking.catch(() => undefined);
    const held = inventory ? inventoryHas(inventory) : () => false;
    const shipped = tree.files.filter((f) => f.kind === 'list' || !held(f.modulePath, f.version, f.kind));
    const signer = await exportSigningKey(signingKeysDir(request.dirs), request.keyFile);
    const written = await writeBundle({
      outDir: request.outDir,
      files: shipped,
      inputs: inputs.roots.map((r) => r.input),
      volumeSize: request.volumeSize,
      signingKey: signer.key,
      toolVersion: request.toolVersion,
      signal,
      onProgress,
      beforeSealing: async () => {
        await checking;
      },
    });
    const check = await checking;
    await readBackBundle(written.bundleDir, { signerFingerprint: signer.key.fingerprint, expectedManifest: written.manifest, signal, onProgress });
    const result: ExportResult = {
      bundleDir: written.bundleDir,
      bundleId: written.manifest.bundleId,
      volumes: written.manifest.volumes.length,
      files: written.manifest.entries.length,
      bytes: written.manifest.entries.reduce((sum, e) => sum + e.size, 0),
      modules: exportedModules(resolution.modFiles, resolution.zipFiles, resolution.neededBy, resolution.reasons),
      leftOut: tree.files.length - shipped.length,
      warnings: [...client.proxies.notes, ...warnings, ...resolution.warnings],
      check,
      signer: { fingerprint: signer.key.fingerprint, keyFile: signer.file, created: signer.created },
    };
    recordInHistory(request.dirs, result, written.manifest.createdAt, request.outDir, inputs.roots);
    return result;
  } finally {
    client.close();
    await removeTree(staging);
  }
}

/**
 * `path@latest` and partial versions (`v1.2`) become concrete versions, asked of the upstream as the go
 * command would. A request file's lines may name modules no proxy has: the go command asks for every
 * prefix of an import path it cannot place (github.com/a, github.com/a/b, ...), and the offline proxy
 * records each miss. Those lines become warnings; a --module the upstream lacks stops the export.
 */
async function answerVersionQueries(roots: readonly PendingRoot[], client: UpstreamClient, warnings: string[]): Promise<ResolveRoot[]> {
  return Promise.all(roots.map(async (root) => {
    const answered = await Promise.all(root.modules.map(async (m) => {
      try {
        const info = m.version === 'latest' ? await client.latest(m.path) : await client.info(m.path, m.version);
        return { path: m.path, version: info.Version };
      } catch (error) {
        if (root.input.kind !== 'request' || !(error instanceof ModuleNotFoundError)) throw error;
        warnings.push(`${root.name}: ${error.message}: skipped`);
        return undefined;
      }
    }));
    const modules = answered.filter((m) => m !== undefined);
    return { name: root.name, goMod: root.goMod, modules: modules.length > 0 ? modules : undefined };
  }));
}

function hasWork(root: ResolveRoot): boolean {
  return root.goMod !== undefined || root.modules !== undefined;
}

async function proveWithGo(tree: string, targets: readonly GoCheckTarget[], options: { signal?: AbortSignal; onProgress?: ProgressListener }): Promise<ExportResult['check']> {
  if (!(await findGo())) return { status: 'skipped', reason: 'no go command on PATH' };
  await checkWithGo(tree, targets, options);
  return { status: 'passed' };
}

export function exportHistoryFile(dirs: AppDirs): string {
  return path.join(dirs.data, 'exports.db');
}

function recordInHistory(dirs: AppDirs, result: ExportResult, createdAt: string, outDir: string, roots: readonly PendingRoot[]): void {
  const history = new ExportHistory(exportHistoryFile(dirs));
  try {
    history.record({
      bundleId: result.bundleId,
      createdAt,
      outDir: path.resolve(outDir),
      inputs: roots.map((r) => r.name),
      files: result.files,
      bytes: result.bytes,
      modules: result.modules.length,
    });
  } finally {
    history.close();
  }
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
