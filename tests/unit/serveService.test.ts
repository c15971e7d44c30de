import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { errorRecord } from '../../electron/core/errors/modferryError';
import { serveFacts } from '../../electron/core/serve/serveFacts';
import type { ServedRequest } from '../../electron/core/serve/servedRequest';
import { ServeListenError, startServe } from '../../electron/core/serve/serveService';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { storeFacts } from '../../electron/core/store/storeFacts';
import { makeTempDir, testSigningKey } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

let root: string;
let storeDir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('serve-service'));
  storeDir = path.join(root, 'store');
  const store = openStore(storeDir, { mode: 'write' });
  try {
    const bundle = await makeBundle(path.join(root, 'work'), [{ path: 'example.com/a', version: 'v1.0.0' }, { path: 'example.com/a', version: 'v1.1.0' }], testSigningKey());
    await importBundle(bundle.bundleDir, { store, trust: () => true });
  } finally {
    store.close();
  }
});
after(() => cleanup());

/** Waits until `events` holds n requests: a cluster's workers send theirs with their log batch. */
async function eventsArrive(events: ServedRequest[], n: number): Promise<void> {
  for (const deadline = Date.now() + 5000; events.length < n; ) {
    if (Date.now() > deadline) throw new Error(`${events.length} of ${n} request events arrived`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the serve service', () => {
  test('serves the store, tells each request as fields beside the text line, reads store stats, and stops', async () => {
    const events: ServedRequest[] = [];
    const lines: string[] = [];
    const serve = await startServe({ storeDir, listen: { host: '127.0.0.1', port: 0 }, env: {}, onRequest: (e) => events.push(e), log: (text) => lines.push(...text.split('\n')) });
    try {
      assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(serve.facts.urls, [serve.url]);
      assert.deepEqual(serve.facts.envLines.posix, [`export GOPROXY=${serve.url}`, 'export GOSUMDB=off', 'export GOFLAGS=-mod=mod']);
      assert.equal(serve.startFacts.versions, 2);
      assert.deepEqual(serve.startFacts.misses, { distinct: 0, requests: 0 });

      const mod = await fetch(`${serve.url}/example.com/a/@v/v1.0.0.mod`);
      const modBody = Buffer.from(await mod.arrayBuffer());
      assert.equal(mod.status, 200);
      const miss = await fetch(`${serve.url}/example.com/zzz/@v/v9.9.9.info`);
      await miss.arrayBuffer();
      assert.equal(miss.status, 404);
      const list = await fetch(`${serve.url}/example.com/a/@v/list`);
      assert.equal(await list.text(), 'v1.0.0\nv1.1.0\n');
      await eventsArrive(events, 3);

      const [modEvent, missEvent, listEvent] = events;
      assert.deepEqual({ ...modEvent, ms: 0, at: '' }, { method: 'GET', target: '/example.com/a/@v/v1.0.0.mod', module: 'example.com/a', version: 'v1.0.0', status: 200, bytes: modBody.length, ms: 0, at: '' });
      assert.ok(modEvent!.ms >= 0 && modEvent!.ms < 5000);
      assert.ok(Math.abs(Date.parse(modEvent!.at) - Date.now()) < 10_000, modEvent!.at);
      assert.equal(missEvent!.status, 404);
      assert.equal(missEvent!.module, 'example.com/zzz');
      assert.equal(missEvent!.version, 'v9.9.9');
      assert.deepEqual([listEvent!.module, listEvent!.version, listEvent!.status], ['example.com/a', undefined, 200]);

      const stats = serve.stats();
      assert.ok(stats.exists);
      assert.deepEqual(stats.misses, { distinct: 1, requests: 1 });
      assert.equal(stats.modules, 1);
      assert.ok(stats.bytes > 0);
      assert.deepEqual(serve.counts(), { requests: 3, misses: 1, inFlight: 0 });
    } finally {
      assert.deepEqual(await serve.stop(), { requests: 3, misses: 1, inFlight: 0 });
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z GET \/example\.com\/a\/@v\/v1\.0\.0\.mod 200 \d+B \d+ms$/);
    await assert.rejects(fetch(`${serve.url}/healthz`));
    const after = storeFacts(storeDir);
    assert.ok(after.exists);
    assert.deepEqual(after.misses, { distinct: 1, requests: 1 });
    assert.deepEqual(storeFacts(path.join(root, 'no-store')), { dir: path.join(root, 'no-store'), exists: false });
  });

  test('with worker processes, the requests still arrive as events', async () => {
    const events: ServedRequest[] = [];
    const serve = await startServe({ storeDir, listen: { host: '127.0.0.1', port: 0 }, workers: 2, env: {}, onRequest: (e) => events.push(e), log: () => {} });
    try {
      const info = await fetch(`${serve.url}/example.com/a/@v/v1.1.0.info`);
      const body = Buffer.from(await info.arrayBuffer());
      await eventsArrive(events, 1);
      assert.deepEqual([events[0]!.module, events[0]!.version, events[0]!.status, events[0]!.bytes], ['example.com/a', 'v1.1.0', 200, body.length]);
    } finally {
      await serve.stop();
    }
  });

  test('a port in use is a typed error naming where', async () => {
    const first = await startServe({ storeDir, listen: { host: '127.0.0.1', port: 0 }, env: {} });
    try {
      const port = Number(new URL(first.url).port);
      await assert.rejects(startServe({ storeDir, listen: { host: '127.0.0.1', port }, env: {} }), (error: unknown) => {
        assert.ok(error instanceof ServeListenError);
        assert.equal(error.code, 'EADDRINUSE');
        assert.deepEqual(errorRecord(error), {
          type: 'error', kind: 'input', url: `http://127.0.0.1:${port}`,
          message: `cannot listen on 127.0.0.1:${port}: the port is in use (stop the other server, or pick another with --listen HOST:PORT)`,
        });
        return true;
      });
      await assert.rejects(startServe({ storeDir: path.join(root, 'no-store'), env: {} }), { name: 'StoreFolderError' });
    } finally {
      await first.stop();
    }
  });
});

test('startup facts: LAN addresses when listening on every interface, and the lines to paste for each shell', () => {
  const interfaces = {
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
      { address: 'fd00::5', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fd00::5/64', scopeid: 0 },
      { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' },
    ],
  } as const;
  const v4 = serveFacts('http://0.0.0.0:3000', { GOFLAGS: '-trimpath' }, interfaces as never);
  assert.equal(v4.allInterfaces, true);
  assert.deepEqual(v4.urls, ['http://192.168.1.20:3000', 'http://127.0.0.1:3000']);
  assert.equal(v4.proxyUrl, 'http://192.168.1.20:3000');
  assert.deepEqual(v4.envLines.posix, ['export GOPROXY=http://192.168.1.20:3000', 'export GOSUMDB=off', "export GOFLAGS='-trimpath -mod=mod'"]);
  assert.deepEqual(v4.envLines.powershell, ['$env:GOPROXY = "http://192.168.1.20:3000"', '$env:GOSUMDB = "off"', '$env:GOFLAGS = "-trimpath -mod=mod"']);
  assert.equal(v4.envLines.goEnvWrite, 'go env -w GOPROXY=http://192.168.1.20:3000 GOSUMDB=off "GOFLAGS=-trimpath -mod=mod"');
  const v6 = serveFacts('http://[::]:3000', {}, interfaces as never);
  assert.deepEqual(v6.urls, ['http://192.168.1.20:3000', 'http://[fd00::5]:3000', 'http://127.0.0.1:3000']);
  const lone = serveFacts('http://0.0.0.0:3000', {}, { lo: interfaces.lo } as never);
  assert.deepEqual([lone.proxyUrl, lone.urls], ['http://127.0.0.1:3000', ['http://127.0.0.1:3000']]);
  const local = serveFacts('http://127.0.0.1:3000', { GOPRIVATE: 'corp.example' }, interfaces as never);
  assert.deepEqual([local.allInterfaces, local.urls], [false, ['http://127.0.0.1:3000']]);
  assert.equal(local.envLines.posix.at(-1), 'export GONOPROXY=none');
});
