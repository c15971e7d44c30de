/**
 * The folder an export writes its bundle into: it must already exist (a mount point that is not
 * mounted is just a missing folder, and creating it would put the bundle on the local disk), and
 * it should be on a drive the operator can carry.
 */
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { errorMessage } from '../../../shared/errorMessage';
import type { PlanWarning } from '../../../shared/export/planNotes';
import { ModFerryError } from '../errors/modferryError';
import { mountOfFolder, readMountTable, type MountEntry } from './mountTable';
import { driveOfFolder, isRemovableDrive, type ListedDrive } from './removableDrive';

/** The --out folder does not exist, is not a folder, or cannot be written: named as the file at fault. */
export class DestinationError extends ModFerryError {
  override name = 'DestinationError';
  readonly folder: string;

  constructor(folder: string, message: string) {
    super('destination', message, { file: folder }, { message });
    this.folder = folder;
  }
}

/**
 * The folder, resolved, once it is known to be one this process can write in: a read-only drive is
 * refused before anything is downloaded for it, not when the first volume is written.
 */
export async function requireDestinationFolder(folder: string): Promise<string> {
  const info = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info === undefined) throw new DestinationError(folder, `no such folder ${folder} (is the drive mounted?)`);
  if (!info.isDirectory()) throw new DestinationError(folder, `not a folder: ${folder}`);
  const refused = await access(folder, constants.W_OK).then(() => undefined, (error: NodeJS.ErrnoException) => error.code);
  if (refused === 'EROFS') throw new DestinationError(folder, `${folder} is read-only (a write-protected drive, or one mounted read-only): choose another drive or folder`);
  if (refused !== undefined) throw new DestinationError(folder, `cannot write in ${folder} (${refused}): choose another folder, or one this user may write in`);
  return realpath(folder);
}

/** Drive listing takes a moment (lsblk, diskutil); a listing that hangs must not hold up the export. */
const LIST_TIMEOUT_MS = 5000;

/** A warning for the operator when the folder is not on a removable drive; undefined when it is. */
export async function removableDriveWarning(
  folder: string,
  listDrives: () => Promise<readonly ListedDrive[]> = listAllDrives,
  mounts: () => Promise<readonly MountEntry[]> = () => readMountTable().catch(() => []),
): Promise<PlanWarning | undefined> {
  let drives: readonly ListedDrive[];
  let timer: NodeJS.Timeout | undefined;
  try {
    drives = await Promise.race([
      listDrives(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${LIST_TIMEOUT_MS / 1000} s`)), LIST_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    return { kind: 'drive-unknown', folder, detail: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
  const found = driveOfFolder(folder, drives, process.platform);
  // A file system mounted below a drive's mount point (an image through fusefat, a network share) is not on that drive.
  const own = mountOfFolder(folder, await mounts(), process.platform);
  if (found === undefined || (own !== undefined && own.path.length > found.mountpoint.length)) return { kind: 'not-removable', folder };
  if (isRemovableDrive(found.drive)) return undefined;
  return { kind: 'not-removable', folder, on: { system: found.drive.isSystem, device: found.drive.device, mountpoint: found.mountpoint } };
}

/** drivelist, loaded when a destination is first checked rather than with every command that may check one. */
async function listAllDrives(): Promise<readonly ListedDrive[]> {
  const { list } = await import('drivelist');
  return list();
}
