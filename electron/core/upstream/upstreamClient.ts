/**
 * Downloads from the module proxies in GOPROXY, following the go command's rules for walking the
 * list (cmd/go/internal/modfetch/proxy.go, TryProxies): 404 and 410 mean "not here, ask the next";
 * any other failure ends the walk at a `,` and moves on at a `|`.
 *
 * On top of the go command it retries what may pass (5xx, 429, dropped or stalled connections,
 * bodies cut short), bounds the number of requests in flight, and keeps immutable files in a
 * content-addressed cache that is re-verified on every use.
 */
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { latestFromList } from '../../../shared/gomod/latest';
import { isPseudoVersion } from '../../../shared/gomod/pseudoVersion';
import { isValid, sortVersions } from '../../../shared/gomod/semver';
import { backoffDelay, sleep } from './backoff';
import { DownloadCache, type CachedBlob } from './downloadCache';
import { ModuleNotFoundError, NotFoundAtProxy, TransferError, UnreachableError, UpstreamError, moduleSubject, type NotFoundReason } from './errors';
import { credentialsForHost, defaultNetrcPath, readNetrc, type Credentials, type Netrc } from './netrc';
import { LOOKUP_DISABLED, parseGoproxy, type ProxyList, type ProxyServer } from '../../../shared/goproxy/proxyList';
import { latestKey, listKey, pathEscape, versionFileKey, type ModuleFileKind } from './proxyKeys';
import { isCanonicalModuleVersion } from '../../../shared/gomod/moduleVersion';
import { HttpAgents } from './httpAgents';
import { readProxyEnvironment } from './proxyEnvironment';
import { Semaphore } from './semaphore';
import { openFile, openHttp, readErrorDetail, type OpenedResponse } from './transport';

export { ModuleNotFoundError, UnreachableError, UpstreamError } from './errors';

export interface UpstreamClientOptions {
  /** A GOPROXY value; empty means the go command's default. */
  goproxy: string;
  cacheDir: string;
  /** Most requests in flight at once, across every call on this client. Default 16. */
  concurrency?: number;
  /** Longest wait for a connection, a response, or the next piece of a body. Default 30 s. */
  timeoutMs?: number;
  /** Extra attempts after a failure that may pass. Default 3. */
  retries?: number;
  /** The first retry waits about this long, each later one twice as long. Default 250 ms. */
  retryBaseDelayMs?: number;
  /** Default: $NETRC, else ~/.netrc (~/_netrc on Windows). */
  netrcFile?: string;
  /** Aborting stops every request in flight and deletes partial downloads. */
  signal?: AbortSignal;
  /** Bytes as they arrive from a proxy, retried attempts included; cache hits report nothing. */
  onBytes?: (n: number) => void;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and their lower-case forms) are read. Default: process.env. */
  proxyEnv?: NodeJS.ProcessEnv;
  /** Certificates to trust for https instead of the bundled ones (a private CA); NODE_EXTRA_CA_CERTS adds to them instead. */
  ca?: string | Buffer;
}

/** A module version's `.info`: the version it resolved to and its commit time. */
export interface RevInfo {
  Version: string;
  Time?: string;
}

export interface FetchedFile {
  /** The verified blob in the download cache. */
  file: string;
  sha256: string;
  size: number;
  fromCache: boolean;
}

export interface UpstreamClient {
  /** The tagged versions the proxy lists, sorted; empty when the module exists but has no tags. */
  list(path: string): Promise<string[]>;
  /**
   * The proxy's `@latest`; where a proxy has none, the newest pseudo-version (or timed line) of its list,
   * as the go command's proxy client stands in for it (latestFromList). This is one step of the go
   * command's `path@latest` query, not its answer: queryLatest in export answers the query.
   */
  latest(path: string): Promise<RevInfo>;
  /** The `.info` of a version; an exact version is cached, a query (`master`, `v1.2`) is always asked afresh. */
  info(path: string, version: string): Promise<RevInfo>;
  /** A version's `.info`, `.mod` or `.zip`, from the cache or streamed into it. */
  fetch(path: string, version: string, kind: ModuleFileKind): Promise<FetchedFile>;
  /**
   * A checksum database's file (`supported`, `lookup/…`, `tile/…`) from `server`: a proxy's
   * `<proxy>/sumdb/<name>`, or the database itself. Undefined when it answers "not found" (404, 410).
   * Requests share the client's bound on requests in flight, its retries and its credentials; errors
   * name `subject`. Nothing is cached here: the caller caches what it has proven.
   */
  sumdbFile(server: ProxyServer, file: string, subject: string): Promise<Buffer | undefined>;
  /** Lets go of idle connections. */
  close(): void;
}

