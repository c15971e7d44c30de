import { GoproxyError, parseGoproxy, type GoproxyProblem } from './proxyList';

/** What is wrong with an upstream GOPROXY list: a code and the entry at fault for a screen to word, and the English the CLI and logs keep. */
export interface UpstreamProblem {
  problem: GoproxyProblem | 'empty' | 'starts-with-off';
  entry?: { position: number; text: string };
  message: string;
}

/**
 * Why a GOPROXY list typed as the upstream to export from cannot be used, or undefined when it can:
 * the go command's syntax (comma or pipe separated URLs, `direct`, `off`), and at least one proxy to
 * ask before any `off`.
 */
export function upstreamProblemOf(value: string): UpstreamProblem | undefined {
  if (value.trim() === '') return { problem: 'empty', message: 'is empty: give a GOPROXY list, e.g. https://proxy.example.com' };
  try {
    const [first] = parseGoproxy(value).entries;
    if (first?.kind === 'off') return { problem: 'starts-with-off', message: 'starts with off, which turns module downloads off: give a module proxy URL first' };
  } catch (error) {
    if (!(error instanceof GoproxyError)) throw error;
    return { problem: error.problem, ...(error.entry === undefined ? {} : { entry: error.entry }), message: error.message };
  }
  return undefined;
}

/** upstreamProblemOf in English words alone. */
export function upstreamProblem(value: string): string | undefined {
  return upstreamProblemOf(value)?.message;
}
