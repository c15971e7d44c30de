/**
 * Writing a file where the operator chose (a request file, an inventory, a public key for a drive):
 * a failure names that file and says what happened in words, never the system's message about the
 * temporary file written beside it.
 */
import path from 'node:path';
import { errorMessage } from '../../../shared/errorMessage';
import { ModFerryError } from '../errors/modferryError';
import { writeFileDurably } from './durableFile';

export function chosenFileError(file: string, reason: string, cause?: unknown): ModFerryError {
  const message = `cannot write ${file}: ${reason}`;
  return new ModFerryError('destination', message, { file }, { message, cause });
}

export async function writeChosenFile(file: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileDurably(file, data);
  } catch (error) {
    throw chosenFileError(file, reasonOf(error, file), error);
  }
}

function reasonOf(error: unknown, file: string): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return `no such folder ${path.dirname(path.resolve(file))} (is the drive mounted?)`;
    case 'EROFS':
      return 'the drive is read-only';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the drive is full';
    case 'EISDIR':
      return 'it is a folder; name a file in it';
    default:
      return errorMessage(error);
  }
}
