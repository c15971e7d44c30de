import type { StoredFile } from '../store/store';

/** A store file as the proxy answers it: its response headers are built once, not per request. */
export interface ServedFile {
  stored: StoredFile;
  /** Its sha256, quoted: a version's content never changes, so the hash is a strong validator. */
  etag: string;
  /** Content-Type, Content-Length, ETag and nosniff, in the flat form writeHead takes; shared by every answer, never changed. */
  headers: string[];
}

export function servedFile(stored: StoredFile, contentType: string): ServedFile {
  const etag = `"${stored.sha256}"`;
  return {
    stored,
    etag,
    headers: ['Content-Type', contentType, 'Content-Length', String(stored.size), 'ETag', etag, 'X-Content-Type-Options', 'nosniff'],
  };
}
