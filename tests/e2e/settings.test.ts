import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { moduleZip } from '../support/bundleSources';
import { launchChromium, type Browser } from '../support/chromium';
import { startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { writeSingleVersionProxy } from '../support/goproxyTree';
import { startUi, type RunningUi } from '../support/uiProcess';

const run = promisify(execFile);
const cli = path.join(__dirname, '..', '..', 'bin', 'modferry.js');
const screenshots = path.join(__dirname, 'screenshots');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** The built CLI with its own data folder, as an operator runs it. */
async function modferry(home: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [cli, ...args], { env: { ...process.env, MODFERRY_HOME: home }, timeout: 120_000 });
  return stdout;
}

async function ownKey(home: string): Promise<{ fingerprint: string; publicKeyFile: string }> {
  const shown = JSON.parse(await modferry(home, ['keys', 'show', '--json'])) as { fingerprint: string; publicKeyFile: string | null };
  assert.ok(shown.publicKeyFile, 'keys show names the public key file');
  return { fingerprint: shown.fingerprint, publicKeyFile: shown.publicKeyFile };
}

/** The words each language uses, so one test reads for both. */
const WORDS = {
  en: { locale: 'en-US', settings: 'Settings', saved: 'Saved.', refused: /^Not saved: Entry 1 \(ftp:\/\/mirror\.example\) has a scheme ModFerry cannot use: use https, http or file\.$/, lan: /Other machines on the network can reach the proxy at 192\.168\.1\.20/, keepIt: 'Keep it', stopTrusting: 'Stop trusting', start: 'Which side of the air gap is this machine?', recentImports: "Recent imports into this machine's store" },
  zh: { locale: 'zh-CN', settings: '设置', saved: '已保存。', refused: /^未保存：第 1 项（ftp:\/\/mirror\.example）的协议无法使用：请使用 https、http 或 file。$/, lan: /网络上的其他机器可以通过 192\.168\.1\.20 访问代理/, keepIt: '保留', stopTrusting: '不再信任', start: '这台机器在网闸的哪一边？', recentImports: '最近导入到本机仓库的模块包' },
} as const;
type Language = keyof typeof WORDS;

