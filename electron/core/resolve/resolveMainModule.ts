import type { PlanWarning, ShipReason } from '../../../shared/export/planNotes';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { UnreachableError } from '../upstream/errors';
import type { GoModLoader } from './goModLoader';
import { describeReplaced, type MainModule, type ReplaceDirective } from './mainModule';
import type { ModuleGraph } from './moduleGraph';
import { moduleKey } from './moduleVersions';
import { readBuildGraph } from './readBuildGraph';
import { readModuleGraph } from './readModuleGraph';
import { describeFailure, resolveErrorFor } from './resolveError';

/** A module version whose files must ship, under the path and version the go command downloads. */
export interface ShippedVersion {
  module: ModuleVersion;
  reason: ShipReason;
}

export interface MainModuleResolution {
  modFiles: ShippedVersion[];
  zipFiles: ShippedVersion[];
  warnings: PlanWarning[];
}

/**
 * What one main module needs offline.
 *
 * Zips: the build list the go command computes (pruned for go 1.17 and later), which is every zip
 * `go build`, `go test`, `go list -m all` and `go mod download all` read. For a go 1.17 main module,
 * `go mod tidy` also looks packages up in what the unpruned graph of its tidied requirements selects;
 * which modules those are depends on the packages imported, which go.mod files do not tell, so those
 * zips are not guessed at: a warning says when the selections differ and how to tidy offline.
 * go.mod files: every one reachable from the roots, pruned or not, since `go mod graph`, `go mod tidy`
 * and the unpruned reading all read them.
 *
 * Retractions are deliberately ignored: a retract directive in a module's latest go.mod only steers
 * `@latest` queries and `go get -u`; the go command builds retracted versions it is asked for, so they
 * need no extra files.
 */
export async function resolveMainModule(main: MainModule, loader: GoModLoader, signal?: AbortSignal): Promise<MainModuleResolution> {
  const [buildGraph, unprunedGraph] = await Promise.all([
    readBuildGraph(main, loader),
    main.pruning === 'pruned' ? readModuleGraph(main, main.requirements, 'unpruned', loader) : undefined,
  ]);
  signal?.throwIfAborted();
  const buildFailures = buildGraph.failuresInWalkOrder();
  const [firstFailure] = buildFailures;
  // A host that cannot be reached fails every module alike: naming it once says all there is to say.
  const unreachable = buildFailures.map((f) => f.error.cause).find((cause) => cause instanceof UnreachableError);
  if (unreachable !== undefined) throw unreachable;
  if (firstFailure !== undefined) throw resolveErrorFor(main, firstFailure, buildFailures.length - 1);
  const fullGraph = unprunedGraph ?? buildGraph;

  const shipped = new ShippedSet(main);
  // Who needs each zip: the first module met on the way from the go.mod that requires the very version selected.
  const buildPaths = buildGraph.requirementPaths();
  for (const module of buildGraph.buildList()) {
    const requiredBy = buildPaths.get(moduleKey(module))?.requiredBy;
    const by = requiredBy === undefined ? undefined : moduleKey(requiredBy);
    // A root given as path@version is named after the module that requires it: saying so again says nothing.
    shipped.addZip(module, { kind: 'selected', root: main.rootName, ...(by === undefined || by === main.rootName ? {} : { by }) });
  }
  for (const graph of [fullGraph, buildGraph]) {
    for (const { module, requiredBy } of graph.requirementPaths().values()) {
      if (graph.failureOf(module) !== undefined) continue;
      const reason: ShipReason = requiredBy === undefined ? main.rootReason : { kind: 'required-by', by: moduleKey(requiredBy), root: main.rootName };
      shipped.addMod(module, reason);
    }
  }

  const warnings: PlanWarning[] = [
    ...exclusionWarnings(main, buildGraph),
    ...directoryReplacementWarnings(main, [fullGraph, buildGraph]),
    ...tidyCompatibilityWarnings(main, buildGraph, unprunedGraph),
    ...fullGraph.failuresInWalkOrder().map(
      (failure): PlanWarning => ({ kind: 'outside-pruned-graph', module: moduleKey(failure.module), detail: describeFailure(main, failure) }),
    ),
  ];
  return { modFiles: shipped.modFiles(), zipFiles: shipped.zipFiles(), warnings };
}

