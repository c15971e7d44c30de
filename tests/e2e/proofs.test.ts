/**
 * The checksum database's proofs and Go toolchains through both wizards, in English and Chinese: an
 * upstream with a test database of its own (tests/support/testSumdb) and toolchain modules; the
 * export wizard, with the toolchain platforms set in the settings, says the bundle carries the proofs
 * and the toolchains; the import wizard says the proofs were imported; the dashboard gives GOPROXY
 * alone, names the toolchains it serves, and the real go command downloads and verifies through it.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { graveAxeViolations } from '../support/axeScan';
import { makeTempDir } from '../support/bundleSources';
import { launchChromium } from '../support/chromium';
import { publishedGoSumLines, publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';
import { writeTestSumdb, type TestSumdb } from '../support/testSumdb';
import { publishToolchains } from '../support/toolchainModules';
import { startUi } from '../support/uiProcess';

const screenshots = path.join(__dirname, 'screenshots');
const DEPS = ['example.com/proofs/dep0', 'example.com/proofs/dep1', 'example.com/proofs/dep2'];
const TOOLCHAIN = 'golang.org/toolchain';
const TOOLCHAIN_VERSIONS = ['v0.0.1-go1.22.3.linux-amd64', 'v0.0.1-go1.22.3.windows-amd64'];
// Records after ours, so the tree has level-1 tiles as every real database has.
const FILLER = Array.from({ length: 300 }, (_, i) => `example.com/filler${i} v1.0.0 h1:${Buffer.alloc(32, i).toString('base64')}`);

const WORDS = {
  en: {
    locale: 'en-US',
    platformProblem: /^plan9\/arm64 is not a goos\/goarch pair/,
    reviewProofs: /^sum\.test: the proofs of 5 module versions travel with the bundle \(.+\), so offline the go command checks each one as it would online, with GOPROXY the only setting\.\n+They are proven against a signed tree head of 305 records\.$/,
    toolchains: 'Go toolchain go1.22.3 for linux/amd64',
    tag: 'Go toolchain',
    imported: /^\d+ proof files added\. The store’s newest signed tree: sum\.test, 305 records\.$/,
    covered: /^The go command checks every module against sum\.test through this proxy, as it would online: GOPROXY is the only line to paste\.$/,
    every: 'All 5 module versions in the store have their proofs.',
  },
  zh: {
    locale: 'zh-CN',
    platformProblem: /^plan9\/arm64 不是 go 命令构建工具链所用的 goos\/goarch 组合/,
    reviewProofs: /^sum\.test：5 个模块版本的校验证明随模块包一起携带（.+），离线时 go 命令会像在线时一样逐一校验，只需设置 GOPROXY。\n+这些证明基于一个包含 305 条记录的已签名树头。$/,
    toolchains: 'linux/amd64 平台的 Go 工具链 go1.22.3',
    tag: 'Go 工具链',
    imported: /^新增 \d+ 个校验证明文件。仓库中最新的已签名树：sum\.test，305 条记录。$/,
    covered: /^go 命令会通过这个代理，像在线时一样用 sum\.test 校验每个模块：只需粘贴 GOPROXY 这一行。$/,
    every: '仓库中全部 5 个模块版本都有校验证明。',
  },
} as const;

interface World {
  dir: string;
  tree: string;
  project: string;
  db: TestSumdb;
}

/** Three modules and a Go 1.22.3 toolchain for two platforms in a GOPROXY tree, a test database of all of them, and a project needing them. */
async function world(t: TestContext, label: string): Promise<World> {
  const { dir, cleanup } = await makeTempDir(`e2e-proofs-${label}`);
  t.after(cleanup);
  const tree = path.join(dir, 'upstream');
  for (const dep of DEPS) await publishFixtureModule(tree, dep, [{ version: 'v1.0.0', files: { 'dep.go': `package ${path.basename(dep)}\n` } }]);
  await publishToolchains(tree, [{ name: 'go1.22.3', platforms: ['linux/amd64', 'windows/amd64'] }]);
  const goSum = await publishedGoSumLines(tree, [...DEPS.map((d) => [d, 'v1.0.0'] as const), ...TOOLCHAIN_VERSIONS.map((v) => [TOOLCHAIN, v] as const)]);
  const db = await writeTestSumdb(path.join(tree, 'sumdb', 'sum.test'), [...goSum, ...FILLER], { name: 'sum.test', seed: `e2e-${label}` });
  const project = path.join(dir, 'project');
  await mkdir(project);
  await writeFile(path.join(project, 'go.mod'), `module example.com/proofsapp\n\ngo 1.22.3\n\nrequire (\n${DEPS.map((d) => `\t${d} v1.0.0`).join('\n')}\n)\n`);
  return { dir, tree, project, db };
}

