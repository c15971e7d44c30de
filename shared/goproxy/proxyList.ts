/**
 * The GOPROXY setting, read exactly as the go command reads it (cmd/go/internal/modfetch/proxy.go,
 * proxyList and newProxyRepo, go 1.19), so a value copied from `go env GOPROXY` means the same here.
 *
 * Pure: the app's settings check an upstream by these rules where it is typed, and export uses it by them.
 */

/** The parts of a WHATWG URL read here. */
interface ParsedUrl {
  protocol: string;
  host: string;
  hostname: string;
  pathname: string;
  search: string;
  hash: string;
  username: string;
  password: string;
}

// shared/ is compiled with neither Node's nor the DOM's types, yet URL is a global in both.
const WhatwgUrl = (globalThis as unknown as { URL: new (input: string) => ParsedUrl }).URL;

/** What the go command uses when GOPROXY is unset or empty. */
export const DEFAULT_GOPROXY = 'https://proxy.golang.org,direct';

export type ProxyScheme = 'http' | 'https' | 'file';

/** A module proxy to ask, in list order. */
export interface ProxyServer {
  kind: 'proxy';
  scheme: ProxyScheme;
  /** The URL requests are built on: no user info, no trailing slash, e.g. `https://goproxy.example/sub`. */
  base: string;
  /** The credentials written into the URL itself (`https://user:pass@host`), if any. */
  userInfo?: { login: string; password: string };
  /**
   * `|` after the entry: any error moves on to the next entry. `,` (or the last entry): only
   * "not found" (404, 410) does; any other error ends the lookup.
   */
  fallBackOnError: boolean;
}

/** `off`: the lookup stops here and fails as "not found". */
export interface ProxyOff {
  kind: 'off';
}

/**
 * A `direct` after at least one proxy: ModFerry cannot use it, so a lookup that reaches it fails as
 * "not found", with reason saying why.
 */
export interface ProxyDirect {
  kind: 'direct';
  reason: string;
}

export type ProxyEntry = ProxyServer | ProxyOff | ProxyDirect;

export interface ProxyList {
  entries: ProxyEntry[];
}

/** The message of every request that reaches an `off` entry, in the go command's words. */
export const LOOKUP_DISABLED = 'module lookup disabled by GOPROXY=off';

/** A GOPROXY value ModFerry cannot use; the message names the value (passwords hidden) and the entry at fault. */
/** What is wrong with a GOPROXY list, as a code a screen words in its own language. */
export type GoproxyProblem =
  | 'direct-only'
  | 'no-entries'
  | 'path-not-url'
  | 'missing-scheme'
  | 'bad-scheme'
  | 'invalid-url'
  | 'missing-host'
  | 'query-or-fragment'
  | 'bad-user-info'
  | 'file-url-not-path';

export class GoproxyError extends Error {
  override name = 'GoproxyError';
  readonly problem: GoproxyProblem;
  /** The entry at fault, counted from 1, as written (credentials redacted). */
  readonly entry?: { position: number; text: string };

  constructor(message: string, problem: GoproxyProblem, entry?: { position: number; text: string }) {
    super(message);
    this.problem = problem;
    if (entry !== undefined) this.entry = entry;
  }
}

/**
 * Parses a GOPROXY value: entries separated by `,` or `|`, blanks trimmed, empty entries skipped.
 * `off` ends the list, as does `direct`; the go command ignores anything after either.
 *
 * ModFerry fetches only through proxies: it exports exactly what a proxy serves, so the bundle
 * matches what the offline side's proxy will serve and what the checksum database covers.
 * `direct` is therefore never used. A user who copies the usual `https://proxy.golang.org,direct`
 * expects the proxy part to work, so a `direct` after at least one proxy ends the list, and only a
 * module the proxies lack says why direct did not fetch it (the common case, where every module is
 * on the proxy, says nothing). A `direct` with no proxy before it leaves nothing to ask, which is an
 * error that says what to set.
 */
