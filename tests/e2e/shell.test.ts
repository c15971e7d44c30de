import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from '../support/chromium';
import { startUi, type RunningUi } from '../support/uiProcess';

const screenshots = path.join(__dirname, 'screenshots');
const SCREENS = ['start', 'export', 'import', 'settings'] as const;
type Screen = (typeof SCREENS)[number];
const LIGHT_BACKGROUND = 'rgb(255, 255, 255)';
const DARK_BACKGROUND = 'rgb(18, 20, 23)';

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

describe('the app shell in Chromium: languages, themes, keyboard, accessibility', () => {
  let home: string;
  let ui: RunningUi;
  let english: Browser;
  let chinese: Browser;
  let axeSource: string;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'modferry-e2e-shell-'));
    ui = await startUi({ ...process.env, MODFERRY_HOME: home });
    await mkdir(screenshots, { recursive: true });
    english = await launchChromium({ locale: 'en-US' });
    chinese = await launchChromium({ locale: 'zh-CN' });
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  });

  after(async () => {
    await english?.close();
    await chinese?.close();
    const code = await ui?.stop();
    await rm(home, { recursive: true, force: true });
    assert.equal(code, 0, `modferry ui should stop cleanly on SIGTERM: ${ui?.stderr()}`);
  });

  /** The app in a new tab with nothing remembered from earlier tests (saved settings, localStorage), keeping every console and page error. */
  async function openApp(browser: Browser): Promise<{ page: Page; errors: string[] }> {
    await rm(path.join(home, 'settings.json'), { force: true });
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(ui.url);
    await page.evaluate('localStorage.clear()');
    await page.goto(`${ui.origin}/`);
    await page.getByTestId('version').waitFor();
    return { page, errors };
  }

  async function show(page: Page, screen: Screen): Promise<void> {
    await page.getByTestId(`nav-${screen}`).click();
    await page.locator(`[data-testid="nav-${screen}"][aria-current="page"]`).waitFor();
  }

  const heading = (page: Page) => page.locator('main h2').first();
  const background = (page: Page) => page.evaluate('getComputedStyle(document.body).backgroundColor');
  const lang = (page: Page) => page.evaluate('document.documentElement.lang');
  const focusedId = (page: Page) => page.evaluate('document.activeElement.id');

  test('under an English system the start screen asks in English', async () => {
    const { page, errors } = await openApp(english);
    assert.equal(await heading(page).innerText(), 'Which side of the air gap is this machine?');
    assert.equal(await lang(page), 'en');
    assert.deepEqual(await page.getByRole('navigation').getByRole('link').allInnerTexts(), ['Start', 'Export', 'Import and serve', 'Settings']);
    assert.equal(await page.title(), 'Start · ModFerry');
    await page.screenshot({ path: path.join(screenshots, 'shell-start-en.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('under a Chinese system the start screen asks in Chinese', async () => {
    const { page, errors } = await openApp(chinese);
    assert.equal(await page.evaluate('navigator.languages[0]'), 'zh-CN');
    assert.equal(await heading(page).innerText(), '这台机器在网闸的哪一边？');
    assert.equal(await lang(page), 'zh-CN');
    assert.deepEqual(await page.getByRole('navigation').getByRole('link').allInnerTexts(), ['开始', '导出', '导入与服务', '设置']);
    assert.match(await page.getByTestId('version').innerText(), /^版本 \d+\.\d+\.\d+，运行于 linux$/);
    await page.screenshot({ path: path.join(screenshots, 'shell-start-zh.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('switching the language changes the visible text at once, and is remembered', async () => {
    const { page, errors } = await openApp(english);
    await page.getByLabel('Language').selectOption('zh-CN');
    assert.equal(await heading(page).innerText(), '这台机器在网闸的哪一边？');
    assert.equal(await page.getByTestId('nav-export').innerText(), '导出');
    assert.equal(await lang(page), 'zh-CN');
    await page.reload();
    await page.getByTestId('version').waitFor();
    assert.equal(await heading(page).innerText(), '这台机器在网闸的哪一边？');
    await page.screenshot({ path: path.join(screenshots, 'shell-start-switched-zh.png') });

    // Back to following the system, which here speaks English.
    await page.getByLabel('语言').selectOption('system');
    assert.equal(await heading(page).innerText(), 'Which side of the air gap is this machine?');
    assert.equal(await page.getByLabel('Language').inputValue(), 'system');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('choosing online opens Export, and the next start opens there; offline opens the Import wizard, and the next start opens there', async () => {
    const { page, errors } = await openApp(english);
    await page.getByRole('button', { name: 'Online: export' }).click();
    await page.getByRole('heading', { name: 'Export' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/export');
    await page.goto(`${ui.origin}/`);
    await page.getByRole('heading', { name: 'Export' }).waitFor();
    assert.equal(await page.locator('[aria-current="page"]').innerText(), 'Export');

    await show(page, 'start');
    assert.equal(await page.getByTestId('side-online').getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: 'Offline: import and serve' }).click();
    await page.getByRole('heading', { name: 'Import and serve' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/import');
    await page.goto(`${ui.origin}/`);
    await page.getByRole('heading', { name: 'Import and serve' }).waitFor();
    await show(page, 'start');
    assert.equal(await page.getByTestId('side-offline').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.getByTestId('side-online').getAttribute('aria-pressed'), 'false');
    await page.screenshot({ path: path.join(screenshots, 'shell-start-offline-en.png') });

    // Back and forward move between screens.
    await show(page, 'settings');
    await page.goBack();
    await page.locator('[data-testid="nav-start"][aria-current="page"]').waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the theme follows the system, and a chosen theme overrides it and is remembered', async () => {
    const { page, errors } = await openApp(english);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await background(page), DARK_BACKGROUND);
    await page.screenshot({ path: path.join(screenshots, 'shell-start-dark-en.png') });
    await page.emulateMedia({ colorScheme: 'light' });
    assert.equal(await background(page), LIGHT_BACKGROUND);

    await show(page, 'settings');
    await page.getByLabel('Dark').check();
    assert.equal(await background(page), DARK_BACKGROUND);
    await page.screenshot({ path: path.join(screenshots, 'shell-settings-dark-en.png') });
    await page.reload();
    await page.getByTestId('version').waitFor();
    assert.equal(await background(page), DARK_BACKGROUND);
    assert.equal(await page.getByLabel('Dark').isChecked(), true);

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByLabel('Light').check();
    assert.equal(await background(page), LIGHT_BACKGROUND);
    await page.getByLabel('Follow the system').check();
    assert.equal(await background(page), DARK_BACKGROUND);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the keyboard alone reaches every control on every screen, each with a visible focus, and works them', async () => {
    const { page, errors } = await openApp(english);
    // The skip link comes first, and lands in the main landmark.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    assert.equal(await focusedId(page), 'main');

    for (const screen of SCREENS) {
      await page.getByTestId(`nav-${screen}`).focus();
      await page.keyboard.press('Enter');
      await page.locator(`[data-testid="nav-${screen}"][aria-current="page"]`).waitFor();
      const { controls, unreached } = await tabThroughPage(page);
      // The skip link, three screens, the language, and the screen's own.
      assert.ok(controls.length > 5, `on ${screen}, only these controls: ${controls.join(', ')}`);
      assert.deepEqual(unreached, [], `on ${screen}, Tab never reached these controls, or reached them without a visible focus`);
    }

    // The theme radios move with the arrow keys; a nav link follows with Enter; a start choice with Space.
    await page.getByLabel('Follow the system').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.getByLabel('Light').isChecked(), true);
    await page.getByTestId('nav-start').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('side-online').waitFor();
    assert.equal(await focusedId(page), 'main', 'a new screen takes the focus');
    await page.getByTestId('side-online').focus();
    await page.keyboard.press('Space');
    await page.getByRole('heading', { name: 'Export' }).waitFor();
    assert.deepEqual(errors, []);
    await page.close();
  });

  for (const [language, browserOf, scheme] of [
    ['en', () => english, 'light'],
    ['zh', () => chinese, 'dark'],
  ] as const) {
    test(`axe finds no serious or critical violation on any screen (${language}, ${scheme})`, async () => {
      const { page, errors } = await openApp(browserOf());
      await page.emulateMedia({ colorScheme: scheme });
      // Offline chosen, so the start screen shows all it can (choosing it opens the Import wizard).
      await page.getByTestId('side-offline').click();
      await page.locator('[data-testid="nav-import"][aria-current="page"]').waitFor();
      // Through the debugging protocol, as the CSP (script-src 'self') refuses an inline <script> of it.
      await page.evaluate(axeSource);
      for (const screen of SCREENS) {
        await show(page, screen);
        await page.screenshot({ path: path.join(screenshots, `shell-${screen}-${language}-${scheme}.png`), fullPage: true });
        const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`)) as AxeViolation[];
        const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        assert.deepEqual(
          grave.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`),
          [],
          `${screen} in ${language}, ${scheme}`,
        );
      }
      assert.deepEqual(errors, []);
      await page.close();
    });
  }
});

// The page's side of tabThroughPage, as text: the tests' TypeScript knows Node, not the DOM.
const MARK_CONTROLS = `(() => {
  const found = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
    .filter((element) => !element.disabled && element.getClientRects().length > 0);
  found.forEach((element, index) => (element.dataset.kbd = String(index)));
  document.activeElement?.blur();
  return found.map((element) => element.tagName.toLowerCase() + ' "' + (element.getAttribute('aria-label') ?? element.textContent.trim()) + '"');
})()`;
const FOCUSED_CONTROL = `(() => {
  const element = document.activeElement;
  if (element?.dataset?.kbd === undefined) return null;
  const style = getComputedStyle(element);
  return { index: Number(element.dataset.kbd), visible: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
})()`;
const RADIO_GROUPS = `(() => {
  const groups = new Map();
  document.querySelectorAll('input[type="radio"][data-kbd]').forEach((radio) => groups.set(radio.name, [...(groups.get(radio.name) ?? []), Number(radio.dataset.kbd)]));
  return [...groups.values()];
})()`;

/**
 * Presses Tab until the focus comes round again. Returns the enabled, visible controls, and those of
 * them never focused or focused without a visible outline: none when the keyboard reaches them all.
 */
async function tabThroughPage(page: Page): Promise<{ controls: string[]; unreached: string[] }> {
  const controls = (await page.evaluate(MARK_CONTROLS)) as string[];
  const reached = new Set<number>();
  for (let presses = 0; presses < controls.length + 10; presses++) {
    await page.keyboard.press('Tab');
    const focused = (await page.evaluate(FOCUSED_CONTROL)) as { index: number; visible: boolean } | null;
    if (focused === null) continue;
    if (reached.has(focused.index)) break;
    if (focused.visible) reached.add(focused.index);
  }
  // Radios in one group share one Tab stop: the arrow keys move within it, as the test shows.
  for (const group of (await page.evaluate(RADIO_GROUPS)) as number[][]) {
    if (group.some((index) => reached.has(index))) group.forEach((index) => reached.add(index));
  }
  return { controls, unreached: controls.filter((_, index) => !reached.has(index)) };
}
