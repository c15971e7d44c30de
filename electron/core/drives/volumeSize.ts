/**
 * How large each volume of a bundle may be, from the destination's file system: FAT holds no file of
 * 4 GiB or more; other file systems take the bundle as one volume unless the operator sets a size.
 * The limit is on the whole volume file: planVolumes counts every tar header, padding and the
 * end-of-archive blocks inside the size it is given, so the FAT limit itself is a safe volume size.
 */
import { realpath } from 'node:fs/promises';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { ModFerryError } from '../errors/modferryError';
import { mountOfFolder, readMountTable } from './mountTable';

/** The largest file FAT12/16/32 holds: its size field is 32 bits. */
export const FAT_MAX_FILE_BYTES = 4 * 1024 ** 3 - 1;

/** Names platforms give FAT: Linux (vfat, msdos, fusefat), macOS (msdos), Windows (FAT, FAT32). */
const FAT_NAMES = new Set(['vfat', 'msdos', 'fat', 'fat12', 'fat16', 'fat32', 'fuse.fusefat', 'umsdos']);

export function isFatFileSystem(fileSystem: string): boolean {
  return FAT_NAMES.has(fileSystem.toLowerCase());
}

export interface VolumeSize {
  bytes: number;
  /** One line for the operator: why this size. */
  why: string;
  /** The largest volume the file system holds (FAT: 4 GiB - 1 byte); null when it sets no limit or is not known. */
  maxBytes: number | null;
  /** The size the file system implies when the operator sets none. */
  defaultBytes: number;
}

/**
 * The volume size for a bundle written to a file system (null: not known, as for a folder on no listed
 * drive, which gets the FAT limit so the bundle can still be copied to any stick). The operator's size
 * wins, unless the file system cannot hold a file that large.
 */
export function volumeSizeFor(fileSystem: string | null, userBytes?: number): VolumeSize {
  const fat = fileSystem !== null && isFatFileSystem(fileSystem);
  const maxBytes = fat ? FAT_MAX_FILE_BYTES : null;
  const defaultBytes = fat || fileSystem === null ? FAT_MAX_FILE_BYTES : Number.MAX_SAFE_INTEGER;
  if (userBytes !== undefined) {
    if (fat && userBytes > FAT_MAX_FILE_BYTES) {
      throw new ModFerryError('input', `a volume size of ${formatBytes(userBytes)} does not fit on ${fileSystem}: FAT holds no file larger than 4 GiB - 1 byte`);
    }
    return { bytes: userBytes, why: 'the volume size given', maxBytes, defaultBytes };
  }
  if (fat) return { bytes: defaultBytes, why: `${fileSystem} (FAT) holds no file of 4 GiB or more`, maxBytes, defaultBytes };
  if (fileSystem === null) return { bytes: defaultBytes, why: 'the file system is not known, so volumes fit FAT', maxBytes, defaultBytes };
  return { bytes: defaultBytes, why: `${fileSystem} holds the bundle as one volume`, maxBytes, defaultBytes };
}

/** volumeSizeFor the file system a folder is on, as the mount table tells it (not known if it cannot be read). */
export async function volumeSizeForFolder(folder: string, userBytes?: number): Promise<VolumeSize> {
  const entries = await readMountTable().catch(() => []);
  const entry = mountOfFolder(await realpath(folder), entries, process.platform);
  return volumeSizeFor(entry?.fileSystem ?? null, userBytes);
}
