/**
 * HTTP on loopback for the serve tests: requests sent exactly as written, answers read whole, and
 * bodies that end early told apart from whole ones.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** False when the connection ended before the body did (fewer bytes than Content-Length). */
  complete: boolean;
}

/** One request on a connection of its own, with the target sent as written (fetch would normalise it). */
export function httpRequest(baseUrl: string, target: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, path: target, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = (): void => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete });
      res.on('end', done);
      // A connection cut part-way through the body: what a client of a damaged download sees.
      res.on('error', done);
      res.on('aborted', done);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Raw bytes of a request straight onto a socket; resolves with everything the server sent until it
 * closed (send `Connection: close`). The socket is not half-closed: Node's server drops answers still
 * being prepared for a client that did, and neither curl nor the go command does.
 */
export function rawHttp(baseUrl: string, text: string): Promise<{ status: number; head: string; body: Buffer }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, end < 0 ? all.length : end).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: end < 0 ? Buffer.alloc(0) : all.subarray(end + 4) });
    });
    socket.on('error', reject);
  });
}