/** The export wizard, from its first step to the review of a plan for one project from `upstreamUrl`. */
async function planProject(page: Page, origin: string, upstreamUrl: string, project: string): Promise<void> {
  await page.goto(`${origin}/#/export`);
  await page.getByTestId('sources-upstream').fill(upstreamUrl);
  await page.getByTestId('sources-path').fill(project);
  await page.getByTestId('sources-add').click();
  await page.getByTestId('source-asks').waitFor();
  await page.getByTestId('plan-make').click();
  await page.locator('[data-testid="step-heading"][data-step="review"]').waitFor({ timeout: 120_000 });
}

/** From the review step: the bundle written to a new folder under `dir` (the go command's proof left out), up to the done step. */
async function exportToNewFolder(page: Page, dir: string): Promise<string> {
  const outDir = path.join(dir, 'drive');
  await mkdir(outDir);
  await page.getByTestId('review-next').click();
  await page.getByTestId('destination-folder').fill(outDir);
  await page.locator('[data-testid="destination-room"][data-fits="true"]').waitFor();
  await page.getByTestId('destination-check').uncheck();
  await page.getByTestId('destination-export').click();
  await page.locator('[data-testid="step-heading"][data-step="done"]').waitFor({ timeout: 120_000 });
  return outDir;
}

/** The bundle found verified, its signer trusted when asked, and imported. */
async function verifyAndImport(page: Page): Promise<void> {
  await page.getByTestId('bundle-verify').click();
  await page.getByTestId('trust-yes').click({ timeout: 60_000 });
  await page.getByTestId('verify-ok').waitFor({ timeout: 60_000 });
  await page.getByTestId('import-run').click();
  await page.getByTestId('import-ok').waitFor({ timeout: 60_000 });
}

async function step(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
  assert.deepEqual(await graveAxeViolations(page), [], name);
}

