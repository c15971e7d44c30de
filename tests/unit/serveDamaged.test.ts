/**
 * A store file damaged on disk after import (same size, one byte flipped) is never answered with a
 * 200 and its bad bytes: a small file is refused before it is kept in memory, a streamed one breaks
 * off before its last bytes, and from then on the server answers 500 naming the repair.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { open, readFile, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { startProxyServer, type RunningProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { makeBundleSources, makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';
import { httpRequest } from '../support/httpRequests';

/** Zips of random bytes: bigger than the memory cache takes, so they are always streamed. */
const streamed = (name: string): SourceModule => ({ path: `example.com/${name}`, version: 'v1.0.0', files: { 'data.bin': randomBytes(3 * 1024 * 1024), 'a.go': 'package a\n' } });
const modules: SourceModule[] = [
  { path: 'example.com/small', version: 'v1.0.0', goMod: 'module example.com/small\n\ngo 1.19\n// small one\n' },
  { path: 'example.com/small', version: 'v1.1.0', goMod: 'module example.com/small\n\ngo 1.19\n// small two\n' },
  streamed('big'),
  streamed('bighead'),
  streamed('bigrange'),
  streamed('bigtouch'),
];

let root: string;
let cleanup: () => Promise<void>;
let store: DiskStore;
let server: RunningProxyServer;
const logLines: string[] = [];

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('serve-damaged'));
  const sources = await makeBundleSources(path.join(root, 'cache'), modules);
  const key = testSigningKey();
  const bundle = await writeBundle({ outDir: path.join(root, 'bundles'), files: sources, inputs: [], signingKey: key, toolVersion: 'test' });
  store = openStore(path.join(root, 'store'), { mode: 'write' });
  await importBundle(bundle.bundleDir, { store, trust: (signer) => signer.fingerprint === key.fingerprint });
  server = await startProxyServer({ store, host: '127.0.0.1', port: 0, log: (line) => logLines.push(line) });
});

after(async () => {
  await server.close();
  store.close();
  await cleanup();
});

function target(modulePath: string, version: string, kind: 'info' | 'mod' | 'zip'): string {
  return `/${escapePath(modulePath)}/@v/${escapeVersion(version)}.${kind}`;
}

function storeFile(requestTarget: string): string {
  return path.join(store.dir, 'tree', ...requestTarget.slice(1).split('/'));
}

/** Flips one byte of the file in place: same size, same inode, new modification time. */
async function flipByte(file: string, at: number): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = (byte[0] ?? 0) ^ 0x20;
    await handle.write(byte, 0, 1, at);
  } finally {
    await handle.close();
  }
}

const DAMAGED_LINE = /^internal error: the store's copy of this file is damaged \(its bytes do not match the catalog's sha256\); run "modferry store check --repair" on the serving machine\n$/;

describe('a damaged small file (.mod)', () => {
  test('is answered 500 with the repair to run, never 200, however often it is asked', async () => {
    const mod = target('example.com/small', 'v1.0.0', 'mod');
    const good = await readFile(storeFile(mod));
    await flipByte(storeFile(mod), 8);
    for (let round = 1; round <= 3; round++) {
      const reply = await httpRequest(server.url, mod);
      assert.equal(reply.status, 500, `round ${round}: ${reply.body.toString()}`);
      assert.match(reply.body.toString(), DAMAGED_LINE);
      assert.equal(reply.headers['cache-control'], 'no-store');
      assert.ok(!reply.body.includes(good.subarray(0, 8)), 'nothing of the file');
    }
    assert.ok(logLines.some((line) => line.startsWith(`GET ${mod} 500 `) && line.includes('damaged')), logLines.join('\n'));
  });

  test('an undamaged file next to it is still served', async () => {
    const mod = target('example.com/small', 'v1.1.0', 'mod');
    const reply = await httpRequest(server.url, mod);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.etag, `"${sha256Hex(reply.body)}"`);
  });
});

describe('a damaged streamed file (a zip too big to keep in memory)', () => {
  test('breaks off before its end, then is answered 500 with the repair to run', async () => {
    const zip = target('example.com/big', 'v1.0.0', 'zip');
    const { size } = await stat(storeFile(zip));
    await flipByte(storeFile(zip), Math.floor(size / 2));
    const first = await httpRequest(server.url, zip);
    assert.ok(!(first.status === 200 && first.complete), `no whole 200: got ${first.status} with ${first.body.length} of ${size} bytes`);
    assert.ok(first.body.length < size, `${first.body.length} of ${size} bytes reached the client`);
    const again = await httpRequest(server.url, zip);
    assert.equal(again.status, 500);
    assert.match(again.body.toString(), DAMAGED_LINE);
  });

  test('HEAD agrees with GET once the damage is known', async () => {
    const zip = target('example.com/bighead', 'v1.0.0', 'zip');
    await flipByte(storeFile(zip), 1000);
    await httpRequest(server.url, zip);
    const head = await httpRequest(server.url, zip, { method: 'HEAD' });
    const get = await httpRequest(server.url, zip);
    assert.equal(head.status, 500);
    assert.equal(get.status, 500);
    assert.equal(head.headers['content-length'], get.headers['content-length']);
  });

  test('a range of a damaged file is refused too: the whole file is checked before any part goes out', async () => {
    const zip = target('example.com/bigrange', 'v1.0.0', 'zip');
    const { size } = await stat(storeFile(zip));
    await flipByte(storeFile(zip), size - 10);
    const reply = await httpRequest(server.url, zip, { headers: { Range: 'bytes=0-99' } });
    assert.equal(reply.status, 500, `got ${reply.status}`);
    assert.match(reply.body.toString(), DAMAGED_LINE);
  });

  test('a file checked once is not hashed again while it stays the same file; a new modification time gets it checked again', async () => {
    const zip = target('example.com/bigtouch', 'v1.0.0', 'zip');
    const file = storeFile(zip);
    const good = await readFile(file);
    // Whole seconds, which utimes can set back exactly.
    const atime = new Date('2025-01-01T00:00:00Z');
    const mtime = new Date('2025-01-02T00:00:00Z');
    await utimes(file, atime, mtime);
    const first = await httpRequest(server.url, zip);
    assert.equal(first.status, 200);
    assert.ok(first.complete && first.body.equals(good));
    // Damage that keeps size and modification time is what the server does not look for again: proof it does not re-hash.
    await flipByte(file, 100);
    await utimes(file, atime, mtime);
    const trusted = await httpRequest(server.url, zip);
    assert.equal(trusted.status, 200);
    assert.ok(trusted.complete, 'served as checked before');
    // Anything that gives the file a new modification time (a write, a restore) gets it hashed again.
    await utimes(file, atime, new Date(mtime.getTime() + 5000));
    const rechecked = await httpRequest(server.url, zip);
    assert.ok(!(rechecked.status === 200 && rechecked.complete), `no whole 200 after the change: ${rechecked.status}`);
  });
});
