import type { StoredFile } from '../store/store';
import { lastModifiedOf, type Validators } from './httpConditions';

/** A module version's files never change (the checksum database holds them to their hash): caches may keep them for good. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** @v/list and @latest change when an import brings a version: a minute keeps a cache in front from hiding it for long. */
export const SHORT_LIVED = 'public, max-age=60';

/** A store file as the proxy answers it: its response headers are built once, not per request. */
export interface ServedFile {
  stored: StoredFile;
  /** Its sha256, quoted: a version's content never changes, so the hash is a strong validator. */
  etag: string;
  contentType: string;
  cacheControl: string;
  /** The file's modification time, for Last-Modified: known once a read or stat of the file has told it. */
  lastModified?: Validators['lastModified'];
  /**
   * The headers of a 200 in the flat form writeHead takes; shared by every answer and replaced
   * whole, never changed in place, when the modification time becomes known or changes.
   */
  headers: string[];
}

export function servedFile(stored: StoredFile, contentType: string, cacheControl = IMMUTABLE): ServedFile {
  const served: ServedFile = { stored, etag: `"${stored.sha256}"`, contentType, cacheControl, headers: [] };
  served.headers = headersOf(served);
  return served;
}

/** Records the file's modification time as seen on disk; returns it as Last-Modified gives it. */
export function setModified(served: ServedFile, mtimeMs: number): Validators['lastModified'] {
  const lastModified = lastModifiedOf(mtimeMs);
  if (served.lastModified?.seconds === lastModified.seconds) return served.lastModified;
  served.lastModified = lastModified;
  served.headers = headersOf(served);
  return lastModified;
}

function headersOf(served: ServedFile): string[] {
  const headers = [
    'Content-Type', served.contentType,
    'Content-Length', String(served.stored.size),
    'ETag', served.etag,
    'Cache-Control', served.cacheControl,
    'Accept-Ranges', 'bytes',
    'X-Content-Type-Options', 'nosniff',
  ];
  if (served.lastModified !== undefined) headers.push('Last-Modified', served.lastModified.text);
  return headers;
}
