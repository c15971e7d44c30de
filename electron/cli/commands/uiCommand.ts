import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import packageJson from '../../../package.json';
import { errorMessage } from '../../../shared/errorMessage';
import { appDirs } from '../../core/appDirs/appDirs';
import { appendErrorLog } from '../../core/appApi/errorLog';
import { startAppServer } from '../../core/appServer/appServer';
import { isLoopbackName } from '../../core/serve/loopbackHost';
import { isWildcardHost, parseListenAddress, urlHost, type ListenAddress } from '../../core/serve/listenAddress';
import type { CommandOutput } from '../output';
import { UsageError } from '../usageError';

const DEFAULT_UI_LISTEN: ListenAddress = { host: '127.0.0.1', port: 3080 };

export const uiUsage = `modferry ui [--listen HOST:PORT] [--store DIR]

Run the app in a web browser: serves its pages and answers them over one WebSocket, until Ctrl+C.
Prints the address to open, with a token only it knows: every request needs that token.

  --listen HOST:PORT  where to listen (default ${DEFAULT_UI_LISTEN.host}:${DEFAULT_UI_LISTEN.port}, this machine only; port 0 picks
                      a free one). A LAN address (or 0.0.0.0) lets other machines in, with a warning:
                      the token then travels over the network unencrypted
  --store DIR         the offline store (default: the store in ModFerry's data folder)`;

export async function uiCommand(args: string[], output: CommandOutput, options: { stop?: AbortSignal } = {}): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: { listen: { type: 'string' }, store: { type: 'string' } } });
  const listen = listenAddressOf(values.listen);
  // Beside the compiled CLI, as npm run build lays it out: dist/electron/cli/commands -> dist/renderer.
  const rendererDir = path.join(__dirname, '..', '..', '..', 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error(`the app's pages are not built (no ${path.join(rendererDir, 'index.html')}): run npm run build`);
  const dirs = appDirs();
  const server = await startAppServer({
    context: { dirs, storeDir: values.store, toolVersion: packageJson.version },
    rendererDir,
    host: listen.host,
    port: listen.port,
    onUnexpected: (error, where) => {
      void appendErrorLog(dirs, where, error).then(
        (file) => output.err(`modferry ui: unexpected error while ${where}: ${errorMessage(error)} (written to ${file})`),
        () => output.err(`modferry ui: unexpected error while ${where}: ${errorMessage(error)}`),
      );
    },
  }).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot listen on ${urlHost(listen.host)}:${listen.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (pick another with --listen HOST:PORT)' : error.message}`);
  });
  if (!isLoopbackName(listen.host)) {
    output.err('modferry ui: warning: listening beyond this machine: anyone on the network who sees the address can use the app, and it travels unencrypted');
  }
  for (const origin of reachableOrigins(listen.host, server.port)) output.out(`modferry ui: open ${origin}/?token=${server.token}`);
  output.out('Stop with Ctrl+C.');
  const reason = await stopRequested(options.stop);
  output.out(`modferry ui: ${reason}: stopping (running work is cancelled and cleaned up)`);
  await server.close();
  return 0;
}

function listenAddressOf(text: string | undefined): ListenAddress {
  if (text === undefined) return DEFAULT_UI_LISTEN;
  try {
    return parseListenAddress(text);
  } catch (error) {
    throw new UsageError(`--listen: ${errorMessage(error)}`);
  }
}

/** The addresses to open: the one listened on, or on every interface each of this machine's (IPv4 first) and loopback. */
function reachableOrigins(host: string, port: number): string[] {
  if (!isWildcardHost(host)) return [`http://${urlHost(host)}:${port}`];
  const addresses = Object.values(os.networkInterfaces())
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && (a.family === 'IPv4' || (host === '::' && !a.address.startsWith('fe80:'))))
    .sort((a, b) => (a.family === b.family ? 0 : a.family === 'IPv4' ? -1 : 1));
  return [...addresses.map((a) => `http://${urlHost(a.address)}:${port}`), `http://127.0.0.1:${port}`];
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
    if (stop?.aborted) return onAbort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    stop?.addEventListener('abort', onAbort);
  });
}
