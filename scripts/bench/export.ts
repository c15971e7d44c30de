/**
 * bench:export — export wall time against `go mod download all` for the same project from the same
 * upstream, for two projects: the basic program (a few direct requirements, untidy, so fixed costs
 * weigh most) and the wide one (some fifty modules, tidied as a real service's go.mod is). Same
 * upstream (20 ms injected latency per request), with and without the checksum database's proofs (a
 * test database of every fixture module, at its own URL with the same latency), and peak RSS while
 * exporting a 2 GiB bundle.
 * The three commands run in turn `--runs N` times (default 3), each into an empty cache, and medians
 * are compared: on a shared machine single runs swing by a third. For the median run of each export
 * it prints where the wall time went, stage by stage, from the export's --json progress lines.
 * `--skip-big` leaves out the 2 GiB bundle; `--project DIR` measures that Go project instead of the
 * built-in ones (its modules must be among the fixture's, which the upstream serves). Nothing here
 * asserts a threshold.
 */
import { cp, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { removeTree } from '../../electron/core/fsutil/removeTree';
import { debianGoproxyFixture, type GoproxyFixture } from '../../tests/support/debianFixture';
import { startFixtureUpstream } from '../../tests/support/fixtureUpstream';
import { offlineGoEnv } from '../../tests/support/goCommand';
import { goProgram, wideProgramRequires } from '../../tests/support/goProgramFixture';
import { writeTestSumdb } from '../../tests/support/testSumdb';
import { hashGoModBytes, hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { measure } from './measure';
import { writeSyntheticModules } from './syntheticModules';
import { errorMessage } from '../../shared/errorMessage';

const cli = path.join(__dirname, '..', '..', 'bin', 'modferry.js');
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, 'skip-big': { type: 'boolean', default: false }, project: { type: 'string' } } });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'modferry-bench-export-'));
  try {
    await wallTime(scratch, Math.max(1, Number(values.runs)), values.project);
    if (!values['skip-big']) await bigBundleMemory(scratch);
  } finally {
    await removeTree(scratch);
  }
}

interface TimedRun {
  seconds: number;
  /** Stage name, then the seconds at which it was first and last seen running. */
  stages: Array<[string, number, number]>;
}

async function wallTime(scratch: string, count: number, projectDir: string | undefined): Promise<void> {
  const fixture = await debianGoproxyFixture();
  const upstream = await startFixtureUpstream(fixture.dir, { latencyMs: 20 });
  const sumdbDir = path.join(scratch, 'sumdb');
  const goSum = await Promise.all(fixture.published.map(async (p) => [`${p.path} ${p.version} ${await hashModuleZip(p.zipFile)}`, `${p.path} ${p.version}/go.mod ${hashGoModBytes(await readFile(p.modFile))}`]));
  const db = await writeTestSumdb(sumdbDir, goSum.flat(), { name: 'sum.bench', seed: 'bench' });
  const database = await startFixtureUpstream(sumdbDir, { latencyMs: 20 });
  try {
    const projects: Array<[string, string]> = projectDir === undefined
      ? [
          ['the basic program (its go.mod names only its direct requirements, and it has no go.sum)', await goProgram(fixture, scratch)],
          ['the wide program (tidied, with its go.sum)', await tidiedProgram(fixture, scratch, upstream.url)],
        ]
      : [[projectDir, await copyProject(projectDir, scratch)]];
    for (const [name, project] of projects) {
      console.log(`${name}:`);
      await timeProject(project, scratch, count, upstream.url, { vkey: db.vkey, url: database.url });
    }
  } finally {
    await Promise.all([upstream.close(), database.close()]);
  }
}

/** The wide program, its go.mod and go.sum made by `go mod tidy` from the upstream, as a developer's would be. */
async function tidiedProgram(fixture: GoproxyFixture, scratch: string, upstream: string): Promise<string> {
  const project = await goProgram(fixture, scratch, 'wide', wideProgramRequires);
  const modCache = await mkdtemp(path.join(scratch, 'gomodcache-tidy-'));
  // -e: the fixture lacks what some dependencies' own tests import, which the program never builds.
  const tidy = await measure('go', ['mod', 'tidy', '-e'], offlineGoEnv(upstream, modCache), project);
  if (tidy.code !== 0) throw new Error(`go mod tidy failed for the wide program: ${tidy.stderr}`);
  return project;
}

