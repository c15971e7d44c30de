import { chmod, lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Removes a folder even when it holds a Go module cache, whose folders the go command makes
 * read-only (so a plain recursive rm fails with EACCES part-way). One walk: each folder is made
 * writable, then its files and subfolders are removed all at once, then the folder itself; the
 * export's proof waits for its module cache of thousands of files to go. A path that is not there
 * is already removed; a symbolic link is removed, never followed, as is a file.
 */
export async function removeTree(dir: string): Promise<void> {
  const info = await lstat(dir).catch((error: unknown) => {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return;
  if (info.isDirectory()) await removeFolder(dir);
  else await removeFile(dir);
}

/** dir is a folder, not a link to one: its entries say what they are without following links. */
async function removeFolder(dir: string): Promise<void> {
  await chmod(dir, 0o755).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if (code(error) === 'ENOENT') return [];
    throw error;
  });
  await Promise.all(entries.map((e) => (e.isDirectory() ? removeFolder(path.join(dir, e.name)) : removeFile(path.join(dir, e.name)))));
  await rmdir(dir).catch((error: unknown) => {
    if (code(error) !== 'ENOENT') throw error;
  });
}

async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (error) {
    if (code(error) === 'ENOENT') return;
    // Windows refuses to delete a read-only file, as the go command leaves those of its module cache.
    if (code(error) !== 'EPERM' || process.platform !== 'win32') throw error;
    await chmod(file, 0o666);
    await unlink(file);
  }
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}
