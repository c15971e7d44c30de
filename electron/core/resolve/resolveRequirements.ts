/**
 * Resolves every Go module file an offline go command (Go 1.19 or later, -mod=mod) needs so that
 * `go build ./...`, `go test ./...`, `go list -m all` and `go mod download all` work against only what
 * ModFerry ships. The graph rules are the go command's own (cmd/go/internal/mvs and modload); the
 * helpers in this folder cite the function each one mirrors.
 */
import type { PlanWarning, ShipReason } from '../../../shared/export/planNotes';
import type { GoModFile, ModuleVersion } from '../../../shared/gomod/goModFile';
import { isValid } from '../../../shared/gomod/semver';
import type { ProgressEvent } from '../../../shared/work/progress';
import { ConcurrencyLimit } from './concurrencyLimit';
import { GoModLoader } from './goModLoader';
import { MainModule } from './mainModule';
import type { ModuleSource } from './moduleSource';
import { compareModuleVersions, moduleKey, sortModuleVersions } from './moduleVersions';
import { resolveMainModule, type MainModuleResolution } from './resolveMainModule';

export type { ModuleSource } from './moduleSource';
export { ResolveError } from './resolveError';

export interface ResolveRoot {
  /** How reports name it: a go.mod file path, a project dir, or "path@version". */
  name: string;
  /** A main module's go.mod (its replace and exclude directives apply), or undefined for bare module roots. */
  goMod?: GoModFile;
  /**
   * Bare `path@version` roots (the version is already concrete), each resolved as `go install
   * path/...@version` would build it. Listed beside a goMod, they are resolved on their own, not added
   * to that main module's requirements.
   */
  modules?: ModuleVersion[];
}

export interface Resolution {
  /** Every version whose .mod and .info must ship: the full unpruned requirement graph, after replacement. */
  modFiles: ModuleVersion[];
  /** Every version whose .zip must ship: the MVS selections over the pruned and the unpruned graph of every root. */
  zipFiles: ModuleVersion[];
  /** `path@version` → the names of the roots that need it. */
  neededBy: Map<string, string[]>;
  /** `path@version` → why it ships. */
  reasons: Map<string, ShipReason>;
  warnings: PlanWarning[];
}

export interface ResolveOptions {
  /** How many go.mod files may be fetched at once; 8 unless told. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

const DEFAULT_CONCURRENCY = 8;

export async function resolveRequirements(roots: ResolveRoot[], source: ModuleSource, options: ResolveOptions = {}): Promise<Resolution> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const mains = roots.flatMap(mainModulesOf);
  const limit = new ConcurrencyLimit(options.concurrency ?? DEFAULT_CONCURRENCY);
  const loader = new GoModLoader(source, limit, { signal, onProgress });

  // Every root runs to the end even when another fails, so the error reported is always the first root's.
  const settled = await Promise.allSettled(mains.map((main) => resolveMainModule(main, loader, signal)));
  signal?.throwIfAborted();
  const results = settled.map((outcome) => {
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  });
  const resolution = mergeResolutions(mains, results);
  onProgress?.({
    stage: 'resolve',
    message: `resolved ${resolution.modFiles.length} go.mod files and ${resolution.zipFiles.length} module zips`,
    files: resolution.modFiles.length,
    totalFiles: resolution.modFiles.length,
  });
  return resolution;
}

/**
 * The versions the roots require directly, as they are downloaded (replacements applied; excluded
 * versions and directory replacements left out). MVS selects exactly these for a bare module root and
 * for a tidy go.mod of go 1.17 or later, so their zips are worth fetching before the graph is walked.
 */
export function directRequirements(roots: readonly ResolveRoot[]): ModuleVersion[] {
  const found = new Map<string, ModuleVersion>();
  for (const root of roots) {
    let mains: MainModule[];
    try {
      mains = mainModulesOf(root);
    } catch {
      // resolveRequirements reports what is wrong with the root.
      continue;
    }
    for (const main of mains) {
      for (const required of main.requirements) {
        const fetched = main.fetchedAs(required);
        if (fetched !== undefined) found.set(moduleKey(fetched), fetched);
      }
    }
  }
  return [...found.values()];
}

function mainModulesOf(root: ResolveRoot): MainModule[] {
  const modules = root.modules ?? [];
  if (root.goMod === undefined && modules.length === 0) throw new Error(`root ${root.name}: names neither a go.mod nor any module`);
  for (const module of modules) {
    if (!isValid(module.version)) throw new Error(`root ${root.name}: ${moduleKey(module)} does not name a concrete version`);
  }
  const mains = modules.map((module) => MainModule.forInstall(root.name, { path: module.path, version: module.version }));
  return root.goMod === undefined ? mains : [MainModule.fromGoMod(root.name, root.goMod), ...mains];
}

/** Unions the per-root answers; where roots disagree on why, a zip's reason beats a go.mod's, and earlier roots win. */
function mergeResolutions(mains: readonly MainModule[], results: readonly MainModuleResolution[]): Resolution {
  const modFiles = new Map<string, ModuleVersion>();
  const zipFiles = new Map<string, ModuleVersion>();
  const zipReasons = new Map<string, ShipReason>();
  const modReasons = new Map<string, ShipReason>();
  const needs = new Map<string, Set<string>>();
  const warnings = new Map<string, PlanWarning>();

  results.forEach((result, i) => {
    const rootName = (mains[i] as MainModule).rootName;
    for (const [into, reasons, shipped] of [
      [zipFiles, zipReasons, result.zipFiles],
      [modFiles, modReasons, result.modFiles],
    ] as const) {
      for (const { module, reason } of shipped) {
        const key = moduleKey(module);
        into.set(key, module);
        if (!reasons.has(key)) reasons.set(key, reason);
        let roots = needs.get(key);
        if (roots === undefined) needs.set(key, (roots = new Set()));
        roots.add(rootName);
      }
    }
    for (const warning of result.warnings) warnings.set(JSON.stringify(warning), warning);
  });

  const sortedMods = sortModuleVersions(modFiles.values());
  const neededBy = new Map<string, string[]>();
  const reasons = new Map<string, ShipReason>();
  for (const module of sortedMods) {
    const key = moduleKey(module);
    neededBy.set(key, [...(needs.get(key) ?? [])]);
    // Every version came in with a reason, through the zips or the go.mod files.
    reasons.set(key, (zipReasons.get(key) ?? modReasons.get(key)) as ShipReason);
  }
  return {
    modFiles: sortedMods,
    zipFiles: [...zipFiles.values()].sort(compareModuleVersions),
    neededBy,
    reasons,
    warnings: [...warnings.values()],
  };
}
