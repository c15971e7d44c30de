/**
 * `modferry export` with a checksum database (issue 13, online half): a test database with its own key,
 * written by golang.org/x/mod/sumdb and served as the fixture upstream's `/sumdb/<name>/`. The bundle
 * carries the signed head, each shipped version's record and the tiles proving them, and those verify
 * (in TypeScript, and by the real go command reading them as a proxy serves them);
 * a record that disagrees with the zip, a forged tile and a bad signature each fail the export; private
 * modules carry no record; GOSUMDB=off carries nothing; a database that cannot be reached is warned about.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../electron/cli/main';
import { checkRecord, verifyTiles, type ProvenTile } from '../../electron/core/sumdb/tileProofs';
import { parseVerifierKey, verifyNoteSignature } from '../../electron/core/sumdb/verifierKey';
import { parseManifest, type BundleManifest } from '../../shared/bundle/manifest';
import { parseRecordEntry, recordGoSumLines } from '../../shared/sumdb/lookupRecord';
import { parseSumdbPath, tilePath } from '../../shared/sumdb/sumdbPath';
import { recordTiles, tilesFromLevel } from '../../shared/sumdb/tiles';
import { parseSignedTreeNote } from '../../shared/sumdb/treeNote';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import { makeTempDir } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { publishedGoSumLines, publishFixtureModule, startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { goModDownload, offlineGoEnv, requireGo, scratchGoWorkspace } from '../support/goCommand';
import { writeTestSumdb, type TestSumdb } from '../support/testSumdb';
import { filesUnder } from '../support/filesUnder';

const A = 'example.com/a';
const B = 'example.com/b';
const C = 'example.com/c';
const PRIVATE = 'corp.example.com/secret';
// Enough records after ours that the tree has level-1 tiles, as every real database has, and ours sit in a full tile.
const FILLER = Array.from({ length: 300 }, (_, i) => `example.com/filler${i} v1.0.0 h1:${Buffer.alloc(32, i).toString('base64')}`);

interface World {
  dir: string;
  tree: string;
  upstream: FixtureUpstream;
  goSum: string[];
}

async function world(t: TestContext, label: string): Promise<World> {
  const { dir, cleanup } = await makeTempDir(`export-sumdb-${label}`);
  t.after(cleanup);
  const tree = path.join(dir, 'upstream');
  await publishFixtureModule(tree, A, [{ version: 'v1.0.0', goMod: `module ${A}\n\ngo 1.19\n\nrequire (\n\t${B} v1.0.0\n\t${C} v1.0.0\n)\n`, files: { 'a.go': 'package a\n' } }]);
  await publishFixtureModule(tree, B, [{ version: 'v1.0.0', goMod: `module ${B}\n\ngo 1.19\n\nrequire ${C} v1.1.0\n`, files: { 'b.go': 'package b\n' } }]);
  // One version of c ships its go.mod alone: the graph needs it, the build list has the other.
  await publishFixtureModule(tree, C, [{ version: 'v1.0.0', files: { 'c.go': 'package c\n' } }, { version: 'v1.1.0', files: { 'c.go': 'package c\n' } }]);
  await publishFixtureModule(tree, PRIVATE, [{ version: 'v1.0.0', files: { 's.go': 'package secret\n' } }]);
  const goSum = await publishedGoSumLines(tree, [[A, 'v1.0.0'], [B, 'v1.0.0'], [C, 'v1.0.0'], [C, 'v1.1.0'], [PRIVATE, 'v1.0.0']]);
  goSum.push(...FILLER);
  const upstream = await startFixtureUpstream(tree);
  t.after(() => upstream.close());
  return { dir, tree, upstream, goSum };
}

function sumdbDir(w: World, name = 'sum.test'): string {
  return path.join(w.tree, 'sumdb', name);
}

/** Runs `modferry export` of a and the private module in this process with the checksum-database variables given, in a home named by `label`. */
function exportWith(w: World, label: string, env: Record<string, string>, extra: string[] = [], outLabel = `${label}-${w.upstream.requests.length}`): Promise<ExportRun> {
  return exportWithModules(w, label, env, [`${A}@v1.0.0`, `${PRIVATE}@v1.0.0`], extra, outLabel);
}

