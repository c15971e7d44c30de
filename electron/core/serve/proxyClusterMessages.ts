/** What the primary of a proxy cluster and its workers tell each other over the IPC channel. */
import type { ServedCounts } from './proxyHandler';
import type { ServedRequest } from './servedRequest';

/** How a worker serves: handed to it as JSON in its environment, so it can start before any message arrives. */
export interface ProxyWorkerConfig {
  storeDir: string;
  host: string;
  port: number;
  closeGraceMs?: number;
  /** ISO 8601 time the cluster started, what /stats reports as startedAt on every worker. */
  startedAt: string;
  /** What the other workers had counted when this one was forked, so a replacement's /stats is right from its first request. */
  others: ServedCounts;
  /** Whether the primary wants each request as fields too (a live log), sent with the log lines. */
  events: boolean;
}

export const WORKER_CONFIG_ENV = 'MODFERRY_PROXY_WORKER';

/**
 * The staleness bound of /stats. A worker counts its own requests exactly, as they arrive, and its
 * siblings' as of their latest report: each reports a changed count within this long (sooner when
 * its log batch goes out) and the primary passes it on at once. So /stats can miss only requests
 * that reached other workers in the last REPORT_INTERVAL_MS, plus the IPC delivery time (under a
 * millisecond when idle; a busy worker's timer can also run late by one turn of its event loop).
 */
export const REPORT_INTERVAL_MS = 250;

/** Log lines wait at most this long in a worker before going to the primary, as a single server's batched log does. */
export const LOG_BATCH_MS = 100;

export interface WorkerCounts extends ServedCounts {
  inFlight: number;
}

export type WorkerMessage =
  | { type: 'listening'; url: string }
  /** Sent before the worker exits on a failure; `code` is the system error code of a failed listen. */
  | { type: 'failed'; message: string; code?: string }
  /** The worker's counts since it started (not increments: a lost or reordered report cannot skew the totals) and the log lines since its last report. */
  | ({ type: 'report'; log: string; events?: ServedRequest[] } & WorkerCounts);

export type PrimaryMessage =
  /** What every other worker, live or gone, has reported: added to a worker's own counts in its /stats. */
  | ({ type: 'others' } & ServedCounts)
  /** Stop accepting, let downloads finish (up to the grace period), report, and exit. */
  | { type: 'stop' };

const WORKER_MESSAGE_TYPES = new Set(['listening', 'failed', 'report']);
const PRIMARY_MESSAGE_TYPES = new Set(['others', 'stop']);

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return hasType(value, WORKER_MESSAGE_TYPES);
}

export function isPrimaryMessage(value: unknown): value is PrimaryMessage {
  return hasType(value, PRIMARY_MESSAGE_TYPES);
}

function hasType(value: unknown, types: Set<string>): boolean {
  const type: unknown = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' && types.has(type);
}
