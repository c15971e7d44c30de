/**
 * Random module graphs in the shapes minimal version selection has to get right: go.mod files with no
 * go directive, go 1.16 (unpruned) and go 1.17+ (pruned); v0, v1 and /v2, /v3 major versions of one
 * module; prereleases; requirement cycles; retractions in the latest go.mod; and a main module with
 * excludes and replacements (by a fork declaring the old path, or by another version of the same path);
 * excludes and replacements in dependencies' go.mod files, which the go command ignores; and published
 * versions of the main module's own path that dependencies require.
 *
 * Every module version is real Go code: its package imports the packages of the modules it depends on,
 * so `go build` needs exactly the zips the build list names. The import graph is fixed per module path
 * (every version and fork imports the same packages) and acyclic; the requirement graph may have cycles.
 * Like a tidy go.mod, a pruned go.mod requires every module its packages import transitively, and the
 * main module requires every module it imports transitively, so the go command never has to look a
 * missing import up.
 */
import { compare } from '../../shared/gomod/semver';

export interface GeneratedModuleVersion {
  /** The path it is published under (a fork's own path, not the one its go.mod declares). */
  path: string;
  version: string;
  goMod: string;
  /** True for a +incompatible version, which has no go.mod (goMod is the go command's synthesized one). */
  noGoMod?: boolean;
  /** Go source files by name inside the module. */
  files: Record<string, string>;
}

export interface GeneratedGraph {
  seed: number;
  /** The main module's path, distinct per seed, as is every module path below it. */
  mainPath: string;
  modules: GeneratedModuleVersion[];
  /** The project: go.mod and main.go. */
  project: Record<string, string>;
  /**
   * A module some go.mod requires but the upstream lacks. Where the go command never reads that go.mod
   * (beyond the pruning horizon) it builds regardless; elsewhere it fails, and so must the export.
   */
  missing: string | undefined;
}

interface GraphNode {
  path: string;
  pkg: string;
  versions: string[];
  /** Indexes of the nodes (all after this one) whose packages this one's package imports. */
  imports: number[];
}

const GO_VERSIONS = [
  { go: undefined, weight: 1 },
  { go: '1.16', weight: 3 },
  { go: '1.17', weight: 3 },
  { go: '1.18', weight: 3 },
] as const;
const MAIN_GO_VERSIONS = ['1.16', '1.17', '1.18'];
const UNSUFFIXED_VERSIONS = [
  'v0.0.0-20230102030405-0123456789ab',
  'v0.1.0',
  'v0.2.0',
  'v1.0.0',
  'v1.0.1-0.20230102030405-0123456789ab',
  'v1.0.1',
  'v1.1.0-rc.1',
  'v1.1.0',
  'v1.2.0',
  'v2.0.0+incompatible',
  'v2.1.0+incompatible',
];
const suffixedVersions = (major: number): string[] => ['.0.0', '.0.1', '.1.0-beta.1', '.1.0', '.2.0'].map((rest) => `v${major}${rest}`);

