/**
 * `export --module path@latest` ships the version the go command answers, and the .mod the retractions
 * were read from, so that the offline go command answers the same from the bundle alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../electron/cli/main';
import { parseManifest } from '../../shared/bundle/manifest';
import { makeTempDir } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';
import { useModferryHome } from '../support/modferryHome';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

const MOD = 'example.com/retracting';
const goMod = (retract = ''): string => `module ${MOD}\n\ngo 1.16\n${retract === '' ? '' : `\nretract ${retract}\n`}`;

test('export of path@latest skips what the latest go.mod retracts and ships that go.mod', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('export-latest');
  t.after(cleanup);
  useModferryHome(t, path.join(dir, 'home'));
  const tree = path.join(dir, 'upstream');
  await publishFixtureModule(tree, MOD, [
    { version: 'v1.0.0', goMod: goMod() },
    { version: 'v1.1.0', goMod: goMod() },
    { version: 'v1.2.0', goMod: goMod() },
    // The newest release retracts a range reaching itself.
    { version: 'v1.3.0', goMod: goMod('[v1.2.0, v1.3.0] // broken builds') },
  ], { latest: { Version: 'v1.3.0' } });
  const upstream = await startFixtureUpstream(tree);
  t.after(() => upstream.close());
  const workspace = await scratchGoWorkspace('export-latest');
  t.after(() => workspace.cleanup());

  const online = await runGo(['list', '-m', `${MOD}@latest`], { cwd: workspace.dir, env: offlineGoEnv(upstream.url, workspace.modCache) });
  assert.equal(online.stdout.trim(), `${MOD} v1.1.0`);

  const out = path.join(dir, 'drive');
  await mkdir(out);
  const output = captureOutput();
  // v1.2.0 ships too, asked for by name: offline, only v1.3.0's go.mod says @latest must pass it by.
  const args = ['export', '--upstream', upstream.url, '--module', `${MOD}@latest`, '--module', `${MOD}@v1.2.0`, '--out', out, '--no-check'];
  assert.equal(await runCli(args, output), 0, output.stderr.join('\n'));
  const [bundle] = await readdir(out);
  assert.ok(bundle !== undefined);
  const bundleDir = path.join(out, bundle);
  const manifest = parseManifest(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8'), 'manifest.json');
  const shipped = manifest.entries.map((e) => e.path).filter((p) => p.startsWith(`${MOD}/`)).sort();
  assert.deepEqual(shipped, [
    `${MOD}/@v/list`,
    `${MOD}/@v/v1.1.0.info`,
    `${MOD}/@v/v1.1.0.mod`,
    `${MOD}/@v/v1.1.0.zip`,
    `${MOD}/@v/v1.2.0.info`,
    `${MOD}/@v/v1.2.0.mod`,
    `${MOD}/@v/v1.2.0.zip`,
    `${MOD}/@v/v1.3.0.info`,
    `${MOD}/@v/v1.3.0.mod`,
  ]);

  const extracted = path.join(dir, 'extracted');
  await mkdir(extracted);
  for (const volume of (await readdir(bundleDir)).filter((f) => f.endsWith('.tar'))) execFileSync('tar', ['-xf', path.join(bundleDir, volume), '-C', extracted]);
  assert.equal(await readFile(path.join(extracted, MOD, '@v', 'v1.3.0.mod'), 'utf8'), goMod('[v1.2.0, v1.3.0] // broken builds'));
  // Listed although no zip ships: it retracts itself, so @latest never picks it, and the go command reads its retractions.
  assert.equal(await readFile(path.join(extracted, MOD, '@v', 'list'), 'utf8'), 'v1.1.0\nv1.2.0\nv1.3.0\n');
  const offline = await scratchGoWorkspace('export-latest-offline');
  t.after(() => offline.cleanup());
  const answered = await runGo(['list', '-m', `${MOD}@latest`], { cwd: offline.dir, env: offlineGoEnv(pathToFileURL(extracted).href, offline.modCache) });
  assert.equal(answered.stdout.trim(), `${MOD} v1.1.0`);
});
