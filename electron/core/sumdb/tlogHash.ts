/**
 * The hashes of a checksum database's Merkle tree (tlog.RecordHash, NodeHash) and how a stored hash
 * is read out of a hash tile (tlog.HashFromTile): a hash between tile levels is the root of a run of
 * the tile's hashes.
 */
import { createHash } from 'node:crypto';
import { HASH_BYTES, tileBytes, tileForIndex, type Tile } from '../../../shared/sumdb/tiles';
import { tilePath } from '../../../shared/sumdb/sumdbPath';

export function recordHash(text: string | Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(text).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
}

/** The root of the hashes in data (a power-of-two count of them, as tiles hold). */
export function tileHash(data: Uint8Array): Buffer {
  if (data.length === HASH_BYTES) return Buffer.from(data);
  const half = data.length / 2;
  return nodeHash(tileHash(data.subarray(0, half)), tileHash(data.subarray(half)));
}

/** The stored hash `index` out of the data of `tile`; throws when that tile does not hold it. */
export function hashFromTile(tile: Tile, data: Uint8Array, index: number): Buffer {
  if (data.length < tileBytes(tile)) throw new Error(`tile ${tilePath(tile)}: ${data.length} bytes, too short for its width`);
  const { tile: holder, start, end } = tileForIndex(index);
  if (holder.level !== tile.level || holder.n !== tile.n || holder.width > tile.width) {
    throw new Error(`stored hash ${index} is in ${tilePath(holder)}, not ${tilePath(tile)}`);
  }
  return tileHash(data.subarray(start, end));
}
