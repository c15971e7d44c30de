import { errorMessage } from '../../../shared/errorMessage';
import { errorProblem, ModFerryError } from '../errors/modferryError';
import { inspectStoreFolder } from '../store/storeFolder';
import { storeLayout } from '../store/storeLayout';

/**
 * Refuses, when it is chosen rather than when the first import fails, a store folder ModFerry would
 * leave untouched: one holding other files, or a file. A folder not made yet, an empty one or a store is fine.
 */
export function requireStoreFolderChoice(dir: string): void {
  let kind: string;
  try {
    kind = inspectStoreFolder(storeLayout(dir)).kind;
  } catch (error) {
    const problem = errorProblem(error);
    if (problem !== 'store-folder-is-file' && problem !== 'store-folder-unreadable') throw error;
    const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    const reason = problem === 'store-folder-is-file' ? 'is a file, not a folder' : `cannot be read (${code ?? errorMessage(error)})`;
    throw new ModFerryError('store', `setting storeDir: ${dir} ${reason}`, { file: dir }, { cause: error, message: `setting storeDir: ${dir} ${reason}`, problem });
  }
  if (kind === 'foreign') {
    const reason = `${dir} holds other files and is not a ModFerry store; choose a store, or a new or empty folder for a new one`;
    throw new ModFerryError('store', `setting storeDir: ${reason}`, { file: dir }, { message: `setting storeDir: ${reason}`, problem: 'store-folder-foreign' });
  }
}