const DEFAULTS = { concurrency: 16, timeoutMs: 30_000, retries: 3, retryBaseDelayMs: 250 };

/** The go command's limits (codehost.MaxZipFile, MaxGoMod); the same cap serves the small JSON and list answers. */
const SIZE_LIMITS: Record<ModuleFileKind | 'text', number> = {
  zip: 500 << 20,
  mod: 16 << 20,
  info: 16 << 20,
  text: 16 << 20,
};

/** A lookup is a few hundred bytes and a tile 8 KiB: anything near this is not a checksum database's answer. */
const SUMDB_FILE_LIMIT = 1 << 20;

/** Parses GOPROXY at once, so a bad setting fails before any work starts. */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  return new ProxyClient(options);
}

class ProxyClient implements UpstreamClient {
  private readonly proxies: ProxyList;
  private readonly cache: DownloadCache;
  private readonly semaphore: Semaphore;
  private readonly agents: HttpAgents;
  private readonly ca: string | Buffer | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;
  private readonly netrcFile: string;
  private readonly signal: AbortSignal;
  /** Aborted by close(): what is still asked then (a prefetch, a best-effort lookup) is no one's any more. */
  private readonly closing = new AbortController();
  private readonly onBytes: ((n: number) => void) | undefined;
  private readonly inFlight = new Map<string, Promise<FetchedFile>>();
  /** Origins found unreachable: every later request to them fails at once with the same error. */
  private readonly unreachable = new Map<string, UnreachableError>();
  /** Origins that have answered once; until one has, its first request goes alone (see open). */
  private readonly reached = new Set<string>();
  private readonly firstContact = new Map<string, Promise<void>>();
  private netrc: Promise<Netrc> | undefined;
  private cacheReady: Promise<void> | undefined;

  constructor(options: UpstreamClientOptions) {
    this.proxies = parseGoproxy(options.goproxy);
    const concurrency = options.concurrency ?? DEFAULTS.concurrency;
    this.semaphore = new Semaphore(concurrency);
    this.agents = new HttpAgents(readProxyEnvironment(options.proxyEnv ?? process.env), concurrency);
    this.ca = options.ca;
    this.cache = new DownloadCache(options.cacheDir);
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.retries = options.retries ?? DEFAULTS.retries;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? DEFAULTS.retryBaseDelayMs;
    this.netrcFile = options.netrcFile ?? defaultNetrcPath();
    this.signal = options.signal === undefined ? this.closing.signal : AbortSignal.any([options.signal, this.closing.signal]);
    // Every queued request listens for abort until it runs, so thousands of listeners are expected here.
    setMaxListeners(0, this.signal);
    if (options.signal) setMaxListeners(0, options.signal);
    this.onBytes = options.onBytes;
  }

  async list(path: string): Promise<string[]> {
    const key = listKey(path);
    const all = await this.tryProxies(path, undefined, (proxy) =>
      this.get(proxy, key, path, undefined, async (response) => parseVersionList(await this.readText(response))),
    );
    return sortVersions(all.filter((v) => !isPseudoVersion(v)));
  }

