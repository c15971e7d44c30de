import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UpstreamError, createUpstreamClient, type UpstreamClient, type UpstreamClientOptions } from '../../electron/core/upstream/upstreamClient';

const MOD = 'example.com/m';
const MOD_FILE = `/${MOD}/@v/v1.0.0.mod`;
const MOD_BODY = 'module example.com/m\n';
const SIGNED = '/blob?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0123abcd%2Fef&X-Amz-Expires=60';

interface Seen {
  url: string;
  authorization: string | undefined;
}

interface Server {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  seen: Seen[];
}

let work: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'modferry-redirects-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(work, { recursive: true, force: true });
});

/** A server on 127.0.0.1 that records each request line and Authorization header, then lets handle answer. */
async function server(handle: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<Server> {
  const seen: Seen[] = [];
  const created = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handle(req, res);
  });
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => {
    created.closeAllConnections();
    return new Promise<void>((resolve) => created.close(() => resolve()));
  });
  const { port } = created.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, seen };
}

/** Serves the .mod only at the signed URL, exactly as signed: a CDN refuses a request without its query. */
function signedBlob(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.url !== SIGNED) return false;
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.end(MOD_BODY);
  return true;
}

function answer(res: http.ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

function redirect(res: http.ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location });
  res.end();
}

function client(goproxy: string, options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const created = createUpstreamClient({
    goproxy,
    cacheDir: path.join(work, 'cache'),
    retryBaseDelayMs: 5,
    timeoutMs: 2000,
    netrcFile: path.join(work, 'no-netrc'),
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

async function fetchedMod(c: UpstreamClient): Promise<string> {
  return readFile((await c.fetch(MOD, 'v1.0.0', 'mod')).file, 'utf8');
}

describe('upstream redirects', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    test(`a ${status} to a relative Location keeps its query string`, async () => {
      const proxy = await server((req, res) => {
        if (!signedBlob(req, res)) redirect(res, status, SIGNED);
      });
      assert.equal(await fetchedMod(client(proxy.url)), MOD_BODY);
      assert.deepEqual(proxy.seen.map((s) => s.url), [MOD_FILE, SIGNED]);
    });
  }

  test('an absolute Location on another host keeps its query string', async () => {
    const cdn = await server((req, res) => {
      if (!signedBlob(req, res)) answer(res, 404);
    });
    const proxy = await server((_req, res) => redirect(res, 302, `http://localhost:${cdn.port}${SIGNED}`));
    assert.equal(await fetchedMod(client(proxy.url)), MOD_BODY);
    assert.deepEqual(cdn.seen.map((s) => s.url), [SIGNED]);
  });

  test('a Location relative to the path (no leading slash) is resolved against the request URL', async () => {
    const proxy = await server((req, res) => {
      if (req.url === `/${MOD}/@v/blob?sig=a%20b`) res.end(MOD_BODY);
      else redirect(res, 302, 'blob?sig=a%20b');
    });
    assert.equal(await fetchedMod(client(proxy.url)), MOD_BODY);
  });

  test('ten redirects are followed; the eleventh is refused, with no further request', async () => {
    const proxy = await server((req, res) => {
      const hop = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('hop') ?? '0');
      redirect(res, 302, `/loop?hop=${hop + 1}`);
    });
    await assert.rejects(client(proxy.url).fetch(MOD, 'v1.0.0', 'mod'), (err: Error) => {
      assert.ok(err instanceof UpstreamError, String(err));
      assert.match(err.reason, /stopped after 10 redirects/);
      return true;
    });
    assert.equal(proxy.seen.length, 11);
    assert.equal(proxy.seen.at(-1)?.url, '/loop?hop=10');
  });

  test('a chain of ten redirects succeeds', async () => {
    const proxy = await server((req, res) => {
      const hop = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('hop') ?? '0');
      if (hop === 10) res.end(MOD_BODY);
      else redirect(res, 307, `/loop?hop=${hop + 1}`);
    });
    assert.equal(await fetchedMod(client(proxy.url)), MOD_BODY);
    assert.equal(proxy.seen.length, 11);
  });
});

describe('upstream redirects: credentials stay with their host', () => {
  const login = 'ferry';
  const password = 's3cret';
  const basic = `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

  test('.netrc credentials go to the proxy host and its own redirects, never to the host it redirects to', async () => {
    const cdn = await server((req, res) => {
      if (!signedBlob(req, res)) answer(res, 404);
    });
    const proxy = await server((req, res) => {
      if (req.headers.authorization !== basic) answer(res, 401);
      else if (req.url === MOD_FILE) redirect(res, 302, '/moved');
      else redirect(res, 302, `http://localhost:${cdn.port}${SIGNED}`);
    });
    const netrcFile = path.join(work, 'netrc');
    await writeFile(netrcFile, `machine 127.0.0.1 login ${login} password ${password}\n`);
    assert.equal(await fetchedMod(client(proxy.url, { netrcFile })), MOD_BODY);
    assert.deepEqual(proxy.seen, [
      { url: MOD_FILE, authorization: basic },
      { url: '/moved', authorization: basic },
    ]);
    assert.deepEqual(cdn.seen, [{ url: SIGNED, authorization: undefined }]);
  });

  test('credentials written in the proxy URL are not sent to the host it redirects to', async () => {
    const cdn = await server((req, res) => {
      if (!signedBlob(req, res)) answer(res, 404);
    });
    const proxy = await server((_req, res) => redirect(res, 302, `http://localhost:${cdn.port}${SIGNED}`));
    const withUser = proxy.url.replace('http://', `http://${login}:${password}@`);
    assert.equal(await fetchedMod(client(withUser)), MOD_BODY);
    assert.deepEqual(proxy.seen, [{ url: MOD_FILE, authorization: basic }]);
    assert.deepEqual(cdn.seen, [{ url: SIGNED, authorization: undefined }]);
  });

  test('credentials of the proxy URL are not sent again after the chain has left its host', async () => {
    let first = true;
    const other = await server((_req, res) => redirect(res, 302, `${proxyUrl()}${SIGNED}`));
    const proxy = await server((req, res) => {
      if (signedBlob(req, res)) return;
      if (first) {
        first = false;
        redirect(res, 302, `http://localhost:${other.port}/bounce`);
      } else {
        answer(res, 404);
      }
    });
    function proxyUrl(): string {
      return proxy.url;
    }
    const withUser = proxy.url.replace('http://', `http://${login}:${password}@`);
    assert.equal(await fetchedMod(client(withUser)), MOD_BODY);
    assert.deepEqual(proxy.seen, [
      { url: MOD_FILE, authorization: basic },
      { url: SIGNED, authorization: undefined },
    ]);
    assert.deepEqual(other.seen, [{ url: '/bounce', authorization: undefined }]);
  });
});
