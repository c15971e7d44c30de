import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { discoverDebianModules, type DebianModule } from './debianModules';
import { writeGoproxyTree, type PublishedVersion } from './goproxyTree';

export interface GoproxyFixture {
  dir: string;
  modules: DebianModule[];
  published: PublishedVersion[];
}

const cacheRoot = path.join(__dirname, '..', '..', '.tmp', 'fixtures');
let memo: Promise<GoproxyFixture> | undefined;

/**
 * The GOPROXY tree built from Debian's Go sources, built once and reused across runs while the
 * installed modules stay the same (the cache key is their paths and versions; the marker is written last).
 */
export function debianGoproxyFixture(): Promise<GoproxyFixture> {
  memo ??= build();
  return memo;
}

async function build(): Promise<GoproxyFixture> {
  const modules = discoverDebianModules();
  if (modules.length === 0) throw new Error('no Go sources under /usr/share/gocode/src: install the packages in tests/support/debian-go-packages.txt');
  const key = createHash('sha256').update(JSON.stringify(modules.map((m) => [m.path, m.version, m.goMod ?? '']))).digest('hex').slice(0, 16);
  const dir = path.join(cacheRoot, `debian-${key}`);
  const marker = path.join(dir, 'published.json');
  if (existsSync(marker)) return { dir, modules, published: JSON.parse(readFileSync(marker, 'utf8')) as PublishedVersion[] };
  const staging = `${dir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const staged = await writeGoproxyTree(staging, modules);
  const published = staged.map((p) => ({ ...p, modFile: p.modFile.replace(staging, dir), zipFile: p.zipFile.replace(staging, dir) }));
  await writeFile(path.join(staging, 'published.json'), JSON.stringify(published));
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  return { dir, modules, published };
}
