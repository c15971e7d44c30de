/**
 * Rebuilds catalog rows from the files in the tree, for a catalog that was lost (deleted,
 * emptied, copied without its WAL) while the tree was kept: the tree is the data, the catalog
 * only an index of it, so the index is rebuilt from the data, never the other way round.
 *
 * Each file must be where the GOPROXY layout puts it, a .zip must be a valid module zip of the
 * module and version its path names, and an .info must name its own version; the hashes are
 * computed from the bytes there. No signed manifest vouches for these files any more, so they
 * are recorded under a bundle of their own, named `recovered-<time>`, that says so.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { parseTreePath, type TreePath } from '../../../shared/bundle/treePath';
import { hashGoModFile, sha256HexOf } from '../modzip/hashModuleZip';
import { inspectModuleZip } from '../modzip/inspectModuleZip';
import type { BundleRecord, CatalogFile } from './catalog';
import type { QuarantinedFile } from './quarantine';
import { treeFile, TREE_DIR, type StoreLayout } from './storeLayout';

/** Stands in for a signer's fingerprint on recovered rows. */
export const RECOVERED_SIGNER = 'none: rebuilt from the files in tree/';

export interface CatalogRebuild {
  bundle: BundleRecord;
  /** Rows for the files that could be rebuilt. */
  files: CatalogFile[];
  /** Files that could not, with why: to be quarantined. */
  refused: QuarantinedFile[];
}

export function recoveredBundle(at: Date): BundleRecord {
  const time = at.toISOString();
  return { bundleId: `recovered-${time.replace(/[:.]/g, '-')}`, signer: RECOVERED_SIGNER, createdAt: time, importedAt: time };
}

/** Hashes and checks the tree files (paths relative to the tree); writes nothing. */
export async function rebuildFromTree(layout: StoreLayout, treePaths: readonly string[], at: Date = new Date()): Promise<CatalogRebuild> {
  const rebuild: CatalogRebuild = { bundle: recoveredBundle(at), files: [], refused: [] };
  for (const treePath of treePaths) {
    const refuse = (why: string): void => {
      rebuild.refused.push({ from: `${TREE_DIR}/${treePath}`, why: `catalog rebuild: ${why}` });
    };
    let tree: TreePath;
    try {
      tree = parseTreePath(treePath);
    } catch (error) {
      refuse(`not in the GOPROXY layout (${(error as Error).message})`);
      continue;
    }
    if (tree.kind === 'list' || tree.version === undefined) {
      refuse('a list file, which the store does not keep (it answers @v/list from the catalog)');
      continue;
    }
    const file = treeFile(layout, treePath);
    const checked = await checkContent(file, tree.modulePath, tree.version, tree.kind);
    if ('problem' in checked) {
      refuse(checked.problem);
      continue;
    }
    const size = (await stat(file)).size;
    const sha256 = await sha256HexOf(createReadStream(file));
    rebuild.files.push({ path: treePath, modulePath: tree.modulePath, version: tree.version, kind: tree.kind, size, sha256, ...checked });
  }
  return rebuild;
}

/** The file's go.sum hash (none for an .info), or why it cannot be a row of the catalog. */
async function checkContent(file: string, modulePath: string, version: string, kind: 'info' | 'mod' | 'zip'): Promise<{ h1?: string } | { problem: string }> {
  if (kind === 'mod') return { h1: await hashGoModFile(file) };
  if (kind === 'zip') {
    try {
      return { h1: (await inspectModuleZip(file, { path: modulePath, version })).h1 };
    } catch (error) {
      return { problem: `not a valid module zip of ${modulePath}@${version} (${(error as Error).message})` };
    }
  }
  const info = parseJson(await readFile(file, 'utf8')) as { Version?: unknown } | null | undefined;
  if (typeof info !== 'object' || info === null || info.Version !== version) {
    return { problem: `not the .info of ${version} (no JSON object with "Version": "${version}")` };
  }
  return {};
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
