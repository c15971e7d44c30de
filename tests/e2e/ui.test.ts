import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchChromium, type Browser } from '../support/chromium';
import { publishFixtureModule, startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { testSigningKey } from '../support/bundleSources';
import { httpRequest } from '../support/httpRequests';
import { makeBundle } from '../support/storeFixtures';
import { startUi, type RunningUi } from '../support/uiProcess';

const cli = path.join(__dirname, '..', '..', 'bin', 'modferry.js');

interface SocketMessage {
  type: 'reply' | 'progress';
  id?: number;
  reply?: { ok: boolean; value?: unknown; error?: { kind: string; message: string } };
  event?: { jobId: string; channel: string; progress: unknown };
}

const screenshots = path.join(__dirname, 'screenshots');
const DEPENDENCIES = 8;

describe('modferry ui, driven in Chromium', () => {
  let root: string;
  let quickProject: string;
  let stallingProject: string;
  let home: string;
  let quick: FixtureUpstream;
  let stalling: FixtureUpstream;
  let ui: RunningUi;
  let browser: Browser;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'modferry-e2e-'));
    const quickFixture = await fixtureProject(root, 'quick');
    quickProject = quickFixture.project;
    quick = await startFixtureUpstream(quickFixture.tree, { latencyMs: 150 });
    // Other modules than the quick one's, which the download cache holds once exported. Every zip
    // stops half-way, so the download is under way when Cancel is clicked, and only the cancel ends it.
    const stallingFixture = await fixtureProject(root, 'stalling');
    stallingProject = stallingFixture.project;
    stalling = await startFixtureUpstream(stallingFixture.tree, { stallFor: (urlPath) => urlPath.endsWith('.zip') });
    home = path.join(root, 'home');
    ui = await startUi({ ...process.env, MODFERRY_HOME: home });
    await mkdir(screenshots, { recursive: true });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    const code = await ui?.stop();
    await quick?.close();
    await stalling?.close();
    await rm(root, { recursive: true, force: true });
    assert.equal(code, 0, `modferry ui should stop cleanly on SIGTERM: ${ui?.stderr()}`);
  });

  /** The app in a new tab, with every console error and uncaught page error kept. */
  async function openApp(): Promise<{ page: Page; errors: string[]; progressFrames: Array<{ channel: string; stage: string }>; replies: unknown[] }> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    const progressFrames: Array<{ channel: string; stage: string }> = [];
    const replies: unknown[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        const message = JSON.parse(payload.toString()) as SocketMessage;
        if (message.type === 'progress' && message.event) progressFrames.push({ channel: message.event.channel, stage: (message.event.progress as { stage: string }).stage });
        if (message.type === 'reply' && message.reply?.ok) replies.push(message.reply.value);
      });
    });
    await page.goto(ui.url);
    await page.getByTestId('version').waitFor();
    await page.getByTestId('nav-export').click();
    return { page, errors, progressFrames, replies };
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

  async function fillExport(page: Page, project: string, upstream: string, outDir: string): Promise<void> {
    await page.getByLabel('Project folder').fill(project);
    await page.getByLabel('Upstream (GOPROXY)').fill(upstream);
    await page.getByLabel('Write the bundle into').fill(outDir);
    // The go proof is the CLI's and the integration tests' to show; here the shell around it is tested.
    await page.getByLabel('Prove the bundle with the go command').uncheck();
  }

  test('the page loads without console errors, and the token has left the address bar', async () => {
    const { page, errors } = await openApp();
    assert.match(await page.getByTestId('version').innerText(), /^Version \d+\.\d+\.\d+ on linux$/);
    assert.equal(new URL(page.url()).searchParams.has('token'), false);
    await page.screenshot({ path: path.join(screenshots, 'ui-loaded.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a plan for the project shows its modules; the export of that plan runs to a folder with live progress and verifies', async () => {
    const outDir = path.join(root, 'out-done');
    await mkdir(outDir);
    const { page, errors, progressFrames, replies } = await openApp();
    await fillExport(page, quickProject, quick.url, outDir);
    await page.getByRole('button', { name: 'Plan' }).click();
    await page.getByTestId('progress').waitFor();
    await page.getByTestId('plan').waitFor({ timeout: 120_000 });
    await page.screenshot({ path: path.join(screenshots, 'export-planned.png') });

    const plan = replies.find((value): value is { id: string; modules: Array<{ path: string; version: string }> } => typeof value === 'object' && value !== null && 'modules' in value);
    assert.ok(plan, 'the page got the plan');
    const shown = await page.getByTestId('plan-module-path').allInnerTexts();
    assert.deepEqual(shown, plan.modules.map((m) => m.path));
    assert.deepEqual([...shown].sort(), Array.from({ length: DEPENDENCIES }, (_, i) => `example.com/quick/dep${i}`));
    assert.deepEqual(await page.getByTestId('plan-module-version').allInnerTexts(), plan.modules.map((m) => m.version));
    assert.match(await page.getByTestId('plan-totals').innerText(), new RegExp(`^Ships ${DEPENDENCIES} module versions, `));
    assert.deepEqual(await readdir(outDir), [], 'planning writes nothing to the destination');
    const planFrames = progressFrames.filter((f) => f.channel === 'export:plan');
    assert.ok(planFrames.length >= 3, `several progress updates while planning, got ${planFrames.map((f) => f.stage).join(', ')}`);
    assert.ok(planFrames.some((f) => f.stage === 'download'), `the plan's download reported progress: ${planFrames.map((f) => f.stage).join(', ')}`);

    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByTestId('result').waitFor({ timeout: 120_000 });
    await page.screenshot({ path: path.join(screenshots, 'export-done.png') });
    // The files are in the download cache by now: the run of a small plan reports little before it is done.
    const runFrames = progressFrames.filter((f) => f.channel === 'export:run');
    assert.ok(runFrames.length >= 1, 'the run reported progress');
    const [bundle, ...others] = await readdir(outDir);
    assert.equal(others.length, 0);
    const bundleDir = path.join(outDir, bundle!);
    const manifest = JSON.parse(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8')) as { bundleId: string; entries: Array<{ path: string }> };
    assert.equal(await page.getByTestId('result-bundle-id').innerText(), manifest.bundleId);
    assert.match(await page.getByTestId('result-files').innerText(), new RegExp(`^${manifest.entries.length} files, `));
    assert.match(await page.getByTestId('result-signer').innerText(), /^SHA256:\S{20,}$/);
    // The bundle carries exactly the plan's module versions.
    const zips = manifest.entries.map((e) => e.path).filter((p) => p.endsWith('.zip')).sort();
    assert.deepEqual(zips, plan.modules.map((m) => `${m.path}/@v/${m.version}.zip`).sort());

    const verified = await runCli(['verify', bundleDir, '--trust-new-key'], { ...process.env, MODFERRY_HOME: home });
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, new RegExp(manifest.bundleId));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('cancel mid-download stops the export and leaves nothing behind', async () => {
    const outDir = path.join(root, 'out-cancelled');
    await mkdir(outDir);
    const { page, errors } = await openApp();
    await fillExport(page, stallingProject, stalling.url, outDir);
    // Planning downloads into the cache (so the run does not fetch twice): that is where the download stalls.
    await page.getByRole('button', { name: 'Plan' }).click();
    await page.locator('[data-testid="progress"][data-stage="download"]').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(screenshots, 'export-downloading.png') });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('cancelled').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, 'export-cancelled.png') });

    assert.equal(await page.getByTestId('error').getAttribute('data-kind'), 'interrupted');
    assert.deepEqual(await readdir(outDir), []);
    const cache = await readdir(path.join(home, 'cache'));
    assert.deepEqual(cache.filter((name) => name.startsWith('staging-')), [], `no staging folder left in ${cache.join(', ')}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a bad payload is refused with a message naming the field, from the form and from a raw socket', async () => {
    const { page, errors } = await openApp();
    await fillExport(page, quickProject, quick.url, 'bundles');
    await page.getByRole('button', { name: 'Plan' }).click();
    const shown = page.getByTestId('error');
    await shown.waitFor();
    assert.equal(await shown.getAttribute('data-kind'), 'usage');
    assert.match(await shown.innerText(), /export:plan: outDir: must be an absolute path/);
    await page.screenshot({ path: path.join(screenshots, 'export-refused.png') });

    // Sent from the page, as a script in it could: the server checks it against the contract all the same.
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

  test('a failure in the core is shown with the fields that say where it lies', async () => {
    const { page, errors } = await openApp();
    const missing = path.join(root, 'no-such-project');
    await fillExport(page, missing, quick.url, root);
    await page.getByRole('button', { name: 'Plan' }).click();
    const shown = page.getByTestId('error');
    await shown.waitFor();
    assert.equal(await shown.getAttribute('data-kind'), 'input');
    assert.equal(await shown.locator('[data-field="file"] dd').innerText(), missing);
    await page.screenshot({ path: path.join(screenshots, 'export-failed.png') });
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

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

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

/** A project requiring modules of its own, published in a GOPROXY tree of its own. */
async function fixtureProject(root: string, name: string): Promise<{ tree: string; project: string }> {
  const tree = path.join(root, `${name}-upstream`);
  const requires: string[] = [];
  for (let i = 0; i < DEPENDENCIES; i++) {
    // Incompressible bytes, so the download has bytes to count.
    const filler = `package dep${i}\n\n// ${randomBytes(96 * 1024).toString('base64')}\n`;
    await publishFixtureModule(tree, `example.com/${name}/dep${i}`, [{ version: 'v1.0.0', files: { 'dep.go': filler } }]);
    requires.push(`\texample.com/${name}/dep${i} v1.0.0`);
  }
  const project = path.join(root, `${name}-project`);
  await mkdir(project);
  await writeFile(path.join(project, 'go.mod'), `module example.com/${name}app\n\ngo 1.19\n\nrequire (\n${requires.join('\n')}\n)\n`);
  return { tree, project };
}