/**
 * `go mod tidy` in a go 1.17 module checks that Go 1.16 would load each package from the same module
 * version, over the unpruned graph of the requirements tidy keeps. Where the unpruned graph selects
 * what the build list does not, that check may need zips the bundle leaves out; `-compat=1.17` skips it.
 * For a tidy go.mod, tidy keeps the requirements it has, so this graph is the one it checks; for an
 * untidy one tidy may check another, which only its package loading can tell.
 */
function tidyCompatibilityWarnings(main: MainModule, buildGraph: ModuleGraph, unprunedGraph: ModuleGraph | undefined): PlanWarning[] {
  if (unprunedGraph === undefined || main.tidyCompatibility !== 'unpruned') return [];
  const differing = unprunedGraph
    .buildList()
    .filter((m) => buildGraph.selectedVersion(m.path) !== m.version)
    .map((m) => {
      const built = buildGraph.selectedVersion(m.path);
      return built === undefined ? { path: m.path, version: m.version } : { path: m.path, version: m.version, built };
    });
  if (differing.length === 0) return [];
  return [{ kind: 'tidy-compat', file: main.goModFile ?? main.rootName, differing: differing.slice(0, 3), more: Math.max(0, differing.length - 3) }];
}

/** Collects shipped versions under the identity the go command downloads, first reason kept. */
class ShippedSet {
  private readonly mods = new Map<string, ShippedVersion>();
  private readonly zips = new Map<string, ShippedVersion>();

  constructor(private readonly main: MainModule) {}

  addZip(module: ModuleVersion, reason: ShipReason): void {
    this.add(this.zips, module, reason);
  }

  addMod(module: ModuleVersion, reason: ShipReason): void {
    this.add(this.mods, module, reason);
  }

  modFiles(): ShippedVersion[] {
    // A zip without its go.mod and .info is useless to the go command, whatever the graph says.
    const all = new Map(this.mods);
    for (const [key, zip] of this.zips) if (!all.has(key)) all.set(key, zip);
    return [...all.values()];
  }

  zipFiles(): ShippedVersion[] {
    return [...this.zips.values()];
  }

  private add(into: Map<string, ShippedVersion>, module: ModuleVersion, reason: ShipReason): void {
    const fetched = this.main.fetchedAs(module);
    if (fetched === undefined) return;
    const key = moduleKey(fetched);
    if (into.has(key)) return;
    const replacement = this.main.replacementFor(module);
    into.set(key, { module: fetched, reason: replacement === undefined ? reason : { ...reason, replacement: { replaces: moduleKey(module), at: this.main.at(replacement.line) } } });
  }
}

/**
 * Since Go 1.16 a requirement on an excluded version is dropped, not moved to another version. When that
 * leaves no version of the module in the build list, a build that imports it makes the go command look
 * the module up online, which an offline machine cannot do.
 */
function exclusionWarnings(main: MainModule, buildGraph: ModuleGraph): PlanWarning[] {
  const vanishes = (path: string): boolean => buildGraph.selectedVersion(path) === undefined;
  const warnings = main.droppedRequirements.map(
    ({ require, exclude }): PlanWarning => ({
      kind: 'excluded-require',
      at: main.at(require.line),
      module: require.path,
      version: require.version,
      excludeAt: main.at(exclude.line),
      vanishes: vanishes(require.path),
    }),
  );
  const reported = new Set<string>();
  for (const { requiredBy, module } of buildGraph.excludedRequirements()) {
    const exclude = main.exclusionOf(module);
    if (exclude === undefined || reported.has(moduleKey(module)) || buildGraph.selectedVersion(module.path) !== undefined) continue;
    reported.add(moduleKey(module));
    warnings.push({ kind: 'exclude-drops', at: main.at(exclude.line), module: module.path, version: module.version, requiredBy: moduleKey(requiredBy), vanishes: vanishes(module.path) });
  }
  return warnings;
}

/** The go command reads a directory replacement from disk; we cannot fetch it, so the user must carry it. */
function directoryReplacementWarnings(main: MainModule, graphs: readonly ModuleGraph[]): PlanWarning[] {
  const used = new Map<number, ReplaceDirective>();
  for (const graph of graphs) {
    for (const module of graph.allModules()) {
      const replacement = main.replacementFor(module);
      if (replacement?.isLocalPath) used.set(replacement.line, replacement);
    }
  }
  return [...used.values()]
    .sort((a, b) => a.line - b.line)
    .map((r): PlanWarning => ({ kind: 'directory-replace', at: main.at(r.line), replaced: describeReplaced(r), dir: r.new.path }));
}
