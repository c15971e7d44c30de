import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import type { GoModLoader } from './goModLoader';
import type { MainModule } from './mainModule';
import type { ModuleGraph } from './moduleGraph';
import { sameModuleVersions } from './moduleVersions';
import { readModuleGraph } from './readModuleGraph';

/**
 * The module graph the go command builds from. Unpruned, it is simply the graph of the go.mod as written.
 *
 * Pruned, the go command (with -mod=mod, as for `go list -m all`) first makes the roots consistent
 * (modload.updatePrunedRoots): every root moves to the version its path is selected at, duplicates and
 * requirements on the main module itself go, and the graph is read again from the new roots, whose
 * go.mod files may pull in more, until nothing moves. Versions only rise, so this ends.
 */
export async function readBuildGraph(main: MainModule, loader: GoModLoader): Promise<ModuleGraph> {
  let roots = main.requirements;
  for (;;) {
    const graph = await readModuleGraph(main, roots, main.pruning, loader);
    if (main.pruning === 'unpruned' || graph.hasFailures()) return graph;
    const consistent = consistentRoots(main, roots, graph);
    if (sameModuleVersions(consistent, roots)) return graph;
    roots = consistent;
  }
}

/** One root per path, at its selected version, keeping module.Sort order. */
function consistentRoots(main: MainModule, roots: readonly ModuleVersion[], graph: ModuleGraph): ModuleVersion[] {
  const seen = new Set<string>(main.path === undefined ? [] : [main.path]);
  const consistent: ModuleVersion[] = [];
  for (const root of roots) {
    if (seen.has(root.path)) continue;
    seen.add(root.path);
    consistent.push({ path: root.path, version: graph.selectedVersion(root.path) ?? root.version });
  }
  return consistent;
}
