/**
 * The drives as the app and `modferry drives` show them: plain JSON, with whether each is offered for
 * writing a bundle and, when not, why. Pure: fed with drivelist's answer, the mount table and the
 * free space of each mount, so the rule is tested against listings recorded on real machines.
 */
import type { ListedDrive } from './removableDrive';
import type { MountEntry } from './mountTable';
import { volumeSizeFor } from './volumeSize';
import type { DriveInfo, DriveMount, HeldBackReason } from '../../../shared/drives/driveInfo';

export type { DriveInfo, DriveMount, HeldBackReason };


export const HELD_BACK_TEXT: Readonly<Record<HeldBackReason, string>> = {
  virtual: 'a virtual device (RAM disk or disk image), not a drive to carry',
  system: 'the system drive',
  'not-removable': 'a fixed drive, not removable',
  'read-only': 'read-only',
  'not-mounted': 'not mounted',
};



/** The fields of a drivelist drive read here, beyond those the removable rule reads. */
export interface DescribedDrive extends ListedDrive {
  description: string;
  size: number | null;
  busType: string;
  isReadOnly: boolean;
  mountpoints: ReadonlyArray<{ path: string; label?: string | null }>;
}

export interface MountSpace {
  freeBytes: number;
  sizeBytes: number;
}

export interface DriveFacts {
  mounts: readonly MountEntry[];
  /** By mount path; absent where the file system does not tell. */
  space: ReadonlyMap<string, MountSpace>;
  platform: NodeJS.Platform;
}

// On Linux drivelist calls every fixed disk a system drive; what makes one is holding the running system.
const SYSTEM_MOUNTS = new Set(['/', '/boot', '/boot/efi', '/efi', '/usr', '/var', '[SWAP]']);

export function describeDrives(drives: readonly DescribedDrive[], facts: DriveFacts): DriveInfo[] {
  return drives.map((drive) => describeDrive(drive, facts));
}

function describeDrive(drive: DescribedDrive, facts: DriveFacts): DriveInfo {
  const mounts = drive.mountpoints.map((mountpoint): DriveMount => {
    const entry = findMount(facts.mounts, mountpoint.path, facts.platform);
    const space = facts.space.get(mountpoint.path);
    return {
      path: mountpoint.path,
      label: mountpoint.label || null,
      device: entry?.source || null,
      fileSystem: entry?.fileSystem ?? null,
      readOnly: entry?.readOnly ?? false,
      freeBytes: space?.freeBytes ?? null,
      sizeBytes: space?.sizeBytes ?? null,
      volumeBytes: volumeBytesOn(entry?.fileSystem ?? null),
    };
  });
  const holdsSystem = mounts.some((mount) => SYSTEM_MOUNTS.has(mount.path));
  const flags = {
    removable: drive.isRemovable,
    usb: drive.isUSB === true,
    virtual: drive.isVirtual === true,
    system: holdsSystem || (facts.platform !== 'linux' && drive.isSystem),
    readOnly: drive.isReadOnly || (mounts.length > 0 && mounts.every((mount) => mount.readOnly)),
  };
  const heldBack = heldBackReason(flags, mounts.length > 0);
  return {
    device: drive.device,
    // The EFI partition's label would name the system drive "EFI System Partition".
    label: mounts.find((mount) => mount.label !== null && !SYSTEM_MOUNTS.has(mount.path))?.label ?? (drive.description || drive.device),
    description: drive.description,
    sizeBytes: drive.size,
    busType: drive.busType,
    mounts,
    ...flags,
    offered: heldBack === undefined,
    ...(heldBack === undefined ? {} : { heldBack }),
  };
}

/**
 * Offered: a drive the operator carries (removable or USB, whatever drivelist says of the other flags),
 * mounted and writable. drivelist's removable flag alone is not trusted: Linux reports zram as removable.
 */
function heldBackReason(flags: Pick<DriveInfo, 'removable' | 'usb' | 'virtual' | 'system' | 'readOnly'>, mounted: boolean): HeldBackReason | undefined {
  if (flags.virtual) return 'virtual';
  if (flags.system) return 'system';
  if (!flags.removable && !flags.usb) return 'not-removable';
  if (flags.readOnly) return 'read-only';
  if (!mounted) return 'not-mounted';
  return undefined;
}

function findMount(mounts: readonly MountEntry[], path: string, platform: NodeJS.Platform): MountEntry | undefined {
  const same = platform === 'win32' ? (a: string, b: string) => a.toLowerCase() === b.toLowerCase() : (a: string, b: string) => a === b;
  // The last entry wins: a later mount on the same path hides the earlier one.
  let found: MountEntry | undefined;
  for (const entry of mounts) if (same(entry.path, path)) found = entry;
  return found;
}

/** The name an operator knows a drive by in messages: its drive letter or mount point, else its label. */
export function driveName(drive: Pick<DriveInfo, 'mounts' | 'label' | 'device'>, platform: NodeJS.Platform = process.platform): string {
  const first = drive.mounts[0]?.path;
  if (first === undefined) return drive.label === drive.device ? drive.device : `${drive.label} (${drive.device})`;
  return platform === 'win32' ? first.replace(/\\$/, '') : first;
}

function volumeBytesOn(fileSystem: string | null): number | null {
  const { bytes } = volumeSizeFor(fileSystem);
  return bytes === Number.MAX_SAFE_INTEGER ? null : bytes;
}
