import { errorMessage } from '../errorMessage';
import { parseGoproxy } from './proxyList';

/**
 * Why a GOPROXY list typed as the upstream to export from cannot be used, or undefined when it can:
 * the go command's syntax (comma or pipe separated URLs, `direct`, `off`), and at least one proxy to
 * ask before any `off`.
 */
export function upstreamProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty: give a GOPROXY list, e.g. https://proxy.example.com';
  try {
    const [first] = parseGoproxy(value).entries;
    if (first?.kind === 'off') return 'starts with off, which turns module downloads off: give a module proxy URL first';
  } catch (error) {
    return errorMessage(error);
  }
  return undefined;
}
