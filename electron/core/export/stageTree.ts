import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { escapePath, escapeVersion } from '../../../shared/gomod/modulePath';
import { sortVersions } from '../../../shared/gomod/semver';
import type { Inventory } from '../../../shared/roundtrip/inventory';
import type { BundleSourceFile } from '../bundle/writeBundle';
import type { VerifiedFile } from './fetchVerifiedFiles';

export interface StagedFile extends BundleSourceFile {
  modulePath: string;
  version: string;
  kind: 'info' | 'mod' | 'zip' | 'list';
}

/**
 * Lays the verified files out as a GOPROXY tree (hard links into the download cache where the disk
 * allows, copies elsewhere), so the go command can check it as `GOPROXY=file://` and the bundle
 * writer can read it. Each module's `@v/list` names the versions whose zips ship, plus those the
 * offline store already holds: `@latest` must never pick a version with no zip. `alsoListed` are
 * versions shipped without a zip that `@latest` never picks but must see (withRetractionSources).
 */
export async function stageTree(
  dir: string,
  files: readonly VerifiedFile[],
  inventory?: Inventory,
  alsoListed: readonly ModuleVersion[] = [],
): Promise<{ dir: string; files: StagedFile[] }> {
  // All at once: the go proof and the bundle writer wait for the tree, and each placement is a few
  // small file system calls that would otherwise wait for one another.
  const placed = allSettled(
    files.map(async (f): Promise<StagedFile> => {
      const treePath = `${escapePath(f.modulePath)}/@v/${escapeVersion(f.version)}.${f.kind}`;
      await placeFile(f.source, path.join(dir, treePath));
      return { path: treePath, source: path.join(dir, treePath), size: f.size, sha256: f.sha256, h1: f.h1, modulePath: f.modulePath, version: f.version, kind: f.kind };
    }),
  );
  const written = allSettled(
    versionLists(files, inventory, alsoListed).map(async ({ modulePath, path: treePath, text }): Promise<StagedFile> => {
      const file = path.join(dir, treePath);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      return { path: treePath, source: file, size: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex'), modulePath, version: '', kind: 'list' };
    }),
  );
  return { dir, files: (await allSettled([placed, written])).flat() };
}

/** Every task's result once all have finished, or the first failure once all have finished: nothing is still writing into the tree when the caller removes it. */
async function allSettled<T>(tasks: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/**
 * Pure: the `@v/list` file of each module with a file in the tree, as stageTree writes it; the plan
 * counts the same files, so what it says would ship is what the run writes.
 */
export function versionLists(
  files: ReadonlyArray<Pick<VerifiedFile, 'modulePath' | 'version' | 'kind'>>,
  inventory?: Inventory,
  alsoListed: readonly ModuleVersion[] = [],
): Array<{ modulePath: string; path: string; text: string }> {
  const lists = new Map<string, Set<string>>();
  for (const f of files) {
    const versions = lists.get(f.modulePath) ?? new Set<string>();
    if (f.kind === 'zip') versions.add(f.version);
    lists.set(f.modulePath, versions);
  }
  for (const m of inventory?.modules ?? []) {
    if (m.files.includes('zip')) lists.get(m.path)?.add(m.version);
  }
  for (const m of alsoListed) lists.get(m.path)?.add(m.version);
  return [...lists].map(([modulePath, versions]) => ({
    modulePath,
    path: `${escapePath(modulePath)}/@v/list`,
    text: sortVersions([...versions]).map((v) => `${v}\n`).join(''),
  }));
}

async function placeFile(source: string, target: string): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await link(source, target);
  } catch (error) {
    if (!['EXDEV', 'EPERM', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await copyFile(source, target);
  }
}
