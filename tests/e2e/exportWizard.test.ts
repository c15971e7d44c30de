import assert from 'node:assert/strict';
import { untilPage } from '../support/until';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../support/chromium';
import { assertFramesShort, watchFrames } from '../support/frameTiming';
import { publishFixtureModule, startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { startUi, type RunningUi } from '../support/uiProcess';
import { isMounted, mountFat32 } from '../support/fat32Drive';

const cli = path.join(__dirname, '..', '..', 'bin', 'modferry.js');
const screenshots = path.join(__dirname, 'screenshots');
const DEPENDENCIES = 8;
const MANY = 5000;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

type Language = 'en' | 'zh';

/** The words each language's screens use where the test needs to find or read them. */
const WORDS = {
  en: { heading: 'Export', review: /^Step 2 of 5: Review$/, carries: (n: number) => new RegExp(`^The bundle carries ${n} module versions: `), readBack: /^Every volume was read back: all \d+ files match their hashes\.$/, line: 'Line' },
  zh: { heading: '导出', review: /^第 2 步，共 5 步：核对$/, carries: (n: number) => new RegExp(`^模块包携带 ${n} 个模块版本：`), readBack: /^所有分卷均已回读：全部 \d+ 个文件的哈希一致。$/, line: '第' },
} as const;

describe('the export wizard in Chromium, in English and Chinese', () => {
  let root: string;
  let home: string;
  let quickProject: string;
  let quick: FixtureUpstream;
  let stallingProject: string;
  let stalling: FixtureUpstream;
  let stallZips = false;
  let fatProject: string;
  let fatUpstream: FixtureUpstream;
  let ui: RunningUi;
  let browsers: Record<Language, Browser>;
  let axeSource: string;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'modferry-e2e-wizard-'));
    const quickFixture = await fixtureProject(root, 'quick', DEPENDENCIES);
    quickProject = quickFixture.project;
    // The author of dep0 has since retracted the version the project requires: the review warns of it.
    await publishFixtureModule(quickFixture.tree, 'example.com/quick/dep0', [
      { version: 'v1.0.0', files: { 'dep.go': 'package dep0\n' } },
      { version: 'v1.0.1', goMod: 'module example.com/quick/dep0\n\ngo 1.19\n\nretract v1.0.0 // broken\n', files: { 'dep.go': 'package dep0\n' } },
    ]);
    quick = await startFixtureUpstream(quickFixture.tree, { latencyMs: 100 });
    // Zips stop half-way only once asked to, so a plan can be made first and its run then stalls downloading.
    const stallingFixture = await fixtureProject(root, 'stalling', DEPENDENCIES);
    stallingProject = stallingFixture.project;
    stalling = await startFixtureUpstream(stallingFixture.tree, { stallFor: (urlPath) => stallZips && urlPath.endsWith('.zip') });
    // Zips of about half a MiB: volumes of 1 MiB hold one or two each.
    const fatFixture = await fixtureProject(root, 'fat', 6, 400 * 1024);
    fatProject = fatFixture.project;
    fatUpstream = await startFixtureUpstream(fatFixture.tree);
    home = path.join(root, 'home');
    ui = await startUi({ ...process.env, MODFERRY_HOME: home });
    await mkdir(screenshots, { recursive: true });
    browsers = { en: await launchChromium({ locale: 'en-US' }), zh: await launchChromium({ locale: 'zh-CN' }) };
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  });

  after(async () => {
    await browsers?.en?.close();
    await browsers?.zh?.close();
    const code = await ui?.stop();
    await quick?.close();
    await stalling?.close();
    await fatUpstream?.close();
    await rm(root, { recursive: true, force: true });
    assert.equal(code, 0, `modferry ui should stop cleanly on SIGTERM: ${ui?.stderr()}`);
  });

  /** The wizard in a new tab of the language's browser, nothing remembered, every console and page error kept, axe loaded. */
  async function openWizard(language: Language): Promise<{ page: Page; errors: string[]; progress: Array<{ channel: string; stage: string }> }> {
    const page = await browsers[language].context.newPage();
    const errors: string[] = [];
    const progress: Array<{ channel: string; stage: string }> = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        const message = JSON.parse(payload.toString()) as { type: string; event?: { channel: string; progress: { stage?: string } } };
        if (message.type === 'progress' && message.event?.progress.stage !== undefined) progress.push({ channel: message.event.channel, stage: message.event.progress.stage });
      });
    });
    await page.goto(ui.url);
    await page.evaluate('localStorage.clear()');
    // Chinese in the dark theme, so the scans cover both themes' colours.
    await page.emulateMedia({ colorScheme: language === 'zh' ? 'dark' : 'light' });
    await page.goto(`${ui.origin}/#/export`);
    await page.getByRole('heading', { name: WORDS[language].heading, exact: true }).waitFor();
    // Through the debugging protocol, as the CSP (script-src 'self') refuses an inline <script> of it.
    await page.evaluate(axeSource);
    return { page, errors, progress };
  }

  async function atStep(page: Page, step: string, timeout = 30_000): Promise<void> {
    await page.locator(`[data-testid="step-heading"][data-step="${step}"]`).waitFor({ timeout });
  }

  /** A screenshot of the step, and an axe scan of it that finds nothing serious or critical. */
  async function checkStep(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(screenshots, `export-wizard-${name}.png`), fullPage: true });
    const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as AxeViolation[];
    const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(grave.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`), [], name);
  }

  async function addSource(page: Page, sourcePath: string): Promise<void> {
    await page.getByTestId('sources-path').fill(sourcePath);
    await page.getByTestId('sources-add').click();
  }

  async function planFrom(page: Page, upstream: string, project: string): Promise<void> {
    await page.getByTestId('sources-upstream').fill(upstream);
    await addSource(page, project);
    await page.getByTestId('plan-make').click();
  }

  async function toFolder(page: Page, outDir: string): Promise<void> {
    await page.getByTestId('review-next').click();
    await atStep(page, 'destination');
    await page.getByTestId('destination-folder').fill(outDir);
    await page.locator('[data-testid="destination-room"][data-fits="true"]').waitFor();
    // The go proof is the CLI's and the integration tests' to show; here the wizard around it is tested.
    await page.getByTestId('destination-check').uncheck();
  }

  for (const language of ['en', 'zh'] as const) {
    test(`${language}: sources from a project, its modules reviewed, a folder chosen, the run done; the bundle verifies`, async () => {
      const outDir = path.join(root, `out-${language}`);
      await mkdir(outDir);
      const { page, errors, progress } = await openWizard(language);
      await atStep(page, 'sources');
      await page.getByTestId('sources-upstream').fill(quick.url);
      await addSource(page, quickProject);
      assert.deepEqual(await page.getByTestId('source').locator('.source-path').allInnerTexts(), [quickProject]);
      // Keyboard: the plan is made with Enter on its focused button.
      await page.getByTestId('sources-pasted').fill('not a module line\n');
      assert.match(await page.getByTestId('pasted-problems').innerText(), language === 'en' ? /^Line 1: not path@version: the version is missing/ : /^第 1 行：不是 path@version：缺少版本/);
      assert.equal(await page.getByTestId('plan-make').isDisabled(), true, 'a bad pasted line holds the plan back');
      await page.getByTestId('sources-pasted').fill('');
      await checkStep(page, `1-sources-${language}`);
      await page.getByTestId('plan-make').focus();
      await page.keyboard.press('Enter');

      await atStep(page, 'review', 120_000);
      assert.match(await page.getByTestId('step-heading').innerText(), WORDS[language].review);
      assert.equal(await page.evaluate('document.activeElement.dataset.testid'), 'step-heading', 'the new step takes the focus');
      const shown = await page.getByTestId('review-module-path').allInnerTexts();
      assert.deepEqual(shown, Array.from({ length: DEPENDENCIES }, (_, i) => `example.com/quick/dep${i}`).sort());
      assert.match(await page.getByTestId('review-totals').innerText(), WORDS[language].carries(DEPENDENCIES));
      // The English run exported these modules first: the second plan says which bundle carried them.
      if (language === 'zh') assert.match(await page.getByTestId('review-carried').innerText(), /^8 个模块版本（.+）以前的模块包已携带过，这次再次携带：mf-\d{8}-[0-9a-f]{8}。$/);
      else assert.equal(await page.getByTestId('review-carried').count(), 0);
      await page.getByTestId('review-search').fill('dep3');
      assert.deepEqual(await page.getByTestId('review-module-path').allInnerTexts(), ['example.com/quick/dep3']);
      await page.getByTestId('review-search').fill('');
      await page.getByTestId('review-sort-path').click();
      assert.deepEqual(await page.getByTestId('review-module-path').allInnerTexts(), [...shown].reverse(), 'a second click sorts descending');
      await page.getByTestId('review-grouped').check();
      assert.deepEqual(await page.getByTestId('review-group').allInnerTexts(), [language === 'en' ? `${quickProject}: ${DEPENDENCIES} module versions` : `${quickProject}：${DEPENDENCIES} 个模块版本`]);
      // At 1,100 px: no cell of the table cut short ("Carried in mf-…" whole), and the language picker on the header's line.
      assert.deepEqual(await page.locator('[data-testid="review-module"] .review-cell').evaluateAll((cells) => cells.filter((c) => c.scrollWidth > c.clientWidth).map((c) => c.textContent)), []);
      const lines = await page.locator('.app-header > *').evaluateAll((parts) => parts.map((p) => Math.round(p.getBoundingClientRect().top + p.getBoundingClientRect().height / 2)));
      assert.ok(Math.max(...lines) - Math.min(...lines) <= 4, `the header is one line: ${lines.join(', ')}`);
      // The core's warnings are codes the page words in its own language.
      assert.deepEqual(await page.locator('[data-testid="review-warnings"] li').evaluateAll((items) => items.map((li) => li.getAttribute('data-kind'))), ['no-go-sum', 'retracted']);
      assert.match(await page.getByTestId('review-warnings').innerText(), language === 'en' ? /there is no go\.sum beside it/ : /旁边没有 go\.sum/);
      assert.equal(await page.locator('[data-testid="review-warnings"] li[data-kind="retracted"]').innerText(), language === 'en'
        ? 'example.com/quick/dep0@v1.0.0: the module’s author retracted this version (broken). Move to v1.0.1, its latest version, when you can (go get example.com/quick/dep0@latest).'
        : 'example.com/quick/dep0@v1.0.0：模块作者已撤回此版本（broken）。请尽早改用其最新版本 v1.0.1（go get example.com/quick/dep0@latest）。');
      await checkStep(page, `2-review-${language}`);
      assert.deepEqual(await readdir(outDir), [], 'planning writes nothing to the destination');
      // The first plan downloads (with 100 ms latency per file); the second finds every file in the download cache.
      const planStages = progress.filter((p) => p.channel === 'export:plan').map((p) => p.stage);
      if (language === 'en') assert.ok(planStages.length >= 3 && planStages.includes('download'), `the plan's download reported progress: ${planStages.join(', ')}`);
      else assert.ok(planStages.includes('resolve'), `the plan reported progress: ${planStages.join(', ')}`);

      await toFolder(page, outDir);
      assert.match(await page.getByTestId('destination-volumes').innerText(), language === 'en' ? /^One volume/ : /^单个分卷/);
      assert.equal(await page.getByTestId('destination-warning').getAttribute('data-kind'), 'not-removable');
      assert.match(await page.getByTestId('destination-warning').innerText(), language === 'en' ? /is not on a removable drive: it is on/ : /不在移动存储设备上：它位于/);
      await checkStep(page, `3-destination-${language}`);
      // Every drive, each held back with its reason, as `modferry drives --all` lists them.
      await page.getByTestId('show-all-drives').check();
      await page.getByTestId('show-all-warning').waitFor();
      const listed = await runCli(['drives', '--all', '--json'], { ...process.env, MODFERRY_HOME: home });
      assert.equal(listed.code, 0, listed.stderr);
      const all = (JSON.parse(listed.stdout.trim().split('\n').at(-1)!) as { drives: Array<{ mounts: unknown[]; heldBack?: string }> }).drives;
      const entries = all.reduce((sum, d) => sum + Math.max(1, d.mounts.length), 0);
      await untilPage(page, `document.querySelectorAll('[data-testid="drive-choice"]').length === ${entries}`);
      const heldBack = all.filter((d) => d.heldBack !== undefined).length;
      if (heldBack > 0) assert.ok((await page.getByTestId('drive-choice').allInnerTexts()).some((text) => text.includes(language === 'en' ? 'Not offered:' : '不提供：')));
      await checkStep(page, `3-destination-all-drives-${language}`);
      await page.getByTestId('show-all-drives').uncheck();
      await page.getByTestId('destination-export').click();
      await atStep(page, 'done', 120_000);
      await checkStep(page, `5-done-${language}`);
      assert.ok(progress.some((p) => p.channel === 'export:run'), 'the run reported progress');

      const [bundle, ...others] = await readdir(outDir);
      assert.equal(others.length, 0);
      const bundleDir = path.join(outDir, bundle!);
      const manifest = JSON.parse(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8')) as { bundleId: string; entries: Array<{ path: string }> };
      assert.equal(await page.getByTestId('done-bundle').innerText(), manifest.bundleId);
      assert.equal(await page.getByTestId('done-folder').innerText(), bundleDir);
      assert.equal(await page.getByTestId('done-volumes').innerText(), '1');
      assert.match(await page.getByTestId('done-read-back').innerText(), WORDS[language].readBack);
      const fingerprint = await page.getByTestId('done-fingerprint').innerText();
      assert.match(fingerprint, /^SHA256:[A-Za-z0-9_-]{43}$/);
      assert.equal(await page.getByTestId('done-eject').count(), 0, 'a folder is not ejected');
      const zips = manifest.entries.map((e) => e.path).filter((p) => p.endsWith('.zip')).sort();
      assert.deepEqual(zips, shown.map((p) => `${p}/@v/v1.0.0.zip`));

      const verified = await runCli(['verify', bundleDir, '--trust-new-key'], { ...process.env, MODFERRY_HOME: home });
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, new RegExp(manifest.bundleId));
      assert.ok(verified.stdout.includes(fingerprint), `verify names the signer the wizard showed: ${verified.stdout}`);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  for (const language of ['en', 'zh'] as const) {
    test(`${language}: to a FAT32 drive (an image mounted with fusefat) chosen as a folder: its space shown as unknown, calmly; a volume size of one's own, checked as typed; the bundle on it verifies`, async (t) => {
      const { mount } = await mountFat32(t, 64);

      const { page, errors } = await openWizard(language);
      await planFrom(page, fatUpstream.url, fatProject);
      await atStep(page, 'review', 120_000);
      await page.getByTestId('review-next').click();
      await atStep(page, 'destination');
      // The image is on no drive the app lists: the operator chooses it as a folder.
      await page.getByTestId('destination-folder').fill(mount);
      const room = page.locator('[data-testid="destination-room"][data-fits="null"]');
      await room.waitFor();
      assert.match(await room.innerText(), language === 'en' ? /^This drive does not tell how much room it has\. The bundle needs .+; should the drive fill up, the export stops, says so and removes what it wrote\.$/ : /^此驱动器不报告剩余空间。模块包需要 .+；如果驱动器写满，导出会停止并说明原因，同时删除已写入的内容。$/);
      assert.equal(await room.getAttribute('class'), '', 'unknown space is not shown as a problem');
      assert.equal(await page.getByTestId('destination-export').isDisabled(), false, 'unknown space does not hold the export back');
      assert.equal(await page.getByTestId('volume-size-default').isChecked(), true);
      assert.match(await page.getByTestId('volume-size').innerText(), language === 'en' ? /The largest file fuse\.fusefat holds: 4(\.0)? GiB/ : /fuse\.fusefat 可存放的最大文件：4(\.0)? GiB/);
      assert.match(await page.getByTestId('destination-volumes').innerText(), language === 'en' ? /^Volumes of at most 4(\.0)? GiB/ : /^每个分卷最多 4(\.0)? GiB/);
      await checkStep(page, `3-destination-fat32-${language}`);

      // A size of one's own, checked as typed: more than FAT holds, not a size, then 1 MiB.
      await page.getByTestId('volume-size-custom').check();
      const input = page.getByTestId('volume-size-input');
      assert.equal(await input.inputValue(), '2 GiB');
      await input.fill('5 GiB');
      assert.equal(await page.getByTestId('volume-size-problem').getAttribute('data-problem'), 'too-large');
      assert.equal(await page.getByTestId('destination-export').isDisabled(), true, 'a volume FAT cannot hold holds the export back');
      await checkStep(page, `3-destination-fat32-too-large-${language}`);
      await input.fill('a lot');
      assert.equal(await page.getByTestId('volume-size-problem').getAttribute('data-problem'), 'unreadable');
      await input.fill('1 MiB');
      await page.getByTestId('destination-volumes').filter({ hasText: /1(\.0)? MiB/ }).waitFor();
      assert.equal(await page.getByTestId('volume-size-problem').count(), 0);
      await page.getByTestId('destination-check').uncheck();
      await page.getByTestId('destination-export').click();
      await atStep(page, 'done', 120_000);
      await checkStep(page, `5-done-fat32-${language}`);

      const [bundle, ...others] = await readdir(mount);
      assert.deepEqual(others, []);
      const bundleDir = path.join(mount, bundle!);
      const manifest = JSON.parse(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8')) as { volumes: Array<{ name: string; size: number }> };
      assert.ok(manifest.volumes.length >= 3, `six zips of half a MiB take several volumes of 1 MiB: ${manifest.volumes.length}`);
      assert.equal(await page.getByTestId('done-volumes').innerText(), String(manifest.volumes.length));
      for (const volume of manifest.volumes) assert.ok(volume.size <= 1024 ** 2, `${volume.name}: ${volume.size} bytes`);
      const verified = await runCli(['verify', bundleDir, '--trust-new-key'], { ...process.env, MODFERRY_HOME: home });
      assert.equal(verified.code, 0, verified.stderr);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  for (const language of ['en', 'zh'] as const) {
    test(`${language}: a drive filled up after the destination was checked stops the run naming it, leaves nothing on it and offers Try again; once the drive has room the same plan runs again and the bundle verifies`, async (t) => {
      const drive = path.join(root, `small-drive-${language}`);
      await mkdir(drive);
      t.after(async () => {
        if (isMounted(drive)) execFileSync('umount', [drive]);
        await rm(drive, { recursive: true, force: true });
      });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', drive]);
      const { page, errors, progress } = await openWizard(language);
      await planFrom(page, quick.url, quickProject);
      await atStep(page, 'review', 120_000);
      await toFolder(page, drive);

      // Another program takes the room between the check and the run, leaving 64 KiB: the run's own check before writing finds it.
      const filler = path.join(drive, 'other-files.bin');
      const free = await statfs(drive);
      await writeFile(filler, Buffer.alloc(free.bavail * free.bsize - 64 * 1024));
      await page.getByTestId('destination-export').click();
      await atStep(page, 'run');
      // The core's words, folded away in Chinese, name the drive too.
      const detail = await runStoppedByDrive(page, drive);
      assert.ok(detail?.startsWith(`not enough free space on ${drive}: the bundle needs `), `the detail names the drive: ${detail}`);
      assert.deepEqual(await readdir(drive), ['other-files.bin'], 'nothing of the bundle is left on the drive');
      assert.equal(await page.locator('[data-testid="run"] [data-state="active"]').count(), 0, 'no stage reads as under way once the run failed');
      const retry = page.getByTestId('error-retry');
      assert.equal(await retry.innerText(), language === 'en' ? 'Try again' : '重试');
      assert.equal(await page.getByTestId('run-back').isVisible(), true, 'Back is still offered');
      await checkStep(page, `4-run-failed-retry-${language}`);

      // The drive grows (room made), and the same plan runs again to the same folder, its progress from the start.
      execFileSync('mount', ['-o', 'remount,size=64m', drive]);
      const before = progress.length;
      await retry.click();
      await atStep(page, 'done', 120_000);
      const again = progress.slice(before).filter((p) => p.channel === 'export:run').map((p) => p.stage);
      assert.ok(!progress.slice(0, before).some((p) => p.channel === 'export:run' && p.stage === 'write'), 'the failed run stopped before writing');
      assert.ok(again.includes('write'), `the second run reported its own progress: ${again.join(', ')}`);
      const bundle = (await readdir(drive)).filter((name) => name !== 'other-files.bin');
      assert.equal(bundle.length, 1, `one bundle beside the other files: ${bundle.join(', ')}`);
      assert.equal(await page.getByTestId('done-folder').innerText(), path.join(drive, bundle[0]!));
      const verified = await runCli(['verify', path.join(drive, bundle[0]!), '--trust-new-key'], { ...process.env, MODFERRY_HOME: home });
      assert.equal(verified.code, 0, verified.stderr);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  for (const language of ['en', 'zh'] as const) {
    test(`${language}: a FAT32 drive (fusefat, which does not tell its free space) full mid-write: the run stops naming it, removes the partial bundle and offers Try again, which writes the bundle once room is made`, async (t) => {
      const { mount } = await mountFat32(t, 64);
      // Filled to the last cluster, then 512 KiB given back: room to start the bundle of about 1 MiB, not to finish it.
      const room = path.join(mount, 'ROOM.BIN');
      await writeFile(room, Buffer.alloc(512 * 1024));
      const filler = path.join(mount, 'FILLER.BIN');
      const handle = await open(filler, 'w');
      try {
        const chunk = Buffer.alloc(1024 * 1024);
        for (;;) await handle.write(chunk);
      } catch (error) {
        assert.ok(['EPERM', 'ENOSPC'].includes((error as NodeJS.ErrnoException).code ?? ''), `the filler stopped at a full drive: ${String(error)}`);
      } finally {
        await handle.close();
      }
      await rm(room);

      const { page, errors, progress } = await openWizard(language);
      await planFrom(page, quick.url, quickProject);
      await atStep(page, 'review', 120_000);
      await page.getByTestId('review-next').click();
      await atStep(page, 'destination');
      await page.getByTestId('destination-folder').fill(mount);
      await page.locator('[data-testid="destination-room"][data-fits="null"]').waitFor();
      await page.getByTestId('destination-check').uncheck();
      await page.getByTestId('destination-export').click();
      await atStep(page, 'run');
      // Found while writing: this drive's free space is not known beforehand.
      const detail = await runStoppedByDrive(page, mount);
      assert.ok(detail?.startsWith(`the drive at ${mount} is full: `), `the detail names the drive: ${detail}`);
      assert.deepEqual(await readdir(mount), ['FILLER.BIN'], 'the partial bundle is removed');
      assert.equal(await page.getByTestId('stage-write').getAttribute('data-state'), 'stopped', 'the write cut short reads as stopped, not under way');
      assert.match(await page.getByTestId('stage-write').innerText(), language === 'en' ? /Stopped/ : /已停止/);
      const retry = page.getByTestId('error-retry');
      assert.equal(await retry.innerText(), language === 'en' ? 'Try again' : '重试');
      assert.equal(await page.getByTestId('run-back').isVisible(), true, 'Back is still offered');
      await checkStep(page, `4-run-failed-full-fat32-${language}`);

      await rm(filler);
      const before = progress.length;
      await retry.click();
      await atStep(page, 'done', 120_000);
      assert.ok(progress.slice(before).some((p) => p.channel === 'export:run' && p.stage === 'write'), 'the second run reported its own progress');
      const [bundle, ...others] = await readdir(mount);
      assert.deepEqual(others, []);
      const verified = await runCli(['verify', path.join(mount, bundle!), '--trust-new-key'], { ...process.env, MODFERRY_HOME: home });
      assert.equal(verified.code, 0, verified.stderr);
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  test('en: a run failing for a reason running again cannot mend (its go.mod changed since the plan) offers Back, not Try again', async () => {
    const project = path.join(root, 'changing-project');
    await mkdir(project);
    const goMod = path.join(project, 'go.mod');
    await writeFile(goMod, await readFile(path.join(quickProject, 'go.mod')));
    const outDir = path.join(root, 'out-changed');
    await mkdir(outDir);
    const { page, errors } = await openWizard('en');
    await planFrom(page, quick.url, project);
    await atStep(page, 'review', 120_000);
    await toFolder(page, outDir);
    await writeFile(goMod, `${await readFile(goMod, 'utf8')}// changed after the plan\n`);
    await page.getByTestId('destination-export').click();
    await page.locator('[data-testid="run"][data-phase="failed"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.getByTestId('error').getAttribute('data-kind'), 'input');
    assert.equal(await page.locator('[data-testid="error"] [data-field="file"] dd').innerText(), goMod);
    assert.equal(await page.getByTestId('error-retry').count(), 0, 'no retry for what running again cannot mend');
    await page.getByTestId('run-back').click();
    await atStep(page, 'destination');
    assert.deepEqual(await readdir(outDir), []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  for (const language of ['en', 'zh'] as const) {
    test(`${language}: a go.mod with a syntax error is named by file, line and reason in the source list; a failed plan by what failed`, async () => {
      const broken = path.join(root, `broken-${language}`);
      await mkdir(broken);
      const goMod = path.join(broken, 'go.mod');
      await writeFile(goMod, 'module example.com/broken\n\ngo 1.19\n\nrequire (\n\texample.com/dep v1.0.0\n\tthis is not a requirement\n)\n');
      const { page, errors } = await openWizard(language);
      await page.getByTestId('sources-upstream').fill(quick.url);
      await addSource(page, broken);
      const where = page.getByTestId('source-problem-where');
      await where.waitFor();
      assert.equal(await where.innerText(), `${goMod}:7`);
      assert.match(await page.getByTestId('source-problem').innerText(), /:7: \S/, 'the reason follows the place');
      assert.match(await page.getByTestId('source-problem').innerText(), language === 'en' ? /^This source cannot be used: / : /^无法使用此来源：/);
      // The parser's reason is a code the page words in its own language; the go command's English stays as the tooltip.
      assert.equal(await page.getByTestId('source-problem').getAttribute('data-code'), 'usage');
      assert.equal(await page.getByTestId('source-problem-reason').innerText(), language === 'en' ? '“require” is not written as it must be: require module/path v1.2.3' : '“require”的写法不对，应为：require module/path v1.2.3');
      assert.equal(await page.getByTestId('source-problem-reason').getAttribute('title'), 'usage: require module/path v1.2.3');
      assert.equal(await page.getByTestId('plan-make').isDisabled(), true, 'a source that cannot be used holds the plan back');
      await checkStep(page, `1-sources-problem-${language}`);

      await page.getByRole('button', { name: language === 'en' ? `Remove ${broken}` : `移除 ${broken}` }).click();
      const missing = path.join(root, 'no-such-project');
      await addSource(page, missing);
      await page.getByTestId('source-problem-where').waitFor();
      assert.equal(await page.getByTestId('source-problem-where').innerText(), path.join(missing, 'go.mod'));
      assert.equal(await page.getByTestId('source-problem-reason').innerText(), language === 'en' ? 'there is no go.mod in this folder: is it a Go module’s folder?' : '此文件夹中没有 go.mod：它是 Go 模块的文件夹吗？');
      await page.getByRole('button', { name: language === 'en' ? `Remove ${missing}` : `移除 ${missing}` }).click();
      await page.getByTestId('sources-path').fill('relative/path');
      await page.getByTestId('sources-add').click();
      assert.match(await page.locator('#source-path-problem').innerText(), language === 'en' ? /full path/ : /完整路径/);

      // A usable source, what it asks for listed under it; the upstream then lacks what it requires.
      const needsAbsent = path.join(root, `needs-absent-${language}`);
      await mkdir(needsAbsent);
      await writeFile(path.join(needsAbsent, 'go.mod'), 'module example.com/needsabsent\n\ngo 1.19\n\nrequire example.com/absent v1.0.0\n');
      await addSource(page, needsAbsent);
      await page.getByTestId('source-asks').waitFor();
      assert.match(await page.getByTestId('source-asks').innerText(), language === 'en' ? /^Module example.com\/needsabsent · go 1.19 · requires 1 module\n/ : /^模块 example.com\/needsabsent · go 1.19 · 依赖 1 个模块\n/);
      await page.getByTestId('plan-make').click();
      await page.getByTestId('plan-problem').waitFor({ timeout: 60_000 });
      assert.equal(await page.locator('[data-testid="error"] [data-field="module"] dd').innerText(), 'example.com/absent@v1.0.0');
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  test('en: a drop from a file manager adds the path; a dropped request file or go.mod adds its lines', async () => {
    const { page, errors } = await openWizard('en');
    // What a drag from a file manager carries, and what a browser gives for a file whose path it keeps to itself.
    const drop = (data: { uris?: string; file?: { name: string; text: string } }) =>
      page.evaluate(`(() => {
        const data = ${JSON.stringify(data)};
        const transfer = new DataTransfer();
        if (data.uris) transfer.setData('text/uri-list', data.uris);
        if (data.file) transfer.items.add(new File([data.file.text], data.file.name));
        document.querySelector('[data-testid="sources-drop"]').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      })()`);
    await drop({ uris: `file://${encodeURI(quickProject)}\r\nhttps://example.com/not-a-file\r\n` });
    await page.getByTestId('source-asks').waitFor();
    assert.deepEqual(await page.getByTestId('source').locator('.source-path').allInnerTexts(), [quickProject]);
    await drop({ file: { name: 'request.txt', text: '# modferry request v1\nexample.com/quick/dep1@v1.0.0  # 3 requests\n' } });
    await untilPage(page, `document.querySelector('[data-testid="sources-pasted"]').value.includes('dep1@v1.0.0')`);
    await drop({ file: { name: 'go.mod', text: 'module example.com/dropped\n\ngo 1.19\n\nrequire example.com/quick/dep2 v1.0.0\n' } });
    await untilPage(page, `document.querySelector('[data-testid="sources-pasted"]').value.includes('example.com/quick/dep2@v1.0.0')`);
    assert.equal(await page.getByTestId('sources-pasted').inputValue(), '# modferry request v1\nexample.com/quick/dep1@v1.0.0  # 3 requests\n# example.com/dropped\nexample.com/quick/dep2@v1.0.0\n');
    assert.deepEqual(await page.getByTestId('pasted-problems').locator('li').count(), 0);
    assert.equal(await page.getByTestId('plan-make').isDisabled(), false);
    // A dropped go.mod with a syntax error adds nothing and says which line and why, in the page's words.
    await drop({ file: { name: 'go.mod', text: 'module example.com/dropped\n\ngo 1.x\n' } });
    await page.getByTestId('drop-notes').filter({ hasText: 'go.mod: Line 3: the go version “1.x” is not valid: write it like 1.23.0' }).waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('cancel while planning downloads, and cancel while the run downloads, leave nothing; leaving the page asks first', async () => {
    const outDir = path.join(root, 'out-cancelled');
    await mkdir(outDir);
    const { page, errors } = await openWizard('en');
    stallZips = true;
    await planFrom(page, stalling.url, stallingProject);
    await page.locator('[data-testid="plan-progress"] [data-testid="stage-download"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('plan-cancel').click();
    await page.getByTestId('plan-cancelled').waitFor({ timeout: 30_000 });
    await checkStep(page, '1-sources-cancelled-en');

    // Planned in full this time; then the download cache is cleaned, so the run fetches again and stalls.
    stallZips = false;
    await page.getByTestId('plan-make').click();
    await atStep(page, 'review', 120_000);
    const cleaned = await runCli(['cache', 'clean'], { ...process.env, MODFERRY_HOME: home });
    assert.equal(cleaned.code, 0, cleaned.stderr);
    stallZips = true;
    await toFolder(page, outDir);
    const asked = stalling.requests.length;
    await page.getByTestId('destination-export').click();
    await atStep(page, 'run');
    await stalledOnZip(stalling, asked);
    await checkStep(page, '4-run-en');

    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      void dialog.dismiss();
    });
    await page.close({ runBeforeUnload: true });
    for (let tries = 0; dialogs.length === 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(dialogs, ['beforeunload'], 'closing the page while the export runs asks first');
    assert.equal(page.isClosed(), false, 'staying keeps the page');

    await page.getByTestId('run-cancel').click();
    await page.getByTestId('run-cancelled').waitFor({ timeout: 30_000 });
    await checkStep(page, '4-run-cancelled-en');
    assert.deepEqual(await readdir(outDir), []);
    const cache = await readdir(path.join(home, 'cache'));
    assert.deepEqual(cache.filter((name) => name.startsWith('staging-')), [], `no staging folder left in ${cache.join(', ')}`);
    stallZips = false;
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('zh: the run step, stalled and cancelled, in Chinese', async () => {
    const outDir = path.join(root, 'out-cancelled-zh');
    await mkdir(outDir);
    stallZips = false;
    const { page, errors } = await openWizard('zh');
    await planFrom(page, stalling.url, stallingProject);
    await atStep(page, 'review', 120_000);
    const cleaned = await runCli(['cache', 'clean'], { ...process.env, MODFERRY_HOME: home });
    assert.equal(cleaned.code, 0, cleaned.stderr);
    stallZips = true;
    await toFolder(page, outDir);
    const asked = stalling.requests.length;
    await page.getByTestId('destination-export').click();
    await atStep(page, 'run');
    await stalledOnZip(stalling, asked);
    assert.match(await page.getByTestId('stage-download').innerText(), /下载/);
    await checkStep(page, '4-run-zh');
    await page.getByTestId('run-cancel').click();
    await page.getByTestId('run-cancelled').waitFor({ timeout: 30_000 });
    assert.deepEqual(await readdir(outDir), []);
    stallZips = false;
    assert.deepEqual(errors, []);
    await page.close();
  });

  test(`${MANY} module versions: the review list scrolls and filters without a long frame, and a busy export's progress keeps frames short`, async () => {
    const fixture = await fixtureProject(root, 'many', MANY, 0);
    const upstream = await startFixtureUpstream(fixture.tree);
    const outDir = path.join(root, 'out-many');
    await mkdir(outDir);
    try {
      const { page, errors } = await openWizard('en');
      await planFrom(page, upstream.url, fixture.project);
      await atStep(page, 'review', 600_000);
      assert.equal(await page.getByTestId('review-shown').innerText(), `Showing ${MANY.toLocaleString('en')} of ${MANY.toLocaleString('en')} module versions`);
      const rendered = await page.getByTestId('review-module').count();
      assert.ok(rendered < 60, `only the rows in view are rendered, not ${rendered}`);

      // Scrolled two screenfuls a frame from top to bottom: every frame's length and every long task is kept.
      const stopScrolling = await watchFrames(page);
      await page.evaluate(`new Promise((resolve) => {
        const viewport = document.querySelector('.virtual-viewport');
        const step = () => {
          if (viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - 1) return resolve();
          viewport.scrollTop += viewport.clientHeight * 2;
          requestAnimationFrame(step);
        };
        requestAnimationFrame(step);
      })`);
      const scrolled = await stopScrolling();
      const lastPath = await page.getByTestId('review-module-path').last().innerText();
      const names = Array.from({ length: MANY }, (_, i) => `example.com/many/dep${i}`).sort();
      assert.equal(lastPath, names.at(-1), 'the list reached its last row');
      console.log(`review list of ${MANY} module versions, scrolled: ${scrolled.text}`);
      assertFramesShort(scrolled, 'scrolling the review list');

      await page.getByTestId('review-search').fill('dep4321');
      assert.deepEqual(await page.getByTestId('review-module-path').allInnerTexts(), ['example.com/many/dep4321']);
      await page.getByTestId('review-search').fill('');

      await toFolder(page, outDir);
      await page.getByTestId('destination-export').click();
      await atStep(page, 'run');
      await page.locator('[data-testid="run"] [data-state="active"]').waitFor({ timeout: 300_000 });
      await page.screenshot({ path: path.join(screenshots, 'export-wizard-4-run-busy-en.png'), fullPage: true });
      // Every frame while the run's progress streams in, until the done step shows.
      const stopStreaming = await watchFrames(page);
      await atStep(page, 'done', 600_000);
      const streamed = await stopStreaming();
      console.log(`export of ${MANY} module versions, while its progress streamed: ${streamed.text}`);
      assertFramesShort(streamed, 'the run of a large export');
      const [bundle] = await readdir(outDir);
      const manifest = JSON.parse(await readFile(path.join(outDir, bundle!, 'manifest.json'), 'utf8')) as { entries: Array<{ path: string }> };
      assert.equal(manifest.entries.filter((e) => e.path.endsWith('.zip')).length, MANY);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      await upstream.close();
    }
  });
});

/** Waits until the upstream has been asked for a zip since its `before`th request: the run's download, which reports nothing, has stalled on it. */
async function stalledOnZip(upstream: FixtureUpstream, before: number): Promise<void> {
  for (let tries = 0; !upstream.requests.slice(before).some((p) => p.endsWith('.zip')); tries++) {
    if (tries > 600) assert.fail('the run never asked the upstream for a zip');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for the run to fail with a destination error naming `drive`; answers the core's own words. */
async function runStoppedByDrive(page: Page, drive: string): Promise<string | null> {
  await page.locator('[data-testid="run"][data-phase="failed"]').waitFor({ timeout: 60_000 });
  const error = page.getByTestId('error');
  assert.equal(await error.getAttribute('data-kind'), 'destination');
  assert.equal(await error.locator('[data-field="drive"] dd').innerText(), drive);
  return error.getByTestId('error-detail').textContent();
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** A project requiring `count` modules of its own, published in a GOPROXY tree of its own, each zip with `fillerBytes` of incompressible bytes. */
async function fixtureProject(root: string, name: string, count: number, fillerBytes = 96 * 1024): Promise<{ tree: string; project: string }> {
  const tree = path.join(root, `${name}-upstream`);
  const requires: string[] = [];
  for (let i = 0; i < count; i++) {
    const filler = fillerBytes === 0 ? '' : `\n// ${randomBytes(fillerBytes).toString('base64')}\n`;
    await publishFixtureModule(tree, `example.com/${name}/dep${i}`, [{ version: 'v1.0.0', files: { 'dep.go': `package dep${i}\n${filler}` } }]);
    requires.push(`\texample.com/${name}/dep${i} v1.0.0`);
  }
  const project = path.join(root, `${name}-project`);
  await mkdir(project);
  await writeFile(path.join(project, 'go.mod'), `module example.com/${name}app\n\ngo 1.19\n\nrequire (\n${requires.join('\n')}\n)\n`);
  return { tree, project };
}
