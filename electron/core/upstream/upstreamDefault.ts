import { ModFerryError } from '../errors/modferryError';
import { parseGoproxy } from '../../../shared/goproxy/proxyList';

/** Why there is no upstream to export from: GOPROXY unset (or empty), or set to `off`. */
export class NoUpstreamError extends ModFerryError {
  override name = 'NoUpstreamError';

  constructor(readonly setting: 'unset' | 'off') {
    super(
      'input',
      setting === 'unset'
        ? 'no upstream: GOPROXY is not set; set it to a module proxy URL (e.g. https://proxy.golang.org) or give the upstream proxy list'
        : 'no upstream: GOPROXY=off turns module downloads off; set it to a module proxy URL or give the upstream proxy list',
    );
  }
}

/**
 * The GOPROXY list an export fetches through: the one given, else GOPROXY from the environment.
 * Checked here, before any work starts, as the go command reads it: unset, `off`, or `direct`
 * alone (a GoproxyError) leave no proxy to ask.
 */
export function upstreamProxyList(given: string | undefined, env: NodeJS.ProcessEnv): string {
  const value = given ?? env.GOPROXY ?? '';
  if (value.trim() === '') throw new NoUpstreamError('unset');
  const [first] = parseGoproxy(value).entries;
  if (first?.kind === 'off') throw new NoUpstreamError('off');
  return value;
}