  async latest(path: string): Promise<RevInfo> {
    const key = latestKey(path);
    return this.tryProxies(path, 'latest', async (proxy) => {
      let latestMissing: NotFoundAtProxy;
      try {
        return await this.get(proxy, key, path, 'latest', async (response) => parseRevInfo(await this.readText(response), undefined));
      } catch (err) {
        if (!(err instanceof NotFoundAtProxy)) throw err;
        latestMissing = err;
      }
      let picked: string | undefined;
      try {
        picked = await this.get(proxy, listKey(path), path, 'latest', async (response) => latestFromList((await this.readText(response)).split('\n')));
      } catch (err) {
        if (!(err instanceof NotFoundAtProxy)) throw err;
        throw new NotFoundAtProxy(proxy.base, `@latest: ${latestMissing.reason}; @v/list: ${err.reason}`);
      }
      if (picked === undefined) throw new NotFoundAtProxy(proxy.base, `@latest: ${latestMissing.reason}; @v/list: no pseudo-versions`);
      return this.info(path, picked);
    });
  }

  async info(path: string, version: string): Promise<RevInfo> {
    if (isCanonicalModuleVersion(version)) {
      const fetched = await this.fetch(path, version, 'info');
      return parseRevInfo(await readFile(fetched.file, 'utf8'), version);
    }
    const key = versionFileKey(path, version, 'info');
    return this.tryProxies(path, version, (proxy) =>
      this.get(proxy, key, path, version, async (response) => parseRevInfo(await this.readText(response), undefined)),
    );
  }

