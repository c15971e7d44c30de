/**
 * For store tests: real bundles written with writeBundle from real module zips, and a
 * snapshot of a store (every file's path and hash, and the catalog's rows) to show that a
 * refused import changed nothing.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { writeBundle, type WrittenBundle } from '../../electron/core/bundle/writeBundle';
import type { SigningKey } from '../../electron/core/keys/signingKey';
import { makeBundleSources, type SourceModule } from './bundleSources';

let bundleCounter = 0;

/** Writes a signed bundle of the modules under workDir; small volumes, so a bundle spans several. */
export async function makeBundle(workDir: string, modules: readonly SourceModule[], key: SigningKey, volumeSize = 4096): Promise<WrittenBundle> {
  const n = ++bundleCounter;
  const files = await makeBundleSources(path.join(workDir, `cache-${n}`), modules);
  return writeBundle({
    outDir: path.join(workDir, `bundles-${n}`),
    files,
    inputs: [{ kind: 'module', value: modules.map((m) => `${m.path}@${m.version}`).join(' ') }],
    signingKey: key,
    toolVersion: 'test',
    volumeSize,
  });
}

/** Every file under dir with its SHA-256 (SQLite's own files and the store lock excluded: see catalogRows), `/`-separated and sorted. */
export async function fileHashes(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const lines: string[] = [];
  for (const entry of entries) {
    const relative = path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    if (/^catalog\.db(-wal|-shm|-journal)?$|^store\.lock(-journal|\.holder)?$/.test(relative)) continue;
    if (entry.isDirectory()) lines.push(`${relative}/`);
    else lines.push(`${relative} ${createHash('sha256').update(await readFile(path.join(dir, relative))).digest('hex')}`);
  }
  return lines.sort();
}

/** Every row of every catalog table, read through a connection of its own. */
export function catalogRows(storeDir: string): Record<string, string[]> {
  const db = new Database(path.join(storeDir, 'catalog.db'), { readonly: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all();
    const rowsOf = (name: string): string[] => db.prepare(`SELECT * FROM "${name}"`).all().map((row) => JSON.stringify(row)).sort();
    return Object.fromEntries(tables.map(({ name }) => [name, rowsOf(name)]));
  } finally {
    db.close();
  }
}

export interface StoreSnapshot {
  files: string[];
  catalog: Record<string, string[]>;
}

export async function snapshotStore(storeDir: string): Promise<StoreSnapshot> {
  return { files: await fileHashes(storeDir), catalog: catalogRows(storeDir) };
}
