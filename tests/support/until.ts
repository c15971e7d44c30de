import assert from 'node:assert/strict';

/** Polls until `holds` is true; fails naming `what` when it is not within `ms`. */
export async function until(what: string, holds: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!holds()) {
    if (Date.now() > end) assert.fail(`${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
