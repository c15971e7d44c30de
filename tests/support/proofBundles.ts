/**
 * Bundles carrying checksum-database proofs, made without the export: a test database written by
 * golang.org/x/mod/sumdb (testSumdb) holding the modules' go.sum lines, its files laid out as
 * SUMDB-FORMAT.md says a bundle carries them (lookup records without their head, `latest`, every
 * hash tile), and writeBundle around them and the modules.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeBundle, type BundleSourceFile, type WrittenBundle } from '../../electron/core/bundle/writeBundle';
import type { SigningKey } from '../../electron/core/keys/signingKey';
import { parseTreePath } from '../../shared/bundle/treePath';
import { makeBundleSources, sha256Hex, type SourceModule } from './bundleSources';
import { writeTestSumdb, type TestSumdb } from './testSumdb';

/** The go.sum lines of the module files among `sources` (zip and go.mod hashes). */
export function goSumLines(sources: readonly BundleSourceFile[]): string[] {
  return sources.flatMap((source) => {
    const tree = parseTreePath(source.path);
    if (source.h1 === undefined || tree.version === undefined) return [];
    return [`${tree.modulePath} ${tree.version}${tree.kind === 'mod' ? '/go.mod' : ''} ${source.h1}`];
  }).sort((a, b) => (a.replace('/go.mod', '') < b.replace('/go.mod', '') ? -1 : 1));
}

/** `count` go.sum lines of modules no bundle carries: records that grow the tree past a tile or two. */
export function paddingLines(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(from + i).padStart(4, '0');
    return `example.com/pad/m${n} v1.0.0 h1:${Buffer.alloc(32, from + i).toString('base64')}`;
  });
}

export interface ProofSources {
  db: TestSumdb;
  /** The database as a proxy would serve it: `<dir>/lookup/…`, `<dir>/latest`, `<dir>/tile/…`. */
  dir: string;
  files: BundleSourceFile[];
}

/** Writes the database of `lines` into `dir` and describes its files as a bundle carries them. */
export async function makeProofSources(dir: string, lines: readonly string[], options: { name?: string; seed?: string } = {}): Promise<ProofSources> {
  const db = await writeTestSumdb(dir, lines, options);
  const files: BundleSourceFile[] = [];
  const carried = path.join(dir, '..', `${path.basename(dir)}-carried`);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, file).split(path.sep).join('/');
    if (relative === 'supported') continue;
    let source = file;
    let content = await readFile(file);
    if (relative.startsWith('lookup/')) {
      // The record alone: up to the blank line before the signed head.
      const text = content.toString('utf8');
      content = Buffer.from(text.slice(0, text.indexOf('\n\n') + 1));
      source = path.join(carried, relative.replaceAll('/', '_'));
      await mkdir(carried, { recursive: true });
      await writeFile(source, content);
    }
    files.push({ path: `sumdb/${db.name}/${relative}`, source, size: content.length, sha256: sha256Hex(content) });
  }
  return { db, dir, files };
}

/** The modules' files (see makeBundleSources), under workDir. */
export function moduleSources(workDir: string, label: string, modules: readonly SourceModule[]): Promise<BundleSourceFile[]> {
  return makeBundleSources(path.join(workDir, `cache-${label}`), modules);
}

/** A signed bundle of module files and proofs. */
export async function makeProofBundle(
  workDir: string,
  label: string,
  sources: readonly BundleSourceFile[],
  proofs: readonly BundleSourceFile[],
  key: SigningKey,
): Promise<WrittenBundle> {
  return writeBundle({
    outDir: path.join(workDir, `bundles-${label}`),
    files: [...sources, ...proofs],
    inputs: [{ kind: 'module', value: label }],
    signingKey: key,
    toolVersion: 'test',
  });
}
