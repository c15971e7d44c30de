/**
 * Connection limits: idle sockets cannot crowd out the clients that ask for something. Real sockets
 * on loopback; the many-sockets case runs the server in a process of its own under a low limit of
 * open files, the way a machine with the common default of 1024 runs it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MAX_CONNECTIONS_PER_CLIENT } from '../../electron/core/serve/connectionLimits';
import { startProxyServer, type RunningProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { makeTempDir } from '../support/bundleSources';

/** A zip big enough that a client that does not read keeps its download, and its connection, busy. */
const BIG = { path: 'example.com/big', version: 'v1.0.0', tree: 'example.com/big/@v/v1.0.0.zip', size: 16 * 1024 * 1024 };

let root: string;
let cleanup: () => Promise<void>;
let store: DiskStore;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('serve-connections'));
  store = openStore(path.join(root, 'store'), { mode: 'write' });
  const file = path.join(store.dir, 'tree', ...BIG.tree.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, '');
  await truncate(file, BIG.size);
  store.catalog.recordImport(
    { bundleId: 'mf-20260101-00000000', signer: 'test', createdAt: '2026-01-01T00:00:00Z', importedAt: '2026-01-01T00:00:00Z' },
    [{ path: BIG.tree, modulePath: BIG.path, version: BIG.version, kind: 'zip', size: BIG.size, sha256: createHash('sha256').update(Buffer.alloc(BIG.size)).digest('hex'), h1: `h1:${Buffer.alloc(32).toString('base64')}` }],
  );
});

