/**
 * Which hash tiles the go command asks for to check a record against a tree head, worked out as
 * golang.org/x/mod/sumdb/tlog's tileHashReader plans them: the tiles holding the tree's complete
 * subtree roots (its right edge), each as wide as the tree allows at its level, then the record's
 * level-0 tile and its parents up to the first of those. A tile's hashes are the tree's hashes at
 * level 8L; a `.p/W` tile is the first W of a full one.
 */
import { TILE_HEIGHT, TILE_WIDTH, type HashTile } from './proofPath';

/** The tiles whose hashes recompute the root of a tree of `size` records (tlog's subTreeIndex(0, size)). */
export function rightEdgeTiles(size: number): HashTile[] {
  const tiles = new Map<string, HashTile>();
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (start + width > size) continue;
    // The subtree of 2^level records starting at record `start`: its root is hash `start / width` at that level.
    const tile = widest(tileHolding(level, start / width), size);
    tiles.set(keyOf(tile), tile);
    start += width;
  }
  return [...tiles.values()];
}

/** Every tile the go command reads to prove record `id` against a tree of `size` records. */
export function recordProofTiles(id: number, size: number): HashTile[] {
  if (id >= size) return [];
  const edge = rightEdgeTiles(size);
  const have = new Set(edge.map(keyOf));
  const tiles = [...edge];
  const bottom = tileHolding(0, id);
  for (let up = 0; ; up++) {
    const parent = parentTile(bottom, up, size);
    if (parent === undefined || have.has(keyOf(parent))) break;
    have.add(keyOf(parent));
    tiles.push(parent);
  }
  return tiles;
}

/** The tile (at its narrowest) holding the hash `index` at tree level `level`. */
function tileHolding(level: number, index: number): HashTile {
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const within = level - tileLevel * TILE_HEIGHT;
  const bottomIndex = index * 2 ** within;
  const tileIndex = Math.floor(bottomIndex / TILE_WIDTH);
  return { level: tileLevel, index: tileIndex, width: (index + 1) * 2 ** within - tileIndex * TILE_WIDTH };
}

/** tlog's tileParent(t, up, size): `up` tile levels above, as wide as a tree of `size` records allows. */
function parentTile(tile: HashTile, up: number, size: number): HashTile | undefined {
  const level = tile.level + up;
  const index = Math.floor(tile.index / TILE_WIDTH ** up);
  const hashes = Math.floor(size / 2 ** (level * TILE_HEIGHT));
  if (index * TILE_WIDTH >= hashes) return undefined;
  return { level, index, width: Math.min(TILE_WIDTH, hashes - index * TILE_WIDTH) };
}

function widest(tile: HashTile, size: number): HashTile {
  const parent = parentTile(tile, 0, size);
  if (parent === undefined) throw new Error(`tile ${keyOf(tile)} lies outside a tree of ${size} records`);
  return parent;
}

export function keyOf(tile: HashTile): string {
  return `${tile.level}/${tile.index}`;
}
