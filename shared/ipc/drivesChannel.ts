import { z } from 'zod';

export const drivesListRequest = z.strictObject({
  /** Every drive, each held back with its reason; otherwise only those offered for writing a bundle. */
  all: z.boolean().optional(),
});

export const drivesEjectRequest = z.strictObject({
  /** A device as drives:list names it; the app looks it up again and ejects what it finds there now. */
  device: z.string().min(1, 'is empty').max(4096, 'is too long'),
});

export type DriveHeldBack = 'virtual' | 'system' | 'not-removable' | 'read-only' | 'not-mounted';

export interface DriveMountAnswer {
  path: string;
  label: string | null;
  device: string | null;
  fileSystem: string | null;
  readOnly: boolean;
  freeBytes: number | null;
  sizeBytes: number | null;
}

export interface DriveAnswer {
  device: string;
  label: string;
  description: string;
  sizeBytes: number | null;
  busType: string;
  mounts: DriveMountAnswer[];
  removable: boolean;
  usb: boolean;
  virtual: boolean;
  system: boolean;
  readOnly: boolean;
  /** Offered for writing a bundle; otherwise heldBack says why. */
  offered: boolean;
  heldBack?: DriveHeldBack;
}
