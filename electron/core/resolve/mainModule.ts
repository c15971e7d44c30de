import type { ShipReason } from '../../../shared/export/planNotes';
import type { GoModFile, ModuleVersion } from '../../../shared/gomod/goModFile';
import { pruningForGoVersion, tidyCompatibilityPruning, type GraphPruning } from './graphPruning';
import { moduleKey, sortModuleVersions } from './moduleVersions';

export type ReplaceDirective = GoModFile['replace'][number];
type RequireDirective = GoModFile['require'][number];
type ExcludeDirective = GoModFile['exclude'][number];

/** A requirement of the main module that an exclude directive of the same go.mod removes. */
export interface DroppedRequirement {
  require: RequireDirective;
  exclude: ExcludeDirective;
}

/**
 * The module the go command builds from, and the part of its go.mod that steers the whole graph:
 * its requirements are the roots, and its replace and exclude directives apply to every module in the
 * graph (the go.mod files of dependencies have theirs ignored).
 */
export class MainModule {
  private constructor(
    /** How reports name the root this main module came from. */
    readonly rootName: string,
    /** The main module's path; undefined for the synthetic main module of `go install path@version`. */
    readonly path: string | undefined,
    /** The file warnings name with a line number; undefined when there is no go.mod of ours. */
    readonly goModFile: string | undefined,
    readonly pruning: GraphPruning,
    /** The graph `go mod tidy` reads to check that Go versions before pruning would build the same. */
    readonly tidyCompatibility: GraphPruning,
    /** The roots of the module graph: the main module's requirements minus excluded ones, in module.Sort order. */
    readonly requirements: readonly ModuleVersion[],
    readonly droppedRequirements: readonly DroppedRequirement[],
    private readonly replacements: ReadonlyMap<string, ReplaceDirective>,
    private readonly exclusions: ReadonlyMap<string, ExcludeDirective>,
  ) {}

  /**
   * A project's main module (modload.requirementsFromModFiles). A go.mod without a go directive
   * is read as go 1.16, so it is unpruned.
   */
  static fromGoMod(rootName: string, goMod: GoModFile): MainModule {
    const goModFile = goModFileName(rootName);
    if (goMod.module === undefined) throw new Error(`${goModFile}: no module declaration in go.mod (add one with go mod edit -module=example.com/mod)`);
    const exclusions = new Map(goMod.exclude.map((x) => [moduleKey(x), x]));
    const kept: ModuleVersion[] = [];
    const droppedRequirements: DroppedRequirement[] = [];
    for (const require of goMod.require) {
      const exclude = exclusions.get(moduleKey(require));
      if (exclude === undefined) kept.push({ path: require.path, version: require.version });
      else droppedRequirements.push({ require, exclude });
    }
    return new MainModule(
      rootName,
      goMod.module.path,
      goModFile,
      pruningForGoVersion(goMod.go?.version),
      tidyCompatibilityPruning(goMod.go?.version),
      sortModuleVersions(kept),
      droppedRequirements,
      replacementMap(goModFile, goMod.replace),
      exclusions,
    );
  }

  /**
   * What `go install path@version` (and `go run`) builds from in Go 1.17+: a main module with no go.mod
   * of its own, read at the running toolchain's go version (so pruned), whose one requirement is the
   * named module. The named module's own replace and exclude directives do not apply, and there is no
   * go.mod for `go mod tidy` to tidy.
   */
  static forInstall(rootName: string, module: ModuleVersion): MainModule {
    return new MainModule(rootName, undefined, undefined, 'pruned', 'pruned', [module], [], new Map(), new Map());
  }

  /** modload.Replacement: a replace naming this exact version wins over one naming the whole path. */
  replacementFor(module: ModuleVersion): ReplaceDirective | undefined {
    return this.replacements.get(moduleKey(module)) ?? this.replacements.get(module.path);
  }

  /** Where the files of a module in the graph come from; undefined for a directory replacement. */
  fetchedAs(module: ModuleVersion): ModuleVersion | undefined {
    const replacement = this.replacementFor(module);
    if (replacement === undefined) return module;
    if (replacement.new.version === undefined) return undefined;
    return { path: replacement.new.path, version: replacement.new.version };
  }

  exclusionOf(module: ModuleVersion): ExcludeDirective | undefined {
    return this.exclusions.get(moduleKey(module));
  }

  /** How messages name whoever asked for a root of the graph. */
  get requirer(): string {
    return this.goModFile === undefined ? `requested by ${this.rootName}` : `required by ${this.rootName}`;
  }

  /** Why a root's own requirements ship. */
  get rootReason(): ShipReason {
    return { kind: this.goModFile === undefined ? 'requested' : 'root-requires', root: this.rootName };
  }

  /** `proj/go.mod:12` for warnings about a directive of this go.mod. */
  at(line: number): string {
    return `${this.goModFile ?? this.rootName}:${line}`;
  }
}

/** A root named after a go.mod file keeps its name; one named after a project folder gets `/go.mod` added. */
function goModFileName(rootName: string): string {
  if (/(^|[/\\])go\.mod$/.test(rootName)) return rootName;
  return `${rootName.replace(/[/\\]+$/, '')}/go.mod`;
}

/** modload.toReplaceMap: the same module replaced two different ways is an error, as the go command makes it. */
function replacementMap(goModFile: string, replaces: readonly ReplaceDirective[]): Map<string, ReplaceDirective> {
  const map = new Map<string, ReplaceDirective>();
  for (const replace of replaces) {
    const key = replace.old.version === undefined ? replace.old.path : moduleKey({ path: replace.old.path, version: replace.old.version });
    const previous = map.get(key);
    if (previous !== undefined && !sameTarget(previous, replace)) {
      throw new Error(
        `${goModFile}:${replace.line}: conflicting replacements for ${key}: ${describeTarget(previous)} (line ${previous.line}) and ${describeTarget(replace)}`,
      );
    }
    map.set(key, replace);
  }
  return map;
}

function sameTarget(a: ReplaceDirective, b: ReplaceDirective): boolean {
  return a.new.path === b.new.path && a.new.version === b.new.version;
}

function describeTarget(replace: ReplaceDirective): string {
  return replace.new.version === undefined ? replace.new.path : `${replace.new.path} ${replace.new.version}`;
}

export function describeReplaced(replace: ReplaceDirective): string {
  return replace.old.version === undefined ? replace.old.path : `${replace.old.path} ${replace.old.version}`;
}
