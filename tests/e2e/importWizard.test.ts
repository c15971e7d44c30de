import assert from 'node:assert/strict';
import { untilPage } from '../support/until';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { graveAxeViolations } from '../support/axeScan';
import { runBuiltCli } from '../support/builtCli';
import { launchChromium } from '../support/chromium';
import { debianGoproxyFixture, type GoproxyFixture } from '../support/debianFixture';
import { startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';
import { goProgram } from '../support/goProgramFixture';
import { httpRequest } from '../support/httpRequests';
import { startUi, type RunningUi } from '../support/uiProcess';
import { assertFramesShort, watchFrames } from '../support/frameTiming';

const screenshots = path.join(__dirname, 'screenshots');
const PROGRAM_MODULES = ['github.com/google/uuid', 'github.com/pkg/errors'];
const MISSING = 'some.example/missing';
const ONLINE_ONLY = 'github.com/BurntSushi/toml';
const BURST = 1500;
const LOG_CAP = 1000;
const FOLLOWING_ROWS = 200;


interface Manifest {
  bundleId: string;
  volumes: Array<{ name: string }>;
  entries: Array<{ path: string; volume: number }>;
}

/** What each language shows where the test reads text rather than test ids. */
const LANGUAGES = [
  {
    code: 'en',
    locale: 'en-US',
    title: 'Import and serve',
    trustTitle: 'Trust this key?',
    verified: 'Verified: every volume and every file matches the signed manifest.',
    imported: 'Imported.',
    notTrusted: 'Not trusted yet',
    verifyFailed: 'The bundle did not verify. Nothing was imported.',
    declined: 'You did not trust the signer’s key. Nothing was imported.',
    serving: /^Serving at http:\/\/127\.0\.0\.1:\d+$/,
  },
  {
    code: 'zh',
    locale: 'zh-CN',
    title: '导入与服务',
    trustTitle: '信任这个密钥吗？',
    verified: '校验通过：每个分卷和每个文件都与已签名的清单一致。',
    imported: '已导入。',
    notTrusted: '尚未信任',
    verifyFailed: '模块包未通过校验，没有导入任何内容。',
    declined: '你没有信任签名者的密钥，没有导入任何内容。',
    serving: /^正在 http:\/\/127\.0\.0\.1:\d+ 提供服务$/,
  },
] as const;

describe('the import wizard in Chromium: find, verify, import, serve, in English and Chinese', () => {
  let root: string;
  let upstream: FixtureUpstream;
  let onlineHome: string;
  let drive: string;
  let damagedDrive: string;
  let partialDrive: string;
  let bundleDir: string;
  let manifest: Manifest;
  let fingerprint: string;
  let damaged: { volume: string; entry: string };
  let fixture: GoproxyFixture;
  /** path@version of a module the upstream has and the bundle does not carry. */
  let onlineOnly: string;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'modferry-e2e-import-'));
    await mkdir(screenshots, { recursive: true });
    fixture = await debianGoproxyFixture();
    const toml = fixture.modules.find((m) => m.path === ONLINE_ONLY);
    assert.ok(toml, `the Debian fixture has ${ONLINE_ONLY}`);
    onlineOnly = `${toml.path}@${toml.version}`;
    upstream = await startFixtureUpstream(fixture.dir);
    onlineHome = path.join(root, 'online');
    const online = { ...process.env, MODFERRY_HOME: onlineHome };
    const generated = await runBuiltCli(['keys', 'generate'], online);
    assert.equal(generated.code, 0, generated.stderr);
    fingerprint = /^Fingerprint: (SHA256:\S+)$/m.exec(generated.stdout)?.[1] ?? assert.fail(generated.stdout);

    // The online side: the built CLI exports what the fixture program needs to a folder standing for the drive.
    const project = await goProgram(fixture, root, 'uuid', PROGRAM_MODULES);
    drive = path.join(root, 'drive');
    await mkdir(drive);
    const exported = await runBuiltCli(['export', '--project', project, '--upstream', upstream.url, '--out', drive, '--no-check'], online);
    assert.equal(exported.code, 0, exported.stderr);
    const [bundleName] = await readdir(drive);
    bundleDir = path.join(drive, bundleName!);
    manifest = JSON.parse(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8')) as Manifest;

    // The same bundle on another drive, one byte of one file flipped inside its volume.
    damagedDrive = path.join(root, 'damaged-drive');
    await cp(bundleDir, path.join(damagedDrive, bundleName!), { recursive: true });
    const entry = manifest.entries.find((e) => e.path.startsWith('github.com/google/uuid/@v/') && e.path.endsWith('.info'));
    assert.ok(entry, 'the bundle carries the uuid module');
    const volume = manifest.volumes[entry.volume - 1]!.name;
    const volumeFile = path.join(damagedDrive, bundleName!, volume);
    const bytes = await readFile(volumeFile);
    const version = /@v\/(.+)\.info$/.exec(entry.path)![1]!;
    const at = bytes.indexOf(`"Version":"${version}"`) + 3;
    assert.ok(at > 3);
    bytes[at] = (bytes[at] ?? 0) ^ 0x20;
    await writeFile(volumeFile, bytes);
    damaged = { volume, entry: entry.path };

    // And on a third, without its volume.
    partialDrive = path.join(root, 'partial-drive');
    await cp(bundleDir, path.join(partialDrive, bundleName!), { recursive: true, filter: (source) => path.basename(source) !== volume });
  });

  after(async () => {
    await upstream?.close();
    await rm(root, { recursive: true, force: true });
  });

  for (const language of LANGUAGES) {
    test(`offline in ${language.code}: the exported bundle is found, verified after the trust question, imported and served to the real go command; a miss becomes a request file; a damaged bundle imports nothing`, { timeout: 600_000 }, async (t) => {
      if (!requireGo(t)) return;
      const home = path.join(root, `offline-${language.code}`);
      const trustFile = `${fingerprint.replace(':', '-')}.pem`;
      const ui: RunningUi = await startUi({ ...process.env, MODFERRY_HOME: home });
      const workspace = await scratchGoWorkspace(`import-wizard-${language.code}`);
      t.after(async () => {
        const code = await ui.stop();
        await workspace.cleanup();
        assert.equal(code, 0, `modferry ui should stop cleanly: ${ui.stderr()}`);
      });
      const browser = await launchChromium({ locale: language.locale });
      t.after(() => browser.close());
      await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.origin });
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      // The answers the page got, to hold what it shows against.
      const replies: unknown[] = [];
      page.on('websocket', (socket) => {
        socket.on('framereceived', ({ payload }) => {
          const message = JSON.parse(payload.toString()) as { type: string; reply?: { ok: boolean; value?: unknown } };
          if (message.type === 'reply' && message.reply?.ok) replies.push(message.reply.value);
        });
      });
      const step = async (name: string): Promise<void> => {
        await page.screenshot({ path: path.join(screenshots, `import-${name}-${language.code}.png`), fullPage: true });
        assert.deepEqual(await graveAxeViolations(page), [], `${name} in ${language.code}`);
      };

      await page.goto(ui.url);
      await page.getByTestId('version').waitFor();
      // The offline side opens the wizard, and the next start opens there again.
      await page.getByTestId('side-offline').click();
      await page.getByRole('heading', { level: 2, name: language.title }).waitFor();
      assert.equal(new URL(page.url()).hash, '#/import');
      await page.goto(`${ui.origin}/`);
      await page.getByRole('heading', { level: 2, name: language.title }).waitFor();
      await step('1-start');

      // 1: the drive's bundles, with their facts and the signer not yet trusted.
      await page.getByTestId('find-dir').fill(drive);
      await page.getByTestId('find-dir').press('Enter');
      const card = page.getByTestId('bundle');
      await card.waitFor();
      assert.equal(await card.count(), 1);
      assert.equal(await card.getAttribute('data-dir'), bundleDir);
      assert.equal(await card.getByRole('heading').innerText(), manifest.bundleId);
      assert.equal(await card.getByTestId('bundle-signer').innerText(), fingerprint);
      assert.equal(await card.getByTestId('bundle-trust').innerText(), language.notTrusted);
      assert.match(await card.getByTestId('bundle-volumes').innerText(), new RegExp(`${manifest.volumes.length}\\D+${manifest.volumes.length}`));
      await step('1-found');

      // 2: verify stops at the unknown signer and asks, showing its fingerprint.
      await card.getByTestId('bundle-verify').click();
      const prompt = page.getByTestId('trust-prompt');
      await prompt.waitFor({ timeout: 60_000 });
      assert.equal(await prompt.getByRole('heading').innerText(), language.trustTitle);
      assert.equal(await page.getByTestId('trust-fingerprint').innerText(), fingerprint);
      assert.deepEqual(await trustedKeys(home), [], 'asking trusts nothing');
      await step('2-trust');
      if (language.code === 'zh') {
        // Refused once: nothing is trusted, nothing imported, and asking again is one click away.
        await page.getByTestId('trust-no').click();
        const refused = page.getByTestId('error');
        await refused.waitFor();
        assert.equal((await refused.locator('.fault-title').innerText()).trim(), language.declined);
        assert.deepEqual(await trustedKeys(home), []);
        await step('2-declined');
        await page.getByRole('button', { name: '重新校验' }).click();
        await prompt.waitFor({ timeout: 60_000 });
      }
      // By keyboard: the question has the focus; Tab reaches "trust", Enter answers.
      assert.equal(await page.evaluate('document.activeElement.id'), 'trust-title');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.dataset.testid'), 'trust-yes');
      await page.keyboard.press('Enter');
      await page.getByTestId('verify-ok').waitFor({ timeout: 60_000 });
      assert.equal((await page.getByTestId('verify-ok').locator('.outcome-title').innerText()).trim(), language.verified);
      assert.equal(await page.getByTestId('verify-trusted').count(), 1);
      assert.deepEqual(await trustedKeys(home), [trustFile], 'the key the operator agreed to is trusted once the bundle checked out');
      await step('2-verified');

      // 3: import, with what it added.
      await page.getByTestId('import-run').click();
      await page.getByTestId('import-ok').waitFor({ timeout: 60_000 });
      assert.equal((await page.getByTestId('import-ok').locator('.outcome-title').innerText()).trim(), language.imported);
      const imported = replies.find((value): value is { added: number; alreadyPresent: number } => typeof value === 'object' && value !== null && 'addedBytes' in value);
      assert.ok(imported && imported.added > 0, 'the page got the import result');
      assert.ok(imported.added + imported.alreadyPresent <= manifest.entries.length);
      assert.match(await page.getByTestId('import-added').innerText(), new RegExp(`^${imported.added}\\D`));
      assert.match(await page.getByTestId('import-present').innerText(), /^0\D/);
      assert.deepEqual(await trustedKeys(home), [trustFile]);
      await step('3-imported');

      // 4: the dashboard, with the store's figures.
      await page.getByTestId('go-serve').click();
      await page.getByTestId('store-modules').waitFor();
      const facts = await storeFacts(page);
      assert.equal(await page.getByTestId('store-modules').innerText(), String(facts.modules));
      assert.equal(await page.getByTestId('store-versions').innerText(), String(facts.versions));
      const modules = new Set(manifest.entries.map((e) => e.path.split('/@v/')[0]));
      assert.equal(facts.modules, modules.size);
      await step('4-dashboard');

      await page.getByTestId('serve-port').fill('0');
      await page.getByTestId('serve-start').click();
      await page.getByTestId('serve-url').waitFor({ timeout: 30_000 });
      const url = await page.getByTestId('serve-url').innerText();
      assert.match(await page.getByTestId('serve-state').innerText(), language.serving);
      const shown = await page.getByTestId('env-posix').innerText();
      await page.getByTestId('copy-posix').click();
      await page.locator('.copy-state', { hasText: /\S/ }).first().waitFor();
      assert.equal(await page.evaluate('navigator.clipboard.readText()'), shown, 'the copy button copies exactly the lines shown');
      const lines = parseExportLines(shown);
      assert.equal(lines.GOPROXY, url);
      assert.match(await page.getByTestId('env-powershell').innerText(), new RegExp(`^\\$env:GOPROXY = "${url}"$`, 'm'));
      assert.match(await page.getByTestId('env-goenv').innerText(), new RegExp(`^go env -w GOPROXY=${url} `));
      // No checksum database here (GOSUMDB=off) and no toolchain in the store: the dashboard says both, in the page's language.
      assert.equal(await page.getByTestId('serve-proofs-coverage').getAttribute('data-proven'), 'false');
      assert.match(await page.getByTestId('serve-proofs-coverage').innerText(), language.code === 'en' ? /^This computer turns the checksum database off \(GOSUMDB=off\)/ : /^这台计算机关闭了校验和数据库（GOSUMDB=off）/);
      assert.equal(await page.getByTestId('serve-toolchains').getAttribute('data-state'), 'none');
      assert.ok((await page.getByTestId('serve-toolchains').innerText()).includes('GOTOOLCHAIN=local'));

      // The real go command, set up by nothing but the copied lines, builds the fixture program through the proxy.
      const { GOPROXY: _proxy, GOSUMDB: _sumdb, GOFLAGS: _flags, ...base } = offlineGoEnv('off', workspace.modCache);
      const env = { ...base, ...lines };
      const program = await goProgram(fixture, workspace.dir, 'uuid', PROGRAM_MODULES);
      await runGo(['build', '-o', path.join(workspace.dir, 'uuid-program'), '.'], { cwd: program, env });
      await page.locator('[data-testid="log-row"][data-status="200"]').first().waitFor({ timeout: 10_000 });
      const served = await page.locator('[data-testid="log-row"][data-status="200"]').allInnerTexts();
      assert.ok(served.some((row) => row.includes('github.com/google/uuid')), `the log shows the uuid download: ${served.join(' | ')}`);
      await step('4-serving');

      // A busy proxy: the log keeps the newest 1,000, holds still while scrolled up, and frames stay short.
      const stopWatching = await watchFrames(page);
      const listTarget = `/github.com/google/uuid/@v/list`;
      const heardBefore = Number(await page.getByTestId('request-log').getAttribute('data-heard'));
      for (let sent = 0; sent < BURST; sent += 50) {
        await Promise.all(Array.from({ length: 50 }, () => httpRequest(url, listTarget)));
      }
      const rows = page.getByTestId('log-row');
      // Every request of the burst has reached the page: none still in flight counts as "newer" below.
      await page.locator(`[data-testid="request-log"][data-kept="${LOG_CAP}"]`).waitFor({ timeout: 30_000 });
      for (const end = Date.now() + 30_000; Number(await page.getByTestId('request-log').getAttribute('data-heard')) < heardBefore + BURST; ) {
        if (Date.now() > end) assert.fail(`the page heard of fewer than the ${BURST} requests sent within 30 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await untilPage(page, `[...document.querySelectorAll('[data-testid="log-row"]')].at(-1).textContent.includes('/@v/list')`, 30_000);
      assert.equal(await rows.count(), FOLLOWING_ROWS, 'following the newest, the page draws only the newest rows');
      const logged = await stopWatching();
      console.log(`frames while ${BURST} requests were logged (${language.code}): ${logged.text}`);
      assertFramesShort(logged, `a busy request log (${language.code})`);
      // The reader scrolls up with the wheel over the log.
      await page.getByTestId('request-log').hover();
      await page.mouse.wheel(0, -3000);
      await page.getByTestId('log-paused').waitFor();
      assert.equal(await rows.count(), LOG_CAP, 'held, the whole log kept in memory is there to read');
      const firstRow = await rows.first().innerText();
      await Promise.all(Array.from({ length: 7 }, () => httpRequest(url, listTarget)));
      await page.getByTestId('log-paused').filter({ hasText: /(^|\D)7(\D|$)/ }).waitFor({ timeout: 10_000 });
      assert.equal(await rows.first().innerText(), firstRow, 'the log holds still while scrolled up');
      await step('4-log-held');
      await page.getByTestId('log-paused').getByRole('button').click();
      await page.getByTestId('log-paused').waitFor({ state: 'detached' });
      assert.notEqual(await rows.first().innerText(), firstRow);
      assert.equal(await rows.count(), FOLLOWING_ROWS);
      // New requests keep it following at the end: rows leaving the top do not hold it.
      await Promise.all(Array.from({ length: 60 }, () => httpRequest(url, listTarget)));
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(await page.getByTestId('log-paused').count(), 0);

      // Modules the store lacks, one the upstream has and one nobody has: the go command fails, the misses show, and the request file carries them.
      for (const wanted of [`${MISSING}@v1.0.0`, onlineOnly]) {
        const failed = await runGo(['list', '-m', wanted], { cwd: program, env }).then(() => undefined, (error: Error) => error);
        assert.ok(failed, `${wanted}: a module the store lacks fails the go command`);
      }
      const miss = page.getByTestId('miss').filter({ hasText: MISSING });
      await miss.waitFor({ timeout: 15_000 });
      assert.match(await miss.innerText(), /v1\.0\.0/);
      await page.getByTestId('miss').filter({ hasText: ONLINE_ONLY }).waitFor({ timeout: 15_000 });
      const requests = path.join(root, `requests-${language.code}`);
      await mkdir(requests);
      await page.getByTestId('request-folder').fill(requests);
      await page.getByTestId('request-write').click();
      const written = page.getByTestId('request-written');
      await written.waitFor();
      const requestFile = (await written.getAttribute('data-file')) ?? '';
      assert.equal(path.dirname(requestFile), requests);
      assert.match(await readFile(requestFile, 'utf8'), new RegExp(`^${MISSING.replace('.', '\\.')}@v1\\.0\\.0(\\s|$)`, 'm'));
      await step('4-misses');
      const planned = await runBuiltCli(['export', '--plan', '--request', requestFile, '--upstream', upstream.url], { ...process.env, MODFERRY_HOME: onlineHome });
      assert.equal(planned.code, 0, `export --plan takes the request file: ${planned.stderr}`);
      assert.match(planned.stdout, new RegExp(`^\\s+${onlineOnly.replace(/[.+]/g, '\\$&')}\\s`, 'm'), `the plan ships what the upstream has: ${planned.stdout}`);
      assert.match(planned.stdout, new RegExp(MISSING.replace('.', '\\.')), 'and names the module the upstream lacks');

      await page.getByTestId('serve-stop').click();
      await page.getByTestId('serve-start').waitFor({ timeout: 30_000 });
      assert.equal(await connects(Number(new URL(url).port)), false, 'stopping closes the port');
      const counts = replies.find((value): value is { requests: number; misses: number } => typeof value === 'object' && value !== null && 'inFlight' in value);
      assert.ok(counts && counts.requests > BURST && counts.misses >= 2, `the run's counts: ${JSON.stringify(counts)}`);
      const lastRun = await page.getByTestId('serve-last-run').innerText();
      assert.ok(lastRun.includes(counts.requests.toLocaleString(language.locale)) && lastRun.includes(String(counts.misses)), lastRun);

      // The damaged bundle: verify names the volume and the entry, and nothing reaches the store.
      await page.getByTestId('step-find').click();
      await page.getByTestId('find-dir').fill(damagedDrive);
      await page.getByTestId('find-dir').press('Enter');
      await page.locator(`[data-testid="bundle"][data-dir^="${damagedDrive}"]`).waitFor();
      await page.getByTestId('bundle-verify').click();
      const fault = page.getByTestId('error');
      await fault.waitFor({ timeout: 60_000 });
      assert.equal((await fault.locator('.fault-title').innerText()).trim(), language.verifyFailed);
      assert.equal(await fault.locator('[data-field="volume"] dd').innerText(), damaged.volume);
      assert.equal(await fault.locator('[data-field="entry"] dd').innerText(), damaged.entry);
      // What is wrong, in the page's language; the core's English words are there to unfold in Chinese.
      assert.match(await fault.getByTestId('error-problem').innerText(), language.code === 'en' ? /^Its content is not what the bundle was signed with/ : /^内容与模块包签名时不一致/);
      assert.equal(await fault.getByTestId('error-detail').isVisible(), language.code === 'en');
      assert.equal(await page.getByTestId('import-run').count(), 0);
      assert.equal(await page.getByTestId('step-import').isDisabled(), true);
      assert.deepEqual(await storeFacts(page), facts, 'the store is as it was');
      await step('2-damaged');

      // A bundle missing a volume says which, and cannot be verified until it is there.
      await page.getByTestId('step-find').click();
      await page.getByTestId('find-dir').fill(partialDrive);
      await page.getByTestId('find-dir').press('Enter');
      const partial = page.locator(`[data-testid="bundle"][data-dir^="${partialDrive}"]`);
      await partial.waitFor();
      assert.equal(await partial.getByTestId('bundle-missing').innerText().then((text) => text.includes(damaged.volume)), true);
      assert.equal(await partial.getByTestId('bundle-verify').isDisabled(), true);
      await step('1-missing-volume');
      assert.deepEqual(errors, []);
    });
  }
});

