import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../../shared/errorMessage';
import { ModFerryError } from '../errors/modferryError';
import { writeFileDurably } from '../fsutil/durableFile';

/**
 * Writes a request file or inventory where the operator chose, making its folder (a drive's subfolder)
 * when the folder holding that exists. No more: a drive that is not mounted leaves its mount point
 * missing or empty, and folders made there would put the file on the local disk instead.
 */
export async function writeRoundtripFile(file: string, text: string): Promise<void> {
  const refuse = (reason: string, cause?: unknown): ModFerryError => {
    const message = `cannot write ${file}: ${reason}`;
    return new ModFerryError('destination', message, { file }, { message, cause });
  };
  const folder = path.dirname(path.resolve(file));
  if ((await stat(file).catch(() => undefined))?.isDirectory()) throw refuse('it is a folder; name a file in it');
  if (!(await stat(folder).catch(() => undefined))?.isDirectory()) {
    const above = path.dirname(folder);
    if (!(await stat(above).catch(() => undefined))?.isDirectory()) throw refuse(`no such folder ${above} (is the drive mounted?)`);
    await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw refuse(errorMessage(error), error);
    });
  }
  try {
    await writeFileDurably(file, text);
  } catch (error) {
    // The system's message names the temporary file beside it; the operator named this one.
    const code = (error as NodeJS.ErrnoException).code;
    throw refuse(code === 'EROFS' ? 'the drive is read-only' : code === 'ENOSPC' ? 'the drive is full' : errorMessage(error), error);
  }
}
