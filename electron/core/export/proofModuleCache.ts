import { mkdtemp, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Linux's RAM-backed file system, where every process may make files. */
const RAM_DISK = '/dev/shm';
const TMPFS_MAGIC = 0x01021994;
/** Room left over on the RAM disk and in free memory, beyond what the extraction itself writes. */
const HEADROOM_BYTES = 256 * 1024 * 1024;

/**
 * Where the proof's empty module cache goes: a new folder on the RAM disk when there is one with room
 * for every zip and its extracted files (and as much free memory), else in the system's temporary
 * folder. The go command's extraction is thousands of small file creations, which a RAM disk does
 * many times faster than a journaled disk; what is proven is the same. The caller removes the folder.
 */
export async function proofModuleCacheFolder(extractedBytes: number, ramDisk = RAM_DISK): Promise<string> {
  const needed = 2 * extractedBytes + HEADROOM_BYTES;
  const disk = await statfs(ramDisk).catch(() => undefined);
  const fits = disk !== undefined && disk.type === TMPFS_MAGIC && disk.bavail * disk.bsize >= needed && os.freemem() >= needed;
  if (fits) {
    const folder = await mkdtemp(path.join(ramDisk, 'modferry-modcache-')).catch(() => undefined);
    if (folder !== undefined) return folder;
  }
  return mkdtemp(path.join(os.tmpdir(), 'modferry-modcache-'));
}
