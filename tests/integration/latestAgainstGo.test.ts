/**
 * `path@latest` answered as `go list -m path@latest` answers it, with the go command as the judge, over
 * many crafted version lists served from one loopback GOPROXY: retractions (single versions, ranges, a
 * version retracting itself) in the go.mod of the latest version, `+incompatible` versions beside a
 * compatible version with or without a go.mod, prereleases, pseudo-versions and proxies with and
 * without an `@latest` endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NoMatchingVersionError, queryLatest } from '../../electron/core/export/latestQuery';
import { createUpstreamClient } from '../../electron/core/upstream/upstreamClient';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import { makeTempDir } from '../support/bundleSources';
import { startFixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, parseJsonStream, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';

const SEED = Number(process.env.MODFERRY_LATEST_SEED ?? 20261203);
const MODULES = Number(process.env.MODFERRY_LATEST_MODULES ?? 400);

/** A small fixed-seed generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface CraftedModule {
  path: string;
  /** The lines of @v/list, in the order served. */
  list: string[];
  /** Every version's .mod, by version. */
  goMods: Map<string, string>;
  /** What @latest serves, when the proxy has that endpoint. */
  latest?: string;
}

function craft(index: number, next: () => number): CraftedModule {
  const modulePath = `example.com/latest/m${index}`;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number): boolean => next() < p;
  const versions = new Set<string>();
  const releases = Math.floor(next() * 5);
  for (let i = 0; i < releases; i++) versions.add(`v${pick([0, 1, 1])}.${Math.floor(next() * 4)}.${Math.floor(next() * 3)}`);
  if (chance(0.4)) versions.add(`v${pick([0, 1])}.${Math.floor(next() * 5)}.0-${pick(['rc.1', 'beta', 'alpha.2', 'pre'])}`);
  if (chance(0.35)) versions.add(`v${pick([2, 3])}.${Math.floor(next() * 3)}.0${chance(0.25) ? '-rc.1' : ''}+incompatible`);
  if (chance(0.15)) versions.add(`v2.0.0+incompatible`);
  const pseudos: string[] = [];
  const pseudoCount = chance(0.45) ? 1 + Math.floor(next() * 3) : 0;
  for (let i = 0; i < pseudoCount; i++) {
    const stamp = `20${10 + Math.floor(next() * 14)}0${1 + Math.floor(next() * 9)}1${Math.floor(next() * 10)}120000`;
    const hash = Math.floor(next() * 0xffffffffffff).toString(16).padStart(12, '0');
    pseudos.push(pick([`v0.0.0-${stamp}-${hash}`, `v1.2.1-0.${stamp}-${hash}`, `v0.3.0-pre.0.${stamp}-${hash}`]));
  }
  for (const p of pseudos) versions.add(p);
  if (versions.size === 0) versions.add('v1.0.0');
  const all = [...versions];

  const goMods = new Map<string, string>();
  // A boundary for a range: a listed version or one that was never published.
  const bound = (): string => (chance(0.7) ? pick(all) : `v${pick([0, 1])}.${Math.floor(next() * 5)}.${Math.floor(next() * 4)}`);
  for (const version of all) {
    if (version.endsWith('+incompatible') || chance(0.2)) {
      // No go.mod of its own: the proxy serves the one the go command synthesises.
      goMods.set(version, `module ${modulePath}\n`);
      continue;
    }
    const retract: string[] = [];
    if (chance(0.3)) retract.push(`${pick(all)} // published by mistake`);
    if (chance(0.15)) retract.push(`${version} // retracts itself`);
    if (chance(0.2)) {
      const [a, b] = [bound(), bound()];
      const [low, high] = compareLoose(a, b) <= 0 ? [a, b] : [b, a];
      retract.push(`[${low}, ${high}]`);
    }
    const body = retract.length === 0 ? '' : retract.length === 1 ? `\nretract ${retract[0]}\n` : `\nretract (\n${retract.map((r) => `\t${r}\n`).join('')})\n`;
    goMods.set(version, `module ${modulePath}\n\ngo 1.16\n${body}`);
  }
  const list = all.filter((v) => !pseudos.includes(v) || chance(0.7));
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return { path: modulePath, list, goMods, ...(pseudos.length > 0 && chance(0.5) ? { latest: pick(pseudos) } : {}) };
}

// Enough of semver for ordering range bounds, which only need to be low before high for Go to accept them.
function compareLoose(a: string, b: string): number {
  const parts = (v: string): number[] => v.slice(1).split(/[-+]/)[0]!.split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  const pre = (v: string): string => (v.includes('-') ? v.slice(v.indexOf('-')) : '~');
  return pre(a) < pre(b) ? -1 : pre(a) > pre(b) ? 1 : 0;
}

const realGoMod = (modulePath: string, retract = ''): string => `module ${modulePath}\n\ngo 1.16\n${retract === '' ? '' : `\nretract ${retract}\n`}`;

