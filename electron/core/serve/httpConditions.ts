/**
 * Conditional and range requests for store files (RFC 9110 sections 13 and 14), decided from the
 * request headers and the file's validators alone. The go command sends none of these headers;
 * caches, mirrors and download tools in front of the proxy do.
 */
import type { IncomingMessage } from 'node:http';

/** The request headers that can change the answer to a GET of a store file; absent ones undefined. */
export interface RequestConditions {
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  range?: string;
  ifRange?: string;
}

/** The file's validators: its ETag, and its modification time in whole seconds as Last-Modified says it. */
export interface Validators {
  etag: string;
  lastModified: { seconds: number; text: string };
}

export type Answer =
  | { kind: 'whole' }
  | { kind: 'not-modified' }
  /** Bytes first to last, both included. */
  | { kind: 'range'; first: number; last: number }
  | { kind: 'unsatisfiable' };

/**
 * The four headers in one pass over the raw list, or undefined when the request has none of them:
 * the plain GET every go command sends then costs a comparison of name lengths per header.
 */
export function requestConditions(req: IncomingMessage): RequestConditions | undefined {
  const raw = req.rawHeaders;
  let found: RequestConditions | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const length = name.length;
    if (length !== 5 && length !== 8 && length !== 13 && length !== 17) continue;
    const key = CONDITION_HEADERS[name.toLowerCase()];
    if (key === undefined) continue;
    found ??= {};
    const value = raw[i + 1] ?? '';
    const before = found[key];
    found[key] = before === undefined ? value : `${before}, ${value}`;
  }
  return found;
}

const CONDITION_HEADERS: Record<string, keyof RequestConditions | undefined> = {
  'if-none-match': 'ifNoneMatch',
  'if-modified-since': 'ifModifiedSince',
  range: 'range',
  'if-range': 'ifRange',
};

/**
 * What to answer a GET or HEAD of a file of `size` bytes: If-None-Match decides when sent, else
 * If-Modified-Since (13.2.2); then a single byte range, unless If-Range names another version of
 * the file. Several ranges, or a Range that does not parse, get the whole file, as 14.2 allows.
 */
export function decideAnswer(conditions: RequestConditions | undefined, validators: Validators, size: number): Answer {
  if (conditions === undefined) return { kind: 'whole' };
  if (conditions.ifNoneMatch !== undefined) {
    if (etagMatches(conditions.ifNoneMatch, validators.etag)) return { kind: 'not-modified' };
  } else if (conditions.ifModifiedSince !== undefined) {
    const since = parseHttpDate(conditions.ifModifiedSince);
    if (since !== undefined && validators.lastModified.seconds <= since) return { kind: 'not-modified' };
  }
  if (conditions.range === undefined) return { kind: 'whole' };
  if (conditions.ifRange !== undefined && !ifRangeMatches(conditions.ifRange, validators)) return { kind: 'whole' };
  return parseRange(conditions.range, size);
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): `W/` is ignored and `*` matches anything. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/** If-Range takes an entity tag, compared strongly (a weak one never matches), or the exact Last-Modified date (13.1.5). */
function ifRangeMatches(value: string, validators: Validators): boolean {
  const trimmed = value.trim();
  if (trimmed.startsWith('"') || trimmed.startsWith('W/')) return trimmed === validators.etag;
  return parseHttpDate(trimmed) === validators.lastModified.seconds;
}

/** A single `bytes=` range of a file of `size` bytes (RFC 9110 14.1.2). */
export function parseRange(header: string, size: number): Answer {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return { kind: 'whole' };
  const [, firstText = '', lastText = ''] = match;
  if (firstText === '') {
    if (lastText === '') return { kind: 'whole' };
    const suffix = Number(lastText);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', first: Math.max(0, size - suffix), last: size - 1 };
  }
  const first = Number(firstText);
  const last = lastText === '' ? Infinity : Number(lastText);
  if (last < first) return { kind: 'whole' };
  if (first >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', first, last: Math.min(last, size - 1) };
}

/** Seconds since the epoch of an HTTP date, or undefined when it is none. */
function parseHttpDate(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/** A modification time as Last-Modified gives it: whole seconds (the header has no finer unit), in IMF-fixdate. */
export function lastModifiedOf(mtimeMs: number): Validators['lastModified'] {
  const seconds = Math.floor(mtimeMs / 1000);
  return { seconds, text: new Date(seconds * 1000).toUTCString() };
}
