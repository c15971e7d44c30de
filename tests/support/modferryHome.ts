import type { TestContext } from 'node:test';

/** Points MODFERRY_HOME (where the CLI and the app keep keys, history and caches) at `home` for one test, and back when it ends. */
export function useModferryHome(t: TestContext, home: string): void {
  const saved = process.env.MODFERRY_HOME;
  process.env.MODFERRY_HOME = home;
  t.after(() => {
    if (saved === undefined) delete process.env.MODFERRY_HOME;
    else process.env.MODFERRY_HOME = saved;
  });
}
