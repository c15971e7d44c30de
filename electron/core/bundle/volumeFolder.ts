/**
 * What must be in a bundle's folder before any volume is opened: every volume the
 * manifest lists, at its listed size, and no other `.tar` claiming to belong. A missing
 * DVD, a stale part from an earlier run or a file manager's "copy (1)" is named here,
 * up front, not discovered as a hash mismatch halfway through an import.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { VolumeProblem, VolumeProblemCode } from '../../../shared/bundle/foundBundle';
import type { BundleManifest } from '../../../shared/bundle/manifest';
import { BundleVerifyError } from './bundleVerifyError';

export interface FolderFile {
  name: string;
  /** Undefined for anything that is not a regular file. */
  size?: number;
}

export type { VolumeProblem };

const VOLUME_CLAIM = /(mf-\d{8}-[0-9a-f]{8})-(\d+)-of-(\d+)/;

/**
 * Pure: every problem with the volumes in a folder listing, missing volumes first.
 * Only names ending in `.tar` or `.tar.partial` are looked at; other files are never read.
 * `._*` files are macOS metadata written beside every file on FAT and exFAT drives.
 */
export function findVolumeProblems(manifest: BundleManifest, files: readonly FolderFile[]): VolumeProblem[] {
  const count = manifest.volumes.length;
  const byName = new Map(files.map((file) => [file.name, file]));
  const problems: VolumeProblem[] = [];
  for (const volume of manifest.volumes) {
    const file = byName.get(volume.name);
    if (file === undefined) problems.push({ volume: volume.name, reason: `missing (volume ${volume.index} of ${count})`, code: { kind: 'missing' } });
    else if (file.size === undefined) problems.push({ volume: volume.name, reason: 'not a regular file', code: { kind: 'not-a-file' } });
    else if (file.size !== volume.size) {
      const how = file.size < volume.size ? 'truncated or incompletely copied' : 'longer than written';
      problems.push({ volume: volume.name, reason: `${file.size} bytes, the manifest says ${volume.size} (${how})`, code: { kind: 'size-differs', size: file.size, expected: volume.size } });
    }
  }
  const listed = new Set(manifest.volumes.map((volume) => volume.name));
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (listed.has(file.name) || file.name.startsWith('._') || !/\.tar(\.partial)?$/i.test(file.name)) continue;
    const claim = claimProblem(manifest, file.name);
    problems.push({ volume: file.name, ...claim, ...(/\.partial$/i.test(file.name) ? { unfinished: true as const } : {}) });
  }
  return problems;
}

function claimProblem(manifest: BundleManifest, name: string): { reason: string; code: VolumeProblemCode } {
  const unfinished = /\.partial$/i.test(name) ? ' (left by a write that did not finish)' : '';
  const claim = VOLUME_CLAIM.exec(name);
  if (claim === null) return { reason: `not a volume of bundle ${manifest.bundleId}${unfinished}; move it out of the bundle folder`, code: { kind: 'stray' } };
  const [, bundleId = '', indexText, countText] = claim;
  if (bundleId !== manifest.bundleId) {
    return { reason: `belongs to another bundle (${bundleId})${unfinished}; keep each bundle in its own folder`, code: { kind: 'other-bundle', bundleId } };
  }
  const index = Number(indexText);
  const count = Number(countText);
  const volume = manifest.volumes[index - 1];
  if (count === manifest.volumes.length && volume !== undefined) {
    return { reason: `a second file claiming to be volume ${index} of ${count}, which is ${volume.name}${unfinished}; remove the extra copy`, code: { kind: 'duplicate', of: volume.name } };
  }
  return {
    reason: `claims to be volume ${index} of ${count}, but bundle ${manifest.bundleId} has ${manifest.volumes.length} volume(s)${unfinished}; move it out of the bundle folder`,
    code: { kind: 'wrong-count', index, count },
  };
}

/** Lists the folder and throws a BundleVerifyError naming the first volume problem (and counting the rest). */
export async function checkVolumeFolder(bundleDir: string, manifest: BundleManifest): Promise<void> {
  const files: FolderFile[] = [];
  for (const entry of await readdir(bundleDir, { withFileTypes: true })) {
    const size = entry.isFile() ? (await stat(path.join(bundleDir, entry.name))).size : undefined;
    files.push(size === undefined ? { name: entry.name } : { name: entry.name, size });
  }
  const [first, ...rest] = findVolumeProblems(manifest, files);
  if (first === undefined) return;
  const more = rest.length === 0 ? '' : ` (and ${rest.length} more: ${rest.map((p) => p.volume).join(', ')})`;
  throw new BundleVerifyError(`${first.reason}${more}`, { volume: first.volume });
}
