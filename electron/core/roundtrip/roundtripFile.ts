import { stat } from 'node:fs/promises';
import path from 'node:path';
import { chosenFileError, writeChosenFile } from '../fsutil/chosenFile';

/**
 * Writes a request file or inventory where the operator chose, in a folder that exists, as export's
 * --out must: a drive that is not mounted leaves its mount point missing or empty, and a folder made
 * there would put the file on the local disk instead.
 */
export async function writeRoundtripFile(file: string, text: string): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw chosenFileError(file, 'it is a folder; name a file in it');
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) throw chosenFileError(file, `no such folder ${folder} (is the drive mounted?)`);
  await writeChosenFile(file, text);
}
