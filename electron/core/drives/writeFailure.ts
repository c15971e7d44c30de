/**
 * A drive that fills up, is pulled out or fails while a bundle is written: the system's error code
 * becomes a sentence naming the drive and what happened, as a destination error the app offers to retry.
 */
import path from 'node:path';
import { formatBytes } from '../../../shared/bundle/formatBytes';
import { ModFerryError } from '../errors/modferryError';
import { freeSpaceOf, mountPointOf } from '../fsutil/freeSpace';

export type WriteFailure = 'full' | 'gone' | 'read-only' | 'file-too-large';

const FULL = new Set(['ENOSPC', 'EDQUOT']);
const GONE = new Set(['EIO', 'ENODEV', 'ENXIO', 'ENOMEDIUM', 'ENOTCONN', 'ESHUTDOWN', 'ESTALE']);

/**
 * What a failed file-system call says happened to the destination, or undefined when it is not a drive
 * failure. Reads are left out: the writer also reads the download cache, and an EIO there is not the
 * drive's. fusefat answers a write to a full FAT with EPERM; a write to a file the writer created and
 * holds open is refused for no other reason.
 */
export function writeFailureOf(error: unknown): WriteFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (code === undefined || syscall === 'read') return undefined;
  if (FULL.has(code) || (code === 'EPERM' && syscall === 'write')) return 'full';
  if (GONE.has(code)) return 'gone';
  if (code === 'EROFS') return 'read-only';
  if (code === 'EFBIG') return 'file-too-large';
  return undefined;
}

export interface WriteFailureContext {
  /** The folder the bundle was written into. */
  folder: string;
  /** Its drive's mount point, when it could still be found. */
  mountPoint: string;
  neededBytes: number;
  /** Free now, once the partial bundle is gone; undefined when the drive does not tell or is gone. */
  freeBytes: number | undefined;
}

export function writeFailureReason(failure: WriteFailure, context: WriteFailureContext): string {
  const drive = context.folder === context.mountPoint ? `the drive at ${context.mountPoint}` : `the drive at ${context.mountPoint} (for ${context.folder})`;
  switch (failure) {
    case 'full': {
      const free = context.freeBytes === undefined ? 'it does not tell its free space' : `${formatBytes(context.freeBytes)} free`;
      return `${drive} is full: ${formatBytes(context.neededBytes)} needed, ${free}; free some space or use a larger drive, then try again`;
    }
    case 'gone':
      return `${drive} was removed or failed while the bundle was written; plug it in again (or use another drive), then try again`;
    case 'read-only':
      return `${drive} became read-only while the bundle was written (write-protected, or its file system has errors); check it, then try again`;
    case 'file-too-large':
      return `${drive} cannot hold a file that large: choose a smaller volume size`;
  }
}

/**
 * The error a failed bundle write reports: a destination error naming the drive when the drive is at
 * fault (retryable unless the volume size must change), the original error otherwise. Called once the
 * partial bundle is removed, so the free space it states is what the operator has.
 */
export async function asWriteFailure(error: unknown, folder: string, neededBytes: number): Promise<unknown> {
  const failure = writeFailureOf(error);
  if (failure === undefined) return error;
  const mountPoint = await mountPointOf(folder).catch(() => path.resolve(folder));
  const space = failure === 'full' ? await freeSpaceOf(folder).catch(() => undefined) : undefined;
  const reason = writeFailureReason(failure, { folder: path.resolve(folder), mountPoint, neededBytes, freeBytes: space?.availableBytes });
  // The reason names the drive in its sentence: the usual drive prefix would name it twice.
  return new ModFerryError('destination', reason, { drive: mountPoint }, { cause: error, message: reason, retryable: failure !== 'file-too-large', problem: `drive-${failure}` });
}
