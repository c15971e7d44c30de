/**
 * A drive as the app and `modferry drives` show it: plain JSON, with whether it is offered for writing
 * a bundle and, when not, why. Core lists them; the IPC contract carries them as they are.
 */

/** Why a drive is not offered, most fundamental first: a drive is held back for the first that applies. */
export type HeldBackReason = 'virtual' | 'system' | 'not-removable' | 'read-only' | 'not-mounted';

export interface DriveMount {
  path: string;
  label: string | null;
  /** The partition mounted there (/dev/sdb1), when the platform says. */
  device: string | null;
  /** As the platform names it (vfat, exfat, ntfs, msdos, FAT32...); null when the mount table does not list it. */
  fileSystem: string | null;
  readOnly: boolean;
  /** null when the file system does not tell (some FUSE file systems) or could not be asked. */
  freeBytes: number | null;
  sizeBytes: number | null;
  /** The largest volume a bundle written there gets (just under 4 GiB on FAT); null: it is written as one volume. */
  volumeBytes: number | null;
}

export interface DriveInfo {
  device: string;
  /** The name to show: the file system label, else the drive's description, else its device. */
  label: string;
  description: string;
  sizeBytes: number | null;
  busType: string;
  mounts: DriveMount[];
  removable: boolean;
  usb: boolean;
  virtual: boolean;
  system: boolean;
  readOnly: boolean;
  offered: boolean;
  heldBack?: HeldBackReason;
}
