/**
 * Proofs against a signed tree head from hash tiles, as golang.org/x/mod/sumdb's client makes them
 * (tlog.TileHashReader, CheckRecord, CheckTree): the tiles of the tree's right edge must combine into
 * the head's root hash, and every other tile must hash to the entry its parent holds for it, so one
 * forged tile is caught whichever it is. Tiles are keyed by their path (`tile/8/<L>/<N>[.p/<W>]`).
 */
import { tilePath } from '../../../shared/sumdb/sumdbPath';
import {
  isFullTile,
  maxpow2,
  storedHashIndex,
  tileForIndex,
  tileParent,
  tileReadPlan,
  treeProofIndexes,
  treeRootIndexes,
  type Tile,
} from '../../../shared/sumdb/tiles';
import type { TreeHead } from '../../../shared/sumdb/treeNote';
import { ModFerryError } from '../errors/modferryError';
import { hashFromTile, nodeHash, recordHash, tileHash } from './tlogHash';

export interface ProvenTile {
  tile: Tile;
  data: Uint8Array;
}

/** Where a proof failed, for the error's message: the database name. */
export interface ProofSubject {
  database: string;
  module?: string;
  version?: string;
}

/**
 * Checks every tile against the head: the edge tiles against its root hash, each other tile against
 * its parent (which must be among them). Throws a ModFerryError naming the tile at fault.
 */
export function verifyTiles(head: TreeHead, tiles: ReadonlyMap<string, ProvenTile>, subject: ProofSubject): void {
  const refuse = (reason: string): ModFerryError => proofError(subject, reason);
  const lookup = (tile: Tile): ProvenTile => {
    const found = tiles.get(tilePath(tile));
    if (found === undefined) throw refuse(`tile ${tilePath(tile)} is missing, needed to prove a tree of ${head.size} records`);
    if (found.data.length !== tile.width * 32) throw refuse(`tile ${tilePath(tile)} is ${found.data.length} bytes, not ${tile.width * 32}`);
    return found;
  };
  const edge = new Set<string>();
  const rootIndexes = treeRootIndexes(head.size);
  const edgeHashes = rootIndexes.map((index) => {
    const tile = tileParent(tileForIndex(index).tile, 0, head.size)!;
    edge.add(tilePath(tile));
    return hashFromTile(tile, lookup(tile).data, index);
  });
  if (head.size > 0) {
    let root = edgeHashes.at(-1)!;
    for (let i = edgeHashes.length - 2; i >= 0; i--) root = nodeHash(edgeHashes[i]!, root);
    if (!root.equals(head.hash)) throw refuse(`the right-edge tiles (${[...edge].join(', ')}) do not hash to the signed tree head of ${head.size} records (forged or damaged)`);
  }
  for (const [path, { tile, data }] of tiles) {
    if (edge.has(path)) continue;
    const parent = tileParent(tile, 1, head.size);
    const within = tileParent(tile, 0, head.size);
    if (!isFullTile(tile) || parent === undefined || within === undefined || within.width !== tile.width) {
      throw refuse(`tile ${path} is not part of a tree of ${head.size} records`);
    }
    const expected = hashFromTile(parent, lookup(parent).data, storedHashIndex(parent.level * 8, tile.n));
    if (!tileHash(data).equals(expected)) throw refuse(`tile ${path} does not match its parent ${tilePath(parent)} (forged or damaged)`);
  }
}

/**
 * The stored hashes at `indexes`, read from tiles already checked by verifyTiles against a tree of
 * `treeSize` records.
 */
export function hashesFromTiles(treeSize: number, indexes: readonly number[], tiles: ReadonlyMap<string, ProvenTile>, subject: ProofSubject): Buffer[] {
  const plan = tileReadPlan(treeSize, indexes);
  return indexes.map((index, i) => {
    const tile = plan.tiles[plan.indexTiles[i]!]!;
    const found = tiles.get(tilePath(tile));
    if (found === undefined) throw proofError(subject, `tile ${tilePath(tile)} is missing, needed to prove a tree of ${treeSize} records`);
    return hashFromTile(tile, found.data, index);
  });
}

