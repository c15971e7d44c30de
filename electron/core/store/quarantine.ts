/**
 * Where the store puts files it will not serve and cannot prove are its own debris: a file in
 * the tree that no catalog row vouches for, a damaged copy replaced by a good one. They are
 * moved (a rename on the store's own disk, so nothing is copied and nothing is lost), never
 * deleted: an operator on the offline side may have no other copy. Each quarantine is a folder
 * `quarantine/<time>-<reason>/` keeping the files' paths relative to the store, with a
 * `QUARANTINE.txt` that says why each file is there.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { syncDirectorySync } from '../fsutil/durableFile';
import { pruneEmptyParentsSync } from '../fsutil/treeFsSync';
import type { StoreLayout } from './storeLayout';

export const QUARANTINE_DIR = 'quarantine';
export const QUARANTINE_NOTE = 'QUARANTINE.txt';

export interface QuarantinedFile {
  /** The file's path relative to the store folder, `/`-separated (e.g. `tree/example.com/a/@v/v1.0.0.zip`). */
  from: string;
  /** Why it was moved, in a few words (e.g. "not in the catalog", "sha256 differs from the catalog"). */
  why: string;
}

export interface QuarantineReport {
  /** The absolute folder the files were moved to; undefined when there was nothing to move. */
  dir: string | undefined;
  files: QuarantinedFile[];
}

/** Why a quarantine was made, as part of its folder name: a short word or two, e.g. "stray" or "damaged". */
export type QuarantineReason = string;

/**
 * Moves the files (paths relative to the store folder) into one new quarantine folder, pruning
 * the folders they leave empty in the store, and writes the note. Files already gone are skipped.
 */
export function quarantineFiles(layout: StoreLayout, files: readonly QuarantinedFile[], reason: QuarantineReason, at: Date = new Date()): QuarantineReport {
  if (files.length === 0) return { dir: undefined, files: [] };
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const dir = uniqueFolder(path.join(layout.dir, QUARANTINE_DIR), `${stamp}-${reason.replace(/[^A-Za-z0-9-]+/g, '-')}`);
  const moved: QuarantinedFile[] = [];
  for (const file of files) {
    const source = path.join(layout.dir, ...file.from.split('/'));
    const target = path.join(dir, ...file.from.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    try {
      renameSync(source, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    syncDirectorySync(path.dirname(target));
    pruneEmptyParentsSync(source, layout.dir);
    moved.push(file);
  }
  const note = [
    'ModFerry moved these files out of the store instead of deleting them: nothing vouched for them,',
    'or a good copy replaced them. The store does not need them; keep or delete them as you see fit.',
    '',
    ...moved.map((file) => `${file.from}: ${file.why}`),
    '',
  ].join('\n');
  writeFileSync(path.join(dir, QUARANTINE_NOTE), note);
  return { dir, files: moved };
}

function uniqueFolder(parent: string, name: string): string {
  mkdirSync(parent, { recursive: true });
  for (let n = 0; ; n++) {
    const dir = path.join(parent, n === 0 ? name : `${name}-${n}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
