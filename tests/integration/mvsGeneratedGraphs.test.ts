/**
 * Minimal version selection, proven broadly: random module graphs (tests/support/randomModuleGraph.ts)
 * are served on one loopback upstream and resolved twice, once by the go command online and once by
 * `modferry export`. The go command must then list, download and build each project from the extracted
 * bundle alone, with the same build list, and the bundle must ship exactly the zips the go command
 * downloaded online: none missing, none it never needs. Where a go.mod the go command reads requires a
 * module the upstream lacks, the go command fails, and the export must fail too, naming it.
 * (`go mod tidy` is left out: in a go 1.17 module it also reads what Go 1.16 would select, which the
 * export warns about rather than ships.)
 *
 * MODFERRY_MVS_GRAPHS sets how many graphs one run proves (default 120, one to two and a half minutes
 * on two shared cores); MODFERRY_MVS_SEED the seed of the first (the others follow it). The regression
 * seeds below run every time. A failure prints its seed: MODFERRY_MVS_SEED=<seed> MODFERRY_MVS_GRAPHS=1
 * replays that graph (with the regression seeds).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../electron/cli/main';
import { captureOutput } from '../support/captureOutput';
import { publishFixtureModule, startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';
import { generateModuleGraph, type GeneratedGraph } from '../support/randomModuleGraph';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

const GRAPHS = Number(process.env.MODFERRY_MVS_GRAPHS ?? 120);
const FIRST_SEED = Number(process.env.MODFERRY_MVS_SEED ?? 1);
/**
 * Seeds that once found a divergence, proven on every run whatever the environment asks.
 * 3, 9, 16: the zips of the unpruned graph's selection shipped, which no build reads.
 */
const REGRESSION_SEEDS: readonly number[] = [3, 9, 16];
/** Graphs proven at once: each runs the go command and an export, which between them keep a core busy. */
const PARALLEL = 2;

const seeds = [...new Set([...REGRESSION_SEEDS, ...Array.from({ length: GRAPHS }, (_, i) => FIRST_SEED + i)])];
let treeDir: string;
let upstream: FixtureUpstream;
let home: string;
const savedHome = process.env.MODFERRY_HOME;

before(async () => {
  if (!Number.isInteger(GRAPHS) || GRAPHS < 0 || !Number.isInteger(FIRST_SEED)) {
    throw new Error(`MODFERRY_MVS_GRAPHS and MODFERRY_MVS_SEED must be whole numbers, not ${process.env.MODFERRY_MVS_GRAPHS} and ${process.env.MODFERRY_MVS_SEED}`);
  }
  treeDir = await mkdtemp(path.join(os.tmpdir(), 'modferry-mvs-upstream-'));
  home = await mkdtemp(path.join(os.tmpdir(), 'modferry-mvs-home-'));
  process.env.MODFERRY_HOME = home;
  upstream = await startFixtureUpstream(treeDir);
});

after(async () => {
  await upstream?.close();
  process.env.MODFERRY_HOME = savedHome;
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  await rm(home, { recursive: true, force: true });
  await rm(treeDir, { recursive: true, force: true });
});

async function publish(graph: GeneratedGraph): Promise<void> {
  const byPath = new Map<string, GeneratedGraph['modules']>();
  for (const m of graph.modules) byPath.set(m.path, [...(byPath.get(m.path) ?? []), m]);
  for (const [modulePath, versions] of byPath) await publishFixtureModule(treeDir, modulePath, versions);
}

async function writeProject(dir: string, graph: GeneratedGraph): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(graph.project)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** Module zips under a GOPROXY-layout tree, as `<escaped path>/@v/<version>.zip`. */
async function zipsUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => []);
  return entries.filter((e) => e.endsWith('.zip')).map((e) => e.split(path.sep).join('/')).sort();
}

const LIST_FORMAT = '{{.Path}} {{.Version}}{{with .Replace}} => {{.Path}} {{.Version}}{{end}}';

/** `go list -m all`, `go mod download all` and `go build ./...`; what the first printed. */
async function goListDownloadBuild(project: string, env: NodeJS.ProcessEnv): Promise<string> {
  const listed = await runGo(['list', '-m', '-f', LIST_FORMAT, 'all'], { cwd: project, env });
  await runGo(['mod', 'download', 'all'], { cwd: project, env });
  await runGo(['build', './...'], { cwd: project, env });
  return listed.stdout;
}

type Outcome = { problem: string } | 'built offline' | 'failed alike';

