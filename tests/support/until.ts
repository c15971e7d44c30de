import assert from 'node:assert/strict';

/** Polls until `holds` is true; fails naming `what` when it is not within `ms`. */
export async function until(what: string, holds: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!holds()) {
    if (Date.now() > end) assert.fail(`${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Polls a JavaScript expression in the page until it is true. page.waitForFunction with a string
 * polls through eval inside the page, which the app's CSP refuses; page.evaluate goes through the
 * debugging protocol, which the CSP does not govern.
 */
export async function untilPage(page: { evaluate(expression: string): Promise<unknown> }, expression: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  // An element not there yet reads as false, not as an error.
  const guarded = `(() => { try { return Boolean(${expression}); } catch { return false; } })()`;
  while (!(await page.evaluate(guarded))) {
    if (Date.now() > end) assert.fail(`${expression} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
