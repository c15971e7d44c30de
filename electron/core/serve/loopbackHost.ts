import { isIP } from 'node:net';

/**
 * Names of this machine's loopback interface: `localhost` and its subdomains (which resolvers and
 * browsers keep on loopback, RFC 6761), 127.0.0.0/8 and ::1.
 */
export function isLoopbackName(name: string): boolean {
  const host = name.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Whether a request's Host header names loopback, with or without a port. A server that listens
 * on loopback only answers such requests: a web page whose own name an attacker re-points at
 * 127.0.0.1 (DNS rebinding) reaches the port from the browser, but its requests carry the page's
 * name, and refusing them keeps the store's private modules from being read back by that page.
 */
export function isLoopbackHostHeader(header: string | undefined): boolean {
  if (header === undefined) return true;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed !== null) return isLoopbackName(bracketed[1] ?? '');
  const unbracketed = /^([^:]+)(?::\d+)?$/.exec(header);
  return unbracketed !== null && isLoopbackName(unbracketed[1] ?? '');
}