/** Proves one graph: built offline from the bundle, failed alike online and in the export, or the problem found. */
async function proveGraph(graph: GeneratedGraph): Promise<Outcome> {
  const problem = (text: string): Outcome => ({ problem: text });
  const workspace = await scratchGoWorkspace(`mvs-${graph.seed}`);
  try {
    const onlineCache = path.join(workspace.dir, 'online-cache');
    const online = await goListDownloadBuild(await writeProject(path.join(workspace.dir, 'online'), graph), offlineGoEnv(upstream.url, onlineCache)).catch(
      (error: Error) => error,
    );
    const out = path.join(workspace.dir, 'out');
    await mkdir(out);
    const output = captureOutput();
    const code = await runCli(['export', '--upstream', upstream.url, '--project', await writeProject(path.join(workspace.dir, 'export'), graph), '--out', out, '--no-check'], output);

    if (online instanceof Error) {
      // Only a requirement on the module the upstream lacks may make the go command fail.
      if (graph.missing === undefined || !online.message.includes(graph.missing)) {
        return problem(`the go command fails online, so the generator made a graph it should not have: ${online.message}`);
      }
      if (code === 0) return problem(`modferry export succeeded where the go command fails: ${online.message}`);
      if (!output.stderr.join('\n').includes(graph.missing)) return problem(`modferry export failed without naming ${graph.missing}:\n${output.stderr.join('\n')}`);
      return 'failed alike';
    }
    if (code !== 0) return problem(`modferry export failed (exit ${code}) where the go command succeeds:\n${output.stderr.join('\n')}`);
    const [bundle] = readdirSync(out);
    const tree = path.join(workspace.dir, 'tree');
    await mkdir(tree);
    for (const volume of readdirSync(path.join(out, bundle!)).filter((f) => f.endsWith('.tar'))) {
      execFileSync('tar', ['-xf', path.join(out, bundle!, volume), '-C', tree]);
    }

    let offline: string;
    try {
      offline = await goListDownloadBuild(await writeProject(path.join(workspace.dir, 'offline'), graph), offlineGoEnv(pathToFileURL(tree).href, workspace.modCache));
    } catch (error) {
      return problem(`the go command fails from the bundle: ${(error as Error).message}`);
    }
    if (offline !== online) return problem(`go list -m all differs:\nonline:\n${online}offline:\n${offline}`);

    const needed = new Set(await zipsUnder(path.join(onlineCache, 'cache', 'download')));
    const shipped = await zipsUnder(tree);
    const extra = shipped.filter((z) => !needed.has(z));
    if (extra.length > 0) return problem(`the bundle ships zips the go command never downloaded: ${extra.join(', ')}`);
    const missing = [...needed].filter((z) => !shipped.includes(z));
    if (missing.length > 0) return problem(`the bundle lacks zips the go command downloaded: ${missing.join(', ')}`);
    return 'built offline';
  } finally {
    await workspace.cleanup();
  }
}

test(`modferry export agrees with the go command on ${seeds.length} generated module graph${seeds.length === 1 ? '' : 's'}`, { timeout: 900_000 }, async (t) => {
  if (!requireGo(t)) return;
  const graphs = seeds.map(generateModuleGraph);
  for (const graph of graphs) await publish(graph);

  const failures: string[] = [];
  const counts = { 'built offline': 0, 'failed alike': 0 };
  const prove = async (graph: GeneratedGraph): Promise<void> => {
    const outcome = await proveGraph(graph).catch((error: Error): Outcome => ({ problem: `the test itself failed: ${error.stack ?? error.message}` }));
    if (typeof outcome === 'string') {
      counts[outcome]++;
      return;
    }
    failures.push(
      `seed ${graph.seed}: ${outcome.problem}\n` +
        `main go.mod:\n${graph.project['go.mod']}\n` +
        `replay: MODFERRY_MVS_SEED=${graph.seed} MODFERRY_MVS_GRAPHS=1 node --import tsx --test tests/integration/mvsGeneratedGraphs.test.ts`,
    );
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < graphs.length) await prove(graphs[next++]!);
  };
  // The first export creates the signing key the others share, so it runs alone.
  if (graphs.length > 0) await prove(graphs[next++]!);
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  t.diagnostic(`${counts['built offline']} built offline from the bundle; ${counts['failed alike']} failed alike online and in the export`);
  if (failures.length > 0) assert.fail(`${failures.length} of ${graphs.length} graphs diverge:\n\n${failures.join('\n\n')}`);
});
