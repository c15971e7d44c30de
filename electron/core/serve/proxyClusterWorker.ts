/**
 * A worker process of the proxy cluster (see proxyCluster): the primary forks this file. It opens
 * the store itself, serves on the address all workers share, and sends its counts and request log
 * to the primary, which prints the log and tells every worker what the others have counted.
 */
import cluster from 'node:cluster';
import { openStore, type DiskStore } from '../store/diskStore';
import {
  LOG_BATCH_MS,
  REPORT_INTERVAL_MS,
  WORKER_CONFIG_ENV,
  isPrimaryMessage,
  type ProxyWorkerConfig,
  type WorkerCounts,
  type WorkerMessage,
} from './proxyClusterMessages';
import type { ServedCounts } from './proxyHandler';
import { startProxyServer, type RunningProxyServer } from './proxyHttpServer';
import { timestamped } from './requestLogLine';
import type { ServedRequest } from './servedRequest';
import { errorMessage } from '../../../shared/errorMessage';

function send(message: WorkerMessage, done: () => void = () => {}): void {
  // A send can only fail once the primary is gone, and then the cluster ends this process anyway.
  process.send?.(message, () => done());
}

function workerConfig(): ProxyWorkerConfig {
  const text = process.env[WORKER_CONFIG_ENV];
  if (text === undefined) throw new Error(`${WORKER_CONFIG_ENV} is not set: this file is started by the proxy cluster, not on its own`);
  return JSON.parse(text) as ProxyWorkerConfig;
}

/** Reports the error to the primary in one line (a stack trace is no use to the person running serve) and exits. */
function fail(error: unknown): void {
  const code: unknown = (error as { code?: unknown } | null)?.code;
  const message = errorMessage(error);
  send({ type: 'failed', message, ...(typeof code === 'string' ? { code } : {}) }, () => process.exit(1));
}

async function serveAsWorker(config: ProxyWorkerConfig): Promise<void> {
  let others: ServedCounts = config.others;
  let stopAsked = false;
  let stop = (): void => {
    stopAsked = true;
  };
  process.on('message', (message: unknown) => {
    if (!isPrimaryMessage(message)) return;
    if (message.type === 'others') others = { requests: message.requests, misses: message.misses };
    else stop();
  });

  const store: DiskStore = openStore(config.storeDir, { mode: 'read' });
  let log: string[] = [];
  let events: ServedRequest[] = [];
  let logTimer: NodeJS.Timeout | undefined;
  let server: RunningProxyServer | undefined;
  let reported: WorkerCounts = { requests: 0, misses: 0, inFlight: 0 };
  const report = (done?: () => void): void => {
    clearTimeout(logTimer);
    logTimer = undefined;
    reported = server?.counts() ?? reported;
    send({ type: 'report', ...reported, log: log.join('\n'), ...(events.length === 0 ? {} : { events }) }, done);
    log = [];
    events = [];
  };
  try {
    server = await startProxyServer({
      store,
      host: config.host,
      port: config.port,
      closeGraceMs: config.closeGraceMs,
      startedAt: new Date(config.startedAt),
      log(line) {
        log.push(timestamped(line));
        logTimer ??= setTimeout(report, LOG_BATCH_MS);
      },
      ...(config.events ? { onRequest: (request: ServedRequest) => events.push(request) } : {}),
      // Its own counts are exact; the others' are as of their last report.
      statsCounts: (own) => ({ requests: others.requests + own.requests, misses: others.misses + own.misses }),
    });
  } catch (error) {
    store.close();
    throw error;
  }
  const running = server;
  const ticker = setInterval(() => {
    const now = running.counts();
    if (now.requests !== reported.requests || now.misses !== reported.misses || now.inFlight !== reported.inFlight) report();
  }, REPORT_INTERVAL_MS);
  stop = () => {
    stop = () => {};
    clearInterval(ticker);
    running.close().then(() =>
      report(() => {
        store.close();
        process.disconnect();
      }),
    );
  };
  send({ type: 'listening', url: running.url });
  if (stopAsked) stop();
}

if (cluster.isWorker) {
  // Ctrl+C signals every process of the terminal's group: the primary stops the workers in order,
  // so a worker lets the first signal pass and, like a single server, ends at once on the second.
  let signalled = false;
  const onSignal = (): void => {
    if (signalled) process.exit(1);
    signalled = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  try {
    serveAsWorker(workerConfig()).catch(fail);
  } catch (error) {
    fail(error);
  }
}
