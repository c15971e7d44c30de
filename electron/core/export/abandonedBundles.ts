/**
 * Removes the debris of exports that died mid-write from the destination: bundle folders holding our
 * writer marker and no manifest.json, whose writer is provably gone. Only the files such a writer
 * makes are removed (volumes, partial volumes, the signature, the public key, the marker); the folder
 * goes only once it is empty. Anything else is never touched.
 */
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isBundleId, MANIFEST_FILE } from '../../../shared/bundle/manifest';
import type { WriterGone } from '../../../shared/export/planNotes';
import { bootId, isProcessRunning, readWriterMarker, WRITER_MARKER_FILE, writerGone } from '../bundle/writerMarker';

export interface AbandonedBundle {
  dir: string;
  writer: WriterGone;
  /** Files left because they are not ours; the folder then stays too. */
  kept: string[];
}

export async function removeAbandonedBundles(outDir: string): Promise<AbandonedBundle[]> {
  const removed: AbandonedBundle[] = [];
  for (const { dir, writer, ours, kept } of await findAbandonedBundles(outDir)) {
    for (const name of ours) await rm(path.join(dir, name), { force: true });
    if (kept.length === 0) await rmdir(dir);
    removed.push({ dir, writer, kept });
  }
  return removed;
}

/**
 * The space the next run frees by removing the abandoned bundles: a plan counts it as free, or a drive
 * holding a killed export's debris would be refused as too small. Each file rounded up to whole blocks.
 */
export async function abandonedBundleBytes(outDir: string, blockSize: number): Promise<number> {
  let bytes = 0;
  for (const { dir, ours } of await findAbandonedBundles(outDir)) {
    for (const name of ours) {
      const size = (await stat(path.join(dir, name)).catch(() => undefined))?.size ?? 0;
      bytes += Math.ceil(size / Math.max(1, blockSize)) * Math.max(1, blockSize);
    }
  }
  return bytes;
}

interface FoundDebris {
  dir: string;
  writer: WriterGone;
  /** The files such a writer makes. */
  ours: string[];
  kept: string[];
}

async function findAbandonedBundles(outDir: string): Promise<FoundDebris[]> {
  const here = { host: os.hostname(), boot: bootId(), isRunning: isProcessRunning };
  const found: FoundDebris[] = [];
  for (const entry of await readdir(outDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !isBundleId(entry.name)) continue;
    const dir = path.join(outDir, entry.name);
    // A folder we cannot even list is not one we can prove is ours.
    const names = await readdir(dir).catch(() => undefined);
    if (names === undefined) continue;
    if (names.includes(MANIFEST_FILE) || !names.includes(WRITER_MARKER_FILE)) continue;
    const marker = await readWriterMarker(path.join(dir, WRITER_MARKER_FILE));
    if (marker === undefined || marker.bundleId !== entry.name) continue;
    const writer = writerGone(marker, here);
    if (writer === undefined) continue;
    const isOurs = (name: string): boolean =>
      name === WRITER_MARKER_FILE || name.startsWith(`${entry.name}-`) || /^(manifest\.sig|signer\.pub\.pem|\.modferry-writing\.json)(\.[0-9a-f]{8}\.partial)?$/.test(name);
    found.push({ dir, writer, ours: names.filter(isOurs), kept: names.filter((name) => !isOurs(name)) });
  }
  return found;
}
