/**
 * The kinds of answer the proxy gives. Each returns how many body bytes went out, for the request log.
 * Small store files go out from memory; larger ones are streamed from disk through a pipeline, so a
 * download of a big zip costs a stream buffer, whatever the file's size.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { decideAnswer, etagMatches, requestConditions, type Answer, type RequestConditions, type Validators } from './httpConditions';
import { setModified, type ServedFile } from './servedFile';
import type { SmallFileCache } from './smallFileCache';
import { StoreFileChangedError, StoreFileDamagedError, type StoreFileChecks } from './storeFileChecks';
import { errorMessage } from '../../../shared/errorMessage';

export const TEXT = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json';

export interface Sent {
  status: number;
  bytes: number;
  /** Something the log should say about the answer. */
  note?: string;
}

/**
 * A one-line text answer: errors, not-found reasons, health. Never stored by a cache: the next
 * import may turn a 404 into a file. `headers` are name, value pairs in one flat list.
 */
export function sendLine(req: IncomingMessage, res: ServerResponse, status: number, line: string, headers: readonly string[] = []): Sent {
  return sendBody(req, res, status, Buffer.from(`${line}\n`), TEXT, ['Cache-Control', 'no-store', ...headers]);
}

/**
 * A body built in memory (a version list, stats). With `etag`, a matching If-None-Match gets 304:
 * the go command does not send one, but caches and mirrors in front of the proxy do.
 */
export function sendBody(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: Buffer,
  contentType: string,
  headers: readonly string[] = [],
  etag?: string,
): Sent {
  if (etag !== undefined && etagMatches(requestHeader(req, 'if-none-match'), etag)) return notModified(res, ['ETag', etag, ...headers]);
  // Flat header lists, never objects built by spreading: writeHead is measurably slower on those,
  // and at tens of thousands of answers a second that is a share of the throughput.
  const head = ['Content-Type', contentType, 'Content-Length', String(body.length), 'X-Content-Type-Options', 'nosniff', ...headers];
  if (etag !== undefined) head.push('ETag', etag);
  res.writeHead(status, head);
  return endWith(req, res, status, body);
}

export function bodyEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('hex')}"`;
}

/**
 * Sends a store file. A plain GET of a file in memory whose headers are complete is answered
 * synchronously with the prebuilt headers: the common case and the cheapest answer. Everything
 * else (a first request, a conditional or range request, a file too big to keep) takes the
 * asynchronous path.
 */
export function sendStoredFile(req: IncomingMessage, res: ServerResponse, served: ServedFile, cache: SmallFileCache): Sent | Promise<Sent> {
  const conditions = requestConditions(req);
  // Asked once per request: a zip is admitted on its second request.
  const inMemory = cache.admits(served.stored);
  if (inMemory && conditions === undefined) {
    // A file answered afresh each time (the .info of @latest) learns its date from the file's checks.
    const mtimeMs = served.lastModified === undefined ? cache.checks.mtimeOf(served.stored.file) : undefined;
    if (mtimeMs !== undefined) setModified(served, mtimeMs);
  }
  if (inMemory && conditions === undefined && served.lastModified !== undefined) {
    const bytes = cache.peek(served.stored);
    if (bytes !== undefined) {
      res.writeHead(200, served.headers);
      return endWith(req, res, 200, bytes);
    }
  }
  return answerStoredFile(req, res, served, cache, conditions, inMemory);
}

async function answerStoredFile(
  req: IncomingMessage,
  res: ServerResponse,
  served: ServedFile,
  cache: SmallFileCache,
  conditions: RequestConditions | undefined,
  inMemory: boolean,
): Promise<Sent> {
  const { stored } = served;
  if (inMemory) {
    // A file that cannot be read whole is left to the streaming path, which says what is wrong with it.
    const bytes = cache.peek(stored) ?? (await cache.load(stored).catch(rethrowDamage));
    const validators = bytes === undefined ? undefined : await knownValidators(served, cache.checks);
    if (bytes !== undefined && validators !== undefined) return answerFromMemory(req, res, served, bytes, decideAnswer(conditions, validators, bytes.length));
  }
  return streamStoredFile(req, res, served, cache.checks, conditions);
}

function rethrowDamage(error: unknown): undefined {
  if (error instanceof StoreFileDamagedError) throw error;
  return undefined;
}

/** The ETag and Last-Modified of a file answered from memory: a stat of the file the first time its modification time is needed. */
async function knownValidators(served: ServedFile, checks: StoreFileChecks): Promise<Validators | undefined> {
  let lastModified = served.lastModified;
  if (lastModified === undefined) {
    const mtimeMs = checks.mtimeOf(served.stored.file) ?? (await stat(served.stored.file).catch(() => undefined))?.mtimeMs;
    if (mtimeMs === undefined) return undefined;
    lastModified = setModified(served, mtimeMs);
  }
  return { etag: served.etag, lastModified };
}

function answerFromMemory(req: IncomingMessage, res: ServerResponse, served: ServedFile, bytes: Buffer, answer: Answer): Sent {
  switch (answer.kind) {
    case 'not-modified':
      return notModified(res, notModifiedHeaders(served));
    case 'unsatisfiable':
      return unsatisfiable(req, res, bytes.length);
    case 'range':
      res.writeHead(206, rangeHeaders(served, answer.first, answer.last));
      return endWith(req, res, 206, bytes.subarray(answer.first, answer.last + 1));
    case 'whole':
      res.writeHead(200, served.headers);
      return endWith(req, res, 200, bytes);
  }
}

