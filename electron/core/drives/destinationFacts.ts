import type { PlanWarning } from '../../../shared/export/planNotes';
import { freeSpaceOf, freeSpaceShortfall, mountPointOf } from '../fsutil/freeSpace';
import { removableDriveWarning, requireDestinationFolder } from './destination';
import { mountOfFolder, readMountTable } from './mountTable';
import { volumeSizeFor, type VolumeSize } from './volumeSize';

export interface DestinationFacts {
  dir: string;
  drive: string;
  fileSystem: string | null;
  freeBytes: number | null;
  totalBytes: number | null;
  volumeSize: VolumeSize;
  neededBytes: number | null;
  fits: boolean | null;
  /** Why the folder may not be one to carry across: not on a removable drive. */
  warning: PlanWarning | null;
}

/**
 * A folder as a destination for a bundle: the drive it is on, its file system and free space, the
 * volume size that file system implies, and whether a bundle needing neededBytes fits.
 */
export async function destinationFacts(dir: string, options: { neededBytes?: number; volumeBytes?: number } = {}): Promise<DestinationFacts> {
  const folder = await requireDestinationFolder(dir);
  const entries = await readMountTable().catch(() => []);
  const fileSystem = mountOfFolder(folder, entries, process.platform)?.fileSystem ?? null;
  const space = await freeSpaceOf(folder);
  const needed = options.neededBytes;
  const fits = needed === undefined || space === undefined
    ? null
    : freeSpaceShortfall({ fileSizes: [needed], blockSize: space.blockSize, availableBytes: space.availableBytes }).shortfallBytes === 0;
  return {
    dir: folder,
    drive: await mountPointOf(folder),
    fileSystem,
    freeBytes: space?.availableBytes ?? null,
    totalBytes: space?.totalBytes ?? null,
    volumeSize: volumeSizeFor(fileSystem, options.volumeBytes),
    neededBytes: needed ?? null,
    fits,
    warning: (await removableDriveWarning(folder)) ?? null,
  };
}
