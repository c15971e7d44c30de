import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { compareModuleVersions, moduleKey, sortModuleVersions } from './moduleVersions';

/** A requirement some go.mod in the graph states but an exclude directive of the main module drops. */
export interface ExcludedRequirement {
  requiredBy: ModuleVersion;
  module: ModuleVersion;
}

/** A module whose go.mod could not be read, with the first module found requiring it. */
export interface ModuleFailure {
  module: ModuleVersion;
  /** Undefined for a root, which the main module itself requires. */
  requiredBy: ModuleVersion | undefined;
  error: Error;
}

/** How a module version was first reached in a breadth-first walk from the roots. */
export interface RequirementPath {
  module: ModuleVersion;
  /** The module that requires it; undefined for a root, which the main module requires. */
  requiredBy: ModuleVersion | undefined;
}

/**
 * A module requirement graph as the go command holds it (mvs.Graph): every module version reachable
 * from the roots, the requirements of those whose go.mod was read, and the version minimal version
 * selection picks for each path, which is simply the highest one present. The main module's own path
 * is never selected: the main module outranks every version of itself.
 */
export class ModuleGraph {
  private readonly modules = new Map<string, ModuleVersion>();
  private readonly required = new Map<string, readonly ModuleVersion[]>();
  private readonly failures = new Map<string, Error>();
  private readonly selected = new Map<string, string>();
  private readonly excluded: ExcludedRequirement[] = [];

  constructor(
    private readonly mainPath: string | undefined,
    /** In module.Sort order. */
    readonly roots: readonly ModuleVersion[],
  ) {
    for (const root of roots) this.add(root);
  }

  /** Records what m's go.mod requires (after exclusions); called at most once per module. */
  setRequirements(module: ModuleVersion, requirements: readonly ModuleVersion[], excluded: readonly ModuleVersion[]): void {
    this.required.set(moduleKey(module), requirements);
    for (const requirement of requirements) this.add(requirement);
    for (const dropped of excluded) this.excluded.push({ requiredBy: module, module: dropped });
  }

  setFailure(module: ModuleVersion, error: Error): void {
    this.failures.set(moduleKey(module), error);
  }

  /** Every module version in the graph, whether or not selected, in module.Sort order. */
  allModules(): ModuleVersion[] {
    return sortModuleVersions(this.modules.values());
  }

  /** The requirements read from m's go.mod, or undefined when it was not read (pruned out, failed or a directory). */
  requirementsOf(module: ModuleVersion): readonly ModuleVersion[] | undefined {
    return this.required.get(moduleKey(module));
  }

  failureOf(module: ModuleVersion): Error | undefined {
    return this.failures.get(moduleKey(module));
  }

  hasFailures(): boolean {
    return this.failures.size > 0;
  }

  excludedRequirements(): readonly ExcludedRequirement[] {
    return this.excluded;
  }

  selectedVersion(path: string): string | undefined {
    if (path === this.mainPath) return undefined;
    return this.selected.get(path);
  }

  /** The build list without the main module, in module.Sort order. */
  buildList(): ModuleVersion[] {
    const list: ModuleVersion[] = [];
    for (const [path, version] of this.selected) if (path !== this.mainPath) list.push({ path, version });
    return sortModuleVersions(list);
  }

  /**
   * The first requirer of every module version on a breadth-first walk from the roots (mvs.Graph.FindPath),
   * in the order the walk reached them: the shortest explanation of why each one is in the graph.
   */
  requirementPaths(): Map<string, RequirementPath> {
    const paths = new Map<string, RequirementPath>();
    const queue: ModuleVersion[] = [];
    for (const root of this.roots) {
      if (!paths.has(moduleKey(root))) {
        paths.set(moduleKey(root), { module: root, requiredBy: undefined });
        queue.push(root);
      }
    }
    for (let i = 0; i < queue.length; i++) {
      const module = queue[i] as ModuleVersion;
      for (const requirement of this.requirementsOf(module) ?? []) {
        if (paths.has(moduleKey(requirement))) continue;
        paths.set(moduleKey(requirement), { module: requirement, requiredBy: module });
        queue.push(requirement);
      }
    }
    return paths;
  }

  /** Failed modules in the order a breadth-first walk meets them, each with its first requirer. */
  failuresInWalkOrder(): ModuleFailure[] {
    const found: ModuleFailure[] = [];
    for (const [key, { module, requiredBy }] of this.requirementPaths()) {
      const error = this.failures.get(key);
      if (error !== undefined) found.push({ module, requiredBy, error });
    }
    return found;
  }

  private add(module: ModuleVersion): void {
    const key = moduleKey(module);
    if (this.modules.has(key)) return;
    this.modules.set(key, module);
    const current = this.selected.get(module.path);
    if (current === undefined || compareModuleVersions(module, { path: module.path, version: current }) > 0) {
      this.selected.set(module.path, module.version);
    }
  }
}
