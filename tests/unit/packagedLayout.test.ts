/**
 * The packaged app's file layout, played under Node: the build (dist/, from `npm run build`) copied
 * to `resources/app.asar/` and what electron-builder.yml unpacks also to `resources/app.asar.unpacked/`,
 * as electron-builder lays them out. Plain Node cannot read inside a real archive, so here the
 * worker and fork entry files exist only unpacked, and the SQLite addon only where the Electron
 * build goes (a copy of node_modules' build stands in for it: it is this Node's ABI). A preload
 * gives `process.versions` an Electron version, which is all the code goes by, and the forked
 * workers inherit it. A zip check on a worker thread, a database opened, and a request answered by
 * a forked serve worker then show that each starts from the real files.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { ELECTRON_SQLITE_BINDING } from '../../electron/core/sqlite/nativeBinding';
import { openStore } from '../../electron/core/store/diskStore';
import { makeTempDir, moduleZip } from '../support/bundleSources';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');
const builderRequire = createRequire(createRequire(require.resolve('electron-builder/package.json')).resolve('app-builder-lib/package.json'));
const { getConfig } = builderRequire('./out/util/config/config') as { getConfig(dir: string, file: null, options: null): Promise<{ asarUnpack?: string[] }> };
const { minimatch } = builderRequire('minimatch') as { minimatch(file: string, pattern: string, options: { dot: boolean }): boolean };

const FAKE_ELECTRON = `Object.defineProperty(process.versions, 'electron', { value: '45.5.0', enumerable: true });\n`;
const nodeBuild = path.join(path.dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node');

let dir: string;
let cleanup: () => Promise<void>;
let resources: string;
before(async () => {
  ({ dir, cleanup } = await makeTempDir('packaged-layout'));
  resources = path.join(dir, 'resources');
  await writeFile(path.join(dir, 'fake-electron.cjs'), FAKE_ELECTRON);
});
after(() => cleanup());

/** Copies the build into resources/ as electron-builder would lay out the app's files. */
async function layOut(): Promise<void> {
  const unpack = (await getConfig(root, null, null)).asarUnpack ?? [];
  const dist = path.join(root, 'dist');
  assert.ok(existsSync(path.join(dist, 'electron', 'core')), 'dist/ holds the build: run `npm run build` first');
  for (const folder of [path.join('electron', 'core'), 'shared']) {
    for (const entry of readdirSync(path.join(dist, folder), { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const rel = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
      const targets = [path.join(resources, 'app.asar', rel)];
      if (unpack.some((pattern) => minimatch(rel, pattern, { dot: true }))) targets.push(path.join(resources, 'app.asar.unpacked', rel));
      for (const target of targets) {
        await mkdir(path.dirname(target), { recursive: true });
        await copyFile(path.join(entry.parentPath, entry.name), target);
      }
    }
  }
  const binding = `dist/${ELECTRON_SQLITE_BINDING.split(path.sep).join('/')}`;
  assert.ok(unpack.some((pattern) => minimatch(binding, pattern, { dot: true })), `${binding} is unpacked`);
  await mkdir(path.dirname(path.join(resources, 'app.asar.unpacked', binding)), { recursive: true });
  await copyFile(nodeBuild, path.join(resources, 'app.asar.unpacked', binding));
  // Inside a real archive these are out of plain fs's reach; only their unpacked copies are files.
  await rm(path.join(resources, 'app.asar', 'dist', 'electron', 'core', 'modzip', 'zipCheckWorker.js'));
  await rm(path.join(resources, 'app.asar', 'dist', 'electron', 'core', 'serve', 'proxyClusterWorker.js'));
}

const CHILD = `
const path = require('node:path');
const [app, zipFile, storeDir, dbFile] = process.argv.slice(2);
const core = (file) => require(path.join(app, 'dist', 'electron', 'core', file));
(async () => {
  const { SqliteDatabase } = core('sqlite/sqliteDatabase.js');
  const db = new SqliteDatabase(dbFile);
  db.exec('CREATE TABLE t (x)');
  db.close();
  const addons = Object.keys(require.cache).filter((file) => file.endsWith('.node'));
  const { ZipCheckPool } = core('modzip/zipCheckPool.js');
  const pool = new ZipCheckPool(1);
  const { h1 } = await pool.check(zipFile, { path: 'example.com/a', version: 'v1.0.0' });
  await pool.close();
  const { startProxyCluster } = core('serve/proxyCluster.js');
  const served = await startProxyCluster({ storeDir, host: '127.0.0.1', port: 0, workers: 1, closeGraceMs: 200 });
  const status = (await fetch(served.url)).status;
  await served.close();
  console.log(JSON.stringify({ addons, h1, status }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

test('under Electron, in the packaged layout: SQLite opens the unpacked Electron build, the zip worker and the serve worker start from their unpacked files', async () => {
  await layOut();
  const zipFile = path.join(dir, 'a.zip');
  await writeFile(zipFile, await moduleZip({ path: 'example.com/a', version: 'v1.0.0', files: { 'a.go': 'package a\n' } }, Buffer.from('module example.com/a\n')));
  const storeDir = path.join(dir, 'store');
  openStore(storeDir, { mode: 'write' }).close();
  await writeFile(path.join(dir, 'child.cjs'), CHILD);

  const { stdout } = await run(
    process.execPath,
    ['--require', path.join(dir, 'fake-electron.cjs'), path.join(dir, 'child.cjs'), path.join(resources, 'app.asar'), zipFile, storeDir, path.join(dir, 'x.db')],
    { env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') }, timeout: 60_000 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { addons: string[]; h1: string; status: number };
  assert.deepEqual(result.addons, [path.join(resources, 'app.asar.unpacked', 'dist', ELECTRON_SQLITE_BINDING)]);
  assert.equal(result.h1, await hashModuleZip(zipFile));
  assert.ok(result.status < 500, `a forked worker answered (${result.status})`);
});

test('under Electron without the Electron build, opening SQLite names the missing file and how to build it', async () => {
  const script = `const { SqliteDatabase } = require(${JSON.stringify(path.join(root, 'electron', 'core', 'sqlite', 'sqliteDatabase.ts'))});
try { new SqliteDatabase(':memory:'); } catch (error) { console.log(JSON.stringify({ kind: error.kind, file: error.fields.file, message: error.message })); }`;
  await writeFile(path.join(dir, 'missing.cjs'), script);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--require', path.join(dir, 'fake-electron.cjs'), path.join(dir, 'missing.cjs')], { cwd: root, timeout: 30_000 });
  const error = JSON.parse(stdout) as { kind: string; file: string; message: string };
  assert.equal(error.kind, 'internal');
  assert.equal(error.file, path.join(root, ELECTRON_SQLITE_BINDING));
  assert.match(error.message, /not built for Electron 45\.5\.0: run `node scripts\/electron-native\.mjs`/);
});