/** The lists the issue reports, by hand. */
const reported: CraftedModule[] = [
  {
    path: 'example.com/latest/retractedtop',
    list: ['v1.0.0', 'v1.1.0', 'v1.2.0'],
    goMods: new Map([
      ['v1.0.0', realGoMod('example.com/latest/retractedtop')],
      ['v1.1.0', realGoMod('example.com/latest/retractedtop')],
      ['v1.2.0', realGoMod('example.com/latest/retractedtop', 'v1.2.0 // broken')],
    ]),
  },
  {
    path: 'example.com/latest/retractedrange',
    list: ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0'],
    goMods: new Map([
      ['v1.0.0', realGoMod('example.com/latest/retractedrange')],
      ['v1.1.0', realGoMod('example.com/latest/retractedrange')],
      ['v1.2.0', realGoMod('example.com/latest/retractedrange')],
      ['v1.3.0', realGoMod('example.com/latest/retractedrange', '[v1.2.0, v1.3.0]')],
    ]),
    latest: 'v1.3.0',
  },
  {
    path: 'example.com/latest/incompatible',
    list: ['v1.4.0', 'v2.0.0+incompatible'],
    goMods: new Map([
      ['v1.4.0', realGoMod('example.com/latest/incompatible')],
      ['v2.0.0+incompatible', 'module example.com/latest/incompatible\n'],
    ]),
  },
];

async function publish(tree: string, mod: CraftedModule): Promise<void> {
  const moduleDir = path.join(tree, escapePath(mod.path));
  await mkdir(path.join(moduleDir, '@v'), { recursive: true });
  for (const [version, goMod] of mod.goMods) {
    const base = path.join(moduleDir, '@v', escapeVersion(version));
    await writeFile(`${base}.mod`, goMod);
    await writeFile(`${base}.info`, JSON.stringify({ Version: version, Time: '2024-01-02T03:04:05Z' }));
  }
  await writeFile(path.join(moduleDir, '@v', 'list'), mod.list.map((v) => `${v}\n`).join(''));
  if (mod.latest !== undefined) await writeFile(path.join(moduleDir, '@latest'), JSON.stringify({ Version: mod.latest, Time: '2024-01-02T03:04:05Z' }));
}

function describeCase(mod: CraftedModule): string {
  const mods = [...mod.goMods].map(([v, text]) => `  ${v}.mod: ${JSON.stringify(text)}`).join('\n');
  return `${mod.path} (seed ${SEED})\n  list: ${mod.list.join(' ')}\n  @latest: ${mod.latest ?? '(none)'}\n${mods}`;
}

test('path@latest agrees with go list -m path@latest over crafted version lists', { timeout: 120_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('latest-go');
  t.after(cleanup);
  const next = random(SEED);
  const modules = [...reported, ...Array.from({ length: MODULES }, (_, i) => craft(i, next))];
  const tree = path.join(dir, 'tree');
  for (const mod of modules) await publish(tree, mod);
  const upstream = await startFixtureUpstream(tree);
  t.after(() => upstream.close());
  const workspace = await scratchGoWorkspace('latest-go');
  t.after(() => workspace.cleanup());

  const { stdout } = await runGo(['list', '-m', '-e', '-json', ...modules.map((m) => `${m.path}@latest`)], {
    cwd: workspace.dir,
    env: offlineGoEnv(upstream.url, workspace.modCache),
    timeoutMs: 90_000,
  });
  const goAnswers = new Map(parseJsonStream<{ Path: string; Version?: string; Error?: { Err: string } }>(stdout).map((r) => [r.Path, r]));

  const client = createUpstreamClient({ goproxy: upstream.url, cacheDir: path.join(dir, 'cache'), retries: 0 });
  t.after(() => client.close());
  const ours = await Promise.all(modules.map(async (mod) => {
    try {
      return { version: (await queryLatest(client, mod.path)).version };
    } catch (error) {
      return { error: error as Error };
    }
  }));
  const failures: string[] = [];
  let answered = 0;
  modules.forEach((mod, i) => {
    const go = goAnswers.get(mod.path);
    assert.ok(go !== undefined, `go list reported nothing for ${mod.path}`);
    const want = go.Error === undefined ? go.Version : undefined;
    if (want !== undefined) answered++;
    const got = ours[i]!;
    const goNoMatch = go.Error?.Err.includes('no matching versions for query "latest"') === true;
    if (goNoMatch && !(got.error instanceof NoMatchingVersionError && got.error.message === `${mod.path}@latest: no matching versions for query "latest"`)) {
      failures.push(`${describeCase(mod)}\n  go: ${go.Error?.Err}; ours: ${got.version ?? got.error?.message}`);
    } else if (got.version !== want) {
      const ourAnswer = got.version ?? `failed: ${got.error?.message}`;
      failures.push(`${describeCase(mod)}\n  go: ${want ?? `no version (${go.Error?.Err})`}; ours: ${ourAnswer}`);
    }
  });
  assert.ok(answered > MODULES / 2 && answered < MODULES, `the crafted lists exercise both answers and refusals (${answered} answered)`);
  assert.equal(failures.length, 0, `${failures.length} of ${modules.length} modules disagree; first ones:\n${failures.slice(0, 5).join('\n')}`);
});
