import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { launchChromium, type Browser } from '../support/chromium';
import { publishFixtureModule, startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { httpRequest } from '../support/httpRequests';
import { startUi, type RunningUi } from '../support/uiProcess';

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
  async function openApp(): Promise<{ page: Page; errors: string[]; progressFrames: string[] }> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    const progressFrames: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        const message = JSON.parse(payload.toString()) as { type: string; event?: { progress: { stage: string } } };
        if (message.type === 'progress' && message.event) progressFrames.push(message.event.progress.stage);
      });
    });
    await page.goto(ui.url);
    await page.getByTestId('version').waitFor();
    await page.getByTestId('nav-export').click();
    return { page, errors, progressFrames };
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

  test('an export runs to a folder with live progress and shows the bundle', async () => {
    const outDir = path.join(root, 'out-done');
    await mkdir(outDir);
    const { page, errors, progressFrames } = await openApp();
    await fillExport(page, quickProject, quick.url, outDir);
    await page.getByRole('button', { name: 'Export' }).click();
    await page.getByTestId('progress').waitFor();
    await page.screenshot({ path: path.join(screenshots, 'export-running.png') });
    await page.getByTestId('result').waitFor({ timeout: 120_000 });
    await page.screenshot({ path: path.join(screenshots, 'export-done.png') });

    assert.ok(progressFrames.length >= 3, `several progress updates, got ${progressFrames.length}: ${progressFrames.join(', ')}`);
    assert.ok(new Set(progressFrames).has('download'), `the download reported progress: ${progressFrames.join(', ')}`);
    const [bundle, ...others] = await readdir(outDir);
    assert.equal(others.length, 0);
    const manifest = JSON.parse(await readFile(path.join(outDir, bundle!, 'manifest.json'), 'utf8')) as { bundleId: string; entries: unknown[] };
    assert.equal(await page.getByTestId('result-bundle-id').innerText(), manifest.bundleId);
    assert.match(await page.getByTestId('result-files').innerText(), new RegExp(`^${manifest.entries.length} files, `));
    assert.match(await page.getByTestId('result-signer').innerText(), /^SHA256:\S{20,}$/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('cancel mid-download stops the export and leaves nothing behind', async () => {
    const outDir = path.join(root, 'out-cancelled');
    await mkdir(outDir);
    const { page, errors } = await openApp();
    await fillExport(page, stallingProject, stalling.url, outDir);
    await page.getByRole('button', { name: 'Export' }).click();
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
    await page.getByRole('button', { name: 'Export' }).click();
    const shown = page.getByTestId('error');
    await shown.waitFor();
    assert.equal(await shown.getAttribute('data-kind'), 'usage');
    assert.match(await shown.innerText(), /export:run: outDir: must be an absolute path/);
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
    await page.getByRole('button', { name: 'Export' }).click();
    const shown = page.getByTestId('error');
    await shown.waitFor();
    assert.equal(await shown.getAttribute('data-kind'), 'input');
    assert.equal(await shown.locator('[data-field="file"] dd').innerText(), missing);
    await page.screenshot({ path: path.join(screenshots, 'export-failed.png') });
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