interface ExportRun {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
}

async function exportWithModules(w: World, label: string, env: Record<string, string>, modules: string[], extra: string[] = [], outLabel = `${label}-${w.upstream.requests.length}`): Promise<ExportRun> {
  const saved = { GOSUMDB: process.env.GOSUMDB, GONOSUMDB: process.env.GONOSUMDB, GOPRIVATE: process.env.GOPRIVATE, MODFERRY_HOME: process.env.MODFERRY_HOME };
  const out = path.join(w.dir, `out-${outLabel}`);
  await mkdir(out, { recursive: true });
  Object.assign(process.env, { GONOSUMDB: '', GOPRIVATE: '', MODFERRY_HOME: path.join(w.dir, `home-${label}`) }, env);
  const output = captureOutput();
  try {
    const code = await runCli(['export', '--upstream', w.upstream.url, ...modules.flatMap((m) => ['--module', m]), '--out', out, '--no-check', ...extra], output);
    return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n'), out };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The bundle written into `out`, its entries' bytes by path, and the folder its volumes were extracted into. */
async function bundleOf(out: string): Promise<{ manifest: BundleManifest; files: Map<string, Buffer>; extracted: string }> {
  const [bundle] = await readdir(out);
  assert.ok(bundle !== undefined, 'a bundle was written');
  const bundleDir = path.join(out, bundle);
  const manifest = parseManifest(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8'), 'manifest.json');
  const extracted = path.join(out, '..', `${bundle}-extracted`);
  await mkdir(extracted);
  for (const volume of manifest.volumes) execFileSync('tar', ['-xf', path.join(bundleDir, volume.name), '-C', extracted]);
  const files = new Map(await Promise.all(manifest.entries.map(async (e) => [e.path, await readFile(path.join(extracted, e.path))] as const)));
  return { manifest, files, extracted };
}

test('export carries the checksum database proofs of every version it ships, and they verify', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const w = await world(t, 'carried');
  const db: TestSumdb = await writeTestSumdb(sumdbDir(w), w.goSum, { name: 'sum.test', seed: 'carried' });

  const run = await exportWith(w, 'first', { GOSUMDB: db.vkey, GONOSUMDB: 'corp.example.com' });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Carries checksum-database proofs for 4 module versions from sum\.test against its signed tree of 305 records; 1 private module version \(GONOSUMDB\/GOPRIVATE\) without/);
  const { manifest, files, extracted } = await bundleOf(run.out);
  assert.equal(manifest.formatVersion, 3);

  const sumdbPaths = manifest.entries.map((e) => e.path).filter((p) => p.startsWith('sumdb/'));
  const lookups = sumdbPaths.filter((p) => p.includes('/lookup/')).sort();
  assert.deepEqual(lookups, [`sumdb/sum.test/lookup/${A}@v1.0.0`, `sumdb/sum.test/lookup/${B}@v1.0.0`, `sumdb/sum.test/lookup/${C}@v1.0.0`, `sumdb/sum.test/lookup/${C}@v1.1.0`], 'the private module has no lookup; the go.mod-only version has one');
  const paths = new Set(manifest.entries.map((e) => e.path));
  assert.ok(['v1.0.0', 'v1.1.0'].some((v) => paths.has(`${C}/@v/${v}.mod`) && !paths.has(`${C}/@v/${v}.zip`)), 'one version of c ships its go.mod alone');
  assert.ok(!manifest.entries.some((e) => e.path.startsWith('sumdb/') && e.h1 !== undefined));

  // What the offline side will do: the head is signed by the database's key, every tile proven, every record in the tree.
  const note = parseSignedTreeNote(files.get('sumdb/sum.test/latest')!.toString('utf8'));
  verifyNoteSignature(note, parseVerifierKey(db.vkey));
  assert.equal(note.size, 305);
  const tiles = new Map<string, ProvenTile>();
  for (const p of sumdbPaths) {
    const parsed = parseSumdbPath(p);
    if (parsed.kind === 'tile') tiles.set(tilePath(parsed.tile), { tile: parsed.tile, data: files.get(p)! });
  }
  verifyTiles(note, tiles, { database: 'sum.test' });
  for (const tile of tilesFromLevel(note.size, 1)) assert.ok(tiles.has(tilePath(tile)), `level 1+ tile ${tilePath(tile)} is carried`);
  const h1ByPath = new Map(manifest.entries.map((e) => [e.path, e.h1]));
  for (const p of lookups) {
    const record = parseRecordEntry(files.get(p)!.toString('utf8'));
    for (const tile of recordTiles(note.size, record.id)) assert.ok(tiles.has(tilePath(tile)), `${p}: tile ${tilePath(tile)} is carried`);
    checkRecord(note, record, tiles, { database: 'sum.test' });
    for (const line of recordGoSumLines(record)) {
      const version = line.version.replace(/\/go\.mod$/, '');
      const kind = line.version.endsWith('/go.mod') ? 'mod' : 'zip';
      const shipped = h1ByPath.get(`${escapePath(line.path)}/@v/${escapeVersion(version)}.${kind}`);
      if (shipped !== undefined) assert.equal(line.hash, shipped, `${p}: ${line.version}`);
    }
    assert.equal(`${files.get(p)!.toString('utf8')}\n${files.get('sumdb/sum.test/latest')!.toString('utf8')}`, await readFile(path.join(sumdbDir(w), 'lookup', p.slice('sumdb/sum.test/lookup/'.length)), 'utf8'), 'entry, newline and head make the lookup body again');
  }

  // The real go command, given the bundle's files as a proxy serves them (a lookup answered with its record, a
  // newline and the head), checks every download against the database through them, tiles and all.
  const latest = files.get('sumdb/sum.test/latest')!.toString('utf8');
  await writeFile(path.join(extracted, 'sumdb', 'sum.test', 'supported'), '');
  for (const p of lookups) await writeFile(path.join(extracted, p), `${files.get(p)!.toString('utf8')}\n${latest}`);
  const workspace = await scratchGoWorkspace('export-sumdb-go');
  t.after(() => workspace.cleanup());
  const goEnv = offlineGoEnv(pathToFileURL(extracted).href, workspace.modCache, { GOSUMDB: db.vkey, GONOSUMDB: PRIVATE, GONOSUMCHECK: '' });
  const zips = manifest.entries.flatMap((e) => (e.path.endsWith('.zip') && !e.path.startsWith(PRIVATE) ? [e.path.replace(/\/@v\/(.*)\.zip$/, '@$1')] : []));
  assert.equal(zips.length, 3);
  const downloads = await goModDownload(zips, workspace.dir, goEnv);
  assert.deepEqual(downloads.map((d) => d.Error ?? 'ok'), zips.map(() => 'ok'), JSON.stringify(downloads));
  assert.equal(await readFile(path.join(workspace.modCache, '..', 'gopath', 'pkg', 'sumdb', 'sum.test', 'latest'), 'utf8'), latest, 'the go command took the bundle\'s head as its latest');

  // Asked through the proxy, which answered supported: never the database directly, never the latest or data tiles.
  const asked = w.upstream.requests.filter((r) => r.startsWith('/sumdb/'));
  assert.ok(asked.includes('/sumdb/sum.test/supported'));
  assert.ok(!asked.some((r) => r.endsWith('/latest') || r.includes('/tile/8/data/')), asked.join('\n'));
  assert.ok(!asked.some((r) => r.includes(PRIVATE)), 'nothing is asked about a private module');

  // Lookups and full tiles are kept once proven: the same export again asks only for what may change.
  const before = w.upstream.requests.length;
  const again = await exportWith(w, 'first', { GOSUMDB: db.vkey, GONOSUMDB: 'corp.example.com' });
  assert.equal(again.code, 0, again.stderr);
  const askedAgain = w.upstream.requests.slice(before).filter((r) => r.startsWith('/sumdb/'));
  assert.ok(!askedAgain.some((r) => r.includes('/lookup/') || /\/tile\/8\/\d+\/\d{3}$/.test(r)), askedAgain.join('\n'));
});

test('records from lookups of older heads are proven against the newest head; a head from a forked log is refused', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const w = await world(t, 'heads');
  const isC = (line: string): boolean => line.startsWith(`${C} v1.1.0`);
  const rest = w.goSum.filter((l) => !isC(l) && l !== FILLER[0]);
  // c@v1.1.0's lookup is kept in two caches with the head of a tree of 2 records.
  const first = await writeTestSumdb(sumdbDir(w), [...w.goSum.filter(isC), FILLER[0]!], { name: 'sum.test', seed: 'heads' });
  const env = { GOSUMDB: first.vkey, GONOSUMDB: PRIVATE };
  for (const home of ['grown', 'forked']) {
    const small = await exportWithModules(w, home, env, [`${C}@v1.1.0`]);
    assert.equal(small.code, 0, small.stderr);
  }

  // The database grows: the cached lookup's head is an older one of the same log.
  await writeTestSumdb(sumdbDir(w), [...w.goSum.filter(isC), FILLER[0]!, ...rest], { name: 'sum.test', seed: 'heads' });
  const before = w.upstream.requests.length;
  const run = await exportWith(w, 'grown', env);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!w.upstream.requests.slice(before).includes(`/sumdb/sum.test/lookup/${C}@v1.1.0`), 'c@v1.1.0 came from the cache, with its older head');
  const { files } = await bundleOf(run.out);
  const note = parseSignedTreeNote(files.get('sumdb/sum.test/latest')!.toString('utf8'));
  assert.equal(note.size, 305, 'the newest head is the one carried');
  assert.equal(parseRecordEntry(files.get(`sumdb/sum.test/lookup/${C}@v1.1.0`)!.toString('utf8')).id, 0);

  // The same key signing a log that does not extend the first: the cached head is not a prefix of it.
  await writeTestSumdb(sumdbDir(w), [`example.com/fork v1.0.0 h1:${Buffer.alloc(32, 9).toString('base64')}`, ...w.goSum], { name: 'sum.test', seed: 'heads' });
  const forked = await exportWith(w, 'forked', env);
  assert.notEqual(forked.code, 0);
  assert.match(forked.stderr, /checksum database sum\.test: the signed tree heads of 2 and 306 records are not of one log \(the database forked it\)/);
});

