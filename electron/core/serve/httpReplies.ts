/**
 * The kinds of answer the proxy gives. Each returns how many body bytes went out, for the request log.
 * Store files are streamed from disk through a pipeline, so a slow client holds back the disk reads
 * instead of filling memory: a download costs a stream buffer, whatever the file's size.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { StoredFile } from '../store/store';
import type { SmallFileCache } from './smallFileCache';

export const TEXT = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json';

export interface Sent {
  status: number;
  bytes: number;
  /** Something the log should say about the answer. */
  note?: string;
}

/** A one-line text answer: errors, not-found reasons, health. */
export function sendLine(req: IncomingMessage, res: ServerResponse, status: number, line: string, headers: Record<string, string> = {}): Sent {
  return sendBody(req, res, status, Buffer.from(`${line}\n`), TEXT, { ...headers, 'Cache-Control': 'no-store' });
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
  headers: Record<string, string> = {},
  etag?: string,
): Sent {
  if (etag !== undefined && etagMatches(req.headers['if-none-match'], etag)) return notModified(res, etag);
  res.writeHead(status, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': String(body.length),
    'X-Content-Type-Options': 'nosniff',
    ...(etag === undefined ? {} : { ETag: etag }),
  });
  if (req.method === 'HEAD') {
    res.end();
    return { status, bytes: 0 };
  }
  res.end(body);
  return { status, bytes: body.length };
}

export function bodyEtag(body: Buffer): string {
  return quoteEtag(createHash('sha256').update(body).digest('hex'));
}

/** The store file is a copy the store verified on import; a different size means it changed since. */
export class StoreFileChangedError extends Error {
  override name = 'StoreFileChangedError';
}

/** Sends a store file, from memory when small, else streamed; its sha256 is its ETag, as a version's content never changes. */
export async function sendStoredFile(req: IncomingMessage, res: ServerResponse, stored: StoredFile, contentType: string, cache?: SmallFileCache): Promise<Sent> {
  const etag = quoteEtag(stored.sha256);
  if (etagMatches(req.headers['if-none-match'], etag)) return notModified(res, etag);
  const cached = await cache?.get(stored).catch(() => undefined);
  if (cached !== undefined) return sendBody(req, res, 200, cached, contentType, {}, etag);
  const handle = await open(stored.file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new StoreFileChangedError(`${stored.file}: ${error.code === 'ENOENT' ? 'missing from the store' : error.message}`);
  });
  let handedToStream = false;
  try {
    const { size } = await handle.stat();
    if (size !== stored.size) {
      throw new StoreFileChangedError(`${stored.file}: ${size} bytes on disk, but the store recorded ${stored.size}`);
    }
    res.writeHead(200, {
      'Content-Type': contentType,
      'Content-Length': String(size),
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    });
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
  res.writeHead(304, { ETag: etag });
  res.end();
  return { status: 304, bytes: 0 };
}

function quoteEtag(hex: string): string {
  return `"${hex}"`;
}

/** If-None-Match uses the weak comparison (RFC 9110 13.1.2): `W/` is ignored and `*` matches anything. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
