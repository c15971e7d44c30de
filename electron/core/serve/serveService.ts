/**
 * `modferry serve` as a service the CLI and the app both start: the store opened (a missing or
 * damaged one is one clear error before anything listens), the proxy listening in this process or
 * in worker processes, the facts to show, live request events, store stats, and an orderly stop.
 */
import { TOOLCHAIN_MODULE } from '../../../shared/gomod/goToolchain';
import { ModFerryError } from '../errors/modferryError';
import { openStore } from '../store/diskStore';
import { openStoreFacts, storeFacts, type StoreFacts } from '../store/storeFacts';
import { DEFAULT_LISTEN, urlHost, type ListenAddress } from './listenAddress';
import { startProxyCluster } from './proxyCluster';
import type { HandlerCounts } from './proxyHandler';
import { startProxyServer, type RunningProxyServer } from './proxyHttpServer';
import { timestamped } from './requestLogLine';
import type { ServedRequest } from './servedRequest';
import { serveFacts, type ServeFacts } from './serveFacts';
import { provingDatabases } from './toolchainFacts';

/** Each worker is a Node process of 60-150 MiB; past the cores of any machine that runs this, more only costs memory. */
export const MAX_WORKERS = 16;

export interface ServeOptions {
  /** The store; default: the store in ModFerry's data folder. */
  storeDir?: string;
  listen?: ListenAddress;
  /** Processes answering requests, 1 (default: this process alone) to MAX_WORKERS. */
  workers?: number;
  /** The environment of the shell the go command runs in, for the lines to paste (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The request log: timestamped lines, one or several joined by newlines. */
  log?: (text: string) => void;
  /** Each request as fields, for a live log. */
  onRequest?: (request: ServedRequest) => void;
  /** A line when a worker dies and is replaced. */
  notice?: (line: string) => void;
  /** How long stop() lets downloads in flight finish. Default 5 s. */
  closeGraceMs?: number;
}

export interface RunningServe {
  storeDir: string;
  /** Opened read-only (a store on read-only media): misses are not recorded. */
  readOnly: boolean;
  workers: number;
  /** Where the server listens, as GOPROXY would name it. */
  url: string;
  facts: ServeFacts;
  /** The store as serving began. */
  startFacts: StoreFacts & { exists: true };
  startedAt: string;
  /** Requests received, recorded as misses, and in flight now. */
  counts(): HandlerCounts;
  /** The store as it is now (misses recorded while serving included). */
  stats(): StoreFacts;
  /** Settles only when worker processes kept dying and serving gave up. */
  failed: Promise<Error>;
  /** Stops accepting, lets downloads in flight finish (up to the grace period); resolves with the final counts. */
  stop(): Promise<HandlerCounts>;
}

/** A listen that failed, with the system's code (EADDRINUSE…) and where. */
export class ServeListenError extends ModFerryError {
  override name = 'ServeListenError';

  constructor(readonly listen: ListenAddress, readonly code: string | undefined, detail: string) {
    const reason = listenFailure(listen, code, detail);
    // The reason names the address already, as host:port.
    super('input', reason, { url: `http://${urlHost(listen.host)}:${listen.port}` }, { message: reason });
  }
}

export async function startServe(options: ServeOptions = {}): Promise<RunningServe> {
  const listen = options.listen ?? DEFAULT_LISTEN;
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new ModFerryError('input', `workers: ${workers} is not a whole number from 1 to ${MAX_WORKERS}`);
  }
  const env = options.env ?? process.env;
  const startedAt = new Date().toISOString();
  const store = openStore(options.storeDir, { mode: 'read' });
  let startFacts: StoreFacts & { exists: true };
  let heldToolchains: string[];
  let toolchainDatabases: string[];
  try {
    startFacts = openStoreFacts(store);
    heldToolchains = store.zipVersions(TOOLCHAIN_MODULE);
    toolchainDatabases = provingDatabases(store.proofs, heldToolchains);
  } catch (error) {
    store.close();
    throw error;
  }

  if (workers === 1) {
    let server: RunningProxyServer;
    try {
      server = await startProxyServer({
        store,
        host: listen.host,
        port: listen.port,
        closeGraceMs: options.closeGraceMs,
        startedAt: new Date(startedAt),
        log: options.log === undefined ? undefined : (line) => options.log?.(timestamped(line)),
        onRequest: options.onRequest,
      });
    } catch (error) {
      store.close();
      throw listenError(listen, error);
    }
    let stopped: Promise<HandlerCounts> | undefined;
    return {
      storeDir: store.dir,
      readOnly: store.readOnly,
      workers,
      url: server.url,
      facts: serveFacts(server.url, env, undefined, startFacts.proofs, heldToolchains, toolchainDatabases),
      startFacts,
      startedAt,
      counts: server.counts,
      stats: () => (stopped === undefined ? openStoreFacts(store) : storeFacts(store.dir)),
      failed: new Promise<Error>(() => {}),
      stop() {
        stopped ??= server.close().then(() => {
          store.close();
          return server.counts();
        });
        return stopped;
      },
    };
  }

  // Each worker opens the store itself; this process only needed it to fail early and for the first stats.
  store.close();
  const cluster = await startProxyCluster({
    storeDir: store.dir,
    host: listen.host,
    port: listen.port,
    workers,
    closeGraceMs: options.closeGraceMs,
    log: options.log,
    onRequest: options.onRequest,
    notice: options.notice,
  }).catch((error: unknown) => {
    throw listenError(listen, error);
  });
  let stopped: Promise<HandlerCounts> | undefined;
  return {
    storeDir: store.dir,
    readOnly: store.readOnly,
    workers,
    url: cluster.url,
    facts: serveFacts(cluster.url, env, undefined, startFacts.proofs, heldToolchains, toolchainDatabases),
    startFacts,
    startedAt,
    counts: cluster.counts,
    stats: () => storeFacts(store.dir),
    failed: cluster.failed,
    stop() {
      stopped ??= cluster.close().then(() => cluster.counts());
      return stopped;
    },
  };
}

/** A failed listen as a ServeListenError; any other failure as it is. */
function listenError(listen: ListenAddress, error: unknown): unknown {
  const { code, message } = error as NodeJS.ErrnoException;
  return typeof code === 'string' ? new ServeListenError(listen, code, message) : error;
}

function listenFailure(listen: ListenAddress, code: string | undefined, detail: string): string {
  const where = `${urlHost(listen.host)}:${listen.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use (stop the other server, or pick another with --listen HOST:PORT)`;
    case 'EACCES':
      return `cannot listen on ${where}: not allowed (ports below 1024 need administrator rights; pick another with --listen HOST:PORT)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${listen.host} is not an address of this machine`;
    case 'ENOTFOUND':
      return `cannot listen on ${where}: unknown host ${listen.host}`;
    default:
      return `cannot listen on ${where}: ${detail}`;
  }
}
