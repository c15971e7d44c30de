import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import type { GoModLoader } from './goModLoader';
import type { GraphPruning } from './graphPruning';
import type { MainModule } from './mainModule';
import { ModuleGraph } from './moduleGraph';
import { moduleKey } from './moduleVersions';

/** A module's requirements as the main module sees them (modload.goModSummary). */
interface Requirements {
  pruning: GraphPruning;
  require: ModuleVersion[];
  excluded: ModuleVersion[];
}

/**
 * Reads the module graph from the main module's roots as modload.readModGraph does.
 *
 * Unpruned, every go.mod reachable from the roots is read. Pruned (a main module at go 1.17 or later),
 * the go.mod of every root is read, but a root at go 1.17 or later contributes only its own
 * requirements: their go.mod files are not read, so their requirements are not in the graph. Below a
 * module older than go 1.17 nothing is pruned, because its go.mod does not list what its packages need.
 *
 * Failures are recorded in the graph rather than thrown, so one missing go.mod does not hide the rest
 * and the caller can name the shortest chain of requirements that leads to it.
 */
export async function readModuleGraph(
  main: MainModule,
  roots: readonly ModuleVersion[],
  pruning: GraphPruning,
  loader: GoModLoader,
): Promise<ModuleGraph> {
  const graph = new ModuleGraph(main.path, roots);
  const reads = new Map<string, Promise<Requirements | undefined>>();
  const walkedUnpruned = new Set<string>();

  const readOne = (module: ModuleVersion): Promise<Requirements | undefined> => {
    const key = moduleKey(module);
    let read = reads.get(key);
    if (read === undefined) {
      read = requirementsOf(main, module, loader).then(
        (requirements) => {
          if (requirements !== undefined) graph.setRequirements(module, requirements.require, requirements.excluded);
          return requirements;
        },
        (error: unknown) => {
          graph.setFailure(module, error instanceof Error ? error : new Error(String(error)));
          return undefined;
        },
      );
      reads.set(key, read);
    }
    return read;
  };

  const visit = async (module: ModuleVersion, context: GraphPruning): Promise<void> => {
    // An unpruned walk follows cycles, so it must stop at modules it has already walked.
    if (context === 'unpruned') {
      if (walkedUnpruned.has(moduleKey(module))) return;
      walkedUnpruned.add(moduleKey(module));
    }
    const requirements = await readOne(module);
    if (requirements === undefined) return;
    if (context === 'pruned' && requirements.pruning === 'pruned') return;
    const next = context === 'unpruned' ? 'unpruned' : requirements.pruning;
    await Promise.all(requirements.require.map((requirement) => visit(requirement, next)));
  };

  await Promise.all(roots.map((root) => visit(root, pruning)));
  return graph;
}

/**
 * The requirements of one module in the graph: read from its replacement's go.mod when the main module
 * replaces it, minus requirements on versions the main module excludes (Go 1.16 and later drop those
 * outright rather than moving to another version). Undefined for a directory replacement, whose go.mod
 * is on the project's disk and not ours to read.
 */
async function requirementsOf(main: MainModule, module: ModuleVersion, loader: GoModLoader): Promise<Requirements | undefined> {
  const fetched = main.fetchedAs(module);
  if (fetched === undefined) return undefined;
  const goMod = await loader.load(fetched);
  if (goMod.modulePath === undefined) throw new Error('parsing go.mod: missing module line');
  // A replacement may keep the original path or declare its own; anything else is a different module.
  if (goMod.modulePath !== module.path && goMod.modulePath !== fetched.path) {
    throw new Error(`parsing go.mod: module declares its path as ${goMod.modulePath} but was required as ${module.path}`);
  }
  const require: ModuleVersion[] = [];
  const excluded: ModuleVersion[] = [];
  for (const requirement of goMod.require) {
    if (main.exclusionOf(requirement) === undefined) require.push(requirement);
    else excluded.push(requirement);
  }
  return { pruning: goMod.pruning, require, excluded };
}