test('a partial tile the database no longer serves is cut from its full tile, as the go command reads it', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const w = await world(t, 'prefix');
  const db = await writeTestSumdb(sumdbDir(w), w.goSum, { name: 'sum.test', seed: 'prefix' });
  // The same log grown past 512 records completes tile 0/001; the database then keeps only the full tile.
  const grownDir = path.join(w.dir, 'grown');
  const more = Array.from({ length: 300 }, (_, i) => `example.com/more${i} v1.0.0 h1:${Buffer.alloc(32, i + 1).toString('base64')}`);
  await writeTestSumdb(grownDir, [...w.goSum, ...more], { name: 'sum.test', seed: 'prefix' });
  await rm(path.join(sumdbDir(w), 'tile', '8', '0', '001.p'), { recursive: true });
  await writeFile(path.join(sumdbDir(w), 'tile', '8', '0', '001'), await readFile(path.join(grownDir, 'tile', '8', '0', '001')));

  const run = await exportWith(w, 'prefix', { GOSUMDB: db.vkey, GONOSUMDB: PRIVATE });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(w.upstream.requests.includes('/sumdb/sum.test/tile/8/0/001.p/49') && w.upstream.requests.includes('/sumdb/sum.test/tile/8/0/001'));
  const { files } = await bundleOf(run.out);
  assert.equal(files.get('sumdb/sum.test/tile/8/0/001.p/49')!.length, 49 * 32, 'the bundle carries the partial tile the head needs');
  assert.ok(!files.has('sumdb/sum.test/tile/8/0/001'), 'not the full tile, which no head in the bundle proves');
});