  fetch(path: string, version: string, kind: ModuleFileKind): Promise<FetchedFile> {
    if (!isCanonicalModuleVersion(version)) {
      return Promise.reject(new Error(`${moduleSubject(path, version)}: a .${kind} file can only be fetched for an exact version such as v1.2.3`));
    }
    let key: string;
    try {
      key = versionFileKey(path, version, kind);
    } catch (err) {
      return Promise.reject(err);
    }
    // Two callers asking for the same file at once share one download.
    const running = this.inFlight.get(key);
    if (running) return running;
    const download = this.fetchOnce(path, version, kind, key).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, download);
    return download;
  }

  async sumdbFile(server: ProxyServer, file: string, subject: string): Promise<Buffer | undefined> {
    try {
      return await this.get(server, file, subject, undefined, async (response) => {
        const parts: Buffer[] = [];
        await this.drain(response, SUMDB_FILE_LIMIT, async (chunk) => {
          parts.push(chunk);
        });
        return Buffer.concat(parts);
      });
    } catch (err) {
      if (err instanceof NotFoundAtProxy) return undefined;
      throw err;
    }
  }

  close(): void {
    // Requests still waiting on an upstream (or on a retry) would keep the process alive until they time out.
    this.closing.abort();
    this.agents.destroy();
  }

  private async fetchOnce(path: string, version: string, kind: ModuleFileKind, key: string): Promise<FetchedFile> {
    this.cacheReady ??= this.cache.removeStaleTempFiles();
    await this.cacheReady;
    const hit = await this.cache.lookup(key, this.signal);
    if (hit) return { ...hit, fromCache: true };
    const blob = await this.tryProxies(path, version, (proxy) =>
      this.get(proxy, key, path, version, (response) => this.downloadToCache(response, key, kind, version)),
    );
    return { ...blob, fromCache: false };
  }

  private async downloadToCache(response: OpenedResponse, key: string, kind: ModuleFileKind, version: string): Promise<CachedBlob> {
    const writer = await this.cache.beginWrite();
    try {
      await this.drain(response, SIZE_LIMITS[kind], (chunk) => writer.write(chunk));
      // A wrong .info would be believed forever once cached; check it first, as the go command's Stat does.
      if (kind === 'info') parseRevInfo(await readFile(writer.tempFile, 'utf8'), version);
      return await writer.commit(key);
    } catch (err) {
      await writer.discard();
      throw err;
    }
  }

  /**
   * Walks the proxy list. The error reported is the last one that was not "not found" (it says more
   * than a 404), else a ModuleNotFoundError listing every proxy's answer.
   */
  private async tryProxies<T>(path: string, version: string | undefined, attempt: (proxy: ProxyServer) => Promise<T>): Promise<T> {
    const notFound: NotFoundReason[] = [];
    let proxyError: UpstreamError | UnreachableError | undefined;
    for (const entry of this.proxies.entries) {
      if (entry.kind === 'off') {
        notFound.push({ proxy: 'off', reason: LOOKUP_DISABLED });
        break;
      }
      if (entry.kind === 'direct') {
        notFound.push({ proxy: 'direct', reason: entry.reason });
        break;
      }
      try {
        return await attempt(entry);
      } catch (err) {
        this.signal?.throwIfAborted();
        if (err instanceof NotFoundAtProxy) {
          notFound.push({ proxy: err.proxy, reason: err.reason });
          continue;
        }
        if (!(err instanceof UpstreamError || err instanceof UnreachableError)) throw err;
        proxyError = err;
        if (!entry.fallBackOnError) break;
      }
    }
    if (proxyError) throw proxyError;
    throw new ModuleNotFoundError(path, version, notFound);
  }

  /**
   * One GET of key from one proxy, with retries. consume runs on each 200 response and must start
   * from scratch each time; a TransferError from it counts as a failed attempt.
   */
  private async get<T>(
    proxy: ProxyServer,
    key: string,
    path: string,
    version: string | undefined,
    consume: (response: OpenedResponse) => Promise<T>,
  ): Promise<T> {
    const url = `${proxy.base}/${pathEscape(key)}`;
    for (let attempt = 1; ; attempt++) {
      let failure: TransferError;
      const release = await this.semaphore.acquire(this.signal);
      try {
        const response = await this.open(proxy, url);
        if (response.status === 200) return await consume(response);
        const detail = await readErrorDetail(response);
        const reason = detail === '' ? response.statusLine : `${response.statusLine}: ${detail}`;
        if (response.status === 404 || response.status === 410) throw new NotFoundAtProxy(proxy.base, reason);
        failure = new TransferError(reason + this.authHint(proxy, response.status), response.status >= 500 || response.status === 429);
      } catch (err) {
        this.signal?.throwIfAborted();
        if (!(err instanceof TransferError)) throw err;
        failure = err;
      } finally {
        release();
      }
      if (!failure.retryable || attempt > this.retries) throw new UpstreamError(path, version, url, failure.message, attempt);
      await sleep(backoffDelay(attempt, this.retryBaseDelayMs), this.signal);
    }
  }

  /**
   * A proxy's first request goes alone, and the others wait until its host has accepted the
   * connection, or failed to: when the proxy cannot be reached, that makes one connection attempt
   * and one error, not one per module in flight. They need not wait for its answer as well.
   */
  private async open(proxy: ProxyServer, url: string): Promise<OpenedResponse> {
    if (proxy.scheme === 'file') return openFile(fileURLToPath(url), this.signal);
    const origin = new URL(proxy.base).origin;
    for (;;) {
      const known = this.unreachable.get(origin);
      if (known) throw known;
      if (this.reached.has(origin)) return this.openRemembering(proxy, url);
      const pending = this.firstContact.get(origin);
      if (pending === undefined) break;
      await pending;
      this.signal?.throwIfAborted();
    }
    let connected: () => void = () => undefined;
    const reachable = new Promise<void>((resolve) => {
      connected = () => {
        this.reached.add(origin);
        resolve();
      };
    });
    const first = this.openRemembering(proxy, url, connected);
    this.firstContact.set(
      origin,
      Promise.race([
        reachable,
        first.then(
          () => undefined,
          () => undefined,
        ),
      ]),
    );
    try {
      return await first;
    } finally {
      this.firstContact.delete(origin);
    }
  }

  /** Opens url and records whether its proxy's host answered or could not be reached. */
  private async openRemembering(proxy: ProxyServer, url: string, onConnected?: () => void): Promise<OpenedResponse> {
    const origin = new URL(proxy.base).origin;
    try {
      const response = await this.openHttp(proxy, url, onConnected);
      this.reached.add(origin);
      return response;
    } catch (err) {
      if (err instanceof UnreachableError) this.unreachable.set(err.url, err);
      // A redirect target that cannot be reached still means the proxy itself answered.
      if (!(err instanceof UnreachableError && err.url === origin) && !this.signal?.aborted) this.reached.add(origin);
      throw err;
    }
  }

  private async openHttp(proxy: ProxyServer, url: string, onConnected?: () => void): Promise<OpenedResponse> {
    this.netrc ??= readNetrc(this.netrcFile);
    const netrc = await this.netrc;
    return openHttp(new URL(url), {
      agentFor: (target) => this.agents.for(target),
      ca: this.ca,
      timeoutMs: this.timeoutMs,
      signal: this.signal,
      credentialsFor: (target) => basicAuthorization(netrcAllowed(target) ? credentialsForHost(netrc, target.hostname) : undefined),
      authorization: basicAuthorization(proxy.userInfo),
      onConnected,
    });
  }

  private authHint(proxy: ProxyServer, status: number): string {
    if (proxy.scheme === 'file' || (status !== 401 && status !== 403)) return '';
    return ` (credentials come from the "machine ${new URL(proxy.base).hostname}" entry of ${this.netrcFile}, used for https and for this computer only)`;
  }

  private async readText(response: OpenedResponse): Promise<string> {
    const parts: Buffer[] = [];
    await this.drain(response, SIZE_LIMITS.text, async (chunk) => {
      parts.push(chunk);
    });
    return Buffer.concat(parts).toString('utf8');
  }

  /** Moves a body into sink, counting bytes: over the limit fails at once, short of Content-Length is retried. */
  private async drain(response: OpenedResponse, limit: number, sink: (chunk: Buffer) => Promise<void>): Promise<void> {
    const expected = response.contentLength;
    if (expected !== undefined && expected > limit) {
      response.close();
      throw new TransferError(`response of ${expected} bytes is larger than the ${limit}-byte limit`, false);
    }
    let received = 0;
    try {
      for await (const chunk of response.chunks()) {
        received += chunk.length;
        if (received > limit) throw new TransferError(`response is larger than the ${limit}-byte limit`, false);
        this.onBytes?.(chunk.length);
        await sink(chunk);
      }
    } catch (err) {
      if (err instanceof TransferError && err.retryable) {
        throw new TransferError(`${err.message} (after ${received}${expected === undefined ? '' : ` of ${expected}`} bytes)`, true);
      }
      throw err;
    }
    if (expected !== undefined && received !== expected) {
      throw new TransferError(`body cut short: ${received} of ${expected} bytes (Content-Length)`, true);
    }
  }
}

