import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_FILE } from '../../../shared/bundle/manifest';

/**
 * The bundle folders directly inside dir (each holding a manifest), sorted; empty when dir is itself a
 * bundle or cannot be listed. For an operator who names the drive rather than the bundle on it.
 */
export async function bundlesOnDrive(dir: string): Promise<string[]> {
  if (existsSync(path.join(dir, MANIFEST_FILE))) return [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, MANIFEST_FILE)))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}
