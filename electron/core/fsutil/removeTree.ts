import { chmod, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Removes a folder even when it holds a Go module cache, whose folders the go command makes
 * read-only (so a plain recursive rm fails with EACCES part-way).
 */
export async function removeTree(dir: string): Promise<void> {
  await makeFoldersWritable(dir);
  await rm(dir, { recursive: true, force: true });
}

async function makeFoldersWritable(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await chmod(dir, 0o755).catch(() => undefined);
  await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => makeFoldersWritable(path.join(dir, e.name))));
}
