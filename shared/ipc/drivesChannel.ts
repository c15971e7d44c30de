import { z } from 'zod';
import { MIN_VOLUME_BYTES } from '../bundle/volumePlan';
import type { PlanWarning } from '../export/planNotes';
import { absolutePath } from './paths';

export const drivesListRequest = z.strictObject({
  /** Every drive, each held back with its reason; otherwise only those offered for writing a bundle. */
  all: z.boolean().optional(),
});

export const drivesEjectRequest = z.strictObject({
  /** A device as drives:list names it; the app looks it up again and ejects what it finds there now. */
  device: z.string().min(1, 'is empty').max(4096, 'is too long'),
});

/** The drives as core lists them, carried as they are. */
export type { DriveInfo as DriveAnswer, DriveMount as DriveMountAnswer, HeldBackReason as DriveHeldBack } from '../drives/driveInfo';

export const destinationCheckRequest = z.strictObject({
  /** The folder the bundle would be written into (a drive's mount point, or any folder). */
  dir: absolutePath,
  /** A plan export:plan made on this window or connection: the bundle's size is checked against the free space. */
  planId: z.string().regex(/^[0-9a-f]{64}$/, 'must be the id of a plan export:plan answered').optional(),
  /** The volume size the operator set, checked against the file system (FAT holds no file of 4 GiB). */
  volumeSize: z.number().int('must be a whole number of bytes').min(MIN_VOLUME_BYTES).optional(),
});

/** A destination as the Destination step shows it: free space against the bundle's size, and the volume size its file system implies. */
export interface DestinationAnswer {
  dir: string;
  /** The mount point the folder is on: the drive as the operator knows it. */
  drive: string;
  /** As the platform names it (vfat, ext4, NTFS); null when the mount table does not say. */
  fileSystem: string | null;
  /** null when the file system does not tell (fusefat): a full drive is then caught while writing. */
  freeBytes: number | null;
  totalBytes: number | null;
  /**
   * The size the bundle's volumes get (the operator's, else defaultBytes: the file system's), and the
   * file system's limit (null: none known). MAX_SAFE_INTEGER: one volume, whatever its size.
   */
  volumeSize: { bytes: number; why: string; maxBytes: number | null; defaultBytes: number };
  /** The room the plan's bundle takes there (volumes, manifest and all); null without a plan. */
  neededBytes: number | null;
  /** null without a plan, or when the free space is not known. */
  fits: boolean | null;
  /** Set when the folder is not on a removable drive (the "choose a folder" escape hatch): the screen warns. */
  warning: PlanWarning | null;
}
