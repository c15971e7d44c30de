import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { DEFAULT_LISTEN, parseListenAddress, type ListenAddress } from '../../core/serve/listenAddress';
import type { ServeFacts } from '../../core/serve/serveFacts';
import { MAX_WORKERS, startServe, type RunningServe } from '../../core/serve/serveService';
import type { CommandOutput } from '../output';
import { plural } from '../plural';
import { UsageError } from '../usageError';
import { batchedLines } from '../batchedLines';

/**
 * One process unless asked for more, because serving must stay under 200 MB: each worker process
 * holds about as much memory as a lone process serving every connection, while a second process adds
 * little throughput on a small machine (bench:serve measures both).
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
  const requestLog = batchedLines((text) => output.out(text));
  try {
    const serve = await startServe({
      storeDir: values.store,
      listen,
      workers,
      env: options.env,
      // A single process's lines are batched here; workers batch their own.
      log: workers === 1 ? (line) => requestLog.line(line) : (text) => output.out(text),
      notice: (line) => output.err(`modferry serve: ${line}`),
    });
    printStartup(output, serve, options.platform ?? process.platform);
    const signal = await stopRequested(options.stop, serve.failed);
    await stopServer(serve, signal, output, requestLog.flush);
    return 0;
  } finally {
    requestLog.flush();
  }
}

function printStartup(output: CommandOutput, serve: RunningServe, platform: NodeJS.Platform): void {
  const { startFacts: stats, workers } = serve;
  const processes = workers === 1 ? '' : `, ${workers} worker processes`;
  output.out(`modferry serve: ${serve.storeDir} (${plural(stats.modules, 'module')}, ${plural(stats.versions, 'version')}, ${formatBytes(stats.bytes)}${processes})`);
  if (serve.readOnly) output.out('modferry serve: read-only store: misses are not recorded');
  for (const line of startupLines(serve.facts, platform)) output.out(line);
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

function startupLines(facts: ServeFacts, platform: NodeJS.Platform): string[] {
  const where = facts.allInterfaces ? `every interface (${facts.urls.join(', ')})` : facts.proxyUrl;
  const { settings } = facts;
  const width = Math.max(...settings.map((s) => s.name.length));
  // The reasons stay out of the block to paste: zsh, the macOS default, does not take comments typed at its prompt.
  return [
    `Serving the GOPROXY protocol on ${where}`,
    'Paste into the shell that runs the go command:',
    ...(platform === 'win32' ? facts.envLines.powershell : facts.envLines.posix).map((line) => `  ${line}`),
    'Why:',
    ...settings.map((s) => `  ${s.name.padEnd(width)}  ${s.why}`),
    facts.toolchains.line,
    'Stop with Ctrl+C.',
  ];
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

async function stopServer(server: RunningServe, reason: string, output: CommandOutput, flushLog: () => void): Promise<void> {
  flushLog();
  const { inFlight } = server.counts();
  // The signal handlers are gone by now, so a second Ctrl+C ends the process at once.
  const waiting = inFlight > 0 ? `, letting ${inFlight} download(s) in flight finish (Ctrl+C again to stop at once)` : '';
  output.out(`modferry serve: ${reason}: stopping${waiting}`);
  const { requests, misses } = await server.stop();
  flushLog();
  output.out(`modferry serve: stopped after ${requests} request(s), ${misses} recorded as misses`);
}
