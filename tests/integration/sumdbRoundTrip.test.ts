/**
 * Issue 13 end to end: `modferry export` online carries a test checksum database's proofs (written
 * by golang.org/x/mod/sumdb, served by the fixture upstream), `modferry import` lands them offline,
 * and the real go command, with nothing changed but GOPROXY (and GOSUMDB naming the test database's
 * key, as sum.golang.org's is built in), builds a program and downloads all of it through `modferry
 * serve`, verifying every module against the database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { startServe } from '../../electron/core/serve/serveService';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { loadSigningKey, PRIVATE_KEY_FILE } from '../../electron/core/keys/signingKey';
import { makeTempDir } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { publishedGoSumLines, publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, requireGo, runGo } from '../support/goCommand';
import { paddingLines } from '../support/proofBundles';
import { writeTestSumdb } from '../support/testSumdb';

const A = 'example.com/a';
const B = 'example.com/b';

test('exported proofs, imported and served: the go command verifies every module with the checksum database on', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('sumdb-roundtrip');
  t.after(cleanup);
  const tree = path.join(dir, 'upstream');
  await publishFixtureModule(tree, A, [{ version: 'v1.0.0', goMod: `module ${A}\n\ngo 1.19\n\nrequire ${B} v1.1.0\n`, files: { 'a.go': 'package a\n\nimport "example.com/b"\n\nfunc Name() string { return "a" + b.Name() }\n' } }]);
  await publishFixtureModule(tree, B, [
    { version: 'v1.0.0', files: { 'b.go': 'package b\n\nfunc Name() string { return "b0" }\n' } },
    { version: 'v1.1.0', files: { 'b.go': 'package b\n\nfunc Name() string { return "b1" }\n' } },
  ]);
  const goSum = await publishedGoSumLines(tree, [[A, 'v1.0.0'], [B, 'v1.0.0'], [B, 'v1.1.0']]);
  const db = await writeTestSumdb(path.join(tree, 'sumdb', 'sum.test'), [...paddingLines(0, 300), ...goSum], { name: 'sum.test', seed: 'roundtrip' });
  const upstream = await startFixtureUpstream(tree);
  t.after(() => upstream.close());

  // Online: export a's build, with the database's proofs.
  const out = path.join(dir, 'out');
  await mkdir(out);
  const home = path.join(dir, 'home');
  const saved = { GOSUMDB: process.env.GOSUMDB, GONOSUMDB: process.env.GONOSUMDB, GOPRIVATE: process.env.GOPRIVATE, MODFERRY_HOME: process.env.MODFERRY_HOME };
  Object.assign(process.env, { GOSUMDB: db.vkey, GONOSUMDB: '', GOPRIVATE: '', MODFERRY_HOME: home });
  const output = captureOutput();
  let code: number;
  try {
    code = await runCli(['export', '--upstream', upstream.url, '--module', `${A}@v1.0.0`, '--out', out, '--no-check'], output);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  assert.equal(code, 0, output.stderr.join('\n'));
  const [bundleName] = await readdir(out);
  assert.ok(bundleName !== undefined);

  // Offline: import into a store, serve it; GOPROXY alone is the advice.
  const store = openStore(path.join(dir, 'store'), { mode: 'write' });
  const signer = (await loadSigningKey(path.join(home, 'keys', PRIVATE_KEY_FILE))).fingerprint;
  let imported;
  try {
    imported = await importBundle(path.join(out, bundleName), { store, trust: (candidate) => candidate.fingerprint === signer });
  } finally {
    store.close();
  }
  assert.deepEqual(imported.proofs.heads, [{ db: 'sum.test', size: 303 }]);
  const served = await startServe({ storeDir: path.join(dir, 'store'), listen: { host: '127.0.0.1', port: 0 }, env: { GOSUMDB: db.vkey } });
  t.after(() => served.stop());
  assert.deepEqual(served.facts.settings.map((s) => s.name), ['GOPROXY']);

  const prog = path.join(dir, 'prog');
  await mkdir(prog);
  await writeFile(path.join(prog, 'go.mod'), `module example.com/prog\n\ngo 1.19\n\nrequire ${A} v1.0.0\n`);
  await writeFile(path.join(prog, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/a"\n)\n\nfunc main() { fmt.Println(a.Name()) }\n');
  const env = offlineGoEnv(served.url, path.join(dir, 'modcache'), { GOSUMDB: db.vkey, GONOSUMDB: '', GONOSUMCHECK: '', GOFLAGS: '-mod=mod' });
  await runGo(['build', '-o', path.join(dir, 'prog.bin'), '.'], { cwd: prog, env });
  await runGo(['mod', 'download', 'all'], { cwd: prog, env });
  const goSumWritten = await readFile(path.join(prog, 'go.sum'), 'utf8');
  for (const line of goSum.filter((l) => !l.startsWith(`${B} v1.0.0`))) assert.ok(goSumWritten.includes(line), `go.sum holds ${line}`);
  assert.ok(await readFile(path.join(dir, 'gopath', 'pkg', 'sumdb', 'sum.test', 'latest'), 'utf8'), 'the go command kept the head it verified against');
});