describe('Settings and Start in Chromium: saved in the data folder, in English and Chinese', { timeout: 600_000 }, () => {
  let root: string;
  let home: string;
  let otherHome: string;
  let upstream: FixtureUpstream;
  let ui: RunningUi;
  const browsers = {} as Record<Language, Browser>;
  let axeSource: string;
  let exportedBundle: string;
  /** A store the CLI imported that bundle into, on another machine's data folder. */
  let importedStore: string;

  const settingsFile = (): string => path.join(home, 'settings.json');
  const savedSettings = async (): Promise<Record<string, unknown>> => JSON.parse(await readFile(settingsFile(), 'utf8')) as Record<string, unknown>;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'modferry-e2e-settings-'));
    home = path.join(root, 'home');
    otherHome = path.join(root, 'other-home');
    const tree = path.join(root, 'upstream');
    const drive = path.join(root, 'drive');
    await Promise.all([mkdir(home), mkdir(otherHome), mkdir(drive)]);
    const mod = 'module example.com/fine\n\ngo 1.19\n';
    await writeSingleVersionProxy(tree, [{ path: 'example.com/fine', mod, zip: await moduleZip({ path: 'example.com/fine', version: 'v1.0.0' }, Buffer.from(mod)) }]);
    upstream = await startFixtureUpstream(tree);
    // An export from this data folder, for the start screen's recent activity; it also makes this machine's signing key.
    await modferry(home, ['export', '--upstream', upstream.url, '--module', 'example.com/fine@v1.0.0', '--out', drive, '--no-check']);
    const [bundle] = await readdir(drive);
    assert.ok(bundle, 'the export wrote a bundle folder');
    exportedBundle = bundle;
    // Another machine's key, to be trusted here from its public key file.
    await modferry(otherHome, ['keys', 'generate']);
    // The offline side: the bundle imported into a store of its own (trusted in the other data folder, not this one).
    importedStore = path.join(root, 'imported-store');
    await modferry(otherHome, ['import', path.join(drive, bundle), '--store', importedStore, '--trust-new-key']);
    ui = await startUi({ ...process.env, MODFERRY_HOME: home });
    await mkdir(screenshots, { recursive: true });
    browsers.en = await launchChromium({ locale: WORDS.en.locale });
    browsers.zh = await launchChromium({ locale: WORDS.zh.locale });
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  });

  after(async () => {
    await browsers.en?.close();
    await browsers.zh?.close();
    const code = await ui?.stop();
    await upstream?.close();
    await rm(root, { recursive: true, force: true });
    assert.equal(code, 0, `modferry ui should stop cleanly on SIGTERM: ${ui?.stderr()}`);
  });

  /** A new tab with nothing remembered: no saved settings, no localStorage. Keeps every console and page error. */
  async function openApp(browser: Browser, screen = ''): Promise<{ page: Page; errors: string[] }> {
    await rm(settingsFile(), { force: true });
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.url);
    await page.evaluate('localStorage.clear()');
    await page.goto(`${ui.origin}/${screen}`);
    await page.getByTestId('version').waitFor();
    return { page, errors };
  }

  const openSettings = async (language: Language) => {
    const opened = await openApp(browsers[language], '#/settings');
    await opened.page.getByRole('heading', { name: WORDS[language].settings, exact: true }).waitFor();
    return opened;
  };

  for (const language of ['en', 'zh'] as const) {
    const words = WORDS[language];

    test(`${language}: a valid upstream is saved in the data folder; an invalid one is refused with the reason by the field`, async () => {
      const { page, errors } = await openSettings(language);
      const form = page.getByTestId('setting-upstream');
      const input = page.getByTestId('upstream-input');
      await input.fill('https://proxy.example.internal,https://backup.example.internal');
      await form.getByRole('button').click();
      await form.getByTestId('upstream-status').filter({ hasText: words.saved }).waitFor();
      assert.equal((await savedSettings()).upstream, 'https://proxy.example.internal,https://backup.example.internal');

      await input.fill('ftp://mirror.example');
      await form.getByRole('button').click();
      const refusal = form.getByTestId('upstream-refused');
      await refusal.waitFor();
      assert.match(await refusal.innerText(), words.refused);
      assert.equal(await input.getAttribute('aria-invalid'), 'true');
      assert.ok(((await input.getAttribute('aria-describedby')) ?? '').includes((await refusal.getAttribute('id')) ?? 'none'), 'the reason describes the input');
      assert.equal((await savedSettings()).upstream, 'https://proxy.example.internal,https://backup.example.internal', 'nothing refused is saved');
      await page.screenshot({ path: path.join(screenshots, `settings-upstream-refused-${language}.png`), fullPage: true });

      // Emptied: exports use GOPROXY from the environment again.
      await input.fill('');
      await form.getByRole('button').click();
      await form.getByTestId('upstream-status').filter({ hasText: words.saved }).waitFor();
      assert.equal((await savedSettings()).upstream, null);
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`${language}: a store folder is saved; one holding other files, or a relative path, is refused by the field`, async () => {
      const { page, errors } = await openSettings(language);
      const form = page.getByTestId('setting-storeDir');
      const input = page.getByTestId('storeDir-input');
      const foreign = path.join(root, 'upstream');
      await input.fill(foreign);
      await form.getByRole('button').click();
      // The app's refusal is a problem code the page words in its own language; the app's English, naming the folder, is the tooltip.
      assert.match(await form.getByTestId('storeDir-refused').innerText(), language === 'en' ? /^Not saved: The folder holds other files and is not a ModFerry store/ : /^未保存：该文件夹中有其他文件，不是 ModFerry 仓库/);
      assert.match((await form.getByTestId('storeDir-refused').getAttribute('title')) ?? '', new RegExp(`${foreign.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds other files and is not a ModFerry store`));
      await input.fill('relative/store');
      await form.getByRole('button').click();
      await form.getByTestId('storeDir-refused').filter({ hasText: language === 'en' ? 'must be an absolute path' : '必须是绝对路径' }).waitFor();
      assert.equal(existsSync(settingsFile()), false, 'nothing refused is saved');
      const chosen = path.join(root, `store-${language}`);
      await input.fill(chosen);
      await form.getByRole('button').click();
      await form.getByTestId('storeDir-status').filter({ hasText: words.saved }).waitFor();
      assert.equal((await savedSettings()).storeDir, chosen);
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`${language}: a LAN listen address warns, before and after it is saved`, async () => {
      const { page, errors } = await openSettings(language);
      const form = page.getByTestId('setting-serveListen');
      const warning = page.getByTestId('listen-warning');
      assert.equal(await page.getByTestId('listen-host').inputValue(), '127.0.0.1');
      assert.equal(await warning.isVisible(), false);
      await page.getByTestId('listen-host').fill('192.168.1.20');
      await page.getByTestId('listen-port').fill('3100');
      assert.match(await warning.innerText(), words.lan);
      await form.getByRole('button').click();
      await form.getByTestId('serveListen-status').filter({ hasText: words.saved }).waitFor();
      assert.deepEqual((await savedSettings()).serveListen, { host: '192.168.1.20', port: 3100 });
      await page.reload();
      await page.getByTestId('listen-host').and(page.locator('[value="192.168.1.20"]')).waitFor();
      assert.match(await warning.innerText(), words.lan);
      await page.screenshot({ path: path.join(screenshots, `settings-listen-lan-${language}.png`), fullPage: true });

      await page.getByTestId('listen-host').fill('127.0.0.1');
      assert.equal(await warning.isVisible(), false);
      await page.getByTestId('listen-port').fill('70000');
      await form.getByRole('button').click();
      assert.match(await form.getByTestId('serveListen-refused').innerText(), language === 'en' ? /^Not saved: serveListen\.port must be at most 65535$/ : /^未保存：serveListen\.port 不能大于 65535$/);
      assert.deepEqual((await savedSettings()).serveListen, { host: '192.168.1.20', port: 3100 });
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`${language}: a signer is trusted from its public key file, shown by fingerprint, and removed only after asking`, async () => {
      const other = await ownKey(otherHome);
      const { page, errors } = await openSettings(language);
      const keys = page.getByTestId('trusted-keys');
      await keys.getByTestId('trusted-none').waitFor();
      await keys.getByTestId('trust-file').fill(other.publicKeyFile);
      await keys.getByTestId('trust-file').press('Enter');
      await keys.getByTestId('key-added').filter({ hasText: other.fingerprint }).waitFor();
      const listed = keys.getByTestId('trusted-key');
      assert.deepEqual(await listed.evaluateAll((items) => items.map((item) => item.getAttribute('data-fingerprint'))), [other.fingerprint]);
      assert.match(await modferry(home, ['keys', 'list']), new RegExp(other.fingerprint));
      await page.screenshot({ path: path.join(screenshots, `settings-key-trusted-${language}.png`), fullPage: true });

      // Asked first; "keep it" keeps it.
      await listed.getByTestId('key-remove').click();
      const confirm = keys.getByTestId('key-remove-confirm');
      assert.match(await confirm.innerText(), new RegExp(other.fingerprint));
      await page.screenshot({ path: path.join(screenshots, `settings-key-remove-asks-${language}.png`), fullPage: true });
      await confirm.getByRole('button', { name: words.keepIt }).click();
      assert.equal(await listed.count(), 1);
      await listed.getByTestId('key-remove').click();
      await confirm.getByRole('button', { name: words.stopTrusting }).click();
      await keys.getByTestId('trusted-none').waitFor();
      assert.doesNotMatch(await modferry(home, ['keys', 'list']), new RegExp(other.fingerprint));

      // A file that is no key: the error says so in the operator's language, naming the file.
      const notAKey = path.join(root, 'upstream', 'example.com', 'fine', '@v', 'v1.0.0.mod');
      await keys.getByTestId('trust-file').fill(notAKey);
      await keys.getByTestId('trust-file').press('Enter');
      const error = keys.getByTestId('error');
      await error.waitFor();
      assert.equal(await error.getAttribute('data-kind'), 'keys');
      assert.equal(await error.locator('[data-field="file"] dd').innerText(), notAKey);
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`${language}: this machine's key is shown by fingerprint and its public key written to a folder`, async () => {
      const own = await ownKey(home);
      const { page, errors } = await openSettings(language);
      const section = page.getByTestId('own-key');
      assert.equal(await section.getByTestId('own-fingerprint').innerText(), own.fingerprint);
      const folder = await mkdtemp(path.join(root, `pub-${language}-`));
      await section.getByTestId('write-to-folder').check();
      await section.getByTestId('write-folder').fill(folder);
      await section.getByTestId('write-public').click();
      const written = section.getByTestId('public-written');
      await written.waitFor();
      const [file] = await readdir(folder);
      assert.ok(file, 'a file was written into the folder');
      assert.match(await written.innerText(), new RegExp(file.replace(/\./g, '\\.')));
      assert.equal(await readFile(path.join(folder, file), 'utf8'), await readFile(own.publicKeyFile, 'utf8'));
      await page.screenshot({ path: path.join(screenshots, `settings-own-key-${language}.png`), fullPage: true });
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  test('a settings file that cannot be used is a calm notice; the next change keeps it aside before saving', async () => {
    const { page, errors } = await openSettings('en');
    const broken = '{ "serveListen": { "host": "127.0.0.1", "port": 99999 } }\n';
    await writeFile(settingsFile(), broken);
    await page.reload();
    const notice = page.getByTestId('settings-problem');
    await notice.waitFor();
    assert.equal(await notice.getAttribute('role'), 'status');
    assert.match(await notice.innerText(), /settings\.json could not be used: serveListen\.port must be at most 65535\. The defaults are in use/);
    assert.equal(await notice.getAttribute('data-code'), 'too-large');
    assert.match(await notice.innerText(), /left as it is/);
    assert.equal(await page.getByTestId('listen-port').inputValue(), '3000', 'the defaults stand in');
    await page.screenshot({ path: path.join(screenshots, 'settings-problem-en.png'), fullPage: true });

    await page.getByLabel('Dark').check();
    await notice.filter({ hasText: /Your file was kept as .*settings\.json\.invalid-/ }).waitFor();
    const keptAs = (await readdir(home)).filter((name) => name.startsWith('settings.json.invalid-'));
    assert.equal(keptAs.length, 1);
    assert.equal(await readFile(path.join(home, keptAs[0] ?? ''), 'utf8'), broken, 'what the operator wrote is kept');
    assert.equal((await savedSettings()).theme, 'dark');
    await rm(path.join(home, keptAs[0] ?? ''));
    assert.deepEqual(errors, []);
    await page.close();

    // In Chinese, a setting the app does not know is named in Chinese words; the schema's English is the tooltip.
    const zh = await openSettings('zh');
    await writeFile(settingsFile(), '{ "theem": "dark" }\n');
    await zh.page.reload();
    const zhNotice = zh.page.getByTestId('settings-problem');
    await zhNotice.waitFor();
    assert.equal(await zhNotice.getAttribute('data-code'), 'unknown-fields');
    assert.match(await zhNotice.innerText(), /^设置文件 .*settings\.json 无法使用：其中有本应用不认识的设置项：theem。目前使用默认设置。/);
    await zh.page.screenshot({ path: path.join(screenshots, 'settings-problem-zh.png'), fullPage: true });
    await rm(settingsFile());
    assert.deepEqual(zh.errors, []);
    await zh.page.close();
  });

  test('the language chosen in Settings is saved in the data folder: it survives a reload and a new browser', async () => {
    const { page, errors } = await openSettings('en');
    await page.getByTestId('setting-upstream').waitFor();
    await page.locator('main').getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
    await page.getByRole('heading', { name: '设置', exact: true }).waitFor();
    await waitFor(async () => (existsSync(settingsFile()) ? (await savedSettings()).language : undefined), 'zh-CN');
    await page.reload();
    await page.getByRole('heading', { name: '设置', exact: true }).waitFor();
    // A new browser profile: nothing in its localStorage, so only the data folder can say Chinese.
    const fresh = await launchChromium({ locale: 'en-US' });
    try {
      const other = await fresh.context.newPage();
      await other.goto(ui.url);
      await other.getByRole('heading', { name: WORDS.zh.start }).waitFor();
      assert.equal(await other.evaluate('document.documentElement.lang'), 'zh-CN');
    } finally {
      await fresh.close();
    }
    assert.deepEqual(errors, []);
    await page.close();
  });

  for (const language of ['en', 'zh'] as const) {
    test(`${language}: Start saves the side and goes on to its screen; back on Start, the export and the import the CLI made, dated and sized for the locale`, async () => {
      const { page, errors } = await openApp(browsers[language]);
      await page.getByTestId('side-online').click();
      await page.locator('[data-testid="nav-export"][aria-current="page"]').waitFor();
      await waitFor(async () => (existsSync(settingsFile()) ? (await savedSettings()).side : undefined), 'online');
      // The side's screen is where a machine works; Start, one click away, says what it did last.
      await page.getByTestId('nav-start').click();
      assert.equal(await page.getByTestId('side-online').getAttribute('aria-pressed'), 'true');
      const row = page.getByTestId('recent-export');
      await row.first().waitFor();
      assert.equal(await row.count(), 1);
      const cells = await row.locator('td').allInnerTexts();
      assert.match(cells[1] ?? '', new RegExp(exportedBundle));
      // Dates and sizes as the language writes them.
      assert.match(cells[0] ?? '', language === 'en' ? /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M$/ : /^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
      assert.match(cells[4] ?? '', language === 'en' ? /^\d[\d,]* bytes$|^\d+\.\d KiB$/ : /^[\d,]+ 字节$|^\d+\.\d KiB$/);
      await page.screenshot({ path: path.join(screenshots, `start-recent-exports-${language}.png`), fullPage: true });

      await page.getByTestId('side-offline').click();
      await page.locator('[data-testid="nav-import"][aria-current="page"]').waitFor();
      await waitFor(async () => (await savedSettings()).side, 'offline');
      await page.getByTestId('nav-start').click();
      await page.getByTestId('recent-activity').filter({ hasText: WORDS[language].recentImports }).waitFor();
      assert.equal(await page.getByTestId('recent-import').count(), 0, 'nothing was imported into this store');

      // The store the CLI imported into, chosen in Settings: its import is listed, with its signer.
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('storeDir-input').fill(importedStore);
      await page.getByTestId('setting-storeDir').getByRole('button').click();
      await page.getByTestId('storeDir-status').filter({ hasText: WORDS[language].saved }).waitFor();
      await page.getByTestId('nav-start').click();
      const imported = page.getByTestId('recent-import');
      await imported.first().waitFor();
      assert.equal(await imported.count(), 1);
      const importCells = await imported.locator('td').allInnerTexts();
      assert.match(importCells[1] ?? '', new RegExp(exportedBundle));
      assert.match(importCells[2] ?? '', /^SHA256:/);
      assert.match(importCells[0] ?? '', language === 'en' ? /^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M$/ : /^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
      await page.screenshot({ path: path.join(screenshots, `start-recent-imports-${language}.png`), fullPage: true });
      assert.deepEqual(errors, []);
      await page.close();
    });

    test(`${language}: axe finds no serious or critical violation on Settings or Start`, async () => {
      const { page, errors } = await openApp(browsers[language]);
      await page.getByTestId('side-online').click();
      await page.getByTestId('nav-start').click();
      await page.getByTestId('recent-export').first().waitFor();
      await page.evaluate(axeSource);
      const scan = async (name: string): Promise<void> => {
        await page.screenshot({ path: path.join(screenshots, `${name}-${language}.png`), fullPage: true });
        const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as AxeViolation[];
        const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(grave.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`), [], `${name} in ${language}`);
      };
      await scan('start-online');
      await page.getByTestId('nav-settings').click();
      await page.getByTestId('own-fingerprint').waitFor();
      // With a refusal and a warning showing, as an operator would see them.
      await page.getByTestId('upstream-input').fill('off');
      await page.getByTestId('setting-upstream').getByRole('button').click();
      await page.getByTestId('upstream-refused').waitFor();
      await page.getByTestId('listen-host').fill('0.0.0.0');
      await scan('settings');
      await page.emulateMedia({ colorScheme: 'dark' });
      await scan('settings-dark');
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});

/** Polls until read() gives the value (the page saves in the background), for at most 10 s. */
async function waitFor(read: () => Promise<unknown>, value: unknown): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await read();
    if (last === value) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(last, value);
}
