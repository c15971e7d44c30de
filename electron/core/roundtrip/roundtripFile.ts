import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../../shared/errorMessage';
import { chosenFileError, writeChosenFile } from '../fsutil/chosenFile';

/**
 * Writes a request file or inventory where the operator chose, making its folder (a drive's subfolder)
 * when the folder holding that exists. No more: a drive that is not mounted leaves its mount point
 * missing or empty, and folders made there would put the file on the local disk instead.
 */
export async function writeRoundtripFile(file: string, text: string): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw chosenFileError(file, 'it is a folder; name a file in it');
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
    const above = path.dirname(folder);
    if (!(await stat(above).catch(() => undefined))?.isDirectory()) throw chosenFileError(file, `no such folder ${above} (is the drive mounted?)`);
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw chosenFileError(file, errorMessage(error), error);
    });
  }
  await writeChosenFile(file, text);
}
