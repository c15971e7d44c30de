import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { goClientEnvironment, shellAssignment } from '../../core/serve/goClientEnvironment';
import { DEFAULT_LISTEN, isWildcardHost, parseListenAddress, urlHost, type ListenAddress } from '../../core/serve/listenAddress';
import { startProxyServer, type RunningProxyServer } from '../../core/serve/proxyServer';
import { openStore } from '../../core/store/store';
import type { CommandOutput } from '../output';
import { UsageError } from '../usageError';
import { batchedLines } from '../batchedLines';

export const serveUsage = `modferry serve [--store DIR] [--listen HOST:PORT]

Serve the store as a GOPROXY for the go command until Ctrl+C (or SIGTERM).
Prints the environment to paste into the shell that runs go.

  --store DIR         the store to serve (default: the store in ModFerry's data folder)
  --listen HOST:PORT  where to listen (default ${DEFAULT_LISTEN.host}:${DEFAULT_LISTEN.port}, this machine only);
                      0.0.0.0:PORT serves every machine on the network, port 0 picks a free port`;

export interface ServeCommandOptions {
  /** Stops the server as SIGINT and SIGTERM do (for the desktop app and tests). */
  stop?: AbortSignal;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
}

export async function serveCommand(args: string[], output: CommandOutput, options: ServeCommandOptions = {}): Promise<number> {
  const { values } = parseArgs({ args, options: { store: { type: 'string' }, listen: { type: 'string' } }, strict: true });
  const listen = listenAddressOf(values.listen);
  const store = openStore(values.store, { mustExist: true });
  const requestLog = batchedLines((text) => output.out(text));
  try {
    const server = await startProxyServer({
      store,
      host: listen.host,
      port: listen.port,
      log: (line) => requestLog.line(`${new Date().toISOString()} ${line}`),
    }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(listenFailure(listen, error));
    });
    const stats = store.stats();
    output.out(`modferry serve: ${store.dir} (${stats.modules} modules, ${stats.versions} versions, ${formatBytes(stats.bytes)})`);
    for (const line of startupLines(server.url, options.platform ?? process.platform, options.env ?? process.env)) output.out(line);
    const signal = await stopRequested(options.stop);
    await stopServer(server, signal, output, requestLog.flush);
    return 0;
  } finally {
    requestLog.flush();
    store.close();
  }
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

function stopRequested(stop: AbortSignal | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (reason: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop?.removeEventListener('abort', onAbort);
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals): void => done(signal);
    const onAbort = (): void => done('stop requested');
    if (stop?.aborted) return done('stop requested');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    stop?.addEventListener('abort', onAbort);
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
