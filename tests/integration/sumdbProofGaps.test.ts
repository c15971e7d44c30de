/**
 * Versions a store holds without their checksum-database record (imported from a bundle without
 * proofs): `modferry inventory` says which, with the h1 the store holds; an export `--since` that
 * inventory carries their records and tiles without sending their files again; once imported, the
 * real go command verifies them through `modferry serve` with the database on. A record that
 * disagrees with the store's h1 fails the export, naming the module.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { serveCommand } from '../../electron/cli/commands/serveCommand';
import { parseManifest, type BundleManifest } from '../../shared/bundle/manifest';
import { parseInventory } from '../../shared/roundtrip/inventory';
import { makeTempDir } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { publishedGoSumLines, publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';
import { goModDownload, offlineGoEnv, requireGo, scratchGoWorkspace } from '../support/goCommand';
import { writeTestSumdb } from '../support/testSumdb';

const A = 'example.com/a';
const B = 'example.com/b';
const C = 'example.com/c';
const FILLER = Array.from({ length: 300 }, (_, i) => `example.com/filler${i} v1.0.0 h1:${Buffer.alloc(32, i).toString('base64')}`);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  const output = captureOutput();
  try {
    const code = await runCli(args, output);
    return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function onlyBundle(out: string): Promise<{ dir: string; manifest: BundleManifest }> {
  const [name] = await readdir(out);
  assert.ok(name !== undefined, `a bundle in ${out}`);
  const dir = path.join(out, name);
  return { dir, manifest: parseManifest(await readFile(path.join(dir, 'manifest.json'), 'utf8'), 'manifest.json') };
}

async function withHome(t: TestContext, home: string): Promise<void> {
  const saved = process.env.MODFERRY_HOME;
  process.env.MODFERRY_HOME = home;
  t.after(() => {
    if (saved === undefined) delete process.env.MODFERRY_HOME;
    else process.env.MODFERRY_HOME = saved;
  });
}

test('an inventory names the versions held without a proof, and the next export --since it carries their proofs, not their files', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('sumdb-proof-gaps');
  t.after(cleanup);
  await withHome(t, path.join(dir, 'home'));
  const tree = path.join(dir, 'upstream');
  for (const mod of [A, B, C]) await publishFixtureModule(tree, mod, [{ version: 'v1.0.0', files: { 'x.go': `package ${mod.slice(-1)}\n\nfunc Name() string { return "${mod}" }\n` } }]);
  const goSum = await publishedGoSumLines(tree, [A, B, C].map((mod) => [mod, 'v1.0.0'] as const));
  const hashOf = (line: string | undefined): string => line?.split(' ')[2] ?? '';
  const held = new Map([A, B, C].map((mod) => [mod, { mod: hashOf(goSum.find((l) => l.startsWith(`${mod} v1.0.0/go.mod `))), zip: hashOf(goSum.find((l) => l.startsWith(`${mod} v1.0.0 `))) }]));
  const db = await writeTestSumdb(path.join(tree, 'sumdb', 'sum.test'), [...goSum, ...FILLER], { name: 'sum.test', seed: 'gaps' });
  const upstream = await startFixtureUpstream(tree);
  t.after(() => upstream.close());
  const sumdbOn = { GOSUMDB: db.vkey, GONOSUMDB: '', GOPRIVATE: '' };
  const store = path.join(dir, 'store');
  const exportTo = async (label: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string; out: string }> => {
    const out = path.join(dir, `out-${label}`);
    await mkdir(out);
    return { ...(await cli(['export', '--upstream', upstream.url, '--out', out, '--no-check', ...args], env)), out };
  };
  const importFrom = async (out: string): Promise<void> => {
    const imported = await cli(['import', (await onlyBundle(out)).dir, '--store', store, '--trust-new-key']);
    assert.equal(imported.code, 0, imported.stderr);
  };

  // b arrives without proofs, a with them: the store holds sum.test's records of a only.
  const plain = await exportTo('plain', ['--module', `${B}@v1.0.0`], { GOSUMDB: 'off' });
  assert.equal(plain.code, 0, plain.stderr);
  await importFrom(plain.out);
  const proven = await exportTo('proven', ['--module', `${A}@v1.0.0`], sumdbOn);
  assert.equal(proven.code, 0, proven.stderr);
  await importFrom(proven.out);

  const inventoryFile = path.join(dir, 'inventory.json');
  const inventoried = await cli(['inventory', '--store', store, '--out', inventoryFile]);
  assert.equal(inventoried.code, 0, inventoried.stderr);
  assert.equal(inventoried.stdout, `Wrote ${inventoryFile}: 2 versions of 2 modules, 1 without a checksum-database proof (the next export --since this inventory carries their proofs)`);
  const inventory = parseInventory(await readFile(inventoryFile, 'utf8'), inventoryFile);
  assert.deepEqual(inventory.formatVersion, 1, 'old readers still read it');
  assert.deepEqual(inventory.modules, [
    { path: A, version: 'v1.0.0', files: ['info', 'mod', 'zip'] },
    { path: B, version: 'v1.0.0', files: ['info', 'mod', 'zip'], noProof: held.get(B) },
  ]);

  // A record that disagrees with what the store holds fails the export, naming the module.
  const lied = JSON.parse(await readFile(inventoryFile, 'utf8')) as { modules: Array<{ noProof?: { zip?: string } }> };
  lied.modules[1]!.noProof!.zip = `h1:${Buffer.alloc(32, 5).toString('base64')}`;
  const liedFile = path.join(dir, 'inventory-lied.json');
  await writeFile(liedFile, JSON.stringify(lied));
  const refused = await exportTo('refused', ['--module', `${C}@v1.0.0`, '--since', liedFile], sumdbOn);
  assert.equal(refused.code, 1);
  assert.ok(refused.stderr.includes(`${B}@v1.0.0: checksum database sum.test records ${held.get(B)!.zip} for the zip, but the offline store's zip hashes to h1:BQUF`), refused.stderr);
  assert.deepEqual(await readdir(refused.out), []);

  // c ships with its proofs; b's record and tiles ship without b's files.
  const next = await exportTo('next', ['--module', `${C}@v1.0.0`, '--since', inventoryFile], sumdbOn);
  assert.equal(next.code, 0, next.stderr);
  const { manifest } = await onlyBundle(next.out);
  const paths = manifest.entries.map((e) => e.path);
  assert.deepEqual(paths.filter((p) => p.includes('/lookup/')).sort(), [`sumdb/sum.test/lookup/${B}@v1.0.0`, `sumdb/sum.test/lookup/${C}@v1.0.0`]);
  assert.ok(!paths.some((p) => p.startsWith(`${B}/`)), 'b\'s files are not sent again');
  assert.ok(paths.includes(`${C}/@v/v1.0.0.zip`));
  await importFrom(next.out);
  const after = await cli(['inventory', '--store', store, '--out', '-']);
  assert.ok(!after.stdout.includes('noProof'), after.stdout);

  // Served, the go command verifies b against the database, with nothing switched off.
  const output = captureOutput();
  const stop = new AbortController();
  const serving = serveCommand(['--store', store, '--listen', '127.0.0.1:0'], output, { stop: stop.signal, platform: 'linux', env: { GOSUMDB: db.vkey } });
  t.after(async () => {
    stop.abort();
    await serving;
  });
  const proxyUrl = await printedProxyUrl(output.stdout);
  assert.deepEqual(output.stdout.filter((line) => line.startsWith('  export ')), [`  export GOPROXY=${proxyUrl}`], 'proofs for every version: GOPROXY alone');
  const workspace = await scratchGoWorkspace('proof-gaps');
  t.after(() => workspace.cleanup());
  const downloads = await goModDownload([`${B}@v1.0.0`, `${A}@v1.0.0`], workspace.dir, offlineGoEnv(proxyUrl, workspace.modCache, { GOSUMDB: db.vkey, GONOSUMDB: '', GONOSUMCHECK: '' }));
  assert.deepEqual(downloads.map((d) => [d.Path, d.Error ?? d.Sum]), [[B, held.get(B)!.zip], [A, held.get(A)!.zip]]);
});

async function printedProxyUrl(lines: string[]): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = lines.find((l) => l.startsWith('  export GOPROXY='));
    if (line !== undefined && lines.includes('Stop with Ctrl+C.')) return line.slice('  export GOPROXY='.length);
    if (Date.now() > deadline) throw new Error(`serve printed no GOPROXY line:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
