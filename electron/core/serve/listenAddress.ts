import { isIP } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Loopback unless asked otherwise: a LAN address exposes the store to every machine that can reach it. */
export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 3000 };

/**
 * Reads `HOST:PORT`, `[IPv6]:PORT` or a bare `PORT` (on the default loopback host).
 * Port 0 asks the system for a free one.
 */
export function parseListenAddress(text: string): ListenAddress {
  if (/^\d+$/.test(text)) return { host: DEFAULT_LISTEN.host, port: parsePort(text, text) };
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text);
  if (match === null) {
    throw new Error(`listen address "${text}" is not HOST:PORT (e.g. 127.0.0.1:3000, [::1]:3000 or 0.0.0.0:3000)`);
  }
  const bracketed = match[1];
  const host = bracketed ?? match[2] ?? '';
  if (bracketed !== undefined && isIP(bracketed) !== 6) throw new Error(`listen address "${text}": "${bracketed}" is not an IPv6 address`);
  if (bracketed === undefined && !/^[A-Za-z0-9.-]+$/.test(host)) throw new Error(`listen address "${text}": "${host}" is not a host name or IPv4 address`);
  return { host, port: parsePort(match[3] ?? '', text) };
}

function parsePort(digits: string, text: string): number {
  const port = Number(digits);
  if (!Number.isInteger(port) || port > 65535) throw new Error(`listen address "${text}": port ${digits} is not between 0 and 65535`);
  return port;
}

/** The host as it goes in a URL: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/** Whether the address accepts connections from other machines on every interface. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}
