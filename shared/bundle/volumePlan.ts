/**
 * Splits a bundle's files into volumes no larger than a limit (by default just under the
 * 4 GiB a FAT32 file may hold). Files are never split, so every volume is a complete tar
 * that extracts on its own into a usable GOPROXY tree.
 */
import { formatBytes } from './formatBytes';
import { TAR_BLOCK_BYTES, TAR_END_OF_ARCHIVE_BYTES, tarEntryBytes } from './tarLayout';
import { bundleGroupKey, parseBundlePath } from './bundlePath';
import { errorMessage } from '../errorMessage';

export interface PlannedFile {
  path: string;
  size: number;
}

/** Thrown when a file cannot be placed; names the file as the bundle entry it would be. */
export class VolumePlanError extends Error {
  override name = 'VolumePlanError';
  readonly entry: string | undefined;

  constructor(message: string, entry?: string) {
    super(message);
    this.entry = entry;
  }
}

/** The smallest volume that holds a file: its header block and the end-of-archive blocks (an empty file has no data block). */
export const MIN_VOLUME_BYTES = TAR_BLOCK_BYTES + TAR_END_OF_ARCHIVE_BYTES;

/**
 * Packs files, in the order given, into volumes of at most volumeSize bytes; returns the
 * indexes of the files in each volume. A version's .info, .mod and .zip that arrive
 * together are kept in one volume whenever they fit in one, so the go command finds all
 * three of a version in whichever volume holds it.
 */
export function planVolumes(files: ReadonlyArray<PlannedFile>, volumeSize: number): number[][] {
  if (!Number.isSafeInteger(volumeSize) || volumeSize < MIN_VOLUME_BYTES) {
    throw new VolumePlanError(`volume size must be a whole number of bytes, at least ${MIN_VOLUME_BYTES}; got ${volumeSize}`);
  }
  const room = volumeSize - TAR_END_OF_ARCHIVE_BYTES;
  const volumes: number[][] = [];
  let current: number[] = [];
  let used = 0;
  const startVolume = (): void => {
    if (current.length > 0) volumes.push(current);
    current = [];
    used = 0;
  };

  for (const group of consecutiveGroups(files)) {
    const groupBytes = group.reduce((sum, item) => sum + item.bytes, 0);
    if (used + groupBytes > room && groupBytes <= room) startVolume();
    for (const item of group) {
      if (item.bytes > room) {
        throw new VolumePlanError(
          `${item.path}: ${formatBytes(item.size)} does not fit in a volume of ${formatBytes(volumeSize)} ` +
            `(a volume holding it alone takes ${item.bytes + TAR_END_OF_ARCHIVE_BYTES} bytes); choose a larger volume size`,
          item.path,
        );
      }
      if (used + item.bytes > room) startVolume();
      current.push(item.index);
      used += item.bytes;
    }
  }
  startVolume();
  return volumes;
}

interface SizedItem extends PlannedFile {
  index: number;
  /** What the file adds to a volume, tar headers and padding included. */
  bytes: number;
}

function consecutiveGroups(files: ReadonlyArray<PlannedFile>): SizedItem[][] {
  const groups: SizedItem[][] = [];
  let lastKey: string | undefined;
  files.forEach((file, index) => {
    if (!Number.isSafeInteger(file.size) || file.size < 0) {
      throw new VolumePlanError(`${file.path}: size must be a whole number of bytes, got ${file.size}`, file.path);
    }
    let key: string;
    try {
      key = bundleGroupKey(file.path, parseBundlePath(file.path));
    } catch (error) {
      throw new VolumePlanError(errorMessage(error), file.path);
    }
    const item = { path: file.path, size: file.size, index, bytes: tarEntryBytes(file.path, file.size) };
    const last = groups.at(-1);
    if (last !== undefined && key === lastKey) last.push(item);
    else groups.push([item]);
    lastKey = key;
  });
  return groups;
}
