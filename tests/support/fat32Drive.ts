/**
 * A real FAT32 file system for tests: an image made by mkfs.vfat, mounted through FUSE with fusefat,
 * since this kernel has no vfat module for a loop mount. fusefat tells statfs no free space.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Fails, naming the tool and its Debian package, when one the FAT32 tests need is missing. */
export function requireFat32Tools(): void {
  for (const tool of ['mkfs.vfat', 'fusefat', 'fusermount']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      assert.fail(`${tool} is missing: install dosfstools and fusefat (.ci/run does)`);
    }
  }
}

export function isMounted(folder: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === folder);
}

export interface Fat32Drive {
  /** The folder holding the image and the mount point, removed when the test ends. */
  dir: string;
  image: string;
  mount: string;
}

/** A FAT32 image of `mib` MiB mounted (read-write unless asked), unmounted and removed when the test ends. */
export async function mountFat32(t: { after(fn: () => Promise<void>): void }, mib: number, mode: 'rw+' | 'ro' = 'rw+'): Promise<Fat32Drive> {
  requireFat32Tools();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-fat32-'));
  const image = path.join(dir, 'stick.img');
  const mount = path.join(dir, 'STICK');
  await mkdir(mount);
  t.after(async () => {
    if (isMounted(mount)) execFileSync('fusermount', ['-u', mount]);
    await rm(dir, { recursive: true, force: true });
  });
  execFileSync('truncate', ['-s', `${mib}M`, image]);
  execFileSync('mkfs.vfat', ['-F', '32', image], { stdio: 'ignore' });
  execFileSync('fusefat', ['-o', mode, image, mount], { stdio: 'ignore' });
  assert.ok(isMounted(mount), `fusefat mounted ${image}`);
  return { dir, image, mount };
}