/** The record's text is record `id` of the tree whose verified tiles these are. */
export function checkRecord(head: TreeHead, record: { id: number; text: string }, tiles: ReadonlyMap<string, ProvenTile>, subject: ProofSubject): void {
  if (!(record.id < head.size)) throw proofError(subject, `record ${record.id} is not in the signed tree of ${head.size} records`);
  const [stored] = hashesFromTiles(head.size, [storedHashIndex(0, record.id)], tiles, subject);
  if (!stored!.equals(recordHash(record.text))) throw proofError(subject, `record ${record.id} is not the one the signed tree holds (forged or damaged)`);
}

/**
 * tlog.CheckTree with the proof read from verified tiles of the newer tree: the older head's tree is
 * a prefix of the newer one, so a database that forked its log is caught.
 */
export function checkTreeConsistency(newer: TreeHead, older: TreeHead, tiles: ReadonlyMap<string, ProvenTile>, subject: ProofSubject): void {
  if (older.size > newer.size) throw proofError(subject, `a tree of ${older.size} records cannot be a prefix of one of ${newer.size}`);
  if (older.size === 0) return;
  const hashes = hashesFromTiles(newer.size, treeProofIndexes(newer.size, older.size), tiles, subject);
  const proof = treeProof(0, newer.size, older.size, hashes);
  const result = runTreeProof(proof, 0, newer.size, older.size, Buffer.from(older.hash));
  if (result === undefined || !result.oldHash.equals(older.hash) || !result.newHash.equals(newer.hash)) {
    throw proofError(subject, `the signed tree heads of ${older.size} and ${newer.size} records are not of one log (the database forked it)`);
  }
}

/** tlog's treeProof: the proof's hashes from the stored hashes treeProofIndexes named, consumed in order. */
function treeProof(lo: number, hi: number, n: number, hashes: Buffer[]): Buffer[] {
  if (n === hi) return lo === 0 ? [] : [subTreeHash(lo, hi, hashes)];
  const { k } = maxpow2(hi - lo);
  if (n <= lo + k) {
    const proof = treeProof(lo, lo + k, n, hashes);
    return [...proof, subTreeHash(lo + k, hi, hashes)];
  }
  const th = subTreeHash(lo, lo + k, hashes);
  return [...treeProof(lo + k, hi, n, hashes), th];
}

/** tlog's subTreeHash: folds the hashes of the complete subtrees of [lo, hi), taking them off the front of hashes. */
function subTreeHash(lo: number, hi: number, hashes: Buffer[]): Buffer {
  let count = 0;
  for (; lo < hi; count++) lo += maxpow2(hi - lo + 1).k;
  const taken = hashes.splice(0, count);
  let hash = taken.at(-1)!;
  for (let i = taken.length - 2; i >= 0; i--) hash = nodeHash(taken[i]!, hash);
  return hash;
}

function runTreeProof(proof: Buffer[], lo: number, hi: number, n: number, old: Buffer): { oldHash: Buffer; newHash: Buffer } | undefined {
  if (n === hi) {
    if (lo === 0) return proof.length === 0 ? { oldHash: old, newHash: old } : undefined;
    return proof.length === 1 ? { oldHash: proof[0]!, newHash: proof[0]! } : undefined;
  }
  if (proof.length === 0) return undefined;
  const last = proof.at(-1)!;
  const { k } = maxpow2(hi - lo);
  if (n <= lo + k) {
    const inner = runTreeProof(proof.slice(0, -1), lo, lo + k, n, old);
    return inner && { oldHash: inner.oldHash, newHash: nodeHash(inner.newHash, last) };
  }
  const inner = runTreeProof(proof.slice(0, -1), lo + k, hi, n, old);
  return inner && { oldHash: nodeHash(last, inner.oldHash), newHash: nodeHash(last, inner.newHash) };
}

function proofError(subject: ProofSubject, reason: string): ModFerryError {
  return new ModFerryError('upstream', `checksum database ${subject.database}: ${reason}`, { module: subject.module, version: subject.version });
}
