/**
 * Serves a store as a GOPROXY over HTTP, straight from the store's files (no copy).
 *
 * What is listed: `@v/list` names only the tagged versions whose .info, .mod and .zip the store all
 * holds, and `@latest` picks among those and the pseudo-versions held in full (see moduleAnswers).
 * `go list -m -versions`, `go get m@latest` and `go get m@v1.2` all choose from the list, so every
 * version they can pick downloads completely.
 * Versions held for their go.mod alone (the module graph reads them, the build does not) stay
 * reachable by exact version, which is how the go command asks for them, but are never offered as
 * a choice that would then fail at the zip.
 *
 * The go command reads retractions from the latest go.mod itself, as with any proxy, and only asks
 * `@latest` when the list holds no tagged version it allows; @latest answers what it will accept then.
 *
 * 404 (never 410, which the go command treats alike) means the store lacks it: the one-line text
 * body reaches the user inside the go command's error, and the request is recorded as a miss to
 * carry on the next trip. 400 is for targets no go command sends. 403 is for requests that name
 * another host while the server listens on loopback (see loopbackHost).
 *
 * This is the answer logic alone, a request handler any Node HTTP server can mount, at the root or
 * under a path prefix; startProxyServer (proxyHttpServer) runs it in a server of its own with
 * connection limits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  DownloadAbortedError,
  JSON_TYPE,
  TEXT,
  bodyEtag,
  sendBody,
  sendLine,
  requestHeader,
  sendStoredFile,
  type Sent,
} from './httpReplies';
import type { StoredFileKind } from '../../../shared/roundtrip/inventory';
import { parseProxyRequest } from './proxyRequest';
import { SmallFileCache } from './smallFileCache';
import { IMMUTABLE, SHORT_LIVED, servedFile, type ServedFile } from './servedFile';
import { answerSumdb } from './sumdbAnswers';
import { StoreFileChangedError, StoreFileDamagedError } from './storeFileChecks';
import { BoundedMap } from './boundedMap';
import type { ProxyStore } from './proxyStore';
import { requestLogLine, type LoggedRequest } from './requestLogLine';
import { requestSubject, type ServedRequest } from './servedRequest';
import { isLoopbackHostHeader, isLoopbackName } from './loopbackHost';
import { ModuleAnswers } from './moduleAnswers';
import { MISS_DROP_REASONS } from '../store/countedMiss';
import { errorMessage } from '../../../shared/errorMessage';

export interface ProxyHandlerOptions {
  store: ProxyStore;
  /**
   * The path the proxy answers under, such as `/goproxy` (then GOPROXY=http://host:port/goproxy).
   * Requests outside it get 404. Default: the root.
   */
  prefix?: string;
  /**
   * The address the server that mounts the handler listens on. When it is a loopback address,
   * requests naming another host get 403 (see loopbackHost). Default: any host name is answered.
   */
  listenHost?: string;
  /** Receives one line per request. */
  log?: (line: string) => void;
  /** Receives each request as fields, for a live log (the same request as the line `log` receives). */
  onRequest?: (request: ServedRequest) => void;
  /** When the service started, for /stats; a cluster worker is given the time the whole cluster started. Default now. */
  startedAt?: Date;
  /**
   * The requests and misses /stats reports, given this server's own: a cluster worker adds what its
   * siblings have reported. Default: its own.
   */
  statsCounts?: (own: ServedCounts) => ServedCounts;
}

export interface ServedCounts {
  requests: number;
  misses: number;
}

export interface HandlerCounts extends ServedCounts {
  /** Requests being answered now. */
  inFlight: number;
}

/** Answers one request: `(req, res) => void`, as http.createServer and most routers take it. */
export interface ProxyHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** The path it answers under: `/goproxy`, or empty for the root. */
  readonly prefix: string;
  /** Requests received so far, how many were recorded as misses, and how many are being answered now. */
  counts(): HandlerCounts;
}

const CONTENT_TYPES: Record<StoredFileKind, string> = { info: JSON_TYPE, mod: TEXT, zip: 'application/zip' };

