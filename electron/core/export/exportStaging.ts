import { mkdtemp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isProcessRunning } from '../bundle/writerMarker';
import { removeTree } from '../fsutil/removeTree';

const PREFIX = 'staging-';

/**
 * A staging folder named after this process, so a later export can tell the leftovers of one that
 * was killed (its process is gone) from those of one still running, and remove only the former.
 */
export async function createExportStaging(cacheDir: string): Promise<string> {
  await removeAbandonedStaging(cacheDir);
  return mkdtemp(path.join(cacheDir, `${PREFIX}${process.pid}-`));
}

async function removeAbandonedStaging(cacheDir: string): Promise<void> {
  const names = await readdir(cacheDir).catch(() => []);
  for (const name of names) {
    const pid = Number(/^staging-(\d+)-/.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid > 0 && !isProcessRunning(pid)) await removeTree(path.join(cacheDir, name));
  }
}
