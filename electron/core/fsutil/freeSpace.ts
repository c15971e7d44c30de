/**
 * The free-space check made before a bundle is written, so a drive that is too small is
 * reported at once, naming the drive and the shortfall, instead of after minutes of writing.
 */
import { stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../../shared/bundle/formatBytes';

export interface SpaceNeed {
  /** Sizes of the files to be written. */
  fileSizes: readonly number[];
  /** The file system's allocation unit: every file takes a whole number of them. */
  blockSize: number;
  /** Bytes the current user may still write there. */
  availableBytes: number;
}

/** Pure: the space the files take on disk, and how much more is needed than is free (0 when they fit). */
export function freeSpaceShortfall(need: SpaceNeed): { neededBytes: number; shortfallBytes: number } {
  const block = Math.max(1, need.blockSize);
  const neededBytes = need.fileSizes.reduce((sum, size) => sum + Math.ceil(size / block) * block, 0);
  return { neededBytes, shortfallBytes: Math.max(0, neededBytes - need.availableBytes) };
}

export function describeShortfall(disk: string, dir: string, neededBytes: number, availableBytes: number): string {
  const where = disk === dir ? disk : `${disk} (for ${dir})`;
  return (
    `not enough free space on ${where}: the bundle needs ${formatBytes(neededBytes)}, ` +
    `${formatBytes(availableBytes)} is free, ${formatBytes(neededBytes - availableBytes)} short; ` +
    'free some space, use a larger drive, or bundle fewer modules'
  );
}

export interface FreeSpace {
  /** Bytes the current user may still write there. */
  availableBytes: number;
  totalBytes: number;
  blockSize: number;
}

/**
 * The space of dir's file system, or undefined when it does not say: some FUSE file systems (fusefat)
 * answer statfs with zero blocks in all, which would read as a full drive.
 */
export async function freeSpaceOf(dir: string): Promise<FreeSpace | undefined> {
  const fs = await statfs(dir);
  if (fs.blocks === 0) return undefined;
  return { availableBytes: fs.bavail * fs.bsize, totalBytes: fs.blocks * fs.bsize, blockSize: fs.bsize };
}

/**
 * Throws, naming the drive and the shortfall, unless dir's file system has room for the files. A file
 * system that does not tell its free space is not checked: a full one is then caught while writing.
 */
export async function ensureFreeSpace(dir: string, fileSizes: readonly number[]): Promise<void> {
  const space = await freeSpaceOf(dir);
  if (space === undefined) return;
  const { neededBytes, shortfallBytes } = freeSpaceShortfall({ fileSizes, blockSize: space.blockSize, availableBytes: space.availableBytes });
  if (shortfallBytes > 0) throw new Error(describeShortfall(await mountPointOf(dir), dir, neededBytes, space.availableBytes));
}

/** The folder a drive is mounted at (the drive root on Windows): the name an operator recognises. */
export async function mountPointOf(dir: string): Promise<string> {
  const absolute = path.resolve(dir);
  if (process.platform === 'win32') return path.parse(absolute).root;
  let current = absolute;
  const device = (await stat(current)).dev;
  for (;;) {
    const parent = path.dirname(current);
    if (parent === current || (await stat(parent)).dev !== device) return current;
    current = parent;
  }
}
