/**
 * One GET against a proxy: over HTTP(S) with node:http/node:https, or from disk for file:// proxies.
 *
 * node:http rather than the global fetch: it gives direct hold of the socket, so a connect or idle
 * timeout, an abort or a dropped connection ends the request at once and surfaces as a plain error
 * from the body stream, and Content-Length is checked against the bytes that actually arrived.
 * Bodies stay streams throughout; nothing here holds a whole file in memory.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { TransferError, UnreachableError } from './errors';
import type { AgentChoice } from './httpAgents';
import { errorMessage } from '../../../shared/errorMessage';

export interface OpenedResponse {
  status: number;
  /** e.g. `404 Not Found`. */
  statusLine: string;
  contentType: string | undefined;
  contentLength: number | undefined;
  /** The body one chunk at a time. Throws TransferError on a stall or drop, the abort reason on abort. */
  chunks(): AsyncGenerator<Buffer>;
  /** Stops reading and lets the connection go. */
  close(): void;
}

export interface HttpGetOptions {
  /** The connection pool for url: direct, or through the proxy the environment names for it. */
  agentFor(url: URL): AgentChoice;
  /** Certificates to trust for https instead of the bundled ones; given per request so it holds through a proxy's tunnel too. */
  ca: string | Buffer | undefined;
  /** Longest wait for the connection, for the response to start, and between two chunks of its body. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** The Authorization header of url's own host (its .netrc entry), chosen afresh for every hop of a redirect. */
  credentialsFor(url: URL): string | undefined;
  /**
   * An Authorization header given for the first URL (from credentials written into it). Later hops
   * send it only while they stay on that host or a subdomain of it, on the same port, and never again
   * once the chain has left it (net/http's rule for sensitive headers on redirects).
   */
  authorization?: string;
  /**
   * Told once the first URL's host has accepted a direct connection (for https, completed the
   * handshake): it can be reached, before it answers. Not told through a proxy, whose connection
   * says nothing of the host behind it.
   */
  onConnected?: () => void;
}

const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Errors a later attempt may not meet: the peer dropped a connection it had accepted. */
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Errors that mean the host cannot be reached at all. The go command does not retry them, and
 * neither is it worth it here: every request to the host would wait through the same retries.
 */
const UNREACHABLE_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'temporary failure in name resolution',
  EAI_FAIL: 'name resolution failed',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  ENETDOWN: 'network is down',
};

/** Certificate errors: the host answered, but cannot be trusted, which no retry changes. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Follows up to 10 redirects, never from https down to http, as the go command's client does. */
export async function openHttp(url: URL, options: HttpGetOptions): Promise<OpenedResponse> {
  let current = url;
  let forwardAuthorization = true;
  for (let hop = 0; ; hop++) {
    forwardAuthorization &&= isSameHostOrSubdomain(current, url);
    const authorization = options.credentialsFor(current) ?? (forwardAuthorization ? options.authorization : undefined);
    const res = await sendRequest(current, authorization, hop === 0 ? options : { ...options, onConnected: undefined });
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(res.statusCode ?? 0) || location === undefined) return wrapResponse(res, options);
    res.destroy();
    if (hop >= MAX_REDIRECTS) throw new TransferError(`stopped after ${MAX_REDIRECTS} redirects`, false);
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new TransferError(`redirected to an unsupported URL ${next.protocol}//${next.host}${next.pathname}`, false);
    }
    if (current.protocol === 'https:' && next.protocol === 'http:') {
      throw new TransferError(`redirected from https to insecure ${next.protocol}//${next.host}${next.pathname}`, false);
    }
    current = next;
  }
}

/** Both URLs' ports, defaults filled in, are equal, and dest's host name is url's or ends in `.` and url's. */
function isSameHostOrSubdomain(dest: URL, initial: URL): boolean {
  if (portOf(dest) !== portOf(initial)) return false;
  if (dest.hostname === initial.hostname) return true;
  // An IP literal has no subdomains; a `:` in the name is an IPv6 address.
  return !dest.hostname.includes(':') && dest.hostname.endsWith(`.${initial.hostname}`);
}

function portOf(url: URL): string {
  return url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
}

function sendRequest(url: URL, authorization: string | undefined, options: HttpGetOptions): Promise<http.IncomingMessage> {
  const { signal, timeoutMs } = options;
  signal?.throwIfAborted();
  const isHttps = url.protocol === 'https:';
  const headers: http.OutgoingHttpHeaders = { 'user-agent': 'ModFerry', accept: '*/*' };
  if (authorization !== undefined) headers.authorization = authorization;
  // The query is part of the request: signed CDN URLs (S3, Athens in redirect mode) carry their signature there.
  const target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, path: `${url.pathname}${url.search}` };

  const { agent, proxy } = options.agentFor(url);

  return new Promise((resolve, reject) => {
    const tls = isHttps && options.ca !== undefined ? { ca: options.ca } : {};
    const req = (isHttps ? https : http).request({ ...target, ...tls, method: 'GET', headers, agent });
    // Rejects at once: a request still waiting for its socket (a proxy's CONNECT under way) reports nothing when destroyed.
    const fail = (err: unknown): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    };
    const stop = (err: Error): void => {
      req.destroy(err);
      fail(err);
    };
    const timer = setTimeout(() => {
      const connected = req.socket !== null && !req.socket.connecting;
      stop(connected ? new TransferError(`no response within ${timeoutMs} ms`, true) : unreachable(url, `no connection within ${timeoutMs} ms`, undefined, proxy));
    }, timeoutMs);
    // The tunnel's answer, emitted by the proxy agent: anything but 200 means the proxy could not or would not connect.
    req.once('proxyConnect', (answer: { statusCode?: number; statusText?: string }) => {
      if (answer.statusCode !== 200) stop(unreachable(url, `the proxy answered ${answer.statusCode ?? '?'} ${answer.statusText ?? ''}`.trim(), undefined, proxy));
    });
    // Stays until the body is done, so an abort also cuts a body mid-way; rejecting after the response is a no-op.
    const onAbort = (): void => {
      req.destroy(signal?.reason);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const { onConnected } = options;
    if (onConnected !== undefined && proxy === undefined) {
      req.once('socket', (socket) => {
        if (!socket.connecting) return onConnected();
        socket.once(isHttps ? 'secureConnect' : 'connect', onConnected);
      });
    }
    req.once('response', (res) => {
      clearTimeout(timer);
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      resolve(res);
    });
    // `on`, not `once`: a socket can fail again after the first error, and an unheard error would crash the process.
    req.on('error', (err) => {
      fail(signal?.aborted ? signal.reason : err instanceof UnreachableError ? err : (connectionFailure(err, url, proxy) ?? asTransferError(err)));
    });
    req.end();
  });
}

