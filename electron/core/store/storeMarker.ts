/**
 * The marker that makes a folder a store: `modferry-store.json`, written durably when a store
 * is created, with an id of its own. Every command that changes a store first finds its marker,
 * so a mistyped --store never makes ModFerry "repair" a folder of someone else's files.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFileDurablySync } from '../fsutil/durableFile';
import { StoreFolderError } from './storeFolderError';

export const MARKER_FORMAT = 'modferry-store/1';

export interface StoreMarker {
  format: typeof MARKER_FORMAT;
  /** Tells stores apart (a copy keeps its original's id). */
  id: string;
  createdAt: string;
}

/** Pure: the marker's content, or undefined when the text is not one this ModFerry wrote. */
export function parseStoreMarker(text: string): StoreMarker | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { format, id, createdAt } = (json ?? {}) as Record<string, unknown>;
  if (format !== MARKER_FORMAT || typeof id !== 'string' || id === '' || typeof createdAt !== 'string') return undefined;
  return { format, id, createdAt };
}

export function readStoreMarker(dir: string, file: string): StoreMarker {
  const marker = parseStoreMarker(readFileSync(file, 'utf8'));
  if (marker === undefined) {
    throw new StoreFolderError(
      dir,
      `${file} is not a store marker this ModFerry understands (expected format ${MARKER_FORMAT}); ` +
        'it may be from a newer ModFerry: use that one. Nothing in the folder was changed',
    );
  }
  return marker;
}

/** Writes a new marker, or reads the one another process wrote first. */
export function writeStoreMarker(dir: string, file: string, at: Date = new Date()): StoreMarker {
  const marker: StoreMarker = { format: MARKER_FORMAT, id: randomUUID(), createdAt: at.toISOString() };
  try {
    writeFileDurablySync(file, `${JSON.stringify(marker, null, 2)}\n`, { exclusive: true });
    return marker;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readStoreMarker(dir, file);
    throw error;
  }
}
