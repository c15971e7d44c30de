/**
 * The proxy as a static file server, checked with raw HTTP and with curl: caching headers, dates and
 * conditional requests, byte ranges, and HEAD answered exactly as GET without the body.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { startProxyServer, type RunningProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { makeBundleSources, makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';
import { httpRequest, rawHttp, type Reply } from '../support/httpRequests';

const run = promisify(execFile);

const modules: SourceModule[] = [
  { path: 'example.com/small', version: 'v1.0.0' },
  { path: 'example.com/small', version: 'v1.1.0' },
  // A zip above the size kept in memory at once: streamed on its first request, from memory after.
  { path: 'example.com/mid', version: 'v1.0.0', files: { 'data.bin': randomBytes(200 * 1024) } },
  // A zip above the size ever kept in memory: always streamed.
  { path: 'example.com/big', version: 'v1.0.0', files: { 'data.bin': randomBytes(3 * 1024 * 1024) } },
];

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=60';

let root: string;
let cleanup: () => Promise<void>;
let store: DiskStore;
let server: RunningProxyServer;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('serve-http'));
  const sources = await makeBundleSources(path.join(root, 'cache'), modules);
  const key = testSigningKey();
  const bundle = await writeBundle({ outDir: path.join(root, 'bundles'), files: sources, inputs: [], signingKey: key, toolVersion: 'test' });
  store = openStore(path.join(root, 'store'), { mode: 'write' });
  await importBundle(bundle.bundleDir, { store, trust: (signer) => signer.fingerprint === key.fingerprint });
  server = await startProxyServer({ store, host: '127.0.0.1', port: 0 });
});

after(async () => {
  await server.close();
  store.close();
  await cleanup();
});

function target(modulePath: string, version: string, kind: 'info' | 'mod' | 'zip'): string {
  return `/${escapePath(modulePath)}/@v/${escapeVersion(version)}.${kind}`;
}

const MOD = target('example.com/small', 'v1.0.0', 'mod');
const INFO = target('example.com/small', 'v1.0.0', 'info');
const SMALL_ZIP = target('example.com/small', 'v1.0.0', 'zip');
const MID_ZIP = target('example.com/mid', 'v1.0.0', 'zip');
const BIG_ZIP = target('example.com/big', 'v1.0.0', 'zip');
const STORED = [MOD, INFO, SMALL_ZIP, MID_ZIP, BIG_ZIP];

async function fileOf(requestTarget: string): Promise<{ bytes: Buffer; lastModified: string }> {
  const file = path.join(store.dir, 'tree', ...requestTarget.slice(1).split('/'));
  return { bytes: await readFile(file), lastModified: (await stat(file)).mtime.toUTCString() };
}

const get = (requestTarget: string, headers: Record<string, string> = {}): Promise<Reply> => httpRequest(server.url, requestTarget, { headers });

describe('Cache-Control', () => {
  test('a version\'s files never change: immutable, cached for a year', async () => {
    for (const file of STORED) assert.equal((await get(file)).headers['cache-control'], IMMUTABLE, file);
  });

  test('@v/list and @latest change with the next import: cached a minute', async () => {
    for (const answer of ['/example.com/small/@v/list', '/example.com/small/@latest']) {
      const reply = await get(answer);
      assert.equal(reply.status, 200, answer);
      assert.equal(reply.headers['cache-control'], SHORT, answer);
    }
  });

  test('/stats, /healthz and every error are never stored: the next import may fill a 404', async () => {
    const answers: Array<[string, number]> = [
      ['/stats', 200],
      ['/healthz', 200],
      ['/example.com/absent/@v/v1.0.0.mod', 404],
      ['/example.com/absent/@v/list', 404],
      ['/example.com/absent/@latest', 404],
      ['/nothing-here', 404],
      ['/example.com/x/@v/%2e%2e.mod', 400],
    ];
    for (const [answer, status] of answers) {
      const reply = await get(answer);
      assert.equal(reply.status, status, answer);
      assert.equal(reply.headers['cache-control'], 'no-store', answer);
    }
    const post = await httpRequest(server.url, MOD, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers['cache-control'], 'no-store');
  });
});

describe('Last-Modified and If-Modified-Since', () => {
  test('a stored file\'s Last-Modified is its modification time, whether from memory or streamed', async () => {
    for (const file of STORED) {
      const { lastModified } = await fileOf(file);
      for (const round of ['first', 'again']) assert.equal((await get(file)).headers['last-modified'], lastModified, `${file} (${round})`);
    }
  });

  test('If-Modified-Since at or after it gets 304 with the validators; before it, or not a date, the file', async () => {
    for (const file of [MOD, BIG_ZIP]) {
      const { bytes, lastModified } = await fileOf(file);
      const seconds = Date.parse(lastModified);
      for (const since of [lastModified, new Date(seconds + 3600_000).toUTCString()]) {
        const reply = await get(file, { 'If-Modified-Since': since });
        assert.equal(reply.status, 304, `${file} since ${since}`);
        assert.equal(reply.body.length, 0);
        assert.equal(reply.headers.etag, `"${sha256Hex(bytes)}"`);
        assert.equal(reply.headers['last-modified'], lastModified);
        assert.equal(reply.headers['cache-control'], IMMUTABLE);
      }
      for (const since of [new Date(seconds - 1000).toUTCString(), 'yesterday']) {
        const reply = await get(file, { 'If-Modified-Since': since });
        assert.equal(reply.status, 200, `${file} since ${since}`);
        assert.ok(reply.body.equals(bytes));
      }
    }
  });

  test('If-None-Match decides when both are sent (RFC 9110 13.2.2)', async () => {
    const { bytes, lastModified } = await fileOf(MOD);
    const reply = await get(MOD, { 'If-None-Match': '"another"', 'If-Modified-Since': lastModified });
    assert.equal(reply.status, 200);
    assert.ok(reply.body.equals(bytes));
  });
});

describe('Range', () => {
  test('stored files say they take byte ranges', async () => {
    for (const file of STORED) assert.equal((await get(file)).headers['accept-ranges'], 'bytes', file);
  });

  test('one byte range gets 206 with Content-Range and just those bytes, from memory or streamed', async () => {
    for (const file of [MOD, SMALL_ZIP, MID_ZIP, MID_ZIP, BIG_ZIP]) {
      const { bytes } = await fileOf(file);
      const size = bytes.length;
      const cases: Array<[string, number, number]> = [
        ['bytes=0-9', 0, 9],
        ['bytes=5-', 5, size - 1],
        ['bytes=-7', size - 7, size - 1],
        [`bytes=3-${size * 10}`, 3, size - 1],
        [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
        ['bytes=-999999999', 0, size - 1],
      ];
      for (const [range, first, last] of cases) {
        const reply = await get(file, { Range: range });
        assert.equal(reply.status, 206, `${file} ${range}`);
        assert.equal(reply.headers['content-range'], `bytes ${first}-${last}/${size}`, `${file} ${range}`);
        assert.equal(reply.headers['content-length'], String(last - first + 1));
        assert.ok(reply.body.equals(bytes.subarray(first, last + 1)), `${file} ${range}`);
        assert.equal(reply.headers.etag, `"${sha256Hex(bytes)}"`);
        assert.equal(reply.headers['cache-control'], IMMUTABLE);
      }
    }
  });

  test('a range past the end gets 416 with the size in Content-Range', async () => {
    for (const file of [MOD, BIG_ZIP]) {
      const size = (await fileOf(file)).bytes.length;
      for (const range of [`bytes=${size}-`, `bytes=${size + 100}-${size + 200}`, 'bytes=-0']) {
        const reply = await get(file, { Range: range });
        assert.equal(reply.status, 416, `${file} ${range}`);
        assert.equal(reply.headers['content-range'], `bytes */${size}`);
        assert.equal(reply.headers['cache-control'], 'no-store');
      }
    }
  });

  test('several ranges, a malformed range or another unit get the whole file', async () => {
    const { bytes } = await fileOf(BIG_ZIP);
    for (const range of ['bytes=0-1,5-6', 'bytes=abc', 'bytes=9-3', 'items=0-1', 'bytes=1-2-3']) {
      const reply = await get(BIG_ZIP, { Range: range });
      assert.equal(reply.status, 200, range);
      assert.ok(reply.complete && reply.body.equals(bytes), range);
    }
  });

  test('If-Range with the ETag or the Last-Modified date gets the range; anything else, the whole file', async () => {
    for (const file of [MOD, BIG_ZIP]) {
      const { bytes, lastModified } = await fileOf(file);
      const etag = `"${sha256Hex(bytes)}"`;
      for (const ifRange of [etag, lastModified]) {
        const reply = await get(file, { Range: 'bytes=1-4', 'If-Range': ifRange });
        assert.equal(reply.status, 206, `${file} If-Range: ${ifRange}`);
        assert.ok(reply.body.equals(bytes.subarray(1, 5)));
      }
      // A weak tag never matches If-Range (strong comparison), nor does another date.
      for (const ifRange of ['"another"', `W/${etag}`, new Date(Date.parse(lastModified) - 1000).toUTCString()]) {
        const reply = await get(file, { Range: 'bytes=1-4', 'If-Range': ifRange });
        assert.equal(reply.status, 200, `${file} If-Range: ${ifRange}`);
        assert.ok(reply.body.equals(bytes));
      }
    }
  });

  test('curl resumes a download cut in half, and -r fetches a part', async () => {
    const { bytes } = await fileOf(BIG_ZIP);
    const partial = path.join(root, 'resumed.zip');
    await writeFile(partial, bytes.subarray(0, 1_000_000));
    await run('curl', ['-sS', '--fail', '-C', '-', '-o', partial, `${server.url}${BIG_ZIP}`]);
    assert.ok((await readFile(partial)).equals(bytes));
    const part = await run('curl', ['-sS', '--fail', '-r', '100-199', '-D', '-', '-o', '/dev/null', `${server.url}${BIG_ZIP}`]);
    assert.match(part.stdout, /^HTTP\/1\.1 206 Partial Content\r$/m);
    assert.match(part.stdout, new RegExp(`^Content-Range: bytes 100-199/${bytes.length}\r$`, 'mi'));
  });
});

describe('HEAD', () => {
  const differs = new Set(['date', 'keep-alive', 'connection']);
  const cases: Array<[string, Record<string, string>]> = [
    [MOD, {}],
    [BIG_ZIP, {}],
    [MID_ZIP, {}],
    [BIG_ZIP, { Range: 'bytes=10-19' }],
    [MOD, { Range: 'bytes=999999-' }],
    [MOD, { 'If-None-Match': '*' }],
    ['/example.com/small/@v/list', {}],
    ['/example.com/small/@latest', {}],
    ['/healthz', {}],
    ['/example.com/absent/@v/v1.0.0.zip', {}],
    ['/example.com/x/@v/%2e%2e.mod', {}],
  ];
  for (const [answer, headers] of cases) {
    test(`HEAD ${answer} ${JSON.stringify(headers)}: the status and headers of GET, Content-Length included, no body`, async () => {
      const getReply = await get(answer, headers);
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      const head = await rawHttp(server.url, `HEAD ${answer} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${lines}\r\n`);
      assert.equal(head.status, getReply.status);
      assert.equal(head.body.length, 0, 'no body bytes on the wire');
      const headHeaders = Object.fromEntries(
        head.head.split('\r\n').slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      for (const [name, value] of Object.entries(getReply.headers)) {
        if (differs.has(name)) continue;
        assert.equal(headHeaders[name], value, `${name} of HEAD ${answer}`);
      }
      if (getReply.status !== 304) assert.ok(headHeaders['content-length'] !== undefined, 'Content-Length');
    });
  }
});
