/**
 * The checksum database across the air gap, against the real go command: bundles carry a test
 * database's proofs (written by golang.org/x/mod/sumdb), modferry serve answers its lookups and
 * tiles from the store, and the go command, with GOSUMDB naming that database's key and nothing
 * switched off, verifies every module as it would online.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServe, type RunningServe } from '../../electron/core/serve/serveService';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { errorMessage } from '../../shared/errorMessage';
import { makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';
import { offlineGoEnv, requireGo, runGo } from '../support/goCommand';
import { goSumLines, makeProofBundle, makeProofSources, moduleSources, paddingLines } from '../support/proofBundles';
import { snapshotStore } from '../support/storeFixtures';

const alpha: SourceModule = {
  path: 'example.com/alpha',
  version: 'v1.0.0',
  goMod: 'module example.com/alpha\n\ngo 1.19\n',
  files: { 'alpha.go': 'package alpha\n\nfunc Name() string { return "alpha" }\n' },
};
const beta: SourceModule = {
  path: 'example.com/beta',
  version: 'v1.0.0',
  goMod: 'module example.com/beta\n\ngo 1.19\n',
  files: { 'beta.go': 'package beta\n\nfunc Name() string { return "beta" }\n' },
};

async function program(dir: string, requires: readonly SourceModule[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const names = requires.map((m) => m.path.split('/').at(-1) ?? '');
  await writeFile(path.join(dir, 'go.mod'), `module example.com/prog\n\ngo 1.19\n\nrequire (\n${requires.map((m) => `\t${m.path} ${m.version}\n`).join('')})\n`);
  const imports = requires.map((m) => `\t"${m.path}"\n`).join('');
  await writeFile(path.join(dir, 'main.go'), `package main\n\nimport (\n\t"fmt"\n${imports})\n\nfunc main() { fmt.Println(${names.map((n) => `${n}.Name()`).join(', ')}) }\n`);
  return dir;
}

test('the go command verifies every module against the checksum database proofs modferry serve answers from the store', { timeout: 600_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('sumdb-go');
  t.after(cleanup);
  const key = testSigningKey();
  const trust = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;

  const alphaSources = await moduleSources(dir, 'alpha', [alpha]);
  const bothSources = await moduleSources(dir, 'both', [alpha, beta]);
  const alphaLines = goSumLines(alphaSources);
  const betaLines = goSumLines(bothSources).filter((line) => line.startsWith(`${beta.path} `));
  // 300 records before alpha's, so a record tile is partial beside a full one, under a level-1 tile.
  const olderLines = [...paddingLines(0, 300), ...alphaLines];
  const older = await makeProofSources(path.join(dir, 'db-older', 'sum.test'), olderLines);
  const newer = await makeProofSources(path.join(dir, 'db-newer', 'sum.test'), [...olderLines, ...paddingLines(300, 20), ...betaLines]);
  assert.equal(newer.db.vkey, older.db.vkey, 'the same database, grown');
  const vkey = older.db.vkey;
  const bundleOlder = await makeProofBundle(dir, 'older', alphaSources, older.files, key);
  const bundleNewer = await makeProofBundle(dir, 'newer', bothSources, newer.files, key);

  const importInto = async (storeDir: string, bundleDir: string): ReturnType<typeof importBundle> => {
    const store = openStore(storeDir, { mode: 'write' });
    try {
      return await importBundle(bundleDir, { store, trust });
    } finally {
      store.close();
    }
  };
  const serve = async (storeDir: string, workers: number, log: string[] = []): Promise<RunningServe> => {
    const running = await startServe({ storeDir, listen: { host: '127.0.0.1', port: 0 }, workers, env: { GOSUMDB: vkey }, log: (line) => log.push(line) });
    t.after(() => running.stop());
    return running;
  };
  let caches = 0;
  const go = (url: string, cwd: string, gopath: string, args: string[], gosumdb = vkey): ReturnType<typeof runGo> =>
    runGo(args, {
      cwd,
      env: offlineGoEnv(url, path.join(dir, `modcache-${++caches}`), { GOPATH: gopath, GOSUMDB: gosumdb, GONOSUMDB: '', GONOSUMCHECK: '' }),
      timeoutMs: 120_000,
    });
  const latestSeen = async (gopath: string): Promise<string> => readFile(path.join(gopath, 'pkg', 'sumdb', 'sum.test', 'latest'), 'utf8');
  const olderHead = await readFile(path.join(older.dir, 'latest'), 'utf8');
  const newerHead = await readFile(path.join(newer.dir, 'latest'), 'utf8');

  // A store holding the older bundle, served by two workers: GOPROXY alone is the advice, and the
  // go command builds and downloads everything with the checksum database on, from the store alone.
  const storeA = path.join(dir, 'store-a');
  const first = await importInto(storeA, bundleOlder.bundleDir);
  assert.deepEqual(first.proofs.heads, [{ db: 'sum.test', size: 301 }]);
  const logA: string[] = [];
  const servedA = await serve(storeA, 2, logA);
  assert.deepEqual(servedA.facts.settings.map((s) => s.name), ['GOPROXY'], 'proofs for every version: GOPROXY alone');
  assert.deepEqual(servedA.startFacts.proofs, { databases: [{ name: 'sum.test', size: 301 }], withProof: 1, withoutProof: 0, firstWithout: [] });
  const client = path.join(dir, 'client-gopath');
  const progA = await program(path.join(dir, 'prog-a'), [alpha]);
  await go(servedA.url, progA, client, ['build', '-o', path.join(dir, 'prog-a.bin'), '.']);
  await go(servedA.url, progA, client, ['mod', 'download', 'all']);
  const goSum = await readFile(path.join(progA, 'go.sum'), 'utf8');
  for (const line of alphaLines) assert.ok(goSum.includes(line), `go.sum holds ${line}`);
  assert.ok(logA.some((line) => /GET \/sumdb\/sum\.test\/lookup\/example\.com\/alpha@v1\.0\.0 200/.test(line)), logA.join('\n'));
  assert.ok(logA.some((line) => /GET \/sumdb\/sum\.test\/tile\/8\/0\/001\.p\/45 200/.test(line)), logA.join('\n'));
  assert.equal(await latestSeen(client), olderHead);

  // A second, newer bundle imported while serving: the same client, which saw the older head, proves
  // the newer one consistent with it and verifies the new module.
  const second = await importInto(storeA, bundleNewer.bundleDir);
  assert.deepEqual(second.proofs.heads, [{ db: 'sum.test', size: 322 }]);
  const progAB = await program(path.join(dir, 'prog-ab'), [alpha, beta]);
  await go(servedA.url, progAB, client, ['build', '-o', path.join(dir, 'prog-ab.bin'), '.']);
  assert.equal(await latestSeen(client), newerHead, 'the client moved on to the newer head');

  // A store that holds only the older head: the client that saw the newer one cannot prove it, and
  // says so; once the newer bundle is imported there, it verifies.
  const storeB = path.join(dir, 'store-b');
  await importInto(storeB, bundleOlder.bundleDir);
  const servedB = await serve(storeB, 1);
  // A program without go.sum each time: lines already there would spare the go command its lookups.
  const progB = await program(path.join(dir, 'prog-b'), [alpha]);
  await assert.rejects(go(servedB.url, progB, client, ['mod', 'download', 'all']), (error: Error) => {
    assert.match(error.message, /checking tree#322: reading \S+\/sumdb\/sum\.test\/tile\/8\/0\/001\.p\/66: 404 Not Found/);
    assert.match(error.message, /server response: .*the go command has seen a newer sum\.test tree head than the store's newest \(301 records\): import a newer bundle/);
    return true;
  });
  await importInto(storeB, bundleNewer.bundleDir);
  await go(servedB.url, progB, client, ['mod', 'download', 'all']);

  // Importing the older bundle after the newer one keeps the newer head: lookups come with it.
  const storeC = path.join(dir, 'store-c');
  await importInto(storeC, bundleNewer.bundleDir);
  const olderAgain = await importInto(storeC, bundleOlder.bundleDir);
  assert.deepEqual(olderAgain.proofs.heads, [{ db: 'sum.test', size: 322 }]);
  const servedC = await serve(storeC, 1);
  const lookup = await fetch(`${servedC.url}/sumdb/sum.test/lookup/example.com/alpha@v1.0.0`);
  assert.equal(lookup.status, 200);
  assert.equal(await lookup.text(), `${await readFile(path.join(newer.dir, 'lookup', 'example.com', 'alpha@v1.0.0'), 'utf8')}`);
  // A partial tile is cut from the wider one held (store C holds width 45 too: ask one it never got).
  const cut = await fetch(`${servedC.url}/sumdb/sum.test/tile/8/0/001.p/30`);
  assert.equal(cut.status, 200);
  assert.deepEqual(Buffer.from(await cut.arrayBuffer()), (await readFile(path.join(newer.dir, 'tile', '8', '0', '001.p', '66'))).subarray(0, 30 * 32));
  for (const [target, status] of [['/sumdb/sum.test/supported', 200], ['/sumdb/sum.test/latest', 404], ['/sumdb/other.db/supported', 404], ['/sumdb/sum.test/tile/8/0/002', 404]] as const) {
    assert.equal((await fetch(`${servedC.url}${target}`)).status, status, target);
  }
  const storeCStats = servedC.stats();
  assert.ok(storeCStats.exists && storeCStats.misses.distinct === 0, 'checksum database 404s are not module misses');

  // A newer head whose tiles for a record are missing: the record comes with the newest head that
  // the held tiles prove it against, here the older one, and a fresh client verifies it.
  const storeF = path.join(dir, 'store-f');
  await importInto(storeF, bundleOlder.bundleDir);
  const withoutEdge = newer.files.filter((file) => file.path !== 'sumdb/sum.test/tile/8/0/001.p/66');
  await importInto(storeF, (await makeProofBundle(dir, 'newer-gap', bothSources, withoutEdge, key)).bundleDir);
  const servedF = await serve(storeF, 1);
  const fallback = await fetch(`${servedF.url}/sumdb/sum.test/lookup/example.com/alpha@v1.0.0`);
  assert.equal(await fallback.text(), await readFile(path.join(older.dir, 'lookup', 'example.com', 'alpha@v1.0.0'), 'utf8'));
  const unprovable = await fetch(`${servedF.url}/sumdb/sum.test/lookup/example.com/beta@v1.0.0`);
  assert.equal(unprovable.status, 404);
  assert.match(await unprovable.text(), /lacks the sum\.test tiles that prove its record of example\.com\/beta@v1\.0\.0/);
  const progF = await program(path.join(dir, 'prog-f'), [alpha]);
  await go(servedF.url, progF, path.join(dir, 'client-f'), ['mod', 'download', 'all']);

  // A tree head of a size the store holds with another hash is a fork; so is a tile with other bytes.
  // Nothing of such a bundle is imported, and the refusal names the database and the bundle.
  const fork = await makeProofSources(path.join(dir, 'db-fork', 'sum.test'), [...paddingLines(1000, 300), ...alphaLines], { seed: 'fork' });
  const forkHeadOnly = await makeProofBundle(dir, 'fork-head', alphaSources, fork.files.filter((file) => file.path.endsWith('/latest')), key);
  const forkWhole = await makeProofBundle(dir, 'fork-whole', alphaSources, fork.files, key);
  const before = await snapshotStore(storeC);
  const refusal = (bundleDir: string): Promise<string> => importInto(storeC, bundleDir).then(() => 'imported', (error: unknown) => errorMessage(error));
  const headFork = await refusal(forkHeadOnly.bundleDir);
  assert.match(headFork, /the checksum database sum\.test has two different tree heads of size 301/);
  assert.ok(headFork.includes(forkHeadOnly.manifest.bundleId), headFork);
  const tileFork = await refusal(forkWhole.bundleDir);
  assert.match(tileFork, /the checksum database sum\.test in bundle mf-\S+ disagrees with the store: sumdb\/sum\.test\/(tile|lookup)\//);
  assert.ok(tileFork.includes(forkWhole.manifest.bundleId), tileFork);
  // A longer head whose tree does not extend the store's, carrying no file the store holds under the
  // same name (the first 256 records agree; its tiles are wider): only the consistency proof tells.
  const forkedLog = await makeProofSources(path.join(dir, 'db-fork-log', 'sum.test'), [...paddingLines(0, 256), ...paddingLines(2000, 80)]);
  const unheld = forkedLog.files.filter((file) => file.path.endsWith('/latest') || /\/tile\/8\/0\/001\.p\/(6[7-9]|[7-9]\d)$/.test(file.path) || file.path.includes('/lookup/example.com/pad/m2'));
  const forkLog = await makeProofBundle(dir, 'fork-log', alphaSources, unheld, key);
  const logFork = await refusal(forkLog.bundleDir);
  assert.match(logFork, /the checksum database sum\.test's tree head of 336 records in bundle mf-\S+ and the store's of 322 are not of one log/);
  assert.deepEqual(await snapshotStore(storeC), before);

  // A record whose hash disagrees with the zip: the go command refuses the module.
  const badLines = alphaLines.map((line) => (line.includes('/go.mod ') ? line : line.replace(/h1:\S+/, `h1:${Buffer.alloc(32, 7).toString('base64')}`)));
  const bad = await makeProofSources(path.join(dir, 'db-bad', 'sum.test'), [...paddingLines(0, 300), ...badLines], { seed: 'bad' });
  const storeD = path.join(dir, 'store-d');
  await importInto(storeD, (await makeProofBundle(dir, 'bad', alphaSources, bad.files, key)).bundleDir);
  const servedD = await serve(storeD, 1);
  const progD = await program(path.join(dir, 'prog-d'), [alpha]);
  await assert.rejects(go(servedD.url, progD, path.join(dir, 'client-bad'), ['mod', 'download', 'all'], bad.db.vkey), /SECURITY ERROR/);

  // A forged tile (one hash changed): the go command refuses it against the signed head.
  const tilePath = 'sumdb/sum.test/tile/8/0/001.p/45';
  const genuine = older.files.find((file) => file.path === tilePath);
  assert.ok(genuine);
  const forgedBytes = Buffer.from(await readFile(genuine.source));
  forgedBytes[0] = (forgedBytes[0] ?? 0) ^ 0xff;
  const forgedFile = path.join(dir, 'forged-tile');
  await writeFile(forgedFile, forgedBytes);
  const forgedProofs = older.files.map((file) => (file.path === tilePath ? { ...file, source: forgedFile, sha256: sha256Hex(forgedBytes) } : file));
  const storeE = path.join(dir, 'store-e');
  await importInto(storeE, (await makeProofBundle(dir, 'forged', alphaSources, forgedProofs, key)).bundleDir);
  const servedE = await serve(storeE, 1);
  const progE = await program(path.join(dir, 'prog-e'), [alpha]);
  await assert.rejects(go(servedE.url, progE, path.join(dir, 'client-forged'), ['mod', 'download', 'all']), (error: Error) => {
    assert.match(error.message, /verifying go\.mod: example\.com\/alpha@v1\.0\.0\/go\.mod: downloaded inconsistent tile/);
    return true;
  });
});
