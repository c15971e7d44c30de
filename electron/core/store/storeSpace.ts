/**
 * The free-space check made before an import reads any volume: the new files are written
 * once (to staging, then renamed into the tree on the same disk), so the store's disk needs
 * room for them once, plus the catalog rows that record them.
 */
import { statfs } from 'node:fs/promises';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { freeSpaceShortfall, mountPointOf } from '../fsutil/freeSpace';

/** Generous room for one file's catalog rows and index entries (and its journal line). */
export const CATALOG_BYTES_PER_FILE = 1024;

export interface ImportSpace {
  neededBytes: number;
  availableBytes: number;
  shortfallBytes: number;
}

/** Pure: the space the new files take on a disk with the given block size and free space. */
export function importSpace(newFileSizes: readonly number[], blockSize: number, availableBytes: number): ImportSpace {
  const files = freeSpaceShortfall({ fileSizes: newFileSizes, blockSize, availableBytes });
  const neededBytes = files.neededBytes + newFileSizes.length * CATALOG_BYTES_PER_FILE;
  return { neededBytes, availableBytes, shortfallBytes: Math.max(0, neededBytes - availableBytes) };
}

export function describeImportShortfall(disk: string, storeDir: string, bundleId: string, space: ImportSpace): string {
  const where = disk === storeDir ? disk : `${disk} (the store ${storeDir} is there)`;
  return (
    `not enough free space on ${where}: importing ${bundleId} needs ${formatBytes(space.neededBytes)}, ` +
    `${formatBytes(space.availableBytes)} is free, ${formatBytes(space.shortfallBytes)} short; nothing was imported. ` +
    'Free some space, or move the store to a larger disk (--store)'
  );
}

/** Throws, naming the disk and the shortfall, unless the store's disk has room for the new files. */
export async function ensureImportSpace(storeDir: string, bundleId: string, newFileSizes: readonly number[]): Promise<void> {
  const fs = await statfs(storeDir);
  const space = importSpace(newFileSizes, fs.bsize, fs.bavail * fs.bsize);
  if (space.shortfallBytes > 0) throw new Error(describeImportShortfall(await mountPointOf(storeDir), storeDir, bundleId, space));
}
