/**
 * The note an import leaves in the staging folder it creates, before any file lands there.
 * A leftover staging folder is deleted by the repair only when it carries this note, and then
 * only the names an import writes; anything else found in staging/ is quarantined, since
 * someone else may have put it there.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JOURNAL_FILE } from './commitJournal';

export const STAGING_MARKER = '.modferry-import';
const STAGING_FORMAT = 'modferry-staging/1';

export async function markStagingFolder(dir: string, bundleId: string): Promise<void> {
  await writeFile(path.join(dir, STAGING_MARKER), `${JSON.stringify({ format: STAGING_FORMAT, bundleId, pid: process.pid, createdAt: new Date().toISOString() })}\n`, {
    flag: 'wx',
  });
}

export function isMarkedStagingFolder(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(path.join(dir, STAGING_MARKER), 'utf8')) as { format?: unknown }).format === STAGING_FORMAT;
  } catch {
    return false;
  }
}

/** Pure: whether an import writes files of this name in its staging folder (a staged file, the journal, the journal's temp file, the marker). */
export function isStagingFileName(name: string): boolean {
  return name === STAGING_MARKER || name === JOURNAL_FILE || /^[0-9]+\.(info|mod|zip|proof)$/.test(name) || /^commit\.json\.[0-9a-f]{8}\.partial$/.test(name);
}
