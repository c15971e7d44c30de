/**
 * The kinds of answer the proxy gives. Each returns how many body bytes went out, for the request log.
 * Small store files go out from memory; larger ones are streamed from disk through a pipeline, so a
 * download of a big zip costs a stream buffer, whatever the file's size.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ServedFile } from './servedFile';
import type { SmallFileCache } from './smallFileCache';

export const TEXT = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json';

export interface Sent {
  status: number;
  bytes: number;
  /** Something the log should say about the answer. */
  note?: string;
}

/** A one-line text answer: errors, not-found reasons, health. `headers` are name, value pairs in one flat list. */
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
  if (etag !== undefined && etagMatches(ifNoneMatch(req), etag)) return notModified(res, etag);
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

/** The store file is a copy the store verified on import; a different size means it changed since. */
export class StoreFileChangedError extends Error {
  override name = 'StoreFileChangedError';
}

/**
 * Sends a store file: from memory when the cache keeps it (synchronously once it is there, which is
 * the common case and the cheapest answer), else streamed from disk.
 */
export function sendStoredFile(req: IncomingMessage, res: ServerResponse, served: ServedFile, cache?: SmallFileCache): Sent | Promise<Sent> {
  if (etagMatches(ifNoneMatch(req), served.etag)) return notModified(res, served.etag);
  if (cache === undefined || !cache.admits(served.stored)) return streamStoredFile(req, res, served);
  const bytes = cache.peek(served.stored);
  if (bytes !== undefined) return sendFileBytes(req, res, served, bytes);
  // A file that cannot be read whole is left to the streaming path, which says what is wrong with it.
  return cache.load(served.stored).then(
    (loaded) => (loaded === undefined ? streamStoredFile(req, res, served) : sendFileBytes(req, res, served, loaded)),
    () => streamStoredFile(req, res, served),
  );
}

function sendFileBytes(req: IncomingMessage, res: ServerResponse, served: ServedFile, bytes: Buffer): Sent {
  res.writeHead(200, served.headers);
  return endWith(req, res, 200, bytes);
}

function endWith(req: IncomingMessage, res: ServerResponse, status: number, body: Buffer): Sent {
  if (req.method === 'HEAD') {
    res.end();
    return { status, bytes: 0 };
  }
  res.end(body);
  return { status, bytes: body.length };
}

/** Streams a store file from disk, so a slow client holds back the disk reads instead of filling memory. */
async function streamStoredFile(req: IncomingMessage, res: ServerResponse, served: ServedFile): Promise<Sent> {
  const { stored } = served;
  const handle = await open(stored.file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new StoreFileChangedError(`${stored.file}: ${error.code === 'ENOENT' ? 'missing from the store' : error.message}`);
  });
  let handedToStream = false;
  try {
    const { size } = await handle.stat();
    if (size !== stored.size) {
      throw new StoreFileChangedError(`${stored.file}: ${size} bytes on disk, but the store recorded ${stored.size}`);
    }
    res.writeHead(200, served.headers);
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return { status: 200, bytes: 0 };
    }
    // The stream owns the handle from here and closes it however the pipeline ends.
    // 256 KiB reads: fewer system calls than the default 64 KiB for zips, while 64 downloads stay well under 200 MB.
    const stream = handle.createReadStream({ start: 0, end: size - 1, highWaterMark: 256 * 1024 });
    handedToStream = true;
    try {
      await pipeline(stream, res);
    } catch (error) {
      throw new DownloadAbortedError(stream.bytesRead, error);
    }
    return { status: 200, bytes: stream.bytesRead };
  } finally {
    if (!handedToStream) await handle.close();
  }
}

/** The client went away (or the disk failed) part-way through a body; the status was already sent. */
export class DownloadAbortedError extends Error {
  override name = 'DownloadAbortedError';
  readonly bytes: number;

  constructor(bytes: number, cause: unknown) {
    super(`download stopped after ${bytes} bytes: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.bytes = bytes;
  }
}

function notModified(res: ServerResponse, etag: string): Sent {
  res.writeHead(304, ['ETag', etag]);
  res.end();
  return { status: 304, bytes: 0 };
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

function ifNoneMatch(req: IncomingMessage): string | undefined {
  return requestHeader(req, 'if-none-match');
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): `W/` is ignored and `*` matches anything. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