after(async () => {
  store.close();
  await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A plain TCP connection from a given loopback address (all of 127.0.0.0/8 is this machine), once connected. */
async function idleSocket(url: string, from = '127.0.0.1'): Promise<net.Socket> {
  const socket = net.connect({ port: Number(new URL(url).port), host: '127.0.0.1', localAddress: from });
  socket.on('error', () => {});
  // Reads whatever the server sends (a 408), so the server's end of the connection is seen.
  socket.resume();
  await once(socket, 'connect');
  return socket;
}

function closedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** GET on a new connection from `from`: the status, or the error that ended it. */
function getFrom(url: string, target: string, from = '127.0.0.1'): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: new URL(url).port, path: target, localAddress: from, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A download held open: the response has started, and the client reads nothing more. */
async function busyDownload(url: string, from = '127.0.0.1'): Promise<http.ClientRequest> {
  const req = http.get({ host: '127.0.0.1', port: new URL(url).port, path: `/${BIG.tree}`, localAddress: from, agent: false });
  req.on('error', () => {});
  const [res] = (await once(req, 'response')) as [http.IncomingMessage];
  res.pause();
  return req;
}

describe('1,100 idle connections, under a limit of 1024 open files', () => {
  test('a new client still gets its answer, and the idle ones beyond the per-client cap are closed', { timeout: 60_000 }, async () => {
    const code = `
      const { startProxyServer } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'electron', 'core', 'serve', 'proxyHttpServer'))});
      const { openStore } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'electron', 'core', 'store', 'diskStore'))});
      const store = openStore(process.env.MODFERRY_TEST_STORE, { mode: 'write' });
      startProxyServer({ store, host: '127.0.0.1', port: 0 }).then((server) => {
        console.log(server.url);
        process.stdin.on('end', () => server.close().then(() => store.close()));
        process.stdin.resume();
      });`;
    const child = spawn('sh', ['-c', 'ulimit -n 1024 && exec "$0" "$@"', process.execPath, '--import', 'tsx', '-e', code], {
      env: { ...process.env, MODFERRY_TEST_STORE: store.dir },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const sockets: net.Socket[] = [];
    try {
      const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      for (let i = 0; i < 1100; i++) sockets.push(await idleSocket(url));
      await sleep(200);
      for (const round of [1, 2, 3]) assert.equal(await getFrom(url, '/healthz'), 200, `new client ${round}`);
      assert.equal(await getFrom(url, `/${BIG.tree}`), 200);
      const open = sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
      assert.ok(open <= MAX_CONNECTIONS_PER_CLIENT, `${open} idle connections still open`);
      assert.ok(sockets.slice(-10).every((s) => !s.destroyed), 'the newest idle connections are kept: the oldest go first');
    } finally {
      for (const socket of sockets) socket.destroy();
      child.stdin.end();
      await once(child, 'exit');
    }
  });
});

describe('limits of one server', () => {
  let server: RunningProxyServer | undefined;
  const sockets: net.Socket[] = [];
  const requests: http.ClientRequest[] = [];
  const logLines: string[] = [];
  const start = async (limits: Parameters<typeof startProxyServer>[0]['limits']): Promise<RunningProxyServer> => {
    server = await startProxyServer({ store, host: '127.0.0.1', port: 0, limits, closeGraceMs: 100, log: (line) => logLines.push(line) });
    return server;
  };
  const idle = async (url: string, from?: string): Promise<net.Socket> => {
    const socket = await idleSocket(url, from);
    sockets.push(socket);
    return socket;
  };
  const busy = async (url: string, from?: string): Promise<void> => {
    requests.push(await busyDownload(url, from));
  };

  after(async () => {
    for (const socket of sockets) socket.destroy();
    for (const req of requests) req.destroy();
    await server?.close();
  });

  test('a client over its cap loses its oldest idle connection to the new one', async () => {
    const { url } = await start({ maxConnectionsPerClient: 4 });
    const [oldest, ...rest] = [await idle(url), await idle(url), await idle(url), await idle(url)];
    assert.equal(await getFrom(url, '/healthz'), 200);
    assert.ok(await closedWithin(oldest!, 2000), 'the oldest idle connection was closed');
    assert.ok(rest.every((s) => !s.destroyed && !s.readableEnded), 'the others are kept');
    await server?.close();
  });

  test('a client whose connections are all busy is refused a new one; another client is not', async () => {
    const { url } = await start({ maxConnectionsPerClient: 3 });
    for (let i = 0; i < 3; i++) await busy(url, '127.0.0.2');
    const refused = await getFrom(url, '/healthz', '127.0.0.2');
    assert.notEqual(refused, 200, 'over its cap with nothing idle');
    assert.ok(logLines.includes('connection from 127.0.0.2 refused: its 3 connections (the most one client may hold) are all busy'), logLines.join('\n'));
    assert.equal(await getFrom(url, '/healthz', '127.0.0.3'), 200);
    for (const req of requests.splice(0)) req.destroy();
    await sleep(200);
    assert.equal(await getFrom(url, '/healthz', '127.0.0.2'), 200, 'served again once its downloads ended');
    await server?.close();
  });

  test('at the cap on all connections, the oldest idle one of any client makes room', async () => {
    const { url } = await start({ maxConnections: 5, maxConnectionsPerClient: 5 });
    const first = await idle(url, '127.0.0.4');
    await idle(url, '127.0.0.5');
    await busy(url, '127.0.0.6');
    await busy(url, '127.0.0.6');
    await idle(url, '127.0.0.7');
    assert.equal(await getFrom(url, '/healthz', '127.0.0.8'), 200);
    assert.ok(await closedWithin(first, 2000), 'the oldest idle connection made room');
    await server?.close();
  });

  test('at the cap with every connection busy, a new one is refused and the busy ones carry on', async () => {
    const { url } = await start({ maxConnections: 2, maxConnectionsPerClient: 5 });
    await busy(url, '127.0.0.9');
    await busy(url, '127.0.0.10');
    assert.notEqual(await getFrom(url, '/healthz', '127.0.0.11'), 200);
    assert.ok(logLines.includes('connection from 127.0.0.11 refused: all 2 connections (the most this server holds) are busy'), logLines.join('\n'));
    assert.ok(requests.every((req) => !req.destroyed && !req.socket?.destroyed), 'downloads in flight are not cut');
    for (const req of requests.splice(0)) req.destroy();
    await server?.close();
  });

  test('a client that sends half a request head is disconnected after the header timeout', async () => {
    const { url } = await start({ headersTimeoutMs: 300 });
    const socket = await idle(url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const started = Date.now();
    assert.ok(await closedWithin(socket, 5000), 'closed');
    assert.ok(Date.now() - started < 3000, `closed after ${Date.now() - started} ms`);
    await server?.close();
  });

  test('a connection that never sends anything is closed after the header timeout too', async () => {
    const { url } = await start({ headersTimeoutMs: 300 });
    const socket = await idle(url);
    assert.ok(await closedWithin(socket, 5000));
    await server?.close();
  });

  test('a kept-alive connection is closed once idle for the keep-alive timeout, not before', async () => {
    const { url } = await start({ keepAliveTimeoutMs: 600 });
    // A raw socket: Node's own client agent closes kept-alive sockets early on the server's timeout hint.
    const socket = await idle(url);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await once(socket, 'data');
    assert.equal(await closedWithin(socket, 200), false, 'kept open while within the timeout');
    assert.ok(await closedWithin(socket, 3000), 'closed by the server');
    await server?.close();
  });
});
