import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { goClientEnvironment, shellAssignment } from '../../core/serve/goClientEnvironment';
import { DEFAULT_LISTEN, isWildcardHost, parseListenAddress, urlHost, type ListenAddress } from '../../core/serve/listenAddress';
import { startProxyCluster, type RunningProxyCluster } from '../../core/serve/proxyCluster';
import { startProxyServer, type RunningProxyServer } from '../../core/serve/proxyHttpServer';
import { timestamped } from '../../core/serve/requestLogLine';
import { openStore } from '../../core/store/diskStore';
import type { StoreStats } from '../../core/store/store';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { UsageError } from '../usageError';
import { batchedLines } from '../batchedLines';

/** Each worker is a Node process of 60-150 MiB; past the cores of any machine that runs this, more only costs memory. */
const MAX_WORKERS = 16;

/**
 * One process unless asked for more, because serving must stay under 200 MB. Measured with
 * bench:serve on 2 cores (Node 20), RSS summed over every process of the server while it streams
 * 64 concurrent downloads of a 100 MiB zip: one process peaks at 120-150 MiB; --workers 2 at
 * 255-345 MiB (each process's own peak: the primary 57-68 MiB, each worker 100-150 MiB, as much as
 * a lone process serving all 64). One process answers most of what two do, at 64 connections with
 * wrk on the same 2 cores: .mod 41-50k requests/s (0.68-0.81x nginx) against 45-47k (0.82-0.86x)
 * with --workers 2; the 1 MiB zip, answered from memory, 2.4-4.4k (0.9-1.5x) either way.
 */
export const DEFAULT_WORKERS = 1;

export const serveUsage = `modferry serve [--store DIR] [--listen HOST:PORT] [--workers N]

Serve the store as a GOPROXY for the go command until Ctrl+C (or SIGTERM).
Prints the environment to paste into the shell that runs go.

  --store DIR         the store to serve (default: the store in ModFerry's data folder)
  --listen HOST:PORT  where to listen (default ${DEFAULT_LISTEN.host}:${DEFAULT_LISTEN.port}, this machine only);
                      0.0.0.0:PORT serves every machine on the network, port 0 picks a free port
  --workers N         processes answering requests, 1 to ${MAX_WORKERS} (default ${DEFAULT_WORKERS}: this process alone);
                      more answer more requests on a machine with more cores, each costs 60-150 MiB`;

export interface ServeCommandOptions {
  /** Stops the server as SIGINT and SIGTERM do (for the desktop app and tests). */
  stop?: AbortSignal;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

export async function serveCommand(args: string[], output: CommandOutput, options: ServeCommandOptions = {}): Promise<number> {
  const { values } = parseArgs({ args, options: { store: { type: 'string' }, listen: { type: 'string' }, workers: { type: 'string' } }, strict: true });
  const listen = listenAddressOf(values.listen);
  const workers = workersOf(values.workers);
  return workers === 1 ? serveInProcess(values.store, listen, output, options) : serveFromWorkers(values.store, listen, workers, output, options);
}

async function serveInProcess(storeDir: string | undefined, listen: ListenAddress, output: CommandOutput, options: ServeCommandOptions): Promise<number> {
  const store = openStore(storeDir, { mode: 'read' });
  const requestLog = batchedLines((text) => output.out(text));
  try {
    const server = await startProxyServer({
      store,
      host: listen.host,
      port: listen.port,
      log: (line) => requestLog.line(timestamped(line)),
    }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(listenFailure(listen, error));
    });
    printStartup(output, store.dir, store.stats(), store.readOnly, server.url, options);
    const signal = await stopRequested(options.stop);
    await stopServer(server, signal, output, requestLog.flush);
    return 0;
  } finally {
    requestLog.flush();
    store.close();
  }
}

async function serveFromWorkers(storeDir: string | undefined, listen: ListenAddress, workers: number, output: CommandOutput, options: ServeCommandOptions): Promise<number> {
  // Opened here first so a missing or damaged store is one clear error before any worker starts.
  const store = openStore(storeDir, { mode: 'read' });
  const stats = store.stats();
  const readOnly = store.readOnly;
  store.close();
  const server: RunningProxyCluster = await startProxyCluster({
    storeDir: store.dir,
    host: listen.host,
    port: listen.port,
    workers,
    // Each worker batches its lines already.
    log: (text) => output.out(text),
    notice: (line) => output.err(`modferry serve: ${line}`),
  }).catch((error: NodeJS.ErrnoException) => {
    throw typeof error.code === 'string' ? new Error(listenFailure(listen, error)) : error;
  });
  printStartup(output, store.dir, stats, readOnly, server.url, options, workers);
  const signal = await stopRequested(options.stop, server.failed);
  await stopServer(server, signal, output, () => {});
  return 0;
}