export function createProxyHandler(options: ProxyHandlerOptions): ProxyHandler {
  const { store, log, onRequest } = options;
  const prefix = checkedPrefix(options.prefix ?? '');
  const startedAt = options.startedAt ?? new Date();
  const statsCounts = options.statsCounts ?? ((own: ServedCounts) => own);
  const counts = { requests: 0, misses: 0, inFlight: 0 };
  const cache = new SmallFileCache();
  // Version files by request target, with the parse, the index lookup and the headers done once:
  // forgotten whenever the store's files change (a repair may restore or forget a file; see
  // ModuleAnswers.forgetIfChanged). Misses are not remembered, or a module imported while serving would stay invisible. At most
  // 50k targets of at most MAX_REMEMBERED_TARGET characters: ~25 MB at the very worst.
  const versionFiles = new BoundedMap<string, ServedFile>(50_000);
  // Listening on loopback, the only clients are on this machine; a request naming another host is a
  // web page that re-pointed its own name here (DNS rebinding), never the go command.
  const loopbackOnly = options.listenHost !== undefined && isLoopbackName(options.listenHost);

  // Recording a miss only counts it in memory (see MissRecorder): the 404 never waits on the catalog.
  // A read-only store records none, as serve said at start.
  const notFound = (req: IncomingMessage, res: ServerResponse, path: string, query: string, what: string): Sent => {
    const outcome = store.recordMiss(path, query);
    if (outcome === 'recorded') counts.misses++;
    const line = `not found: ${what} is not in this ModFerry store${outcome === 'recorded' ? ' (recorded as a miss for the next transfer)' : ''}`;
    const note = outcome === 'recorded' || outcome === 'read-only' || outcome === 'probe' ? undefined : `miss not recorded: ${MISS_DROP_REASONS[outcome]}`;
    return { ...sendLine(req, res, 404, line), note };
  };

  const moduleAnswers = new ModuleAnswers(store, { onChange: () => versionFiles.clear() });

  // Synchronous whenever the answer is in memory, which is most answers of a busy proxy.
  const answer = (req: IncomingMessage, res: ServerResponse): Sent | Promise<Sent> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendLine(req, res, 405, `method ${req.method ?? ''} not allowed: this proxy answers GET and HEAD`, ['Allow', 'GET, HEAD']);
    }
    if (loopbackOnly && !isLoopbackHostHeader(requestHeader(req, 'host'))) {
      return sendLine(req, res, 403, `forbidden: this proxy listens on ${options.listenHost ?? ''} and answers requests for that name only, not for another host's name`);
    }
    const target = withinPrefix(req.url ?? '', prefix);
    if (target === undefined) return sendLine(req, res, 404, `not found: this GOPROXY answers under ${prefix}/ only`);
    moduleAnswers.forgetIfChanged();
    const known = versionFiles.get(target);
    if (known !== undefined) return sendStoredFile(req, res, known, cache);
    const request = parseProxyRequest(target);
    switch (request.kind) {
      case 'healthz':
        return sendLine(req, res, 200, 'ok');
      case 'stats': {
        const { requests, misses } = statsCounts({ requests: counts.requests, misses: counts.misses });
        const body = { ...store.stats(), requests, misses, startedAt: startedAt.toISOString() };
        return sendBody(req, res, 200, Buffer.from(`${JSON.stringify(body)}\n`), JSON_TYPE, ['Cache-Control', 'no-store']);
      }
      case 'sumdb':
        // Not recorded as misses: a missing proof is not a module to fetch, and the lookup's 404 names the module in the log.
        return answerSumdb(store.proofs, request.name, request.request).then((answer) =>
          answer.status === 404
            ? sendLine(req, res, 404, answer.line)
            : sendBody(req, res, 200, answer.body, TEXT, ['Cache-Control', answer.immutable ? IMMUTABLE : 'no-cache'], bodyEtag(answer.body)));
      case 'malformed':
        return sendLine(req, res, 400, `bad request: ${request.reason}`);
      case 'unknown':
        return sendLine(req, res, 404, 'not found: not a GOPROXY endpoint (<module>/@v/list, <module>/@v/<version>.info|.mod|.zip, <module>/@latest)');
      case 'list': {
        const list = moduleAnswers.list(request.modulePath);
        if (list === undefined) return notFound(req, res, request.modulePath, 'list', `module ${request.modulePath}`);
        return sendBody(req, res, 200, list.body, TEXT, ['Cache-Control', SHORT_LIVED], list.etag);
      }
      case 'latest': {
        const info = moduleAnswers.latest(request.modulePath);
        if (info === undefined) return notFound(req, res, request.modulePath, 'latest', `module ${request.modulePath}`);
        return sendStoredFile(req, res, info, cache);
      }
      case 'version': {
        const { modulePath, version, file } = request;
        const stored = request.exact ? store.file(modulePath, version, file) : undefined;
        if (stored === undefined) return notFound(req, res, modulePath, version, `${modulePath}@${version} (.${file})`);
        const served = servedFile(stored, CONTENT_TYPES[file]);
        if (isRememberable(target)) versionFiles.set(target, served);
        return sendStoredFile(req, res, served, cache);
      }
    }
  };

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    counts.requests++;
    counts.inFlight++;
    const finish = (sent: Sent, note = sent.note): void => {
      counts.inFlight--;
      const logged: LoggedRequest = { method: req.method ?? '', target: req.url ?? '', status: sent.status, bytes: sent.bytes, ms: performance.now() - started };
      if (note !== undefined) logged.note = note;
      log?.(requestLogLine(logged));
      if (onRequest !== undefined) {
        const target = withinPrefix(logged.target, prefix);
        onRequest({ ...logged, at: new Date().toISOString(), ...(target === undefined ? {} : requestSubject(target)) });
      }
    };
    let sent: Sent | Promise<Sent>;
    try {
      sent = answer(req, res);
    } catch (error) {
      finish(...failed(res, req, error));
      return;
    }
    if (sent instanceof Promise) sent.then((done) => finish(done), (error: unknown) => finish(...failed(res, req, error)));
    else finish(sent);
  };
  return Object.assign(handler, { prefix, counts: (): HandlerCounts => ({ ...counts }) });
}