function endWith(req: IncomingMessage, res: ServerResponse, status: number, body: Buffer): Sent {
  if (req.method === 'HEAD') {
    res.end();
    return { status, bytes: 0 };
  }
  res.end(body);
  return { status, bytes: body.length };
}

/**
 * Streams a store file from disk, so a slow client holds back the disk reads instead of filling
 * memory. A copy not hashed before is hashed as it streams, and its last bytes go out only if it
 * matches (see StoreFileChecks); a range of it goes out only after the whole file was hashed.
 */
async function streamStoredFile(
  req: IncomingMessage,
  res: ServerResponse,
  served: ServedFile,
  checks: StoreFileChecks,
  conditions: RequestConditions | undefined,
): Promise<Sent> {
  const { stored } = served;
  const handle = await open(stored.file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new StoreFileChangedError(stored.file, error.code === 'ENOENT' ? 'missing from the store' : error.message);
  });
  let handedToStream = false;
  try {
    const identity = await handle.stat();
    if (identity.size !== stored.size) {
      throw new StoreFileChangedError(stored.file, `${identity.size} bytes on disk, but the store recorded ${stored.size}`);
    }
    let verified = checks.verified(stored, identity);
    const lastModified = setModified(served, identity.mtimeMs);
    const answer = decideAnswer(conditions, { etag: served.etag, lastModified }, stored.size);
    if (answer.kind === 'not-modified') return notModified(res, notModifiedHeaders(served));
    if (answer.kind === 'unsatisfiable') return unsatisfiable(req, res, stored.size);
    let [status, first, last, headers] = [200, 0, stored.size - 1, served.headers];
    if (answer.kind === 'range') {
      if (!verified) await checks.verifyWhole(stored, handle, identity);
      verified = true;
      [status, first, last, headers] = [206, answer.first, answer.last, rangeHeaders(served, answer.first, answer.last)];
    }
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || stored.size === 0) {
      res.end();
      return { status, bytes: 0 };
    }
    // The stream owns the handle from here and closes it however the pipeline ends.
    // 256 KiB reads: fewer system calls than the default 64 KiB for zips, while 64 downloads stay well under 200 MB.
    const stream = handle.createReadStream({ start: first, end: last, highWaterMark: 256 * 1024 });
    handedToStream = true;
    try {
      if (verified) await pipeline(stream, res);
      else await pipeline(stream, checks.verifyingStream(stored, identity), res);
    } catch (error) {
      if (error instanceof StoreFileDamagedError || error instanceof StoreFileChangedError) throw error;
      throw new DownloadAbortedError(stream.bytesRead, error);
    }
    return { status, bytes: stream.bytesRead };
  } finally {
    if (!handedToStream) await handle.close();
  }
}

/** The client went away (or the disk failed) part-way through a body; the status was already sent. */
export class DownloadAbortedError extends Error {
  override name = 'DownloadAbortedError';
  readonly bytes: number;

  constructor(bytes: number, cause: unknown) {
    super(`download stopped after ${bytes} bytes: ${errorMessage(cause)}`);
    this.bytes = bytes;
  }
}

/** A 304 carries the validators and caching headers a 200 would have (RFC 9110 15.4.5). */
function notModified(res: ServerResponse, headers: readonly string[]): Sent {
  res.writeHead(304, headers as string[]);
  res.end();
  return { status: 304, bytes: 0 };
}

function notModifiedHeaders(served: ServedFile): string[] {
  const headers = ['ETag', served.etag, 'Cache-Control', served.cacheControl];
  if (served.lastModified !== undefined) headers.push('Last-Modified', served.lastModified.text);
  return headers;
}

function rangeHeaders(served: ServedFile, first: number, last: number): string[] {
  const headers = [
    'Content-Type', served.contentType,
    'Content-Length', String(last - first + 1),
    'Content-Range', `bytes ${first}-${last}/${served.stored.size}`,
    'ETag', served.etag,
    'Cache-Control', served.cacheControl,
    'Accept-Ranges', 'bytes',
    'X-Content-Type-Options', 'nosniff',
  ];
  if (served.lastModified !== undefined) headers.push('Last-Modified', served.lastModified.text);
  return headers;
}

function unsatisfiable(req: IncomingMessage, res: ServerResponse, size: number): Sent {
  return sendLine(req, res, 416, `range not satisfiable: the file is ${size} bytes`, ['Content-Range', `bytes */${size}`]);
}

/**
 * A request header by its lower-case name (several joined as one list), read from the raw header
 * list: the first use of `req.headers` builds an object of every header, a cost each answer would
 * pay for the one or two headers the proxy looks at.
 */
export function requestHeader(req: IncomingMessage, lowerCaseName: string): string | undefined {
  const raw = req.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    if (name.length !== lowerCaseName.length || name.toLowerCase() !== lowerCaseName) continue;
    value = value === undefined ? raw[i + 1] : `${value}, ${raw[i + 1] ?? ''}`;
  }
  return value;
}
