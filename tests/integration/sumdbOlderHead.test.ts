/**
 * Issue 13: a go command offline that verified against an older tree head still verifies after a
 * second, newer bundle is imported. It keeps that head (GOPATH/pkg/sumdb/<name>/latest) and proves the
 * newer one extends it with the newer tree's tiles over the old head's right edge; once the log has
 * grown by more than a tile, that level-0 tile is full and holds no record the second bundle ships,
 * so the export carries it only because it knows of the older head: from its own export history,
 * from the request file `modferry request` writes, or from the `--since` inventory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { loadSigningKey, PRIVATE_KEY_FILE } from '../../electron/core/keys/signingKey';
import { writeStoreInventory } from '../../electron/core/roundtrip/storeInventory';
import { writeStoreRequest } from '../../electron/core/roundtrip/storeRequest';
import { startServe, type RunningServe } from '../../electron/core/serve/serveService';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { parseManifest } from '../../shared/bundle/manifest';
import { parseInventory } from '../../shared/roundtrip/inventory';
import { parseRequestHeads } from '../../shared/roundtrip/requestFile';
import { makeTempDir } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { publishedGoSumLines, publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, requireGo, runGo } from '../support/goCommand';
import { paddingLines } from '../support/proofBundles';
import { writeTestSumdb } from '../support/testSumdb';

const A = 'example.com/a';
const B = 'example.com/b';
// The older head's right edge: record 300 (a's) ends a tile 0/001 of 45 hashes; the newer tree fills it.
const OLD_EDGE_FULL = 'sumdb/sum.test/tile/8/0/001';

test('a go command that saw the older head verifies the next bundle: the export carries the tiles over that head\'s edge', { timeout: 600_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('sumdb-older-head');
  t.after(cleanup);
  const tree = path.join(dir, 'upstream');
  await publishFixtureModule(tree, A, [{ version: 'v1.0.0', files: { 'a.go': 'package a\n\nfunc Name() string { return "a" }\n' } }]);
  await publishFixtureModule(tree, B, [{ version: 'v1.0.0', files: { 'b.go': 'package b\n\nfunc Name() string { return "b" }\n' } }]);
  const goSum = (mod: string): Promise<string[]> => publishedGoSumLines(tree, [[mod, 'v1.0.0']]);
  const olderLines = [...paddingLines(0, 300), ...(await goSum(A))];
  const sumdbDir = path.join(tree, 'sumdb', 'sum.test');
  const db = await writeTestSumdb(sumdbDir, olderLines, { name: 'sum.test', seed: 'older-head' });
  const upstream = await startFixtureUpstream(tree);
  t.after(() => upstream.close());

  const exportCli = async (label: string, args: string[]): Promise<{ bundleDir: string; entries: Set<string>; stdout: string; home: string }> => {
    const out = path.join(dir, `out-${label}`);
    await mkdir(out);
    const home = path.join(dir, `home-${label.replace(/-.*$/, '')}`);
    const saved = { GOSUMDB: process.env.GOSUMDB, GONOSUMDB: process.env.GONOSUMDB, GOPRIVATE: process.env.GOPRIVATE, MODFERRY_HOME: process.env.MODFERRY_HOME };
    Object.assign(process.env, { GOSUMDB: db.vkey, GONOSUMDB: '', GOPRIVATE: '', MODFERRY_HOME: home });
    const output = captureOutput();
    let code: number;
    try {
      code = await runCli(['export', '--upstream', upstream.url, '--out', out, '--no-check', ...args], output);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    assert.equal(code, 0, output.stderr.join('\n'));
    const [bundleName] = await readdir(out);
    assert.ok(bundleName !== undefined);
    const bundleDir = path.join(out, bundleName);
    const manifest = parseManifest(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8'), 'manifest.json');
    return { bundleDir, entries: new Set(manifest.entries.map((e) => e.path)), stdout: output.stdout.join('\n'), home };
  };
  const importInto = async (storeDir: string, bundle: { bundleDir: string; home: string }): Promise<void> => {
    const signer = (await loadSigningKey(path.join(bundle.home, 'keys', PRIVATE_KEY_FILE))).fingerprint;
    const store = openStore(storeDir, { mode: 'write' });
    try {
      await importBundle(bundle.bundleDir, { store, trust: (candidate) => candidate.fingerprint === signer });
    } finally {
      store.close();
    }
  };
  const serve = async (storeDir: string): Promise<RunningServe> => {
    const running = await startServe({ storeDir, listen: { host: '127.0.0.1', port: 0 }, workers: 1, env: { GOSUMDB: db.vkey } });
    t.after(() => running.stop());
    return running;
  };
  // One client throughout: its GOPATH keeps the head it verified against; each run gets an empty module cache.
  const client = path.join(dir, 'client-gopath');
  let runs = 0;
  const download = async (url: string, mod: string): Promise<void> => {
    const prog = path.join(dir, `prog-${++runs}`);
    await mkdir(prog);
    await writeFile(path.join(prog, 'go.mod'), `module example.com/prog\n\ngo 1.19\n\nrequire ${mod} v1.0.0\n`);
    const env = offlineGoEnv(url, path.join(dir, `modcache-${runs}`), { GOPATH: client, GOSUMDB: db.vkey, GONOSUMDB: '', GONOSUMCHECK: '' });
    await runGo(['mod', 'download', 'all'], { cwd: prog, env, timeoutMs: 120_000 });
  };
  const latestSeen = (): Promise<string> => readFile(path.join(client, 'pkg', 'sumdb', 'sum.test', 'latest'), 'utf8');

  // Bundle 1 (a, tree of 301 records), imported and served: the client verifies a and keeps that head.
  const first = await exportCli('history-1', ['--module', `${A}@v1.0.0`]);
  assert.ok(first.entries.has('sumdb/sum.test/tile/8/0/001.p/45'));
  const store = path.join(dir, 'store');
  await importInto(store, first);
  const served = await serve(store);
  await download(served.url, A);
  const olderHead = await latestSeen();
  assert.match(olderHead, /^go\.sum database tree\n301\n/);
  // The client asks for b, which the store lacks: a miss for the request file.
  assert.equal((await fetch(`${served.url}/${B}/@v/v1.0.0.info`)).status, 404);
  await served.stop();

  // What the offline side carries online names the heads the store holds.
  const requestFile = path.join(dir, 'request.txt');
  const inventoryFile = path.join(dir, 'inventory.json');
  assert.equal((await writeStoreRequest(requestFile, { storeDir: store, tool: 'test' })).written, true);
  await writeStoreInventory(inventoryFile, { storeDir: store, tool: 'test' });
  assert.deepEqual(parseRequestHeads(await readFile(requestFile, 'utf8'), requestFile), [{ database: 'sum.test', size: 301 }]);
  assert.deepEqual(parseInventory(await readFile(inventoryFile, 'utf8'), inventoryFile).sumdbHeads, [{ database: 'sum.test', size: 301 }]);

  // The database grows by 300 records and b: tile 0/001 is full in the tree of 602, and b's record lies in 0/002.
  await writeTestSumdb(sumdbDir, [...olderLines, ...paddingLines(300, 300), ...(await goSum(B))], { name: 'sum.test', seed: 'older-head' });
  const viaHistory = await exportCli('history-2', ['--module', `${B}@v1.0.0`]);
  const viaRequest = await exportCli('request', ['--request', requestFile]);
  const viaInventory = await exportCli('since', ['--module', `${B}@v1.0.0`, '--since', inventoryFile]);
  const unaware = await exportCli('unaware', ['--module', `${B}@v1.0.0`]);
  for (const bundle of [viaHistory, viaRequest, viaInventory]) {
    assert.ok(bundle.entries.has(OLD_EDGE_FULL), `${bundle.bundleDir} carries the tile over the older head's edge`);
    assert.match(bundle.stdout, /against its signed tree of 602 records, which it proves extends the earlier trees of 301 records/);
  }
  assert.ok(!unaware.entries.has(OLD_EDGE_FULL), 'an export that knows of no older head carries only what its records and head need');
  assert.ok(unaware.entries.has('sumdb/sum.test/latest') && [...unaware.entries].some((e) => e.includes('/lookup/example.com/b@')));

  // Without the tile, the client that saw the older head cannot prove the newer one, and keeps its head.
  const unawareStore = path.join(dir, 'store-unaware');
  await importInto(unawareStore, first);
  await importInto(unawareStore, unaware);
  const servedUnaware = await serve(unawareStore);
  await assert.rejects(download(servedUnaware.url, B), (error: Error) => {
    assert.match(error.message, /checking tree#301 against tree#602: reading \S+\/sumdb\/sum\.test\/tile\/8\/0\/001: 404 Not Found/);
    return true;
  });
  assert.equal(await latestSeen(), olderHead);

  // With it, the same client proves the newer head extends the one it saw, and verifies b.
  await importInto(store, viaHistory);
  await writeStoreInventory(inventoryFile, { storeDir: store, tool: 'test' });
  assert.deepEqual(parseInventory(await readFile(inventoryFile, 'utf8'), inventoryFile).sumdbHeads, [{ database: 'sum.test', size: 602 }, { database: 'sum.test', size: 301 }], 'every head the store may have served');
  const servedAgain = await serve(store);
  await download(servedAgain.url, B);
  assert.match(await latestSeen(), /^go\.sum database tree\n602\n/);
  // The store keeps the older head's edge tile beside the full one, which it is a prefix of.
  const tileBytes = async (name: string): Promise<Buffer> => {
    const answer = await fetch(`${servedAgain.url}/sumdb/sum.test/tile/8/0/${name}`);
    assert.equal(answer.status, 200, name);
    return Buffer.from(await answer.arrayBuffer());
  };
  assert.deepEqual(await tileBytes('001.p/45'), (await tileBytes('001')).subarray(0, 45 * 32));

  // The bundles made from the request file and the inventory serve a client that saw the older head as well.
  for (const [label, bundle] of [['request', viaRequest], ['since', viaInventory]] as const) {
    const other = path.join(dir, `store-${label}`);
    await importInto(other, first);
    await importInto(other, bundle);
    await writeFile(path.join(client, 'pkg', 'sumdb', 'sum.test', 'latest'), olderHead);
    await download((await serve(other)).url, B);
    assert.match(await latestSeen(), /^go\.sum database tree\n602\n/, label);
  }
});
