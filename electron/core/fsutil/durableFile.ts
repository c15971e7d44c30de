import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export interface DurableWriteOptions {
  /** Permission bits of the new file (POSIX); 0o644 unless given. */
  mode?: number;
  /** Fail with EEXIST instead of replacing a file already at that name. */
  exclusive?: boolean;
}

/**
 * Writes a file so that its name only ever shows complete, flushed content: a temp file
 * beside it is written and fsynced, then renamed (or, for exclusive writes, hard-linked,
 * which fails when the name is taken) into place, and the folder is fsynced.
 */
export async function writeFileDurably(file: string, data: string | Uint8Array, options: DurableWriteOptions = {}): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString('hex')}.partial`;
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.exclusive) {
      await link(temp, file);
      await unlink(temp);
    } else {
      await rename(temp, file);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(path.dirname(file));
}

/** writeFileDurably for synchronous callers (opening a store writes its marker). */
export function writeFileDurablySync(file: string, data: string, options: DurableWriteOptions = {}): void {
  const temp = `${file}.${randomBytes(4).toString('hex')}.partial`;
  const fd = openSync(temp, 'wx', options.mode ?? 0o644);
  try {
    try {
      const bytes = Buffer.from(data, 'utf8');
      for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.exclusive) {
      linkSync(temp, file);
      unlinkSync(temp);
    } else {
      renameSync(temp, file);
    }
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Already linked and removed, or never written.
    }
    throw error;
  }
  syncDirectorySync(path.dirname(file));
}

/** Flushes a folder's entries (new names, renames) to disk. Windows cannot open a folder for this, and needs not. */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!folderSyncUnsupported(error)) throw error;
  } finally {
    await handle.close();
  }
}

/** syncDirectory for synchronous callers (the store's repair). */
export function syncDirectorySync(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (error) {
    if (!folderSyncUnsupported(error)) throw error;
  } finally {
    closeSync(fd);
  }
}

// Some file systems (FAT over FUSE, network mounts) do not sync folders; their data was synced file by file.
function folderSyncUnsupported(error: unknown): boolean {
  return ['EINVAL', 'ENOTSUP', 'EPERM', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '');
}
