/**
 * Which drive holds a folder, and whether it is one an operator carries across the air gap.
 * Pure: fed with drivelist's answer, so the rule is tested against drive lists recorded on real
 * machines, and the drives module builds on it.
 */
import { mountDepth } from './mountTable';

/** The fields of a drivelist drive the rule reads. */
export interface ListedDrive {
  device: string;
  description?: string;
  isRemovable: boolean;
  isUSB: boolean | null;
  isVirtual: boolean | null;
  isSystem: boolean;
  mountpoints: ReadonlyArray<{ path: string }>;
}

export interface DriveOfFolder {
  drive: ListedDrive;
  /** The mount point of the drive the folder lies under. */
  mountpoint: string;
}

/**
 * Removable means a drive the operator can carry: drivelist says removable or USB, and it is
 * neither virtual (Linux reports /dev/zram0, a compressed RAM disk, as removable) nor the system drive.
 */
export function isRemovableDrive(drive: ListedDrive): boolean {
  return (drive.isRemovable || drive.isUSB === true) && drive.isVirtual !== true && !drive.isSystem;
}

/**
 * The drive whose mount point is the longest prefix of the folder (an absolute, resolved path), or
 * undefined when no listed drive holds it (a network share, a RAM disk drivelist does not list).
 * Windows paths compare without regard to case, as the file system does.
 */
export function driveOfFolder(folder: string, drives: readonly ListedDrive[], platform: NodeJS.Platform): DriveOfFolder | undefined {
  let best: (DriveOfFolder & { depth: number }) | undefined;
  for (const drive of drives) {
    for (const { path: mountpoint } of drive.mountpoints) {
      const depth = mountDepth(folder, mountpoint, platform);
      if (depth !== undefined && (best === undefined || depth > best.depth)) best = { drive, mountpoint, depth };
    }
  }
  return best === undefined ? undefined : { drive: best.drive, mountpoint: best.mountpoint };
}