/** A prefix is a path of plain segments: `/goproxy`, `/mirrors/go` (a trailing slash is dropped). */
function checkedPrefix(given: string): string {
  const prefix = given.replace(/\/+$/, '');
  if (prefix === '') return '';
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix) || prefix.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new Error(`prefix "${given}" is not a path of plain segments such as /goproxy`);
  }
  return prefix;
}

/** The request target below the prefix, or undefined when it is not under it. */
function withinPrefix(target: string, prefix: string): string | undefined {
  if (prefix === '') return target;
  if (!target.startsWith(prefix) || target.charCodeAt(prefix.length) !== SLASH) return undefined;
  return target.slice(prefix.length);
}

const SLASH = 0x2f;

/**
 * A target worth remembering: what the go command sends. A query or a long target would let a
 * client fill the memory of targets with variants of one file's name.
 */
function isRememberable(target: string): boolean {
  return target.length <= MAX_REMEMBERED_TARGET && !target.includes('?');
}

/** Far above any real module path and version (the go command's longest are a few hundred characters). */
const MAX_REMEMBERED_TARGET = 512;

/**
 * Turns a failure into a 500 (when the status line has not gone out yet) and the log's note. The
 * client is told only that something is wrong here: the details name files on this machine.
 */
function failed(res: ServerResponse, req: IncomingMessage, error: unknown): [Sent, string] {
  if (error instanceof DownloadAbortedError) return [{ status: res.statusCode, bytes: error.bytes }, error.message];
  const message = errorMessage(error);
  const reason = error instanceof StoreFileChangedError
    ? `store file changed since import: ${message}`
    : error instanceof StoreFileDamagedError ? `store file damaged: ${message}` : message;
  // A body already under way is cut off: the client sees a broken download, never a whole wrong one.
  if (res.headersSent) {
    res.destroy();
    return [{ status: res.statusCode, bytes: 0 }, reason];
  }
  return [sendLine(req, res, 500, failureLine(error)), reason];
}

function failureLine(error: unknown): string {
  if (error instanceof StoreFileDamagedError) {
    return `internal error: the store's copy of this file is damaged (its bytes do not match the catalog's sha256); run "${REPAIR_COMMAND}" on the serving machine`;
  }
  if (error instanceof StoreFileChangedError) {
    return `internal error: the store's copy of this file is damaged or missing; run "${REPAIR_COMMAND}" on the serving machine (details in the modferry serve log)`;
  }
  return 'internal error (details in the modferry serve log)';
}

const REPAIR_COMMAND = 'modferry store check --repair';