test('a record whose hash disagrees with the zip fails the export, naming the module', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const w = await world(t, 'mismatch');
  const lied = w.goSum.map((line) => (line.startsWith(`${B} v1.0.0 `) ? `${B} v1.0.0 h1:${Buffer.alloc(32, 7).toString('base64')}` : line));
  const db = await writeTestSumdb(sumdbDir(w), lied, { name: 'sum.test', seed: 'mismatch' });
  const run = await exportWith(w, 'mismatch', { GOSUMDB: db.vkey, GONOSUMDB: PRIVATE });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /example\.com\/b@v1\.0\.0: checksum database sum\.test records h1:BwcH[^ ]* for the zip, but the upstream's zip hashes to h1:/);
  assert.deepEqual(await readdir(run.out), [], 'no bundle is left');
});

test('a forged tile and a signature that does not verify each fail the export', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const w = await world(t, 'forged');
  const db = await writeTestSumdb(sumdbDir(w), w.goSum, { name: 'sum.test', seed: 'forged' });

  const tileFile = path.join(sumdbDir(w), 'tile', '8', '0', '000');
  const genuine = await readFile(tileFile);
  const forged = Buffer.from(genuine);
  forged[33]! ^= 0x01;
  await writeFile(tileFile, forged);
  const run = await exportWith(w, 'forged-tile', { GOSUMDB: db.vkey, GONOSUMDB: PRIVATE });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /checksum database sum\.test: tile tile\/8\/0\/000 does not match its parent tile\/8\/1\/000\.p\/1 \(forged or damaged\)/);
  await writeFile(tileFile, genuine);

  // Every lookup's head with one signature byte changed: the key is the database's, the signature is not.
  const lookupDir = path.join(sumdbDir(w), 'lookup');
  for (const file of (await filesUnder(lookupDir)).map((f) => path.join(lookupDir, f))) {
    const body = await readFile(file, 'utf8');
    await writeFile(file, body.replace(/(— sum\.test \S{20})(\S)/, (_, head: string, ch: string) => `${head}${ch === 'A' ? 'B' : 'A'}`));
  }
  const badSignature = await exportWith(w, 'bad-signature', { GOSUMDB: db.vkey, GONOSUMDB: PRIVATE });
  assert.notEqual(badSignature.code, 0);
  assert.match(badSignature.stderr, /checksum database sum\.test: the signed tree head's signature is not valid for the key sum\.test\+/);
});

