/**
 * The proxy handler (proxyHandler) in an HTTP server of its own: what `modferry serve` and each
 * cluster worker run. The server adds what a handler cannot do for itself: where it listens, how
 * many connections it holds and for how long (connectionLimits), and an orderly close.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionGuard, connectionLimits, type ConnectionLimits } from './connectionLimits';
import { createProxyHandler, type HandlerCounts, type ProxyHandlerOptions } from './proxyHandler';
import { urlHost } from './listenAddress';

export interface ProxyServerOptions extends Omit<ProxyHandlerOptions, 'listenHost'> {
  host: string;
  /** 0 picks a free port; the returned url names it. */
  port: number;
  /** How long close() lets downloads in flight finish before cutting them off. Default 5 s. */
  closeGraceMs?: number;
  /** Any of the connection limits, in place of the defaults (see connectionLimits). */
  limits?: Partial<ConnectionLimits>;
}

export interface RunningProxyServer {
  /** `http://host:port`, the value for GOPROXY (with the prefix, if one was given). */
  url: string;
  /** Requests received so far, how many were recorded as misses, and how many are being answered now. */
  counts(): HandlerCounts;
  /** Stops accepting connections, lets downloads in flight finish (up to the grace period), then ends. */
  close(): Promise<void>;
}

export async function startProxyServer(options: ProxyServerOptions): Promise<RunningProxyServer> {
  const { host, port, closeGraceMs, limits: given, ...handlerOptions } = options;
  const handler = createProxyHandler({ ...handlerOptions, listenHost: host });
  const limits = connectionLimits(given);
  const guard = new ConnectionGuard(limits, (line) => options.log?.(line));
  let closing: Promise<void> | undefined;

  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node looks for connections past the header and request timeouts: often enough that they end close to on time.
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
    },
    (req, res) => {
      guard.requestStarted(req, res);
      if (closing) res.shouldKeepAlive = false;
      handler(req, res);
    },
  );
  server.on('connection', (socket) => guard.admit(socket));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const graceMs = closeGraceMs ?? 5000;

  return {
    url: `http://${urlHost(address.address)}:${address.port}${handler.prefix}`,
    counts: handler.counts,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        guard.drain();
        setTimeout(() => server.closeAllConnections(), graceMs).unref();
      });
      return closing;
    },
  };
}
