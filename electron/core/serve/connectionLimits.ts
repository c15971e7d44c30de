/**
 * How many connections the proxy holds, and for how long, sized for a team proxy on a LAN: hundreds
 * of go commands at once, each opening up to ~16 connections while it downloads.
 *
 * Every connection costs a file descriptor (two while a file streams), and a process out of them
 * cannot accept at all: each new connection is closed at once, whoever sent it. So connections are
 * counted, in total and per client address, and when a cap is reached the connection that has been
 * idle longest (no request in flight: a kept-alive socket, or one that never sent a request) is
 * closed to make room. Only when every connection is busy is the new one refused. Idle sockets
 * therefore cannot crowd out clients that ask for something, and one client cannot take them all.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** 256 go commands at their busiest (16 connections each), far above what a few hundred mostly idle ones hold. */
export const MAX_CONNECTIONS = 4096;
/** One machine running 16 go commands at their busiest, such as a CI runner; past it, its own idle connections go first. */
export const MAX_CONNECTIONS_PER_CLIENT = 256;
/** The go command sends a request head in one write as soon as it connects; 10 s is ample on a LAN and ends sockets that send nothing, or dribble. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** GOPROXY requests have no body, so a request is its head; Node wants this at least the header timeout. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** A go command reuses a connection between requests of one run, milliseconds apart; 15 s idle means it is done with it. */
export const KEEP_ALIVE_TIMEOUT_MS = 15_000;
/** Descriptors left out of the connection budget: the catalog, stdio, the listening socket, a cluster's IPC channel. */
const RESERVED_FILE_DESCRIPTORS = 64;

export interface ConnectionLimits {
  /** Open connections of this process at most. */
  maxConnections: number;
  /** Open connections from one client address at most. */
  maxConnectionsPerClient: number;
  /** How long a connection may take to send a complete request head (from its start, or the end of its previous request). */
  headersTimeoutMs: number;
  /** How long a connection may take to send a complete request. */
  requestTimeoutMs: number;
  /** How long a kept-alive connection may sit idle between requests. */
  keepAliveTimeoutMs: number;
}

/**
 * The limits, with the cap on connections lowered to what the process's open-file limit allows:
 * two descriptors a connection (the socket and a streamed file), less a reserve.
 */
export function connectionLimits(given: Partial<ConnectionLimits> = {}, openFileLimit = processOpenFileLimit()): ConnectionLimits {
  const byFiles = openFileLimit === undefined ? Infinity : Math.max(1, Math.floor((openFileLimit - RESERVED_FILE_DESCRIPTORS) / 2));
  const headersTimeoutMs = given.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  return {
    maxConnections: Math.min(given.maxConnections ?? MAX_CONNECTIONS, byFiles),
    maxConnectionsPerClient: given.maxConnectionsPerClient ?? MAX_CONNECTIONS_PER_CLIENT,
    headersTimeoutMs,
    requestTimeoutMs: Math.max(given.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, headersTimeoutMs),
    keepAliveTimeoutMs: given.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS,
  };
}

/** This process's limit of open files where the system tells it (Linux); Node raises it to the hard limit at start. */
export function processOpenFileLimit(): number | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const match = /^Max open files\s+(\d+)/m.exec(text);
  return match === null ? undefined : Number(match[1]);
}

interface Client {
  open: number;
  connections: Set<Connection>;
}

interface Connection {
  socket: Socket;
  address: string;
  client: Client;
  /** The response to its latest request; none before its first. */
  response?: ServerResponse;
  /** When it was last active (admitted, or sent a request), as a count of such events: the lowest has been idle longest. */
  activeAt: number;
  counted: boolean;
}

const CONNECTION = Symbol('modferry connection');
type GuardedSocket = Socket & { [CONNECTION]?: Connection };

/**
 * Counts a server's connections and applies the caps (see the top of this file). Per request it
 * only notes the response on its connection: whether a connection is idle is worked out when a cap
 * is reached, so the answers of a busy server pay nothing for the accounting.
 */
export class ConnectionGuard {
  private readonly clients = new Map<string, Client>();
  private readonly connections = new Set<Connection>();
  private activity = 0;

  constructor(
    private readonly limits: Pick<ConnectionLimits, 'maxConnections' | 'maxConnectionsPerClient' | 'headersTimeoutMs'>,
    /** Told why a connection was refused. */
    private readonly onRefused: (line: string) => void = () => {},
  ) {}

  /** For the server's 'connection' event: counts the connection, or refuses it (destroys the socket) when a cap is reached and nothing is idle. */
  admit(socket: Socket): void {
    const address = clientAddress(socket);
    const client = this.clients.get(address) ?? { open: 0, connections: new Set<Connection>() };
    if (client.open >= this.limits.maxConnectionsPerClient && !this.closeLongestIdle(client.connections)) {
      this.refuse(socket, `connection from ${address} refused: its ${client.open} connections (the most one client may hold) are all busy`);
      return;
    }
    if (this.connections.size >= this.limits.maxConnections && !this.closeLongestIdle(this.connections)) {
      this.refuse(socket, `connection from ${address} refused: all ${this.connections.size} connections (the most this server holds) are busy`);
      return;
    }
    this.clients.set(address, client);
    const connection: Connection = { socket, address, client, activeAt: this.activity++, counted: true };
    client.open++;
    client.connections.add(connection);
    this.connections.add(connection);
    (socket as GuardedSocket)[CONNECTION] = connection;
    socket.once('close', () => this.forget(connection));
    // Node's header timeout starts with the first byte of a request: a socket that sends nothing is
    // ended here instead (Node's server destroys a socket whose timeout nothing else handles).
    socket.setTimeout(this.limits.headersTimeoutMs);
  }

  /** For each request, before it is answered. */
  requestStarted(req: IncomingMessage, res: ServerResponse): void {
    const connection = (req.socket as GuardedSocket)[CONNECTION];
    if (connection === undefined) return;
    // From its first request on, Node's own timeouts apply: header, request, and keep-alive between requests.
    if (connection.response === undefined) req.socket.setTimeout(0);
    connection.response = res;
    connection.activeAt = this.activity++;
  }

  /** Closes every idle connection now, and every other one as soon as its response is done. */
  drain(): void {
    for (const connection of [...this.connections]) {
      if (isIdle(connection)) connection.socket.destroy();
      else connection.response?.once('close', () => connection.socket.destroy());
    }
  }

  /** Connections counted now. */
  get size(): number {
    return this.connections.size;
  }

  private closeLongestIdle(connections: Set<Connection>): boolean {
    let longest: Connection | undefined;
    for (const connection of connections) {
      if (isIdle(connection) && (longest === undefined || connection.activeAt < longest.activeAt)) longest = connection;
    }
    if (longest === undefined) return false;
    this.forget(longest);
    longest.socket.destroy();
    return true;
  }

  private forget(connection: Connection): void {
    if (!connection.counted) return;
    connection.counted = false;
    this.connections.delete(connection);
    connection.client.connections.delete(connection);
    if (--connection.client.open === 0) this.clients.delete(connection.address);
  }

  private refuse(socket: Socket, line: string): void {
    socket.destroy();
    this.onRefused(line);
  }
}

/** No request in flight: none yet, or the latest one's response is done. */
function isIdle(connection: Connection): boolean {
  const { response } = connection;
  return response === undefined || response.writableFinished || response.destroyed;
}

/** IPv4 clients of a server on `::` arrive as ::ffff:a.b.c.d; one client, one key. */
function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