test('GOSUMDB=off carries no proofs; a database that cannot be reached leaves them out with a warning', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const w = await world(t, 'off');
  const db = await writeTestSumdb(sumdbDir(w), w.goSum, { name: 'sum.test', seed: 'off' });

  const off = await exportWith(w, 'off', { GOSUMDB: 'off' });
  assert.equal(off.code, 0, off.stderr);
  const { manifest } = await bundleOf(off.out);
  assert.equal(manifest.formatVersion, 1);
  assert.ok(!manifest.entries.some((e) => e.path.startsWith('sumdb/')));
  assert.ok(!w.upstream.requests.some((r) => r.startsWith('/sumdb/')), 'the database is not asked');

  // GOSUMDB's own URL bypasses the proxy: here a port nothing listens on.
  const port = await closedPort();
  const unreachable = await exportWith(w, 'unreachable', { GOSUMDB: `${db.vkey} http://127.0.0.1:${port}`, GONOSUMDB: PRIVATE });
  assert.equal(unreachable.code, 0, unreachable.stderr);
  assert.match(unreachable.stderr, /warning: checksum database sum\.test could not be asked \(cannot reach http:\/\/127\.0\.0\.1:\d+ \(connection refused\)\): the bundle carries no proofs/);
  assert.match(unreachable.stdout, /Carries no checksum-database proofs: sum\.test could not be asked/);
  const without = await bundleOf(unreachable.out);
  assert.ok(!without.manifest.entries.some((e) => e.path.startsWith('sumdb/')));
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
