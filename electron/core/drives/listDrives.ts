/** The drives of this machine, described: drivelist, the mount table and each mount's free space. */
import { list } from 'drivelist';
import { freeSpaceOf } from '../fsutil/freeSpace';
import { describeDrives, type DescribedDrive, type DriveInfo, type MountSpace } from './driveInfo';
import { readMountTable } from './mountTable';

export async function listDrives(listed: Promise<readonly DescribedDrive[]> = list()): Promise<DriveInfo[]> {
  const [drives, mounts] = await Promise.all([listed, readMountTable()]);
  const space = new Map<string, MountSpace>();
  await Promise.all(drives.flatMap((drive) => drive.mountpoints.map(async ({ path }) => {
    // A mount that cannot be asked (unplugged a moment ago, a swap pseudo-path) just has no figure.
    const free = await freeSpaceOf(path).catch(() => undefined);
    if (free !== undefined) space.set(path, { freeBytes: free.availableBytes, sizeBytes: free.totalBytes });
  })));
  return describeDrives(drives, { mounts, space, platform: process.platform });
}