function wrapResponse(res: http.IncomingMessage, options: HttpGetOptions): OpenedResponse {
  const status = res.statusCode ?? 0;
  const length = res.headers['content-length'];
  return {
    status,
    statusLine: `${status} ${res.statusMessage || http.STATUS_CODES[status] || ''}`.trim(),
    contentType: res.headers['content-type'],
    contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
    chunks: () => streamChunks(res, options.timeoutMs, options.signal),
    // Destroying an unfinished response closes its connection; a finished one stays in the keep-alive pool.
    close: () => res.destroy(),
  };
}

/** Serves a file of a file:// proxy as if it were a response: a missing file is a 404, an unreadable one a 403. */
export async function openFile(file: string, signal?: AbortSignal): Promise<OpenedResponse> {
  signal?.throwIfAborted();
  const failed = (status: number, statusLine: string): OpenedResponse => ({
    status,
    statusLine,
    contentType: undefined,
    contentLength: undefined,
    chunks: async function* () {},
    close: () => undefined,
  });
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return failed(404, '404 Not Found');
    size = info.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return failed(404, '404 Not Found');
    if (code === 'EACCES' || code === 'EPERM') return failed(403, '403 Forbidden');
    throw new TransferError((err as Error).message, false);
  }
  let stream: Readable | undefined;
  return {
    status: 200,
    statusLine: '200 OK',
    contentType: undefined,
    contentLength: size,
    chunks: () => {
      stream = createReadStream(file);
      return streamChunks(stream, undefined, signal);
    },
    close: () => stream?.destroy(),
  };
}

/**
 * Yields a stream's chunks. With idleMs, a wait for the next chunk longer than that destroys the
 * stream (and with it the connection); an abort does the same.
 */
async function* streamChunks(stream: Readable, idleMs: number | undefined, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  const onAbort = (): void => {
    stream.destroy(signal?.reason);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const iterator = stream[Symbol.asyncIterator]();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const timer =
        idleMs === undefined ? undefined : setTimeout(() => stream.destroy(new TransferError(`no data for ${idleMs} ms`, true)), idleMs);
      let next: IteratorResult<Buffer>;
      try {
        next = (await iterator.next()) as IteratorResult<Buffer>;
      } catch (err) {
        signal?.throwIfAborted();
        throw asTransferError(err);
      } finally {
        clearTimeout(timer);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}

/** The UnreachableError for an error met while connecting to url, or undefined for any other error. */
function connectionFailure(err: unknown, url: URL, proxy: string | undefined): UnreachableError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return undefined;
  const reason = UNREACHABLE_REASONS[code];
  if (reason !== undefined) return unreachable(url, reason, code, proxy);
  if (CERTIFICATE_CODES.has(code)) return unreachable(url, `its certificate is not trusted: ${(err as Error).message}`, code, proxy);
  return undefined;
}

function unreachable(url: URL, reason: string, code: string | undefined, proxy: string | undefined): UnreachableError {
  return new UnreachableError(`${url.protocol}//${url.host}`, url.hostname, reason, code, proxy);
}

export function asTransferError(err: unknown): TransferError {
  if (err instanceof TransferError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = errorMessage(err);
  if (code === 'ECONNRESET' && message === 'aborted') return new TransferError('connection closed before the body was complete', true);
  return new TransferError(message, code !== undefined && RETRYABLE_CODES.has(code));
}

/** Error bodies up to this size are read to the end, so the connection can serve the next request. */
const DRAINED_ERROR_BODY = 64 * 1024;

/**
 * The server's explanation, as the go command shows it: the first line of a plain-text UTF-8 body
 * made only of printable characters (anything else could be an HTML page or play tricks on a terminal).
 */
export async function readErrorDetail(response: OpenedResponse): Promise<string> {
  const mediaType = response.contentType?.split(';')[0]?.trim().toLowerCase();
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(response.contentType ?? '')?.[1]?.toLowerCase();
  const isText = mediaType === 'text/plain' && (charset === undefined || charset === 'utf-8' || charset === 'us-ascii');
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.chunks()) {
      if (size < 4096) parts.push(chunk);
      size += chunk.length;
      if (size > DRAINED_ERROR_BODY) break;
    }
  } catch {
    return '';
  } finally {
    if (size > DRAINED_ERROR_BODY) response.close();
  }
  if (!isText) return '';
  const body = Buffer.concat(parts);
  const newline = body.indexOf(0x0a);
  let line: string;
  try {
    line = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(0, newline >= 0 ? newline : 4096));
  } catch {
    return '';
  }
  line = line.replace(/\r$/, '').trim();
  if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]*$/u.test(line)) return '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
