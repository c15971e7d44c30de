/**
 * The proxy's answer logic as a handler of its own, mounted by a plain http.Server under a prefix,
 * the way a team would put it behind an existing server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { createProxyHandler, type ProxyHandler } from '../../electron/core/serve/proxyHandler';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { makeBundleSources, makeTempDir, testSigningKey } from '../support/bundleSources';
import { httpRequest } from '../support/httpRequests';

let cleanup: () => Promise<void>;
let store: DiskStore;
let handler: ProxyHandler;
let server: http.Server;
let base: string;
const logLines: string[] = [];

before(async () => {
  let root: string;
  ({ dir: root, cleanup } = await makeTempDir('serve-handler'));
  const sources = await makeBundleSources(path.join(root, 'cache'), [{ path: 'example.com/mounted', version: 'v1.0.0' }]);
  const key = testSigningKey();
  const bundle = await writeBundle({ outDir: path.join(root, 'bundles'), files: sources, inputs: [], signingKey: key, toolVersion: 'test' });
  store = openStore(path.join(root, 'store'), { mode: 'write' });
  await importBundle(bundle.bundleDir, { store, trust: (signer) => signer.fingerprint === key.fingerprint });
  handler = createProxyHandler({ store, prefix: '/goproxy', listenHost: '127.0.0.1', log: (line) => logLines.push(line) });
  server = http.createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  store.close();
  await cleanup();
});

describe('a handler mounted under /goproxy', () => {
  test('answers the protocol under the prefix', async () => {
    for (const target of ['/goproxy/example.com/mounted/@v/list', '/goproxy/example.com/mounted/@v/v1.0.0.mod', '/goproxy/example.com/mounted/@latest', '/goproxy/healthz']) {
      assert.equal((await httpRequest(base, target)).status, 200, target);
    }
    const mod = await httpRequest(base, '/goproxy/example.com/mounted/@v/v1.0.0.mod');
    assert.match(mod.body.toString(), /^module example\.com\/mounted\n/);
  });

  test('requests outside the prefix get 404, never stored, and are not recorded as misses', async () => {
    const misses = store.misses().length;
    for (const target of ['/example.com/mounted/@v/v1.0.0.mod', '/goproxy', '/goproxyx/example.com/mounted/@v/list', '/other/goproxy/healthz', '/']) {
      const reply = await httpRequest(base, target);
      assert.equal(reply.status, 404, target);
      assert.equal(reply.body.toString(), 'not found: this GOPROXY answers under /goproxy/ only\n');
      assert.equal(reply.headers['cache-control'], 'no-store');
    }
    assert.equal(store.misses().length, misses);
  });

  test('a miss under the prefix is recorded by module, as at the root', async () => {
    const reply = await httpRequest(base, '/goproxy/example.com/elsewhere/@v/v1.0.0.info');
    assert.equal(reply.status, 404);
    assert.ok(store.misses().some((m) => m.path === 'example.com/elsewhere' && m.query === 'v1.0.0'));
  });

  test('counts its requests and logs each with the target as sent', async () => {
    const before = handler.counts().requests;
    await httpRequest(base, '/goproxy/healthz');
    assert.equal(handler.counts().requests, before + 1);
    assert.equal(handler.counts().inFlight, 0);
    assert.ok(logLines.some((line) => line.startsWith('GET /goproxy/healthz 200 ')), logLines.join('\n'));
  });

  test('told it listens on loopback, it refuses requests naming another host', async () => {
    const reply = await httpRequest(base, '/goproxy/healthz', { headers: { Host: 'evil.example' } });
    assert.equal(reply.status, 403);
  });
});

describe('prefixes', () => {
  for (const prefix of ['goproxy', '/a/../b', '/go proxy', '/go%2fproxy', '/go?x']) {
    test(`"${prefix}" is refused`, () => {
      assert.throws(() => createProxyHandler({ store, prefix }), new RegExp(`prefix "${prefix.replace(/[.?*+^$()[\]{}|\\]/g, '\\$&')}" is not a path of plain segments`));
    });
  }

  for (const [prefix, expected] of [['', ''], ['/', ''], ['/goproxy/', '/goproxy'], ['/mirrors/go', '/mirrors/go']] as const) {
    test(`"${prefix}" answers under "${expected}"`, () => {
      assert.equal(createProxyHandler({ store, prefix }).prefix, expected);
    });
  }
});
