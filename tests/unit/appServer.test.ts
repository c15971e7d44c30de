import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import WebSocket from 'ws';
import { startAppServer, type RunningAppServer } from '../../electron/core/appServer/appServer';
import { publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

async function startServer(t: TestContext): Promise<{ server: RunningAppServer; cookie: string; root: string }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'modferry-appserver-'));
  const rendererDir = path.join(root, 'renderer');
  await mkdir(rendererDir);
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(path.join(root, 'secret.html'), 'outside the renderer');
  const server = await startAppServer({
    context: { dirs: { data: root, cache: path.join(root, 'cache') }, toolVersion: '1.2.3' },
    rendererDir,
    host: '127.0.0.1',
    port: 0,
    onUnexpected: (error) => assert.fail(`unexpected: ${String(error)}`),
  });
  t.after(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });
  return { server, cookie: `modferry_ui_${server.port}=${server.token}`, root };
}

function get(server: RunningAppServer, target: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(`${server.origin}${target}`, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** The status a WebSocket upgrade is answered with, or 101 and the open socket. */
function connect(server: RunningAppServer, headers: Record<string, string>, target = '/ipc'): Promise<{ status: number; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.origin.replace('http:', 'ws:')}${target}`, { headers });
    socket.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      socket.terminate();
    });
    socket.on('open', () => resolve({ status: 101, socket }));
    socket.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

function nextMessage(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
}

describe('the modferry ui server', () => {
  test('wants the token: the URL sets a cookie and moves it out of the address; without either, 403', async (t) => {
    const { server, cookie } = await startServer(t);
    assert.equal((await get(server, '/')).status, 403);
    assert.equal((await get(server, '/?token=wrong')).status, 403);
    assert.equal((await get(server, '/', { cookie: `modferry_ui_${server.port}=wrong` })).status, 403);
    const entry = await get(server, `/?token=${server.token}&lang=zh`);
    assert.equal(entry.status, 303);
    assert.equal(entry.headers.location, '/?lang=zh');
    assert.deepEqual(entry.headers['set-cookie'], [`${cookie}; Path=/; HttpOnly; SameSite=Strict`]);
    const page = await get(server, '/', { cookie });
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'; script-src 'self';.*connect-src 'self' ws:\/\/127\.0\.0\.1:\d+;.*frame-ancestors 'none'/);
    assert.equal(page.body, '<!doctype html><title>t</title>');
  });

  test('answers only loopback Host names, and nothing outside the renderer folder', async (t) => {
    const { server, cookie } = await startServer(t);
    const rebound = await get(server, '/', { cookie, host: `attacker.example:${server.port}` });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /Host attacker\.example:\d+ is not this machine/);
    assert.equal((await get(server, '/', { cookie, host: `localhost:${server.port}` })).status, 200);
    assert.equal((await get(server, '/../secret.html', { cookie })).status, 404);
    assert.equal((await get(server, '/%2e%2e/secret.html', { cookie })).status, 404);
  });

  test('opens the socket only for its own origin with the token, and answers the contract over it', async (t) => {
    const { server, cookie } = await startServer(t);
    assert.equal((await connect(server, { origin: server.origin })).status, 403);
    assert.equal((await connect(server, { origin: 'http://attacker.example', cookie })).status, 403);
    assert.equal((await connect(server, { cookie })).status, 403, 'no Origin: not a page of this server');
    assert.equal((await connect(server, { origin: server.origin, cookie }, '/elsewhere')).status, 403);

    const { status, socket } = await connect(server, { origin: server.origin, cookie });
    assert.equal(status, 101);
    const ws = socket!;
    t.after(() => ws.terminate());
    ws.send(JSON.stringify({ id: 1, channel: 'app:info', request: {} }));
    assert.deepEqual(await nextMessage(ws), { type: 'reply', id: 1, reply: { ok: true, value: { name: 'ModFerry', version: '1.2.3', platform: process.platform } } });
    ws.send(JSON.stringify({ id: 2, channel: 'import:run', request: { bundleDir: 'b' }, jobId: 'job-0000001' }));
    assert.deepEqual(await nextMessage(ws), {
      type: 'reply',
      id: 2,
      reply: { ok: false, error: { kind: 'usage', message: 'import:run: bundleDir: must be an absolute path (e.g. /home/me/project or C:\\project)' } },
    });

    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.send('{"not": "a call"}');
    assert.deepEqual(await closed, { code: 1008, reason: 'not a call: {"id", "channel", "request", "jobId"?} as JSON text' });
  });

  test('closing the server cancels a running export plan and waits until it has removed what it wrote', async (t) => {
    const { server, cookie, root } = await startServer(t);
    const tree = path.join(root, 'upstream');
    await publishFixtureModule(tree, 'example.com/stalled', [{ version: 'v1.0.0', files: { 'a.go': 'package stalled\n' } }]);
    // The zip stops half-way: the plan is downloading until it is cancelled.
    const upstream = await startFixtureUpstream(tree, { stallFor: (urlPath) => urlPath.endsWith('.zip') });
    t.after(() => upstream.close());
    const outDir = path.join(root, 'out');
    await mkdir(outDir);
    const { socket } = await connect(server, { origin: server.origin, cookie });
    const ws = socket!;
    const downloading = new Promise<void>((resolve) => {
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { type: string; event?: { progress: { stage: string } } };
        if (message.type === 'progress' && message.event?.progress.stage === 'download') resolve();
      });
    });
    ws.send(JSON.stringify({ id: 1, channel: 'export:plan', request: { modules: ['example.com/stalled@v1.0.0'], upstream: upstream.url, outDir }, jobId: 'export-stalled' }));
    await downloading;
    await server.close();
    assert.deepEqual(await readdir(outDir), []);
    assert.deepEqual((await readdir(path.join(root, 'cache'))).filter((name) => name.startsWith('staging-')), []);
  });
});
