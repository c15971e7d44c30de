/**
 * What an HTTP request target asks of the proxy (`go help goproxy`, https://go.dev/ref/mod#goproxy-protocol).
 *
 * The go command percent-encodes each path segment (url.PathEscape sends `!` as `%21`), so every
 * segment is decoded on its own and must then be a plain name: a decoded segment holding `/`, `\`,
 * NUL or a control character, or one that is `.`, `..` or empty, was crafted and is refused whole.
 * Module paths and versions are then checked by the go command's own rules. Nothing here ever
 * becomes a file name: files come from the store's index only.
 */
import { unescapePath, unescapeVersion } from '../../../shared/gomod/modulePath';
import { moduleVersionProblem } from '../../../shared/gomod/moduleVersion';
import type { StoredFileKind } from '../../../shared/roundtrip/inventory';
import { errorMessage } from '../../../shared/errorMessage';
import { isSumdbName, parseSumdbPath, SumdbPathError, SUMDB_ROOT } from '../../../shared/sumdb/sumdbPath';
import type { Tile } from '../../../shared/sumdb/tiles';

/**
 * What the go command asks of a checksum database through a proxy: `supported` first, then lookups
 * and hash tiles only. `other` is everything else (`latest`, data tiles, anything unknown): 404.
 */
export type SumdbRequest =
  | { kind: 'supported' }
  | { kind: 'lookup'; modulePath: string; version: string }
  | { kind: 'tile'; tile: Tile }
  | { kind: 'other' };

export type ProxyRequest =
  | { kind: 'healthz' }
  | { kind: 'stats' }
  /** A checksum database endpoint, `/sumdb/<name>/…`. */
  | { kind: 'sumdb'; name: string; request: SumdbRequest }
  | { kind: 'list'; modulePath: string }
  | { kind: 'latest'; modulePath: string }
  /**
   * A version's file. `exact` says whether the version can name a stored file at all: canonical
   * (`v1.2.0`, not `v1.2` or a branch name such as `master`, which the go command sends to `.info`
   * as queries) and allowed by the path's major-version suffix.
   */
  | { kind: 'version'; modulePath: string; version: string; file: StoredFileKind; exact: boolean }
  /** A target no client of the protocol would send: answered 400 with the reason. */
  | { kind: 'malformed'; reason: string }
  /** A well-formed target outside the protocol: answered 404. */
  | { kind: 'unknown' };

const VERSION_FILE = /^(.+)\.(info|mod|zip)$/;

export function parseProxyRequest(target: string): ProxyRequest {
  const segments = decodeSegments(target);
  if (typeof segments === 'string') return { kind: 'malformed', reason: segments };

  const [first] = segments;
  if (segments.length === 1 && first === 'healthz') return { kind: 'healthz' };
  if (segments.length === 1 && first === 'stats') return { kind: 'stats' };
  if (first === SUMDB_ROOT) return parseSumdbRequest(segments);

  const marker = segments.findIndex((s) => s.startsWith('@'));
  if (marker <= 0) return { kind: 'unknown' };
  const endpoint = segments.slice(marker);
  let modulePath: string;
  try {
    modulePath = unescapePath(segments.slice(0, marker).join('/'));
  } catch (error) {
    return { kind: 'malformed', reason: errorMessage(error) };
  }

  if (endpoint.length === 1 && endpoint[0] === '@latest') return { kind: 'latest', modulePath };
  if (endpoint.length !== 2 || endpoint[0] !== '@v') return { kind: 'unknown' };
  const file = endpoint[1] ?? '';
  if (file === 'list') return { kind: 'list', modulePath };
  const match = VERSION_FILE.exec(file);
  if (match === null) return { kind: 'unknown' };
  let version: string;
  try {
    version = unescapeVersion(match[1] ?? '');
  } catch (error) {
    return { kind: 'malformed', reason: errorMessage(error) };
  }
  return { kind: 'version', modulePath, version, file: match[2] as StoredFileKind, exact: moduleVersionProblem(modulePath, version) === undefined };
}

function parseSumdbRequest(segments: readonly string[]): ProxyRequest {
  const name = segments[1] ?? '';
  if (!isSumdbName(name)) return { kind: 'unknown' };
  if (segments.length === 3 && segments[2] === 'supported') return { kind: 'sumdb', name, request: { kind: 'supported' } };
  try {
    const parsed = parseSumdbPath(segments.join('/'));
    if (parsed.kind === 'lookup') return { kind: 'sumdb', name, request: { kind: 'lookup', modulePath: parsed.modulePath, version: parsed.version } };
    if (parsed.kind === 'tile') return { kind: 'sumdb', name, request: { kind: 'tile', tile: parsed.tile } };
  } catch (error) {
    if (!(error instanceof SumdbPathError)) throw error;
  }
  return { kind: 'sumdb', name, request: { kind: 'other' } };
}

/** The decoded segments after the leading `/`, or why the target is refused. */
function decodeSegments(target: string): string[] | string {
  if (!target.startsWith('/')) return 'request target is not an absolute path';
  const query = target.search(/[?#]/);
  const rawPath = query < 0 ? target : target.slice(0, query);
  const segments: string[] = [];
  if (rawPath === '/') return segments;
  for (const raw of rawPath.slice(1).split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return 'malformed percent-encoding in path';
    }
    const reason = unsafeSegmentReason(segment);
    if (reason !== undefined) return reason;
    segments.push(segment);
  }
  return segments;
}

function unsafeSegmentReason(segment: string): string | undefined {
  if (segment === '') return 'empty path element';
  if (segment === '.' || segment === '..') return `"${segment}" path element`;
  if (segment.includes('/')) return 'encoded slash in path element';
  if (segment.includes('\\')) return 'backslash in path';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(segment)) return 'control character in path';
  return undefined;
}