export function parseGoproxy(value: string): ProxyList {
  const source = value === '' ? DEFAULT_GOPROXY : value;
  const entries: ProxyEntry[] = [];
  let rest = source;
  let position = 0;
  while (rest !== '') {
    const sep = rest.search(/[,|]/);
    const raw = sep >= 0 ? rest.slice(0, sep) : rest;
    const fallBackOnError = sep >= 0 && rest[sep] === '|';
    rest = sep >= 0 ? rest.slice(sep + 1) : '';

    const text = raw.trim();
    if (text === '') continue;
    position++;
    if (text === 'off') {
      entries.push({ kind: 'off' });
      break;
    }
    if (text === 'direct') {
      const ignored = rest.split(/[,|]/).map((s) => s.trim()).filter((s) => s !== '');
      const ignoredNote = ignored.length > 0 ? `; the entries after it (${ignored.map(redactUrl).join(', ')}) are ignored, as the go command ignores them` : '';
      if (entries.length === 0) {
        throw new GoproxyError(
          `GOPROXY=${redactUrl(source)}: "direct" is not supported: ModFerry downloads modules only through a module proxy, ` +
            `never from version control${ignoredNote}; set GOPROXY to a proxy URL, e.g. https://proxy.golang.org or file:///path/to/goproxy-tree`,
          'direct-only',
        );
      }
      entries.push({
        kind: 'direct',
        reason: `GOPROXY ends in direct, which an export cannot use: modules not on ${describeProxies(entries)} cannot be fetched from version control${ignoredNote}`,
      });
      break;
    }
    entries.push(parseProxyUrl(text, fallBackOnError, position, source));
  }
  if (entries.length === 0) {
    throw new GoproxyError(`GOPROXY=${redactUrl(source)}: the list is not the empty string, but contains no entries`, 'no-entries');
  }
  return { entries };
}

function describeProxies(entries: readonly ProxyEntry[]): string {
  const urls = entries.flatMap((e) => (e.kind === 'proxy' ? [e.base] : []));
  return urls.length === 1 ? urls[0] ?? '' : `${urls.slice(0, -1).join(', ')} or ${urls.at(-1) ?? ''}`;
}

function parseProxyUrl(text: string, fallBackOnError: boolean, position: number, source: string): ProxyServer {
  const fail = (reason: string, problem: GoproxyProblem): never => {
    throw new GoproxyError(`GOPROXY=${redactUrl(source)}: entry ${position} ${JSON.stringify(redactUrl(text))}: ${reason}`, problem, { position, text: redactUrl(text) });
  };
  // Single words are reserved for built-in behaviours; a host name alone (anything with `.`, `:` or
  // `/` that is neither a URL nor an absolute path) means https, as in the go command.
  const url = /[.:/]/.test(text) && !text.includes(':/') && !isAbsolutePath(text) ? `https://${text}` : text;
  if (isAbsolutePath(text)) {
    return fail(`invalid proxy URL missing scheme (write a directory as a file URL, e.g. file://${text.startsWith('/') ? '' : '/'}${text.replace(/\\/g, '/')})`, 'path-not-url');
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return fail('invalid proxy URL missing scheme', 'missing-scheme');
  if (scheme === 'file') return { kind: 'proxy', scheme, base: parseFileUrl(url, fail), fallBackOnError };
  if (scheme !== 'http' && scheme !== 'https') return fail('invalid proxy URL scheme (must be https, http, file)', 'bad-scheme');

  let parsed: ParsedUrl;
  try {
    parsed = new WhatwgUrl(url);
  } catch {
    return fail('invalid proxy URL', 'invalid-url');
  }
  if (parsed.hostname === '') fail('invalid proxy URL missing host', 'missing-host');
  // Requests are built by appending paths; a query or fragment would end up in the middle of them.
  if (parsed.search !== '' || parsed.hash !== '') fail('a proxy URL cannot have a query (?) or fragment (#)', 'query-or-fragment');
  const base = `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  const server: ProxyServer = { kind: 'proxy', scheme, base, fallBackOnError };
  if (parsed.username !== '' || parsed.password !== '') {
    try {
      server.userInfo = { login: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
    } catch {
      fail('invalid percent-encoding in the user name or password', 'bad-user-info');
    }
  }
  return server;
}

/** The go command accepts a file URL made of a path only: `file:///abs`, no host, query or fragment. */
function parseFileUrl(url: string, fail: (reason: string, problem: GoproxyProblem) => never): string {
  const rest = url.slice('file:'.length);
  if (!rest.startsWith('///')) fail('invalid file:// proxy URL with non-path elements (write file:///path, with three slashes)', 'file-url-not-path');
  if (/[?#]/.test(rest)) fail('invalid file:// proxy URL with non-path elements (a query or fragment)', 'file-url-not-path');
  return `file://${rest.slice(2).replace(/\/+$/, '')}`;
}

// Absolute on either platform: the go command checks the host's own rules, but a setting may be
// written on one system and read on another.
function isAbsolutePath(text: string): boolean {
  return text.startsWith('/') || text.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(text);
}

/** Hides the password of every URL in text (`https://u:secret@h` → `https://u:xxxxx@h`), as the go command's Redacted does. */
export function redactUrl(text: string): string {
  return text.replace(/(\/\/[^/@:?#]*):[^/@?#]*@/g, '$1:xxxxx@');
}
