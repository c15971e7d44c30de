/**
 * The folder an export writes its bundle into: it must already exist (a mount point that is not
 * mounted is just a missing folder, and creating it would put the bundle on the local disk), and
 * it should be on a drive the operator can carry.
 */
import { realpath, stat } from 'node:fs/promises';
import { list } from 'drivelist';
import { driveOfFolder, isRemovableDrive, type ListedDrive } from './removableDrive';

/** The --out folder does not exist, or is not a folder. */
export class DestinationError extends Error {
  override name = 'DestinationError';
  readonly folder: string;

  constructor(folder: string, problem: string) {
    super(`${problem} ${folder}${problem === 'no such folder' ? ' (is the drive mounted?)' : ''}`);
    this.folder = folder;
  }
}

export async function requireDestinationFolder(folder: string): Promise<string> {
  const info = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info === undefined) throw new DestinationError(folder, 'no such folder');
  if (!info.isDirectory()) throw new DestinationError(folder, 'not a folder:');
  return realpath(folder);
}

/** Drive listing takes a moment (lsblk, diskutil); a listing that hangs must not hold up the export. */
const LIST_TIMEOUT_MS = 5000;

/** One line for the operator when the folder is not on a removable drive; undefined when it is. */
export async function removableDriveWarning(folder: string, listDrives: () => Promise<readonly ListedDrive[]> = list): Promise<string | undefined> {
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
    return `${folder}: cannot tell whether it is on a removable drive (listing the drives failed: ${(error as Error).message})`;
  } finally {
    clearTimeout(timer);
  }
  const found = driveOfFolder(folder, drives, process.platform);
  if (found === undefined) return `${folder} is not on a removable drive (no listed drive holds it)`;
  if (isRemovableDrive(found.drive)) return undefined;
  const what = found.drive.isSystem ? 'the system drive' : 'a fixed drive';
  return `${folder} is not on a removable drive (it is on ${what} ${found.drive.device}, mounted at ${found.mountpoint})`;
}