function printStartup(output: CommandOutput, dir: string, stats: StoreStats, readOnly: boolean, url: string, options: ServeCommandOptions, workers = 1): void {
  const processes = workers === 1 ? '' : `, ${workers} worker processes`;
  output.out(`modferry serve: ${dir} (${plural(stats.modules, 'module')}, ${plural(stats.versions, 'version')}, ${formatBytes(stats.bytes)}${processes})`);
  if (readOnly) output.out('modferry serve: read-only store: misses are not recorded');
  for (const line of startupLines(url, options.platform ?? process.platform, options.env ?? process.env)) output.out(line);
}

function workersOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_WORKERS;
  const workers = Number(text);
  if (!/^\d+$/.test(text) || workers < 1 || workers > MAX_WORKERS) {
    throw new UsageError(`--workers: "${text}" is not a whole number from 1 to ${MAX_WORKERS}`);
  }
  return workers;
}

function listenAddressOf(text: string | undefined): ListenAddress {
  if (text === undefined) return DEFAULT_LISTEN;
  try {
    return parseListenAddress(text);
  } catch (error) {
    throw new UsageError(`--listen: ${(error as Error).message}`);
  }
}

function listenFailure(listen: ListenAddress, error: NodeJS.ErrnoException): string {
  const where = `${urlHost(listen.host)}:${listen.port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use (stop the other server, or pick another with --listen HOST:PORT)`;
    case 'EACCES':
      return `cannot listen on ${where}: not allowed (ports below 1024 need administrator rights; pick another with --listen HOST:PORT)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${listen.host} is not an address of this machine`;
    case 'ENOTFOUND':
      return `cannot listen on ${where}: unknown host ${listen.host}`;
    default:
      return `cannot listen on ${where}: ${error.message}`;
  }
}

function startupLines(url: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  const listening = new URL(url);
  let proxyUrl = url;
  let where = url;
  const host = listening.hostname.replace(/^\[|\]$/g, '');
  if (isWildcardHost(host)) {
    const lanUrls = lanAddresses(host === '::').map((address) => `http://${urlHost(address)}:${listening.port}`);
    proxyUrl = lanUrls[0] ?? `http://127.0.0.1:${listening.port}`;
    where = `every interface (${[...lanUrls, `http://127.0.0.1:${listening.port}`].join(', ')})`;
  }
  const settings = goClientEnvironment(proxyUrl, env);
  const width = Math.max(...settings.map((s) => s.name.length));
  // The reasons stay out of the block to paste: zsh, the macOS default, does not take comments typed at its prompt.
  return [
    `Serving the GOPROXY protocol on ${where}`,
    'Paste into the shell that runs the go command:',
    ...settings.map((s) => `  ${shellAssignment(s, platform)}`),
    'Why:',
    ...settings.map((s) => `  ${s.name.padEnd(width)}  ${s.why}`),
    'Stop with Ctrl+C.',
  ];
}

/** Addresses other machines can reach this one at, IPv4 first; IPv6 ones only when listening on `::` (0.0.0.0 is IPv4 alone). */
function lanAddresses(withIpv6: boolean): string[] {
  const addresses = Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && (a.family === 'IPv4' || (withIpv6 && !a.address.startsWith('fe80:'))));
  return [...addresses.filter((a) => a.family === 'IPv4'), ...addresses.filter((a) => a.family === 'IPv6')].map((a) => a.address);
}

/** Resolves with what asked to stop; rejects with the cluster's reason if its workers kept dying. */
function stopRequested(stop: AbortSignal | undefined, failed?: Promise<Error>): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop?.removeEventListener('abort', onAbort);
      settle();
    };
    const onSignal = (signal: NodeJS.Signals): void => done(() => resolve(signal));
    const onAbort = (): void => done(() => resolve('stop requested'));
    if (stop?.aborted) return onAbort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    stop?.addEventListener('abort', onAbort);
    failed?.then((error) => done(() => reject(error)));
  });
}

async function stopServer(server: RunningProxyServer, reason: string, output: CommandOutput, flushLog: () => void): Promise<void> {
  flushLog();
  const { inFlight } = server.counts();
  // The signal handlers are gone by now, so a second Ctrl+C ends the process at once.
  const waiting = inFlight > 0 ? `, letting ${inFlight} download(s) in flight finish (Ctrl+C again to stop at once)` : '';
  output.out(`modferry serve: ${reason}: stopping${waiting}`);
  await server.close();
  flushLog();
  const { requests, misses } = server.counts();
  output.out(`modferry serve: stopped after ${requests} request(s), ${misses} recorded as misses`);
}
