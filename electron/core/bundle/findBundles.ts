/**
 * The bundles in a folder an operator points at: a bundle folder itself, or a drive (or any
 * folder) holding bundle folders, up to two levels down (`E:\mf-…` or `E:\transfers\mf-…`).
 * Only the manifest, the signature and the folder listing are read, so a drive of many
 * bundles lists quickly; verifying the volumes is verifyBundle's work. One unreadable bundle
 * is reported as such among the others, never thrown.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE, parseManifest, SIGNATURE_FILE, type BundleManifest } from '../../../shared/bundle/manifest';
import { errorRecord } from '../errors/modferryError';
import { checkManifestSignature, parseManifestSignature } from '../keys/manifestSignature';
import type { TrustStore } from '../keys/trustStore';
import { BundleVerifyError } from './bundleVerifyError';
import { MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES, readBundleFile } from './readBundleFile';
import { findVolumeProblems, type FolderFile } from './volumeFolder';
import type { BundleProblem, FoundBundle, FoundVolumes } from '../../../shared/bundle/foundBundle';

/** How deep below the folder given bundle folders are looked for. */
const MAX_DEPTH = 2;

export type { BundleProblem, FoundBundle, FoundVolumes };

/**
 * The bundles at `dir`, sorted by folder; empty when there are none (or `dir` cannot be listed). A
 * `dir` that does not exist, or is a file, is refused: "no bundles" would send the operator looking
 * on a drive that is not mounted.
 */
export async function findBundles(dir: string, trust: Pick<TrustStore, 'isTrusted'>): Promise<FoundBundle[]> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info === undefined) throw new BundleVerifyError('no such folder (is the drive mounted?)', { file: dir }, { problem: 'no-such-folder' });
  if (!info.isDirectory()) throw new BundleVerifyError('not a folder: give the drive or the folder that holds the bundles', { file: dir });
  const found: FoundBundle[] = [];
  for (const bundleDir of await bundleFolders(dir)) found.push(await describeBundle(bundleDir, trust));
  return found;
}

/** The bundle folders at `dir`: `[dir]` when it is one, else those below it (see MAX_DEPTH), sorted. */
export async function bundleFolders(dir: string): Promise<string[]> {
  if (await holdsManifest(dir)) return [dir];
  return bundlesBelow(dir, MAX_DEPTH);
}

/**
 * The bundle folders below dir, when dir is not one itself: for an operator who names the drive
 * rather than the bundle on it.
 */
export async function bundlesOnDrive(dir: string): Promise<string[]> {
  return (await holdsManifest(dir)) ? [] : bundlesBelow(dir, MAX_DEPTH);
}

async function bundlesBelow(dir: string, depth: number): Promise<string[]> {
  // A folder that cannot be listed (a system folder on a drive, one being unplugged) holds no bundle we can use.
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const child = path.join(dir, entry.name);
    if (await holdsManifest(child)) found.push(child);
    else if (depth > 1) found.push(...(await bundlesBelow(child, depth - 1)));
  }
  return found;
}

async function holdsManifest(dir: string): Promise<boolean> {
  return stat(path.join(dir, MANIFEST_FILE)).then(() => true, () => false);
}

async function describeBundle(dir: string, trust: Pick<TrustStore, 'isTrusted'>): Promise<FoundBundle> {
  let manifestBytes: Buffer;
  let manifest: BundleManifest;
  try {
    manifestBytes = await readBundleFile(dir, MANIFEST_FILE, MAX_MANIFEST_BYTES);
    manifest = parseManifest(manifestBytes.toString('utf8'), MANIFEST_FILE);
  } catch (error) {
    return { dir, trusted: false, problem: problemOf(error, MANIFEST_FILE) };
  }
  const facts: FoundBundle = {
    dir,
    bundleId: manifest.bundleId,
    createdAt: manifest.createdAt,
    bytes: manifest.volumes.reduce((sum, volume) => sum + volume.size, 0),
    files: manifest.entries.length,
    trusted: false,
  };
  try {
    facts.volumes = volumesOf(manifest, await folderFiles(dir));
  } catch (error) {
    return { ...facts, problem: problemOf(error) };
  }
  try {
    const signatureBytes = await readBundleFile(dir, SIGNATURE_FILE, MAX_SIGNATURE_BYTES);
    const { fingerprint } = checkManifestSignature(manifestBytes, parseManifestSignature(signatureBytes.toString('utf8'), SIGNATURE_FILE));
    facts.signer = fingerprint;
    facts.trusted = await trust.isTrusted(fingerprint);
  } catch (error) {
    facts.problem = problemOf(error, SIGNATURE_FILE);
  }
  return facts;
}

function volumesOf(manifest: BundleManifest, files: readonly FolderFile[]): FoundVolumes {
  const problems = findVolumeProblems(manifest, files);
  const faulty = new Set(problems.map((p) => p.volume));
  const sizes = new Map(files.map((f) => [f.name, f.size]));
  return {
    count: manifest.volumes.length,
    present: manifest.volumes.filter((v) => !faulty.has(v.name)).map((v) => v.name),
    missing: manifest.volumes.filter((v) => !sizes.has(v.name)).map((v) => v.name),
    problems: problems.filter((p) => sizes.has(p.volume)),
  };
}

async function folderFiles(dir: string): Promise<FolderFile[]> {
  const files: FolderFile[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const size = entry.isFile() ? (await stat(path.join(dir, entry.name))).size : undefined;
    files.push(size === undefined ? { name: entry.name } : { name: entry.name, size });
  }
  return files;
}

/** The error as data the app shows; the bundle file at fault is named even when the error itself does not name it. */
function problemOf(error: unknown, file?: string): BundleProblem {
  const { type: _type, ...record } = errorRecord(error);
  return file === undefined || record.file !== undefined ? record : { ...record, file };
}