async function timeProject(project: string, scratch: string, count: number, upstream: string, database: { vkey: string; url: string }): Promise<void> {
  const noProofs = { GOSUMDB: 'off' };
  const kinds: Array<[string, string[], Record<string, string>, string]> = [
    ['export --no-check', ['--no-check'], noProofs, '0.7'],
    ['export --no-check with checksum-database proofs', ['--no-check'], { GOSUMDB: `${database.vkey} ${database.url}`, GONOSUMDB: '', GOPRIVATE: '' }, '0.77'],
    ['export with the go check', [], noProofs, '1.0'],
  ];
  const times: TimedRun[][] = [[], ...kinds.map(() => [])];
  const runs = await mkdtemp(path.join(scratch, 'runs-'));
  let shipped: { versions: number; zips: number } | undefined;
  for (let run = 0; run < count; run++) {
    const goEnv = offlineGoEnv(upstream, path.join(runs, `gomodcache-${run}`));
    const go = await measure('go', ['mod', 'download', 'all'], goEnv, project);
    if (go.code !== 0) throw new Error(`go mod download all failed: ${go.stderr}`);
    times[0]!.push({ seconds: go.seconds, stages: [] });
    for (const [i, [label, extra, sumdbEnv]] of kinds.entries()) {
      const where = path.join(runs, `run-${run}-${i}`);
      await mkdir(path.join(where, 'out'), { recursive: true });
      const env = { ...process.env, ...sumdbEnv, MODFERRY_HOME: path.join(where, 'home') };
      const timeline = new StageTimeline();
      const args = [cli, 'export', '--json', '--project', project, '--out', path.join(where, 'out'), '--upstream', upstream, ...extra];
      let proofs: { status: string; versions: number } | undefined;
      const done = await measure(process.execPath, args, env, undefined, (line, seconds) => {
        timeline.add(line, seconds);
        if (!line.startsWith('{"type":"result"')) return;
        const result = JSON.parse(line) as { proofs?: { status: string; versions: number }; modules: Array<{ zip: boolean }> };
        proofs = result.proofs;
        shipped = { versions: result.modules.length, zips: result.modules.filter((m) => m.zip).length };
      });
      if (done.code !== 0) throw new Error(`${label} failed: ${done.stderr}`);
      // A run that quietly carried no proofs would measure nothing.
      if (sumdbEnv !== noProofs && !(proofs?.status === 'carried' && proofs.versions > 0)) throw new Error(`${label} carried no proofs: ${JSON.stringify(proofs)}`);
      times[i + 1]!.push({ seconds: done.seconds, stages: timeline.spans(done.seconds) });
    }
  }
  const go = medianRun(times[0]!);
  console.log(`  the export ships ${shipped?.versions} module versions, ${shipped?.zips} of them with zips`);
  console.log(`  go mod download all (baseline): median ${go.seconds.toFixed(2)} s of ${count} (${times[0]!.map((t) => t.seconds.toFixed(2)).join(', ')})`);
  for (const [i, [label, , , target]] of kinds.entries()) {
    const runs = times[i + 1]!;
    const median = medianRun(runs);
    console.log(`  ${label}, cold cache: median ${median.seconds.toFixed(2)} s (${runs.map((t) => t.seconds.toFixed(2)).join(', ')}), ratio to baseline ${(median.seconds / go.seconds).toFixed(2)}x (target <= ${target}x)`);
    for (const [stage, from, to] of median.stages) console.log(`    ${stage.padEnd(10)} ${from.toFixed(2)} s .. ${to.toFixed(2)} s (${(to - from).toFixed(2)} s)`);
  }
  const proofsCost = medianRun(times[2]!).seconds / medianRun(times[1]!).seconds;
  console.log(`  checksum-database proofs: export --no-check takes ${proofsCost.toFixed(2)}x as long with them (target <= 1.10x)`);
}

/** A copy of the operator's project, so no run edits the original (the go command may rewrite go.mod and go.sum). */
async function copyProject(dir: string, scratch: string): Promise<string> {
  const copy = path.join(scratch, 'project');
  await cp(dir, copy, { recursive: true, filter: (source) => path.basename(source) !== '.git' });
  return copy;
}

/** When each stage of an export ran, from its --json progress lines: a stage runs until another one reports. */
class StageTimeline {
  private readonly seen: Array<{ stage: string; seconds: number }> = [];

  add(line: string, seconds: number): void {
    if (!line.startsWith('{')) return;
    const event = JSON.parse(line) as { type?: string; stage?: string };
    if (event.type === 'progress' && event.stage) this.seen.push({ stage: event.stage, seconds });
  }

  spans(end: number): Array<[string, number, number]> {
    const spans = new Map<string, [number, number]>();
    this.seen.forEach((event, i) => {
      const until = this.seen.slice(i + 1).find((e) => e.stage !== event.stage)?.seconds ?? end;
      const span = spans.get(event.stage);
      spans.set(event.stage, span ? [span[0], Math.max(span[1], until)] : [event.seconds, until]);
    });
    return [...spans].map(([stage, [from, to]]) => [stage, from, to]);
  }
}

function medianRun(runs: readonly TimedRun[]): TimedRun {
  return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
}

/** Four 480 MiB module zips of random (incompressible) bytes: a 1.9 GiB bundle. */
async function bigBundleMemory(scratch: string): Promise<void> {
  const tree = path.join(scratch, 'big-tree');
  const modules = [0, 1, 2, 3].map((i) => ({ path: `example.com/big${i}`, bytes: 480 * 1024 * 1024 }));
  await writeSyntheticModules(tree, modules);
  const upstream = await startFixtureUpstream(tree);
  try {
    const env = { ...process.env, GOSUMDB: 'off', MODFERRY_HOME: path.join(scratch, 'home-big') };
    await mkdir(path.join(scratch, 'out-big'));
    const args = [cli, 'export', ...modules.flatMap((m) => ['--module', `${m.path}@v1.0.0`]), '--out', path.join(scratch, 'out-big'), '--upstream', upstream.url, '--no-check'];
    const run = await measure(process.execPath, args, env);
    if (run.code !== 0) throw new Error(`big export failed: ${run.stderr}`);
    console.log(`export of a 1.9 GiB bundle: ${run.seconds.toFixed(1)} s, peak RSS ${mib(run.peakRssBytes)} MiB (target < 300 MB)`);
  } finally {
    await upstream.close();
  }
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exitCode = 1;
});