function basicAuthorization(credentials: Credentials | undefined): string | undefined {
  return credentials && `Basic ${Buffer.from(`${credentials.login}:${credentials.password}`).toString('base64')}`;
}

/**
 * .netrc passwords go only over https, as with the go command, and additionally to this computer
 * (loopback), where nothing crosses a network: a local Athens or an ssh tunnel to one.
 */
function netrcAllowed(url: URL): boolean {
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The versions named at the start of the lines of an `@v/list` answer (later fields, such as times,
 * are ignored). The go command keeps any valid semver here; a non-canonical one such as `v1.2` is
 * dropped as well, since it names no file that could be fetched or bundled.
 */
function parseVersionList(text: string): string[] {
  const versions = new Set<string>();
  for (const line of text.split('\n')) {
    const first = line.trim().split(/\s+/)[0] ?? '';
    if (isCanonicalModuleVersion(first)) versions.add(first);
  }
  return [...versions];
}

/**
 * An `.info` or `@latest` answer. When an exact version was asked for, the proxy must answer for
 * exactly that version (the go command's proxyRepo.Stat rule).
 */
function parseRevInfo(text: string, requested: string | undefined): RevInfo {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TransferError('invalid response from proxy: not JSON', false);
  }
  if (typeof value !== 'object' || value === null) throw new TransferError('invalid response from proxy: not a JSON object', false);
  const { Version, Time } = value as Record<string, unknown>;
  if (typeof Version !== 'string' || !isValid(Version)) {
    throw new TransferError(`invalid response from proxy: Version ${JSON.stringify(Version)} is not a semantic version`, false);
  }
  if (requested !== undefined && Version !== requested) {
    throw new TransferError(`proxy returned info for version ${Version} instead of requested version`, false);
  }
  if (Time === undefined) return { Version };
  if (typeof Time !== 'string' || Number.isNaN(Date.parse(Time))) {
    throw new TransferError(`invalid response from proxy: Time ${JSON.stringify(Time)} is not an RFC 3339 time`, false);
  }
  return { Version, Time };
}