/** mulberry32: small, fast and the same on every machine, so a seed replays the same graph. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(private readonly next: () => number) {}

  chance(p: number): boolean {
    return this.next() < p;
  }

  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0] as T);
    return chosen;
  }

  goVersion(): string | undefined {
    const total = GO_VERSIONS.reduce((sum, g) => sum + g.weight, 0);
    let roll = this.next() * total;
    for (const g of GO_VERSIONS) {
      roll -= g.weight;
      if (roll < 0) return g.go;
    }
    return '1.17';
  }
}

const isPruned = (go: string | undefined): boolean => go !== undefined && go !== '1.16';

export function generateModuleGraph(seed: number): GeneratedGraph {
  const dice = new Dice(randomSource(seed));
  const base = `example.com/g${seed}`;
  const nodes = shuffle(dice, makeNodes(dice, base));
  for (let i = 0; i < nodes.length; i++) {
    const later = nodes.map((_, j) => j).filter((j) => j > i);
    (nodes[i] as GraphNode).imports = later.filter(() => dice.chance(0.35)).slice(0, 3);
  }
  const closure = transitiveImports(nodes);
  const modules: GeneratedModuleVersion[] = [];
  // Draws for the shapes added later come from a second stream, so older seeds keep their graphs.
  const more = new Dice(randomSource(seed ^ 0x5bd1e995));
  const mainPath = `${base}/main`;
  // Published versions of the main module's own path, which dependencies may require: the main module
  // outranks them all, but their go.mod files are still part of the graph.
  const mainVersions = more.chance(0.25) ? ['v0.9.0', 'v1.0.0'] : [];
  const missing = more.chance(0.2) ? `${base}/gone` : undefined;

  /** What a go.mod at this go version requires: imports (all of them transitively, when pruned) and a few extras. */
  const requirementsOf = (self: number | undefined, imports: readonly number[], go: string | undefined): string[] => {
    const needed = new Set(isPruned(go) ? transitiveOf(imports, closure) : imports);
    nodes.forEach((_, j) => {
      if (j !== self && dice.chance(0.12)) needed.add(j);
    });
    return [...needed].sort((a, b) => a - b).map((j) => `${nodes[j]!.path} ${dice.pick(nodes[j]!.versions)}`);
  };
  const versionOf = (index: number, publishedAs: string, version: string, retracts: string[] = []): GeneratedModuleVersion => {
    const node = nodes[index]!;
    const files = { [`${node.pkg}.go`]: packageSource(node.pkg, node.imports.map((j) => nodes[j]!.path)) };
    if (version.endsWith('+incompatible')) return { path: publishedAs, version, goMod: `module ${publishedAs}\n`, noGoMod: true, files };
    const go = dice.goVersion();
    const requires = requirementsOf(index, node.imports, go);
    if (mainVersions.length > 0 && more.chance(0.2)) requires.push(`${mainPath} ${more.pick(mainVersions)}`);
    if (missing !== undefined && more.chance(0.1)) requires.push(`${missing} v1.0.0`);
    // A dependency's excludes and replacements are the go command's to ignore.
    const other = nodes[more.int(0, nodes.length - 1)]!;
    const excludes = more.chance(0.2) ? [`${other.path} ${more.pick(other.versions)}`] : [];
    const replaces = more.chance(0.2) ? [`${other.path} => ${base}/nowhere v1.0.0`] : [];
    return {
      path: publishedAs,
      version,
      goMod: goModText(node.path, go, requires, { retracts: go === undefined ? [] : retracts, excludes, replaces }),
      files,
    };
  };

  nodes.forEach((node, index) => {
    // Retractions live in the go.mod of the latest version that has one.
    const withGoMod = node.versions.filter((v) => !v.endsWith('+incompatible'));
    const retracts = withGoMod.length > 1 && dice.chance(0.35) ? [retraction(dice, withGoMod)] : [];
    for (const version of node.versions) modules.push(versionOf(index, node.path, version, version === withGoMod.at(-1) ? retracts : []));
  });

  for (const version of mainVersions) {
    const pick = nodes[more.int(0, nodes.length - 1)]!;
    modules.push({
      path: mainPath,
      version,
      goMod: goModText(mainPath, '1.17', [`${pick.path} ${more.pick(pick.versions)}`]),
      files: { 'main.go': 'package main\n\nfunc main() {}\n' },
    });
  }

  const mainGo = dice.pick(MAIN_GO_VERSIONS);
  let mainImports = nodes.map((_, j) => j).filter(() => dice.chance(0.4));
  if (mainImports.length === 0) mainImports = [0];
  const mainRequires = requirementsOf(undefined, mainImports, '1.17');
  const required = new Set(mainRequires);
  const excludes = dice.sample(
    nodes.flatMap((n) => n.versions.map((v) => `${n.path} ${v}`)).filter((r) => !required.has(r)),
    dice.int(0, 3),
  );
  const replaces: string[] = [];
  dice.sample(nodes.map((_, j) => j), dice.int(0, 2)).forEach((index, n) => {
    const node = nodes[index]!;
    const kind = dice.pick(['fork of one version', 'fork of every version', 'another version'] as const);
    if (kind === 'another version' && node.versions.length > 1) {
      const [from, to] = dice.sample(node.versions, 2);
      replaces.push(`${node.path} ${from} => ${node.path} ${to}`);
      return;
    }
    const major = /\/v([0-9]+)$/.exec(node.path)?.[1];
    const forkPath = `${base}/fork${n}${major === undefined ? '' : `/v${major}`}`;
    const forkVersion = major === undefined ? 'v1.0.0' : `v${major}.0.0`;
    modules.push(versionOf(index, forkPath, forkVersion));
    const old = kind === 'fork of every version' ? node.path : `${node.path} ${dice.pick(node.versions)}`;
    replaces.push(`${old} => ${forkPath} ${forkVersion}`);
  });

  const mainGoMod = goModText(mainPath, mainGo, mainRequires, { excludes, replaces });
  const mainSource = packageSource('main', mainImports.map((j) => nodes[j]!.path)).replace(/func Name\(\).*\n$/, 'func main() {}\n');
  const requiresMissing = missing !== undefined && modules.some((m) => m.goMod.includes(`\t${missing} `));
  return { seed, mainPath, modules, project: { 'go.mod': mainGoMod, 'main.go': mainSource }, missing: requiresMissing ? missing : undefined };
}