/** The trusted signers' files in an offline data folder. */
async function trustedKeys(home: string): Promise<string[]> {
  return readdir(path.join(home, 'trusted-keys')).then(
    (names) => names.filter((name) => name.endsWith('.pem')).sort(),
    () => [],
  );
}

/** store:facts, asked from the page over a socket of its own, as a script in it would. */
async function storeFacts(page: Page): Promise<{ modules: number; versions: number; bytes: number; bundles: number }> {
  const reply = (await page.evaluate(`(async () => {
    const socket = new WebSocket('ws://' + location.host + '/ipc');
    await new Promise((resolve) => socket.addEventListener('open', resolve));
    const answer = new Promise((resolve) => socket.addEventListener('message', (event) => resolve(JSON.parse(String(event.data)))));
    socket.send(JSON.stringify({ id: 1, channel: 'store:facts', request: {} }));
    const message = await answer;
    socket.close();
    return message.reply;
  })()`)) as { ok: boolean; value: { exists: boolean; modules: number; versions: number; bytes: number; bundles: number } };
  assert.ok(reply.ok && reply.value.exists, JSON.stringify(reply));
  const { modules, versions, bytes, bundles } = reply.value;
  return { modules, versions, bytes, bundles };
}

/** `export NAME=value` lines as the POSIX shell reads them (single quotes as serve writes them). */
function parseExportLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    assert.ok(match, `not an export line: ${line}`);
    const value = match[2]!;
    env[match[1]!] = value.startsWith("'") ? value.slice(1, -1).replace(/'\\''/g, "'") : value;
  }
  return env;
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