for (const language of ['en', 'zh'] as const) {
  test(`${language}: the proofs and toolchains a bundle carries, shown on export, on import and on the dashboard, whose GOPROXY line alone lets the go command verify`, { timeout: 600_000 }, async (t) => {
    if (!requireGo(t)) return;
    const words = WORDS[language];
    const w = await world(t, language);
    await mkdir(screenshots, { recursive: true });
    const upstream = await startFixtureUpstream(w.tree);
    t.after(() => upstream.close());
    const sumdbEnv = { GOSUMDB: w.db.vkey, GONOSUMDB: '', GOPRIVATE: '', GONOPROXY: '' };
    const online = await startUi({ ...process.env, ...sumdbEnv, MODFERRY_HOME: path.join(w.dir, 'online') });
    t.after(async () => assert.equal(await online.stop(), 0, online.stderr()));
    const offline = await startUi({ ...process.env, ...sumdbEnv, MODFERRY_HOME: path.join(w.dir, 'offline') });
    t.after(async () => assert.equal(await offline.stop(), 0, offline.stderr()));
    const browser = await launchChromium({ locale: words.locale });
    t.after(() => browser.close());
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.emulateMedia({ colorScheme: language === 'zh' ? 'dark' : 'light' });

    // Settings: the toolchain platforms, a wrong one named as typed and held back.
    await page.goto(online.url);
    await page.goto(`${online.origin}/#/settings`);
    const platforms = page.getByTestId('toolchainPlatforms-input');
    await platforms.fill('linux/amd64, plan9/arm64');
    assert.match(await page.getByTestId('toolchainPlatforms-problems').innerText(), words.platformProblem);
    assert.equal(await platforms.getAttribute('aria-invalid'), 'true');
    await step(page, `proofs-settings-platforms-${language}`);
    await platforms.fill('linux/amd64, windows/amd64');
    await page.getByTestId('setting-toolchainPlatforms').getByRole('button').click();
    await page.getByTestId('toolchainPlatforms-status').filter({ hasText: /\S/ }).waitFor();
    const settingsFile = (await readdir(path.join(w.dir, 'online'), { recursive: true })).find((f) => f.endsWith('settings.json'));
    assert.ok(settingsFile, 'the settings were saved');
    assert.deepEqual((JSON.parse(await readFile(path.join(w.dir, 'online', settingsFile), 'utf8')) as { toolchainPlatforms: string[] }).toolchainPlatforms, ['linux/amd64', 'windows/amd64']);

    // Export: the review says what the bundle carries of the database and which toolchains, with why.
    await planProject(page, online.origin, upstream.url, w.project);
    const reviewProofs = page.getByTestId('review-proofs');
    assert.equal(await reviewProofs.getAttribute('data-status'), 'carried');
    assert.equal(await reviewProofs.getAttribute('data-database'), 'sum.test');
    assert.equal(await reviewProofs.getAttribute('data-versions'), '5');
    assert.match(await reviewProofs.innerText(), words.reviewProofs);
    const toolchains = await page.getByTestId('review-toolchain').allInnerTexts();
    assert.deepEqual(toolchains, TOOLCHAIN_VERSIONS.map((v) => `${TOOLCHAIN}@${v}: ${words.toolchains.replace('linux/amd64', v.endsWith('windows-amd64') ? 'windows/amd64' : 'linux/amd64')}`));
    assert.equal(await page.locator('[data-testid="review-module"]', { has: page.getByTestId('review-toolchain-tag') }).count(), 2);
    assert.equal((await page.getByTestId('review-toolchain-tag').first().innerText()).replace(/^\s*·\s*/, ''), words.tag);
    assert.deepEqual(await page.locator('[data-testid="review-warnings"] li').evaluateAll((items) => items.map((li) => li.getAttribute('data-kind'))), ['no-go-sum'], 'every version has its record: nothing about proofs to warn of');
    await step(page, `proofs-review-${language}`);

    const outDir = await exportToNewFolder(page, w.dir);
    assert.equal(await page.getByTestId('done-proofs').getAttribute('data-status'), 'carried');
    assert.match(await page.getByTestId('done-proofs').innerText(), words.reviewProofs);
    await step(page, `proofs-done-${language}`);
    const [bundleName] = await readdir(outDir);
    const bundleDir = path.join(outDir, bundleName!);
    const manifest = JSON.parse(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8')) as { entries: Array<{ path: string }> };
    assert.equal(manifest.entries.filter((e) => e.path.startsWith('sumdb/sum.test/lookup/')).length, 5, 'the bundle carries a lookup per version, as the screens said');

    // Import: the proofs imported, and the store's newest head.
    await page.goto(offline.url);
    await page.goto(`${offline.origin}/#/import`);
    await page.getByTestId('find-dir').fill(outDir);
    await page.getByTestId('find-dir').press('Enter');
    await page.getByTestId('bundle-signer').waitFor();
    // The signer's fingerprint reads in groups on one line at 1,100 px, two at most in a narrow window, and its text is the fingerprint exactly.
    const signerLines = (): Promise<number> => page.getByTestId('bundle-signer').evaluate((code) => new Set([...code.querySelectorAll('span')].map((group) => Math.round(group.getBoundingClientRect().top))).size);
    assert.match(await page.getByTestId('bundle-signer').innerText(), /^SHA256:[A-Za-z0-9_-]{43}$/);
    assert.equal(await signerLines(), 1);
    await step(page, `proofs-found-${language}`);
    await page.setViewportSize({ width: 760, height: 800 });
    assert.ok((await signerLines()) <= 2, `the fingerprint takes ${await signerLines()} lines at 760 px`);
    await step(page, `proofs-found-narrow-${language}`);
    await page.setViewportSize({ width: 1100, height: 800 });
    await verifyAndImport(page);
    // The signed head comes in as the store's newest head, not as a file of its own.
    const proofFiles = manifest.entries.filter((e) => e.path.startsWith('sumdb/') && !e.path.endsWith('/latest')).length;
    assert.equal(await page.getByTestId('import-proofs').getAttribute('data-added'), String(proofFiles));
    assert.match(await page.getByTestId('import-proofs').innerText(), words.imported);
    await step(page, `proofs-imported-${language}`);

    // The dashboard: what the store holds proofs of, the toolchains it serves, and GOPROXY alone to paste.
    await page.getByTestId('go-serve').click();
    await page.getByTestId('store-proofs-database').waitFor();
    assert.equal(await page.getByTestId('store-proofs-cover').getAttribute('data-without'), '0');
    assert.equal(await page.getByTestId('store-proofs-cover').innerText(), words.every);
    assert.equal(await page.getByTestId('serve-toolchains').getAttribute('data-state'), 'stopped');
    await page.getByTestId('serve-port').fill('0');
    await page.getByTestId('serve-start').click();
    await page.getByTestId('serve-url').waitFor({ timeout: 30_000 });
    const url = await page.getByTestId('serve-url').innerText();
    assert.equal(await page.getByTestId('env-posix').innerText(), `export GOPROXY=${url}`);
    assert.equal(await page.getByTestId('env-powershell').innerText(), `$env:GOPROXY = "${url}"`);
    assert.equal(await page.getByTestId('env-goenv').innerText(), `go env -w GOPROXY=${url}`);
    assert.equal(await page.getByTestId('serve-proofs-coverage').getAttribute('data-proven'), 'true');
    assert.match(await page.getByTestId('serve-proofs-coverage').innerText(), words.covered);
    assert.equal(await page.getByTestId('serve-toolchains').getAttribute('data-state'), 'held');
    assert.deepEqual(await page.getByTestId('serve-toolchain').allInnerTexts(), ['go1.22.3 (linux/amd64, windows/amd64)']);
    await step(page, `proofs-dashboard-${language}`);

    // The real go command, with the checksum database on and GOPROXY from the dashboard, verifies a module and a toolchain.
    const workspace = await scratchGoWorkspace(`e2e-proofs-go-${language}`);
    t.after(() => workspace.cleanup());
    const env = offlineGoEnv(url, workspace.modCache, { GOSUMDB: w.db.vkey, GONOSUMDB: '', GONOSUMCHECK: '', GOFLAGS: '' });
    const downloaded = await runGo(['mod', 'download', '-json', `${DEPS[0]}@v1.0.0`, `${TOOLCHAIN}@${TOOLCHAIN_VERSIONS[0]}`], { cwd: workspace.dir, env });
    assert.equal((downloaded.stdout.match(/"Zip":/g) ?? []).length, 2, downloaded.stdout);
    assert.doesNotMatch(downloaded.stdout, /"Error"/);
    await page.locator('[data-testid="log-row"]', { hasText: '/sumdb/sum.test/lookup/' }).first().waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
  });
}

const PRIVATE_WORDS = {
  en: {
    locale: 'en-US',
    carried: /^sum\.test: the proofs of 3 module versions travel with the bundle/,
    private: '1 private module version (GONOSUMDB or GOPRIVATE) carries no proof: the go command asks none for it.',
    lacking: '1 module version has no proof: example.com/proofs/dep2@v1.0.0',
    notProven: /^The store’s proofs do not cover every module it serves for sum\.test, so the lines stop the go command asking the checksum database about modules \(GONOSUMDB=\*\); the Go toolchains it serves are still checked/,
  },
  zh: {
    locale: 'zh-CN',
    carried: /^sum\.test：3 个模块版本的校验证明随模块包一起携带/,
    private: '1 个私有模块版本（GONOSUMDB 或 GOPRIVATE）不带校验证明：go 命令不会为它们查询。',
    lacking: '1 个模块版本没有校验证明：example.com/proofs/dep2@v1.0.0',
    notProven: /^仓库的校验证明没有覆盖它为 sum\.test 提供的全部模块，因此这些设置让 go 命令不再就模块询问校验和数据库（GONOSUMDB=\*）；/,
  },
} as const;

for (const language of ['en', 'zh'] as const) {
  test(`${language}: a private module (GONOSUMDB) carries no proof: the review says so, and the dashboard names it and leaves the checksum database out for modules`, { timeout: 600_000 }, async (t) => {
    if (!requireGo(t)) return;
    const words = PRIVATE_WORDS[language];
    const w = await world(t, `private-${language}`);
    await mkdir(screenshots, { recursive: true });
    const upstream = await startFixtureUpstream(w.tree);
    t.after(() => upstream.close());
    const online = await startUi({ ...process.env, GOSUMDB: w.db.vkey, GONOSUMDB: DEPS[2]!, GOPRIVATE: '', GONOPROXY: '', MODFERRY_HOME: path.join(w.dir, 'online') });
    t.after(async () => assert.equal(await online.stop(), 0, online.stderr()));
    const offline = await startUi({ ...process.env, GOSUMDB: w.db.vkey, GONOSUMDB: '', GOPRIVATE: '', GONOPROXY: '', MODFERRY_HOME: path.join(w.dir, 'offline') });
    t.after(async () => assert.equal(await offline.stop(), 0, offline.stderr()));
    const browser = await launchChromium({ locale: words.locale });
    t.after(() => browser.close());
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.emulateMedia({ colorScheme: language === 'zh' ? 'dark' : 'light' });

    await page.goto(online.url);
    await planProject(page, online.origin, upstream.url, w.project);
    // The dependencies and this machine's own toolchain: the private one carries no record.
    assert.equal(await page.getByTestId('review-proofs').getAttribute('data-versions'), '3');
    assert.match(await page.getByTestId('review-proofs').innerText(), words.carried);
    assert.equal(await page.getByTestId('review-proofs-private').innerText(), words.private);
    await step(page, `proofs-private-review-${language}`);
    const outDir = await exportToNewFolder(page, w.dir);
    assert.equal(await page.getByTestId('done-proofs-private').innerText(), words.private);

    await page.goto(offline.url);
    await page.goto(`${offline.origin}/#/import`);
    await page.getByTestId('find-dir').fill(outDir);
    await page.getByTestId('find-dir').press('Enter');
    await verifyAndImport(page);
    await page.getByTestId('go-serve').click();
    const cover = page.getByTestId('store-proofs-cover');
    await cover.waitFor();
    assert.equal(await cover.getAttribute('data-without'), '1');
    assert.equal(await cover.innerText(), words.lacking);
    await page.getByTestId('serve-port').fill('0');
    await page.getByTestId('serve-start').click();
    await page.getByTestId('serve-url').waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId('serve-proofs-coverage').getAttribute('data-proven'), 'false');
    assert.match(await page.getByTestId('serve-proofs-coverage').innerText(), words.notProven);
    // The store holds this machine's toolchain with its proof: the database is kept for toolchains, which Go 1.21+ checks whatever GONOSUMDB says.
    assert.match(await page.getByTestId('env-posix').innerText(), /^export GONOSUMDB='\*'$/m, 'the lines are the core\'s: the checksum database left out for modules while a version lacks its proof');
    assert.doesNotMatch(await page.getByTestId('env-posix').innerText(), /GOSUMDB=off/);
    await step(page, `proofs-private-dashboard-${language}`);
    assert.deepEqual(errors, []);
  });
}
