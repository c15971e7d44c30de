import { pickLatest } from '../../shared/gomod/latest';
import type { ModuleSource } from '../../electron/core/resolve/moduleSource';

/** A go.mod file's text: module line, optional go directive, then one require line per `path version`. */
export function goModText(path: string, go: string | undefined, requires: readonly string[] = []): string {
  const lines = [`module ${path}`, ''];
  if (go !== undefined) lines.push(`go ${go}`, '');
  if (requires.length > 0) lines.push('require (', ...requires.map((r) => `\t${r}`), ')', '');
  return lines.join('\n');
}

/**
 * A module proxy held in memory: `path@version` → go.mod text. Resolution is a pure algorithm over
 * go.mod files, so this is a real source, not a stand-in. It records every fetch and how many ran at once.
 */
export class InMemoryModuleSource implements ModuleSource {
  readonly fetches: string[] = [];
  maxInFlight = 0;
  private inFlight = 0;

  constructor(
    private readonly goMods: Readonly<Record<string, string>>,
    /** Milliseconds each fetch takes, so concurrency can be observed. */
    private readonly delayMs = 0,
  ) {}

  async goMod(path: string, version: string): Promise<string> {
    const key = `${path}@${version}`;
    this.fetches.push(key);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      const text = this.goMods[key];
      if (text === undefined) throw new Error(`${key}: 404 Not Found`);
      return text;
    } finally {
      this.inFlight--;
    }
  }

  async latest(path: string): Promise<string> {
    const versions = Object.keys(this.goMods)
      .filter((key) => key.startsWith(`${path}@`))
      .map((key) => key.slice(path.length + 1));
    const latest = pickLatest(versions);
    if (latest === undefined) throw new Error(`${path}@latest: no matching versions`);
    return latest;
  }

  fetchCount(key: string): number {
    return this.fetches.filter((f) => f === key).length;
  }
}
