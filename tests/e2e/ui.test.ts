import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchChromium, type Browser } from '../support/chromium';
import { testSigningKey } from '../support/bundleSources';
import { httpRequest } from '../support/httpRequests';
import { makeBundle } from '../support/storeFixtures';
import { startUi, type RunningUi } from '../support/uiProcess';

interface SocketMessage {
  type: 'reply' | 'progress';
  id?: number;
  reply?: { ok: boolean; value?: unknown; error?: { kind: string; message: string } };
  event?: { jobId: string; channel: string; progress: unknown };
}

const screenshots = path.join(__dirname, 'screenshots');

// The export wizard's own tests (plan, review, run, verify, cancel, failures shown) are in exportWizard.test.ts.
describe('modferry ui, driven in Chromium', () => {
  let root: string;
  let home: string;
  let ui: RunningUi;
  let browser: Browser;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'modferry-e2e-'));
    home = path.join(root, 'home');
    ui = await startUi({ ...process.env, MODFERRY_HOME: home });
    await mkdir(screenshots, { recursive: true });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    const code = await ui?.stop();
    await rm(root, { recursive: true, force: true });
    assert.equal(code, 0, `modferry ui should stop cleanly on SIGTERM: ${ui?.stderr()}`);
  });

  /** The app in a new tab, with every console error and uncaught page error kept. */
  async function openApp(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.url);
    await page.getByTestId('version').waitFor();
    await page.getByTestId('nav-export').click();
    return { page, errors };
  }

  /** A socket of the page's own, as a script in it would open: calls go out, every message is kept in the page. */
  async function openPageSocket(page: Page): Promise<{ call(channel: string, request: unknown, jobId?: string): Promise<number>; messages(): Promise<SocketMessage[]> }> {
    await page.evaluate(`(() => {
      const socket = new WebSocket('ws://' + location.host + '/ipc');
      const messages = [];
      socket.addEventListener('message', (event) => messages.push(JSON.parse(String(event.data))));
      const opened = new Promise((resolve) => socket.addEventListener('open', resolve));
      let next = 100;
      window.testSocket = { messages, call: async (channel, request, jobId) => { await opened; const id = next++; socket.send(JSON.stringify({ id, channel, request, jobId })); return id; } };
    })()`);
    return {
      call: (channel, request, jobId) => page.evaluate(`window.testSocket.call(${JSON.stringify(channel)}, ${JSON.stringify(request)}, ${JSON.stringify(jobId)})`) as Promise<number>,
      messages: () => page.evaluate('window.testSocket.messages') as Promise<SocketMessage[]>,
    };
  }

  async function replyTo(socket: { messages(): Promise<SocketMessage[]> }, id: number, timeoutMs = 30_000): Promise<NonNullable<SocketMessage['reply']>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const reply = (await socket.messages()).find((m) => m.type === 'reply' && m.id === id)?.reply;
      if (reply !== undefined) return reply;
      if (Date.now() > end) assert.fail(`no reply to call ${id} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  test('the page loads without console errors, and the token has left the address bar', async () => {
    const { page, errors } = await openApp();
    assert.match(await page.getByTestId('version').innerText(), /^Version \d+\.\d+\.\d+ on linux$/);
    assert.equal(new URL(page.url()).searchParams.has('token'), false);
    await page.screenshot({ path: path.join(screenshots, 'ui-loaded.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a bad payload from a script in the page is refused with a message naming the field', async () => {
    const { page, errors } = await openApp();
    // The wizard sends only absolute paths; a script in the page could send anything, and the server checks it against the contract.
    const reply = (await page.evaluate(`(async () => {
      const socket = new WebSocket('ws://' + location.host + '/ipc');
      await new Promise((resolve) => socket.addEventListener('open', resolve));
      const answer = new Promise((resolve) => socket.addEventListener('message', (event) => resolve(String(event.data))));
      socket.send(JSON.stringify({ id: 7, channel: 'verify:run', request: { bundleDir: 42 }, jobId: 'abcdefgh12' }));
      const text = await answer;
      socket.close();
      return JSON.parse(text);
    })()`)) as { id: number; reply: { ok: boolean; error?: { kind: string; message: string } } };
    assert.equal(reply.id, 7);
    assert.equal(reply.reply.ok, false);
    assert.equal(reply.reply.error?.kind, 'usage');
    assert.match(reply.reply.error?.message ?? '', /^verify:run: bundleDir: Invalid input: expected string, received number$/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("drives:list answers over the socket with this machine's drives, virtual ones held back", async () => {
    const { page, errors } = await openApp();
    const socket = await openPageSocket(page);
    const all = await replyTo(socket, await socket.call('drives:list', { all: true }));
    const offered = await replyTo(socket, await socket.call('drives:list', {}));
    assert.ok(all.ok && offered.ok, JSON.stringify([all, offered]));
    const drives = all.value as Array<Record<string, unknown> & { device: string; offered: boolean; heldBack?: string; mounts: unknown[] }>;
    for (const drive of drives) {
      for (const field of ['label', 'description', 'busType']) assert.equal(typeof drive[field], 'string', `${drive.device}: ${field}`);
      for (const field of ['removable', 'usb', 'virtual', 'system', 'readOnly', 'offered']) assert.equal(typeof drive[field], 'boolean', `${drive.device}: ${field}`);
      assert.ok(Array.isArray(drive.mounts));
      assert.equal(drive.offered, drive.heldBack === undefined, drive.device);
      if (drive.device.includes('zram')) assert.equal(drive.heldBack, 'virtual', `${drive.device} is a RAM disk`);
    }
    assert.deepEqual((offered.value as Array<{ device: string }>).map((d) => d.device), drives.filter((d) => d.offered).map((d) => d.device));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('serve:run from the page serves the store: each request reaches the page, and serve:stop closes the port', async () => {
    const { page, errors } = await openApp();
    const socket = await openPageSocket(page);
    const signer = testSigningKey();
    const bundle = await makeBundle(root, [{ path: 'example.com/served', version: 'v1.0.0', files: { 'served.go': 'package served\n' } }], signer);
    const imported = await replyTo(socket, await socket.call('import:run', { bundleDir: bundle.bundleDir, trustSigner: signer.fingerprint }, 'import-serve-1'));
    assert.ok(imported.ok, JSON.stringify(imported));

    const serving = await socket.call('serve:run', { listen: { host: '127.0.0.1', port: 0 } }, 'serve-from-page');
    const events = async (): Promise<Array<{ type: string; url?: string; target?: string; status?: number; module?: string }>> =>
      (await socket.messages()).flatMap((m) => (m.type === 'progress' && m.event?.jobId === 'serve-from-page' ? (m.event.progress as Array<{ type: string }>) : []));
    let url: string | undefined;
    for (let tries = 0; url === undefined && tries < 200; tries++) {
      url = (await events()).find((e) => e.type === 'listening')?.url;
      if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(url, 'the page heard the proxy listen');
    const mod = await httpRequest(url, '/example.com/served/@v/v1.0.0.mod');
    assert.equal(mod.status, 200);
    const missing = await httpRequest(url, '/example.com/absent/@v/list');
    assert.equal(missing.status, 404);
    let requests: Array<{ target?: string; status?: number; module?: string }> = [];
    for (let tries = 0; requests.length < 2 && tries < 200; tries++) {
      requests = (await events()).filter((e) => e.type === 'request');
      if (requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(requests.map((r) => [r.target, r.status, r.module]), [
      ['/example.com/served/@v/v1.0.0.mod', 200, 'example.com/served'],
      ['/example.com/absent/@v/list', 404, 'example.com/absent'],
    ]);

    const stopped = await replyTo(socket, await socket.call('serve:stop', {}));
    assert.deepEqual(stopped, { ok: true, value: { stopped: true } });
    assert.equal(await connects(Number(new URL(url).port)), false, 'the port is closed');
    const ended = await replyTo(socket, serving);
    assert.ok(ended.ok, JSON.stringify(ended));
    assert.deepEqual(ended.value, { requests: 2, misses: 1, inFlight: 0 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('without the token, pages and the socket get 403', async () => {
    for (const target of ['/', '/renderer.js', '/index.html']) {
      const response = await fetch(`${ui.origin}${target}`);
      assert.equal(response.status, 403, target);
      assert.match(await response.text(), /needs the token/);
    }
    const wrongToken = await fetch(`${ui.origin}/?token=not-the-token`);
    assert.equal(wrongToken.status, 403);

    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${ui.origin.replace('http:', 'ws:')}/ipc`, { origin: ui.origin });
      socket.on('unexpected-response', (_request, response) => {
        resolve(response.statusCode ?? 0);
        socket.terminate();
      });
      socket.on('open', () => reject(new Error('the socket opened without the token')));
      socket.on('error', () => undefined);
    });
    assert.equal(status, 403);
  });
});

describe('modferry ui beyond loopback', () => {
  test('listens on every interface only when asked, with a warning, and still wants the token', async (t) => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'modferry-e2e-lan-'));
    t.after(() => rm(home, { recursive: true, force: true }));
    const lan = await startUi({ ...process.env, MODFERRY_HOME: home }, ['--listen', '0.0.0.0:0']);
    try {
      assert.match(lan.stderr(), /warning: listening beyond this machine/);
      const port = new URL(lan.url).port;
      const token = new URL(lan.url).searchParams.get('token') ?? '';
      // Another machine names this one by its LAN address or name: the Host check is loopback's alone.
      const base = `http://127.0.0.1:${port}`;
      const host = `buildbox.lan:${port}`;
      assert.equal((await httpRequest(base, `/?token=${token}`, { headers: { host } })).status, 303);
      assert.equal((await httpRequest(base, '/', { headers: { host } })).status, 403);
    } finally {
      assert.equal(await lan.stop(), 0);
    }
  });
});

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
