import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { socketCallSchema } from '../../../shared/ipc/socketCallSchema';
import { SOCKET_PATH, type SocketMessage } from '../../../shared/ipc/socketWire';
import type { AppContext } from '../appApi/appContext';
import { createAppSession, type AppSession } from '../appApi/appSession';
import { isLoopbackHostHeader, isLoopbackName } from '../serve/loopbackHost';
import { urlHost } from '../serve/listenAddress';
import { cookieValue, newAccessToken, sameToken, tokenCookie, tokenCookieName } from './accessToken';
import { rendererFile } from './rendererFiles';

export interface AppServerOptions {
  context: AppContext;
  /** The renderer build (dist/renderer): the same files Electron loads. */
  rendererDir: string;
  host: string;
  port: number;
  /** Told of failures nobody planned for, to log and show them. */
  onUnexpected(error: unknown, where: string): void;
}

export interface RunningAppServer {
  /** Where it listens, without the token. */
  origin: string;
  port: number;
  token: string;
  /** Closes every socket (cancelling their jobs), then waits for the jobs to have cleaned up. */
  close(): Promise<void>;
}

/** Calls larger than this are not requests a screen makes. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * `modferry ui`: the renderer build over HTTP and the IPC contract over one WebSocket, same origin,
 * both behind a token. On loopback, requests must name loopback in Host (as serve does, against
 * DNS rebinding); the socket must also come from a page of this server (Origin).
 */
export async function startAppServer(options: AppServerOptions): Promise<RunningAppServer> {
  const token = newAccessToken();
  const loopbackOnly = isLoopbackName(options.host);
  const inFlight = new Set<Promise<unknown>>();
  const sessions = new Set<AppSession>();
  let cookieName = '';

  const refusal = (req: http.IncomingMessage, url: URL): string | undefined => {
    if (loopbackOnly && !isLoopbackHostHeader(req.headers.host)) return `Host ${req.headers.host ?? ''} is not this machine`;
    if (sameToken(cookieValue(req, cookieName), token) || sameToken(url.searchParams.get('token') ?? undefined, token)) return undefined;
    return 'this address needs the token modferry ui printed: open the URL it printed';
  };

  const server = http.createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      options.onUnexpected(error, `answering ${req.url ?? ''}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  });

  const handleHttp = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://app');
    const refused = refusal(req, url);
    if (refused !== undefined) return send(res, 403, 'text/plain; charset=utf-8', `403 Forbidden: ${refused}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', '405 Method Not Allowed\n', { allow: 'GET, HEAD' });
    if (url.searchParams.has('token')) {
      // The token moves into a cookie and out of the address bar, history and anything the page links to.
      url.searchParams.delete('token');
      res.writeHead(303, { location: `${url.pathname}${url.search}`, 'set-cookie': tokenCookie(cookieName, token), 'cache-control': 'no-store' });
      res.end();
      return;
    }
    const file = await rendererFile(options.rendererDir, url.pathname);
    if (file === undefined) return send(res, 404, 'text/plain; charset=utf-8', '404 Not Found\n');
    res.writeHead(200, { ...securityHeaders(req.headers.host ?? ''), 'content-type': file.contentType, 'content-length': file.body.length });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://app');
    const refused = url.pathname !== SOCKET_PATH ? 'no socket here' : req.headers.origin !== `http://${req.headers.host ?? ''}` ? `Origin ${req.headers.origin ?? '(none)'} is not this server` : refusal(req, url);
    if (refused !== undefined) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n403 Forbidden: ${refused}\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  const serveSocket = (ws: WebSocket): void => {
    const post = (message: SocketMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const session = createAppSession(options.context, {
      send: (event) => post({ type: 'progress', event }),
      onUnexpected: (error, channel) => options.onUnexpected(error, `handling ${channel}`),
    });
    ws.on('message', (data, isBinary) => {
      const call = isBinary ? undefined : socketCallSchema.safeParse(parseJson(data.toString()));
      if (!call?.success) {
        ws.close(1008, 'not a call: {"id", "channel", "request", "jobId"?} as JSON text');
        return;
      }
      const { id, channel, request, jobId } = call.data;
      const answering = session.dispatch(channel, request, jobId).then((reply) => post({ type: 'reply', id, reply }));
      inFlight.add(answering);
      void answering.finally(() => inFlight.delete(answering));
    });
    sessions.add(session);
    ws.on('close', () => {
      sessions.delete(session);
      void session.close();
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  cookieName = tokenCookieName(port);
  return {
    origin: `http://${urlHost(options.host)}:${port}`,
    port,
    token,
    close: async () => {
      const closing = [...sessions].map((session) => session.close());
      for (const ws of sockets.clients) ws.terminate();
      await Promise.all([...closing, ...inFlight]);
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function securityHeaders(host: string): http.OutgoingHttpHeaders {
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://${host}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
