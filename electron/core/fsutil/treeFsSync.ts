/** Synchronous tree walks and hashes for the store's repair (run under the store lock, before an import). */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, rmdirSync } from 'node:fs';
import path from 'node:path';

const HASH_CHUNK_BYTES = 1024 * 1024;

/** The SHA-256 (hex) of a file, or undefined when it is not there. */
export function sha256OfFileSync(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    for (;;) {
      const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

export interface TreeListing {
  /** Regular files, as `/`-separated paths relative to the root. */
  files: string[];
  /** Anything else (links, devices, sockets), relative to the root. */
  others: string[];
}

/** Lists everything under root (which may be missing), removing the folders it finds empty. */
export function listTreeSync(root: string): TreeListing {
  const listing: TreeListing = { files: [], others: [] };
  const walk = (dir: string, relative: string): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw error;
    }
    let empty = true;
    for (const entry of entries) {
      const childRelative = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const child = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (walk(child, childRelative)) rmdirSync(child);
        else empty = false;
      } else {
        (entry.isFile() ? listing.files : listing.others).push(childRelative);
        empty = false;
      }
    }
    return empty;
  };
  walk(root, '');
  return listing;
}

/** Removes the now-empty folders from a removed file's folder up to (not including) root. */
export function pruneEmptyParentsSync(file: string, root: string): void {
  let dir = path.dirname(file);
  while (dir.startsWith(root + path.sep) && dir !== root) {
    try {
      rmdirSync(dir);
    } catch {
      return;
    }
    dir = path.dirname(dir);
  }
}
