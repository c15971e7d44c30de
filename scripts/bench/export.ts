/**
 * bench:export — export wall time against `go mod download all` for the same project from the same
 * upstream (20 ms injected latency per request), and peak RSS while exporting a 2 GiB bundle.
 * Ratios are printed from one run; nothing here asserts a threshold.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeTree } from '../../electron/core/fsutil/removeTree';
import { debianGoproxyFixture } from '../../tests/support/debianFixture';
import { startFixtureUpstream } from '../../tests/support/fixtureUpstream';
import { offlineGoEnv } from '../../tests/support/goCommand';
import { goProgram } from '../../tests/support/goProgramFixture';
import { measure } from './measure';
import { writeSyntheticModules } from './syntheticModules';
import { errorMessage } from '../../shared/errorMessage';

const cli = path.join(__dirname, '..', '..', 'bin', 'modferry.js');
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'modferry-bench-export-'));
  try {
    await wallTime(scratch);
    await bigBundleMemory(scratch);
  } finally {
    await removeTree(scratch);
  }
}

async function wallTime(scratch: string): Promise<void> {
  const fixture = await debianGoproxyFixture();
  const upstream = await startFixtureUpstream(fixture.dir, { latencyMs: 20 });
  try {
    const project = await goProgram(fixture, scratch);
    const goEnv = offlineGoEnv(upstream.url, path.join(scratch, 'gomodcache'));
    const go = await measure('go', ['mod', 'download', 'all'], goEnv, project);
    if (go.code !== 0) throw new Error(`go mod download all failed: ${go.stderr}`);
    const runs: Array<[string, string[]]> = [
      ['export --no-check', ['--no-check']],
      ['export with the go check', []],
    ];
    console.log(`go mod download all (baseline): ${go.seconds.toFixed(2)} s`);
    for (const [label, extra] of runs) {
      const home = path.join(scratch, `home-${extra.length}`);
      const env = { ...process.env, MODFERRY_HOME: home };
      await mkdir(path.join(scratch, `out-${extra.length}`));
      const run = await measure(process.execPath, [cli, 'export', '--project', project, '--out', path.join(scratch, `out-${extra.length}`), '--upstream', upstream.url, ...extra], env);
      if (run.code !== 0) throw new Error(`${label} failed: ${run.stderr}`);
      console.log(`${label}, cold cache: ${run.seconds.toFixed(2)} s, ratio to baseline ${(run.seconds / go.seconds).toFixed(2)}x (target <= 1.0x)`);
    }
  } finally {
    await upstream.close();
  }
}

/** Four 480 MiB module zips of random (incompressible) bytes: a 1.9 GiB bundle. */
async function bigBundleMemory(scratch: string): Promise<void> {
  const tree = path.join(scratch, 'big-tree');
  const modules = [0, 1, 2, 3].map((i) => ({ path: `example.com/big${i}`, bytes: 480 * 1024 * 1024 }));
  await writeSyntheticModules(tree, modules);
  const upstream = await startFixtureUpstream(tree);
  try {
    const env = { ...process.env, MODFERRY_HOME: path.join(scratch, 'home-big') };
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
