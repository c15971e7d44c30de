/** The errors the upstream client reports: one line each, naming the module and, where one is at fault, the URL. */

/** `path@version`, or `path` alone for questions about the module as a whole (its version list). */
export function moduleSubject(path: string, version: string | undefined): string {
  return version === undefined ? path : `${path}@${version}`;
}

/** Why one proxy had nothing: its address (or `off`, `direct`) and what it said. */
export interface NotFoundReason {
  proxy: string;
  reason: string;
}

/** No proxy in the list has the module (every one answered 404 or 410, or the list ended at `off`). */
export class ModuleNotFoundError extends Error {
  override name = 'ModuleNotFoundError';
  readonly path: string;
  readonly version: string | undefined;
  readonly reasons: readonly NotFoundReason[];

  constructor(path: string, version: string | undefined, reasons: readonly NotFoundReason[]) {
    const [only] = reasons;
    const plain = (r: NotFoundReason): boolean => r.proxy === 'off' || r.proxy === 'direct';
    const message =
      reasons.length === 1 && only?.proxy === 'off'
        ? only.reason
        : `not found at any proxy (${reasons.map((r) => (plain(r) ? r.reason : `${r.proxy}: ${r.reason}`)).join('; ')})`;
    super(`${moduleSubject(path, version)}: ${message}`);
    this.path = path;
    this.version = version;
    this.reasons = reasons;
  }
}

/** A proxy failed in a way that is not "not found": after the retries, or at once when retrying cannot help. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly path: string;
  readonly version: string | undefined;
  /** The request URL that failed (without credentials). */
  readonly url: string;
  /** What went wrong, e.g. `500 Internal Server Error: upstream timeout`. */
  readonly reason: string;
  readonly attempts: number;

  constructor(path: string, version: string | undefined, url: string, reason: string, attempts: number) {
    const tries = attempts > 1 ? ` (gave up after ${attempts} attempts)` : '';
    super(`${moduleSubject(path, version)}: ${url}: ${reason}${tries}`);
    this.path = path;
    this.version = version;
    this.url = url;
    this.reason = reason;
    this.attempts = attempts;
  }
}

/**
 * One attempt's failure, before it is given a module to name. `retryable` says whether the same
 * request could succeed later (server errors, dropped or stalled connections, cut-short bodies).
 */
export class TransferError extends Error {
  override name = 'TransferError';
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}

/**
 * A host that could not be reached at all: the connection was refused, the name does not resolve,
 * there is no route, or no connection came within the timeout. The same for every module asked
 * of it, so it is reported once, naming the host rather than a module.
 */
export class UnreachableError extends Error {
  override name = 'UnreachableError';

  constructor(
    /** The origin that could not be reached, e.g. `https://proxy.example` (no credentials). */
    readonly url: string,
    readonly host: string,
    /** Why, in words, e.g. `connection refused`, `no such host`. */
    readonly reason: string,
    /** The system's error code, e.g. `ECONNREFUSED`, when there is one. */
    readonly code: string | undefined,
    /** The HTTP proxy (from HTTPS_PROXY or HTTP_PROXY) the connection went through, when one did. */
    readonly through?: string,
  ) {
    super(`cannot reach ${url}${through === undefined ? '' : ` through the proxy ${through}`} (${reason})`);
  }
}

/** A proxy's "not here" (404, 410, a missing file): the next proxy in the list is asked. */
export class NotFoundAtProxy extends Error {
  override name = 'NotFoundAtProxy';
  readonly proxy: string;
  readonly reason: string;

  constructor(proxy: string, reason: string) {
    super(`${proxy}: ${reason}`);
    this.proxy = proxy;
    this.reason = reason;
  }
}

/** HTTPS_PROXY or HTTP_PROXY (or a lower-case form) holds a value no request can go through. */
export class ProxySettingError extends Error {
  override name = 'ProxySettingError';

  constructor(
    /** The environment variable, e.g. `HTTPS_PROXY`. */
    readonly variable: string,
    /** Its value, password hidden. */
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${variable}=${value}: ${reason}`);
  }
}
