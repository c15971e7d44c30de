import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's Chromium: Playwright's own download is not used (nor reachable where these tests run). */
export const CHROMIUM = '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

export interface ChromiumOptions {
  /** The browser's language (its UI, Accept-Language and navigator.languages), as an operator's system would set it. */
  locale?: string;
}

/** Headless Chromium with a fresh profile, talking to nothing but the pages it is sent to. */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'modferry-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(options.locale ? [`--lang=${options.locale}`] : [])],
      ...(options.locale ? { locale: options.locale } : {}),
      viewport: { width: 1100, height: 800 },
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
