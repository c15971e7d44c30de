/**
 * A choice remembered on this computer (localStorage), read back only when it is one of `allowed`.
 * A browser that refuses storage (cookies blocked for the page) still runs the app: the choice then
 * lasts until the page closes.
 */
export function readChoice<T extends string, F>(key: string, allowed: readonly T[], fallback: F): T | F {
  let stored: string | null;
  try {
    stored = localStorage.getItem(key);
  } catch {
    return fallback;
  }
  return (allowed as readonly string[]).includes(stored ?? '') ? (stored as T) : fallback;
}

export function writeChoice(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage refused (see above): the choice holds for this page only.
  }
}

export function forgetChoice(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // Storage refused (see above): there is nothing remembered to forget.
  }
}
