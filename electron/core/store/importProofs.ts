/**
 * The checksum-database proofs of a verified bundle, made ready for the commit: its tree heads, each
 * checked against the heads the store holds (a same-size head with another hash, or a head whose log
 * the tiles prove is not the store's, is a fork and refuses the import), and its staged proof files
 * with what the catalog records of them.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { encodeBase64 } from '../../../shared/sumdb/base64';
import { parseRecordEntry } from '../../../shared/sumdb/lookupRecord';
import type { Tile } from '../../../shared/sumdb/tiles';
import { parseSignedTreeNote } from '../../../shared/sumdb/treeNote';
import { forkError, type CatalogProofs, type ProofHead } from './catalogProofs';
import type { StagedProofs } from './commitImport';
import type { JournalProof } from './commitJournal';
import type { DiskStore } from './diskStore';
import { checkHeadConsistency } from './headConsistency';
import type { StagingArea } from './stagingArea';

/**
 * The verified bundle's tree heads and staged proof files as the catalog records them. A head of a
 * size the store holds with another hash is a fork: refused here, before anything moves.
 */
export async function stagedProofs(staging: StagingArea, bundleId: string, store: DiskStore): Promise<StagedProofs> {
  const held = store.catalog.proofs;
  const heads: ProofHead[] = [];
  for (const landed of staging.heads) {
    const note = landed.content.toString('utf8');
    const head = parseSignedTreeNote(note);
    const proofHead = { db: landed.db, size: head.size, hash: encodeBase64(head.hash), note };
    const same = held.head(landed.db, head.size);
    if (same !== undefined && same.hash !== proofHead.hash) throw forkError(proofHead, same.hash, bundleId);
    const newest = held.heads(landed.db)[0];
    if (newest !== undefined) await checkHeadConsistency(proofHead, newest, (tile) => tileBytesOf(staging, store, landed.db, tile), bundleId);
    heads.push(proofHead);
  }
  const files = staging.stagedProofs.map(({ path, proof, staged, size, sha256, content }): JournalProof =>
    proof.kind === 'lookup'
      ? { db: proof.name, path, kind: 'lookup', modulePath: proof.modulePath, version: proof.version, recordId: parseRecordEntry(content.toString('utf8')).id, size, sha256, staged }
      : { db: proof.name, path, kind: 'tile', tile: proof.tile, size, sha256, staged },
  );
  return { heads, files };
}

/** A tile at least as wide as asked: one the bundle brought, else the store's (when its bytes are still the catalog's). */
async function tileBytesOf(staging: StagingArea, store: DiskStore, db: string, tile: Tile): Promise<Buffer | undefined> {
  const staged = staging.stagedProofs.find(({ proof }) => proof.kind === 'tile' && proof.name === db && proof.tile.level === tile.level && proof.tile.n === tile.n && proof.tile.width >= tile.width);
  if (staged !== undefined) return staged.content;
  const held = store.proofs.tile(db, tile);
  if (held === undefined) return undefined;
  const bytes = await readFile(held.file).catch(() => undefined);
  return bytes !== undefined && createHash('sha256').update(bytes).digest('hex') === held.sha256 ? bytes : undefined;
}

export function newestHeads(proofs: CatalogProofs): Array<{ db: string; size: number }> {
  return proofs.databases().flatMap((db) => proofs.heads(db).slice(0, 1).map((head) => ({ db, size: head.size })));
}
