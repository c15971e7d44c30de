/**
 * Serves a store from several processes: one Node process answers 40-50k small requests/s on one
 * core, so on a machine with more cores the primary forks workers (proxyClusterWorker), each with
 * its own store connection and proxy server on the one shared address.
 *
 * The primary serves nothing itself. It prints what the workers send (their request log, batched),
 * keeps each worker's latest counts, and passes every change on to the other workers so /stats
 * reports totals (see REPORT_INTERVAL_MS for how stale). A worker that dies is reported and
 * replaced, up to MAX_RESTARTS a minute; past that the cluster stops and says why. What it counted
 * stays in the totals, except what it had not reported yet (at most REPORT_INTERVAL_MS of it).
 * close() stops every worker the way a single server stops, and the counts are then exact.
 *
 * Connections are spread by the kernel (SCHED_NONE: every worker accepts on the shared socket)
 * rather than accepted by the primary and passed on (SCHED_RR, Node's default outside Windows).
 * Measured on 2 cores, 2 workers, wrk at 64 connections in 5 s runs alternating between the two
 * policies: .mod 28.4k vs 28.5k requests/s (means of 11 runs each, single runs 20-40k), 1 MiB zip
 * 1.21k vs 1.21k, and with a new connection per request 9.7-11.3k vs 9.7-11.1k. A tie, and the
 * kernel split the work evenly between the workers, so SCHED_NONE stays for what it avoids: with
 * SCHED_RR every new connection waits on the primary, which stops accepting altogether while a
 * write of the log blocks (a paused terminal).
 */
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { unpackedPath } from '../asar/unpackedPath';
import { WORKER_CONFIG_ENV, isWorkerMessage, type PrimaryMessage, type ProxyWorkerConfig, type WorkerCounts } from './proxyClusterMessages';
import type { RunningProxyServer } from './proxyHttpServer';
import type { ServedRequest } from './servedRequest';

export interface ProxyClusterOptions {
  storeDir: string;
  host: string;
  /** 0 picks a free port, the same one for every worker. */
  port: number;
  workers: number;
  /** How long close() lets downloads in flight finish before the workers cut them off. Default 5 s. */
  closeGraceMs?: number;
  /** Receives the request log as the workers send it: timestamped lines joined by newlines. */
  log?: (text: string) => void;
  /** Receives each request as fields, as the workers send them with their log lines. */
  onRequest?: (request: ServedRequest) => void;
  /** Receives a line when a worker dies and is replaced. */
  notice?: (line: string) => void;
}

export interface RunningProxyCluster extends RunningProxyServer {
  /** Settles only if workers kept dying and the cluster gave up; every worker has ended by then. */
  failed: Promise<Error>;
}

/** A worker that died is replaced at most this many times within RESTART_WINDOW_MS; then the cluster gives up. */
export const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** After the grace period, a worker that has still not ended is killed after this much longer. */
const STOP_BACKSTOP_MS = 5000;

interface Member {
  worker: Worker;
  counts: WorkerCounts;
  listening: boolean;
  /** What the worker said before it exited on a failure. */
  failure?: string;
  /** Settles once the worker has exited and its IPC channel is closed, so every message it sent has arrived. */
  ended: Promise<string>;
}

