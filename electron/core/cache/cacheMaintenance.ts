/**
 * What the online side's download cache holds, and clearing it. Clearing removes only the files the
 * cache writes (isDownloadCacheFile) and the folders they leave empty; anything else found in the
 * cache folder is kept and named. It refuses while an export is running: that export reads the cache.
 */
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AppDirs } from '../appDirs/appDirs';
import { isProcessRunning } from '../bundle/writerMarker';
import { isDownloadCacheFile } from '../upstream/downloadCache';

export function downloadCacheDir(dirs: AppDirs): string {
  return path.join(dirs.cache, 'downloads');
}

export interface CacheUsage {
  dir: string;
  files: number;
  bytes: number;
}

export interface CacheCleaned extends CacheUsage {
  /** Files in the cache folder the cache did not write: left where they are. */
  kept: string[];
}

/** An export is running and reading the cache. */
export class CacheInUseError extends Error {
  override name = 'CacheInUseError';
  readonly pid: number;

  constructor(pid: number) {
    super(`an export (pid ${pid}) is using the download cache; clean it once that export has finished`);
    this.pid = pid;
  }
}

export async function cacheUsage(dirs: AppDirs): Promise<CacheUsage> {
  const dir = downloadCacheDir(dirs);
  let files = 0;
  let bytes = 0;
  for (const file of await filesUnder(dir)) {
    files++;
    bytes += file.size;
  }
  return { dir, files, bytes };
}

export async function cleanCache(dirs: AppDirs): Promise<CacheCleaned> {
  const running = await runningExport(dirs.cache);
  if (running !== undefined) throw new CacheInUseError(running);
  const dir = downloadCacheDir(dirs);
  const kept: string[] = [];
  let files = 0;
  let bytes = 0;
  for (const file of await filesUnder(dir)) {
    if (!isDownloadCacheFile(file.relative)) {
      kept.push(file.relative);
      continue;
    }
    await rm(path.join(dir, ...file.relative.split('/')), { force: true });
    files++;
    bytes += file.size;
  }
  await removeEmptyFolders(dir);
  return { dir, files, bytes, kept };
}

/** The pid of a live export, from the staging folders exports make in the cache folder (`staging-<pid>-…`). */
async function runningExport(cacheRoot: string): Promise<number | undefined> {
  const names = await readdir(cacheRoot).catch(() => []);
  for (const name of names) {
    const pid = Number(/^staging-(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessRunning(pid)) return pid;
  }
  return undefined;
}

async function filesUnder(dir: string): Promise<Array<{ relative: string; size: number }>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const files: Array<{ relative: string; size: number }> = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.push({ relative: path.relative(dir, full).split(path.sep).join('/'), size: (await stat(full)).size });
  }
  return files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

/** Removes the folders under dir (not dir) left empty, deepest first. */
async function removeEmptyFolders(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const folders = entries.filter((e) => e.isDirectory()).map((e) => path.join(e.parentPath, e.name));
  folders.sort((a, b) => b.length - a.length);
  for (const folder of folders) {
    await rmdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST' && error.code !== 'ENOENT') throw error;
    });
  }
}