function makeNodes(dice: Dice, base: string): GraphNode[] {
  const nodes: GraphNode[] = [];
  const names = dice.int(3, 6);
  for (let n = 0; n < names; n++) {
    const name = `m${n}`;
    nodes.push({ path: `${base}/${name}`, pkg: name, versions: chooseVersions(dice, UNSUFFIXED_VERSIONS), imports: [] });
    for (const major of [2, 3]) {
      if (!dice.chance(major === 2 ? 0.3 : 0.1)) continue;
      nodes.push({ path: `${base}/${name}/v${major}`, pkg: `${name}v${major}`, versions: chooseVersions(dice, suffixedVersions(major)), imports: [] });
    }
  }
  return nodes;
}

function chooseVersions(dice: Dice, pool: readonly string[]): string[] {
  return dice.sample(pool, dice.int(1, 4)).sort(compare);
}

function shuffle<T>(dice: Dice, items: readonly T[]): T[] {
  return dice.sample(items, items.length);
}

/** For each node, every node its package imports directly or indirectly. */
function transitiveImports(nodes: readonly GraphNode[]): Set<number>[] {
  const closure: Set<number>[] = nodes.map(() => new Set());
  for (let i = nodes.length - 1; i >= 0; i--) {
    for (const j of nodes[i]!.imports) {
      closure[i]!.add(j);
      for (const k of closure[j]!) closure[i]!.add(k);
    }
  }
  return closure;
}

function transitiveOf(imports: readonly number[], closure: readonly Set<number>[]): number[] {
  const all = new Set(imports);
  for (const j of imports) for (const k of closure[j]!) all.add(k);
  return [...all];
}

/** A retract directive for the latest go.mod: one earlier version, a range, or the latest version itself. */
function retraction(dice: Dice, versions: readonly string[]): string {
  const latest = versions[versions.length - 1]!;
  const kind = dice.int(0, 2);
  if (kind === 0) return `${latest} // published by mistake`;
  if (kind === 1) return `${dice.pick(versions.slice(0, -1))} // broken`;
  const [low, high] = dice.sample(versions, 2).sort(compare);
  return `[${low}, ${high}] // a bad range`;
}

function goModText(
  modulePath: string,
  go: string | undefined,
  requires: readonly string[],
  extra: { retracts?: readonly string[]; excludes?: readonly string[]; replaces?: readonly string[] } = {},
): string {
  const lines = [`module ${modulePath}`, ''];
  if (go !== undefined) lines.push(`go ${go}`, '');
  const block = (verb: string, items: readonly string[] = []): void => {
    if (items.length > 0) lines.push(`${verb} (`, ...items.map((item) => `\t${item}`), ')', '');
  };
  block('require', requires);
  block('exclude', extra.excludes);
  block('replace', extra.replaces);
  block('retract', extra.retracts);
  return lines.join('\n');
}

function packageSource(pkg: string, imports: readonly string[]): string {
  const importBlock = imports.length === 0 ? '' : `import (\n${imports.map((i) => `\t_ "${i}"\n`).join('')})\n\n`;
  return `package ${pkg}\n\n${importBlock}func Name() string { return "${pkg}" }\n`;
}