/** Why a worker could not start, with the system error code (EADDRINUSE…) when its listen failed. */
export class WorkerStartError extends Error {
  override name = 'WorkerStartError';
  readonly code: string | undefined;

  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

export async function startProxyCluster(options: ProxyClusterOptions): Promise<RunningProxyCluster> {
  const graceMs = options.closeGraceMs ?? 5000;
  const config: Omit<ProxyWorkerConfig, 'port' | 'others'> = {
    storeDir: options.storeDir,
    host: options.host,
    closeGraceMs: graceMs,
    startedAt: new Date().toISOString(),
    events: options.onRequest !== undefined,
  };
  let boundPort = options.port;
  const members = new Set<Member>();
  const gone = { requests: 0, misses: 0 };
  const restarts: number[] = [];
  let stopping = false;
  let allListening = false;
  let giveUp: (error: Error) => void = () => {};
  const failed = new Promise<Error>((resolve) => {
    giveUp = resolve;
  });

  const totals = (): WorkerCounts => {
    const sum = { requests: gone.requests, misses: gone.misses, inFlight: 0 };
    for (const m of members) {
      sum.requests += m.counts.requests;
      sum.misses += m.counts.misses;
      sum.inFlight += m.counts.inFlight;
    }
    return sum;
  };
  const tellOthers = (member: Member): void => {
    const all = totals();
    send(member, { type: 'others', requests: all.requests - member.counts.requests, misses: all.misses - member.counts.misses });
  };

  const start = (): { member: Member; listening: Promise<string> } => {
    const { requests, misses } = totals();
    // Node shares a listening socket among workers that ask for the same port, 0 included; only when
    // no worker holds it any more does a replacement bind again, on the port the first workers got.
    const port = [...members].some((m) => m.listening) ? options.port : boundPort;
    const worker = cluster.fork({
      ...workerRuntimeEnv(process.versions),
      [WORKER_CONFIG_ENV]: JSON.stringify({ ...config, port, others: { requests, misses } } satisfies ProxyWorkerConfig),
    });
    let listened: (url: string) => void = () => {};
    let notListening: (error: Error) => void = () => {};
    const listening = new Promise<string>((resolve, reject) => {
      listened = resolve;
      notListening = reject;
    });
    const member: Member = { worker, counts: { requests: 0, misses: 0, inFlight: 0 }, listening: false, ended: endOf(worker) };
    let failureCode: string | undefined;
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      switch (message.type) {
        case 'listening':
          member.listening = true;
          tellOthers(member);
          if (stopping) send(member, { type: 'stop' });
          listened(message.url);
          return;
        case 'failed':
          member.failure = message.message;
          failureCode = message.code;
          return;
        case 'report': {
          const changed = message.requests !== member.counts.requests || message.misses !== member.counts.misses;
          member.counts = { requests: message.requests, misses: message.misses, inFlight: message.inFlight };
          if (message.log !== '') options.log?.(message.log);
          for (const request of message.events ?? []) options.onRequest?.(request);
          if (changed) for (const other of members) if (other !== member && other.listening) tellOthers(other);
          return;
        }
      }
    });
    members.add(member);
    member.ended.then((how) => {
      members.delete(member);
      gone.requests += member.counts.requests;
      gone.misses += member.counts.misses;
      notListening(new WorkerStartError(member.failure ?? `the worker ${how} before it was listening`, failureCode));
      // A failure to start while starting up fails the start instead.
      if (!stopping && allListening) replace(member, how);
    });
    return { member, listening };
  };

  const replace = (dead: Member, how: string): void => {
    const now = Date.now();
    while (restarts.length > 0 && restarts[0]! <= now - RESTART_WINDOW_MS) restarts.shift();
    const what = `worker ${dead.worker.id} (pid ${dead.worker.process.pid ?? '?'}) ${dead.failure === undefined ? how : `failed: ${dead.failure}`}`;
    if (restarts.length >= MAX_RESTARTS) {
      const error = new Error(`workers keep dying (${MAX_RESTARTS + 1} within a minute; the latest: ${what}); stopped serving`);
      void close().then(() => giveUp(error));
      return;
    }
    restarts.push(now);
    const { member, listening } = start();
    options.notice?.(`${what}; started worker ${member.worker.id} in its place (${restarts.length} of at most ${MAX_RESTARTS} restarts a minute)`);
    // A replacement that cannot start ends, and its end is handled as any other worker's: replaced, within the bound.
    listening.catch(() => {});
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    stopping = true;
    closing ??= Promise.all(
      [...members].map((member) => {
        if (member.listening) send(member, { type: 'stop' });
        const backstop = setTimeout(() => member.worker.process.kill('SIGKILL'), graceMs + STOP_BACKSTOP_MS);
        return member.ended.finally(() => clearTimeout(backstop));
      }),
    ).then(() => {});
    return closing;
  };

  // Node fixes the policy at the first fork; see the top of this file for why SCHED_NONE.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // Forks run the worker file directly (in the packaged app, its unpacked copy beside the asar
  // archive), with this process's Node flags (a TypeScript loader under test).
  cluster.setupPrimary({
    exec: unpackedPath(path.join(__dirname, `proxyClusterWorker${path.extname(__filename)}`)),
    args: [],
    execArgv: workerExecArgv(process.execArgv),
  });
  const started = Array.from({ length: options.workers }, () => start().listening);
  let url: string;
  try {
    url = (await Promise.all(started))[0]!;
  } catch (error) {
    await close();
    throw error;
  }
  boundPort = Number(new URL(url).port);
  allListening = true;
  return { url, counts: totals, close, failed };
}

/**
 * What a worker's environment needs for the runtime forking it. Under Electron, cluster.fork
 * starts the app's own binary, which runs a script as Node only with ELECTRON_RUN_AS_NODE set
 * (and the RunAsNode fuse left on: electron-builder.yml). Electron's replacement of
 * child_process.fork sets it too; cluster takes fork from child_process when it is first loaded,
 * and set here the worker does not depend on which of the two it took.
 */
export function workerRuntimeEnv(versions: { readonly electron?: string | undefined }): Record<string, string> {
  return versions.electron === undefined ? {} : { ELECTRON_RUN_AS_NODE: '1' };
}

/** This process's Node flags minus code given on the command line (`node -e`), which a worker would run instead of its file. */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i]!;
    if (/^(-e|--eval|-p|--print|-pe)$/.test(flag)) i++;
    else if (!/^--(eval|print)=/.test(flag)) kept.push(flag);
  }
  return kept;
}

function send(member: Member, message: PrimaryMessage): void {
  if (!member.worker.isConnected()) return;
  // The channel can close between the check and the write when the worker dies; its end is handled on its own.
  member.worker.send(message, () => {});
}

/** How the worker ended, once it has exited and its channel has closed. */
function endOf(worker: Worker): Promise<string> {
  const exited = new Promise<string>((resolve) => {
    worker.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
      resolve(signal !== null ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`);
    });
  });
  const disconnected = new Promise<void>((resolve) => worker.once('disconnect', () => resolve()));
  return Promise.all([exited, disconnected]).then(([how]) => how);
}
