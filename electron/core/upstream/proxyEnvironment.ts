/**
 * HTTPS_PROXY, HTTP_PROXY and NO_PROXY, read as the go command reads them
 * (golang.org/x/net/http/httpproxy, which net/http's ProxyFromEnvironment uses), so an export
 * goes through the same corporate proxy `go mod download` goes through, and around it for the
 * same hosts.
 */
import net from 'node:net';
import { domainToASCII } from 'node:url';
import { ProxySettingError } from './errors';
import { redactUrl } from '../../../shared/goproxy/proxyList';

export interface ProxyEnvironment {
  /** For https:// requests, from HTTPS_PROXY (else https_proxy). */
  httpsProxy: URL | undefined;
  /** For http:// requests, from HTTP_PROXY (else http_proxy). */
  httpProxy: URL | undefined;
  noProxy: NoProxy;
}

type NoProxyRule =
  | { kind: 'cidr'; list: net.BlockList }
  | { kind: 'ip'; ip: string; port: string }
  | { kind: 'domain'; suffix: string; port: string; matchHost: boolean };

/** `*`, or the rules of the comma-separated list. */
type NoProxy = 'all' | NoProxyRule[];

/** The upper-case variable wins when both forms are set and not empty, as in httpproxy.FromEnvironment. */
function getEnvAny(env: NodeJS.ProcessEnv, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

export function readProxyEnvironment(env: NodeJS.ProcessEnv): ProxyEnvironment {
  return {
    httpsProxy: parseProxy(getEnvAny(env, 'HTTPS_PROXY', 'https_proxy')),
    httpProxy: parseProxy(getEnvAny(env, 'HTTP_PROXY', 'http_proxy')),
    noProxy: parseNoProxy(getEnvAny(env, 'NO_PROXY', 'no_proxy')?.value ?? ''),
  };
}

/**
 * A proxy address: a URL, or a bare `host:port`, which means http. The go command also speaks
 * SOCKS5; ModFerry does not, and says so rather than connect without the proxy.
 */
function parseProxy(setting: { name: string; value: string } | undefined): URL | undefined {
  if (setting === undefined) return undefined;
  const { name, value } = setting;
  const fail = (reason: string): never => {
    throw new ProxySettingError(name, redactUrl(value), reason);
  };
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    return fail('not a proxy address (write http://host:port)');
  }
  if (url.protocol === 'socks5:') fail('SOCKS5 proxies are not supported (use an HTTP proxy, http://host:port)');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('the proxy address must start with http:// or https://');
  if (url.hostname === '') fail('the proxy address has no host');
  return url;
}

function parseNoProxy(value: string): NoProxy {
  const rules: NoProxyRule[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return 'all';
    const cidr = parseCidr(entry);
    if (cidr !== undefined) {
      rules.push({ kind: 'cidr', list: cidr });
      continue;
    }
    const split = splitHostPort(entry);
    let host = split?.host ?? entry;
    const port = split?.port ?? '';
    // An entry with a port but no host is malformed; the go command ignores it.
    if (split !== undefined && host === '') continue;
    const ip = canonicalIp(host);
    if (ip !== undefined) {
      rules.push({ kind: 'ip', ip, port });
      continue;
    }
    if (host === '') continue;
    // `*.example.com` and `.example.com` match subdomains only; `example.com` matches itself too.
    if (host.startsWith('*.')) host = host.slice(1);
    const matchHost = !host.startsWith('.');
    const suffix = domainToASCII(matchHost ? `.${host}` : host) || (matchHost ? `.${host}` : host);
    rules.push({ kind: 'domain', suffix, port, matchHost });
  }
  return rules;
}

/** `10.0.0.0/8` or `2001:db8::/32` as a BlockList, or undefined when entry is not CIDR notation. */
function parseCidr(entry: string): net.BlockList | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(entry);
  if (!match) return undefined;
  const [, address = '', bits = ''] = match;
  const family = net.isIP(address);
  const prefix = Number(bits);
  if (family === 0 || prefix > (family === 4 ? 32 : 128)) return undefined;
  const list = new net.BlockList();
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

/** net.SplitHostPort: `host:port` or `[v6]:port`; undefined where it fails (no port, or a bare IPv6 address). */
function splitHostPort(entry: string): { host: string; port: string } | undefined {
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close < 0 || entry[close + 1] !== ':') return undefined;
    return { host: entry.slice(1, close), port: entry.slice(close + 2) };
  }
  const colon = entry.indexOf(':');
  if (colon < 0 || entry.indexOf(':', colon + 1) >= 0) return undefined;
  return { host: entry.slice(0, colon), port: entry.slice(colon + 1) };
}

/** The address in one spelling (`::0:1` and `::1` alike), or undefined for anything but an IP address. */
function canonicalIp(host: string): string | undefined {
  const family = net.isIP(host);
  if (family === 0) return undefined;
  return family === 4 ? host : new URL(`http://[${host}]`).hostname.slice(1, -1);
}

function isLoopback(ip: string): boolean {
  return net.isIPv4(ip) ? ip.startsWith('127.') : ip === '::1' || /^::ffff:(127\.|7f)/.test(ip);
}

/** The proxy a request to url goes through, or undefined to connect directly (httpproxy's ProxyFunc and useProxy). */
export function proxyFor(environment: ProxyEnvironment, url: URL): URL | undefined {
  const proxy = url.protocol === 'https:' ? environment.httpsProxy : url.protocol === 'http:' ? environment.httpProxy : undefined;
  if (proxy === undefined) return undefined;
  return useProxy(environment.noProxy, url) ? proxy : undefined;
}

function useProxy(noProxy: NoProxy, url: URL): boolean {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  // This computer is never reached through a proxy.
  if (host === 'localhost') return false;
  const ip = canonicalIp(host);
  if (ip !== undefined && isLoopback(ip)) return false;
  if (noProxy === 'all') return false;
  for (const rule of noProxy) {
    if (rule.kind === 'cidr' && ip !== undefined && rule.list.check(ip, net.isIPv4(ip) ? 'ipv4' : 'ipv6')) return false;
    if (rule.kind === 'ip' && ip === rule.ip && (rule.port === '' || rule.port === port)) return false;
    if (rule.kind === 'domain' && (host.endsWith(rule.suffix) || (rule.matchHost && host === rule.suffix.slice(1))) && (rule.port === '' || rule.port === port)) {
      return false;
    }
  }
  return true;
}
