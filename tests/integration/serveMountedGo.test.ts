/**
 * The real go command against the proxy handler mounted under a prefix by a plain http.Server, and
 * against store files damaged after import: go must fail on those, never take the bad bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { createProxyHandler } from '../../electron/core/serve/proxyHandler';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { makeBundleSources, makeTempDir, testSigningKey, type SourceModule } from '../support/bundleSources';
import { goModDownload, offlineGoEnv, requireGo, scratchGoWorkspace } from '../support/goCommand';

const modules: SourceModule[] = [
  { path: 'example.com/fine', version: 'v1.0.0' },
  { path: 'example.com/badmod', version: 'v1.0.0' },
  // Random bytes, stored: a zip too big for the memory cache, always streamed.
  { path: 'example.com/badzip', version: 'v1.0.0', files: { 'data.bin': randomBytes(3 * 1024 * 1024), 'a.go': 'package badzip\n' } },
];

async function flipByte(file: string, at: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = (byte[0] ?? 0) ^ 0x01;
    await handle.write(byte, 0, 1, at);
  } finally {
    await handle.close();
  }
}

test('go downloads through a handler mounted under /goproxy, and fails on damaged store files', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('serve-mounted-go');
  t.after(cleanup);
  const key = testSigningKey();
  const sources = await makeBundleSources(path.join(dir, 'cache'), modules);
  const bundle = await writeBundle({ outDir: path.join(dir, 'out'), files: sources, inputs: [], signingKey: key, toolVersion: 'test' });
  const store = openStore(path.join(dir, 'store'), { mode: 'write' });
  t.after(() => store.close());
  await importBundle(bundle.bundleDir, { store, trust: (signer) => signer.fingerprint === key.fingerprint });
  const treeFile = (modulePath: string, kind: string): string =>
    path.join(store.dir, 'tree', ...escapePath(modulePath).split('/'), '@v', `${escapeVersion('v1.0.0')}.${kind}`);
  await flipByte(treeFile('example.com/badmod', 'mod'), 3);
  await flipByte(treeFile('example.com/badzip', 'zip'), Math.floor((await stat(treeFile('example.com/badzip', 'zip'))).size / 2));

  const requests: string[] = [];
  const server = http.createServer(createProxyHandler({ store, prefix: '/goproxy', listenHost: '127.0.0.1', log: (line) => requests.push(line) }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(resolve);
  }));
  const goproxy = `http://127.0.0.1:${(server.address() as AddressInfo).port}/goproxy`;
  const workspace = await scratchGoWorkspace('serve-mounted-go');
  t.after(() => workspace.cleanup());
  const env = offlineGoEnv(goproxy, workspace.modCache);

  const [fine] = await goModDownload(['example.com/fine@v1.0.0'], workspace.dir, env);
  assert.equal(fine?.Error, undefined, fine?.Error);
  assert.ok(fine?.Sum?.startsWith('h1:'));
  assert.ok(requests.some((line) => line.startsWith('GET /goproxy/example.com/fine/@v/v1.0.0.zip 200 ')), requests.join('\n'));

  const [badMod] = await goModDownload(['example.com/badmod@v1.0.0'], workspace.dir, env);
  assert.match(badMod?.Error ?? '', /500 Internal Server Error/, JSON.stringify(badMod));
  assert.match(badMod?.Error ?? '', /damaged .*modferry store check --repair/);

  const [badZip] = await goModDownload(['example.com/badzip@v1.0.0'], workspace.dir, env);
  // The body breaks off before its end: the go command sees a broken download, not a checksum of bad bytes.
  assert.match(badZip?.Error ?? '', /v1\.0\.0\.zip.*unexpected EOF/, `go took the damaged zip: ${JSON.stringify(badZip)}`);
  assert.ok(requests.some((line) => line.startsWith('GET /goproxy/example.com/badzip/@v/v1.0.0.zip 200 ') && line.includes('damaged')), requests.join('\n'));
});
