import { parseProxyRequest } from './proxyRequest';
import type { LoggedRequest } from './requestLogLine';

/**
 * One answered request, as the app's live log shows it: what the text log line says, as fields,
 * with the module and version it was about when the target names them.
 */
export interface ServedRequest extends LoggedRequest {
  /** When the answer ended (ISO 8601). */
  at: string;
  module?: string;
  /** A version, or `latest` for `@latest`; absent for `@v/list` and targets outside the protocol. */
  version?: string;
}

/** The module and version a request target (within the proxy's prefix) asks about. */
export function requestSubject(target: string): Pick<ServedRequest, 'module' | 'version'> {
  const request = parseProxyRequest(target);
  switch (request.kind) {
    case 'list':
      return { module: request.modulePath };
    case 'latest':
      return { module: request.modulePath, version: 'latest' };
    case 'version':
      return { module: request.modulePath, version: request.version };
    case 'sumdb':
      return request.request.kind === 'lookup' ? { module: request.request.modulePath, version: request.request.version } : {};
    default:
      return {};
  }
}
