/**
 * The tile math of a checksum database's log (golang.org/x/mod/sumdb/tlog): where each hash of
 * the Merkle tree is stored, which hash tiles hold it, and which tiles a client reads to prove a
 * record or a tree against a signed tree head. No hashing here: core checks the tiles' contents.
 *
 * Hashes are numbered by "stored hash index": the order in which a log appends them (each record's
 * hash, then the hashes of the subtrees that record completes). Indexes stay far below 2^53, but
 * above 2^31, so the arithmetic avoids JavaScript's 32-bit shift operators.
 */

/** Every checksum database the go command talks to uses tiles of height 8 (256 hashes). */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
export const HASH_BYTES = 32;

/** A hash tile: the hashes `n*256 .. n*256+width-1` of level `level*8` of the tree. */
export interface Tile {
  /** Tile level: level 0 holds record hashes, level 1 the roots of 256-record subtrees, and so on. */
  level: number;
  /** Number of the tile within its level. */
  n: number;
  /** How many hashes it holds: 256 for a full tile, fewer for the right edge of a tree. */
  width: number;
}

export function isFullTile(tile: Tile): boolean {
  return tile.width === TILE_WIDTH;
}

/** The full tile a partial one is a prefix of. */
export function fullTileOf(tile: Tile): Tile {
  return { level: tile.level, n: tile.n, width: TILE_WIDTH };
}

/** Bytes of a tile of this width; a partial tile is exactly that prefix of the full one. */
export function tileBytes(tile: Tile): number {
  return tile.width * HASH_BYTES;
}

export function sameTile(a: Tile, b: Tile): boolean {
  return a.level === b.level && a.n === b.n && a.width === b.width;
}

/** tlog.StoredHashIndex: where the hash of the n-th subtree of 2^level records is stored. */
export function storedHashIndex(level: number, n: number): number {
  for (let l = level; l > 0; l--) n = 2 * n + 1;
  let index = 0;
  for (; n > 0; n = shr(n, 1)) index += n;
  return index + level;
}

/** tlog.SplitStoredHashIndex: the inverse of storedHashIndex. */
export function splitStoredHashIndex(index: number): { level: number; n: number } {
  let n = Math.floor(index / 2);
  let indexN = storedHashIndex(0, n);
  for (;;) {
    const next = indexN + 1 + trailingZeros(n + 1);
    if (next > index) break;
    n++;
    indexN = next;
  }
  const level = index - indexN;
  return { level, n: shr(n, level) };
}

/** tlog.StoredHashCount: how many hashes a tree of `size` records stores. */
export function storedHashCount(size: number): number {
  if (size === 0) return 0;
  let count = storedHashIndex(0, size - 1) + 1;
  for (let i = size - 1; i % 2 === 1; i = shr(i, 1)) count++;
  return count;
}

/**
 * The tile holding a stored hash (as narrow as that hash allows) and the byte range of the hash's
 * value inside the tile's data: a hash at a level between tile levels is the root of a run of
 * hashes of the tile, so its range covers that run.
 */
export function tileForIndex(index: number): { tile: Tile; start: number; end: number } {
  const split = splitStoredHashIndex(index);
  const tileLevel = Math.floor(split.level / TILE_HEIGHT);
  const levelInTile = split.level - tileLevel * TILE_HEIGHT;
  const n = shr(shl(split.n, levelInTile), TILE_HEIGHT);
  const within = split.n - shr(shl(n, TILE_HEIGHT), levelInTile);
  const tile = { level: tileLevel, n, width: shl(within + 1, levelInTile) };
  return { tile, start: shl(within, levelInTile) * HASH_BYTES, end: shl(within + 1, levelInTile) * HASH_BYTES };
}

/**
 * tileParent: the tile `k` levels above, as wide as a tree of `treeSize` records makes it;
 * undefined when the tree does not reach it.
 */
export function tileParent(tile: Tile, k: number, treeSize: number): Tile | undefined {
  const level = tile.level + k;
  const n = shr(tile.n, k * TILE_HEIGHT);
  const max = shr(treeSize, level * TILE_HEIGHT);
  const start = shl(n, TILE_HEIGHT);
  if (start + TILE_WIDTH < max) return { level, n, width: TILE_WIDTH };
  if (start >= max) return undefined;
  return { level, n, width: max - start };
}

/** The stored hashes whose combination is the root of a tree of `size` records (tlog's subTreeIndex(0, size)). */
export function treeRootIndexes(size: number): number[] {
  return subTreeIndex(0, size, []);
}

/** The stored hashes a record proof of record `id` in a tree of `size` records is made of (tlog.ProveRecord). */
export function recordProofIndexes(size: number, id: number): number[] {
  if (!(id >= 0 && id < size)) throw new RangeError(`record ${id} is not in a tree of ${size} records`);
  return leafProofIndex(0, size, id, []);
}

/** The stored hashes a proof that a tree of `oldSize` records is a prefix of one of `size` records is made of (tlog.ProveTree). */
export function treeProofIndexes(size: number, oldSize: number): number[] {
  if (!(oldSize >= 1 && oldSize <= size)) throw new RangeError(`a tree of ${oldSize} records cannot be proven against one of ${size}`);
  return treeProofIndex(0, size, oldSize, []);
}

/**
 * The tiles tlog's TileHashReader reads to give the hashes at `indexes` of a tree of `treeSize`
 * records, in its order: first the tiles of the tree's right edge (`edge` of them, checked against
 * the tree's root hash), then each remaining tile before the ones below it, every one checked
 * against its parent. `indexTiles[i]` is the position of the tile holding `indexes[i]`.
 */
export interface TileReadPlan {
  tiles: Tile[];
  /** The first `edge` tiles are the right-edge tiles; their hashes at `rootIndexes` combine into the root. */
  edge: number;
  rootIndexes: number[];
  rootTiles: number[];
  indexTiles: number[];
}

export function tileReadPlan(treeSize: number, indexes: readonly number[]): TileReadPlan {
  const tiles: Tile[] = [];
  const position = new Map<string, number>();
  const add = (tile: Tile): number => {
    const at = tiles.length;
    tiles.push(tile);
    position.set(tileKey(tile), at);
    return at;
  };
  const rootIndexes = treeRootIndexes(treeSize);
  const rootTiles = rootIndexes.map((index) => {
    const edgeTile = tileParent(tileForIndex(index).tile, 0, treeSize)!;
    return position.get(tileKey(edgeTile)) ?? add(edgeTile);
  });
  const edge = tiles.length;
  const limit = storedHashIndex(0, treeSize);
  const indexTiles = indexes.map((index) => {
    if (!(index >= 0 && index < limit)) throw new RangeError(`hash ${index} is not in a tree of ${treeSize} records`);
    const tile = tileForIndex(index).tile;
    let k = 0;
    let found: number | undefined;
    for (; ; k++) {
      const parent = tileParent(tile, k, treeSize);
      if (parent === undefined) throw new Error(`tile math: hash ${index} of a tree of ${treeSize} records has no parent on the tree's edge`);
      found = position.get(tileKey(parent));
      if (found !== undefined) break;
    }
    let own = k === 0 ? found : -1;
    for (k--; k >= 0; k--) {
      const at = add(tileParent(tile, k, treeSize)!);
      if (k === 0) own = at;
    }
    return own;
  });
  return { tiles, edge, rootIndexes, rootTiles, indexTiles };
}

/** The tiles a client reads to check record `id` against a tree of `treeSize` records (sumdb Client.checkRecord). */
export function recordTiles(treeSize: number, id: number): Tile[] {
  return tileReadPlan(treeSize, [storedHashIndex(0, id)]).tiles;
}

/** The tiles a client reads to prove a tree of `oldSize` records consistent with one of `treeSize` (sumdb Client.checkTrees). */
export function treeProofTiles(treeSize: number, oldSize: number): Tile[] {
  const indexes = treeProofIndexes(treeSize, oldSize);
  // tlog.ProveTree reads nothing when the proof is empty (the same tree).
  return indexes.length === 0 ? [] : tileReadPlan(treeSize, indexes).tiles;
}

/** The right-edge tiles of a tree: the ones whose hashes make its root, each as wide as the tree makes it. */
export function edgeTiles(treeSize: number): Tile[] {
  const plan = tileReadPlan(treeSize, []);
  return plan.tiles.slice(0, plan.edge);
}

/** Every tile of level `fromLevel` and above of a tree of `treeSize` records, as wide as that tree makes them. */
export function tilesFromLevel(treeSize: number, fromLevel: number): Tile[] {
  const tiles: Tile[] = [];
  for (let level = fromLevel; shr(treeSize, level * TILE_HEIGHT) > 0; level++) {
    const hashes = shr(treeSize, level * TILE_HEIGHT);
    const full = shr(hashes, TILE_HEIGHT);
    for (let n = 0; n < full; n++) tiles.push({ level, n, width: TILE_WIDTH });
    const rest = hashes - shl(full, TILE_HEIGHT);
    if (rest > 0) tiles.push({ level, n: full, width: rest });
  }
  return tiles;
}

/** A key that tells tiles apart, width included. */
export function tileKey(tile: Tile): string {
  return `${tile.level}/${tile.n}/${tile.width}`;
}

function subTreeIndex(lo: number, hi: number, need: number[]): number[] {
  while (lo < hi) {
    const { k, level } = maxpow2(hi - lo + 1);
    need.push(storedHashIndex(level, shr(lo, level)));
    lo += k;
  }
  return need;
}

function leafProofIndex(lo: number, hi: number, n: number, need: number[]): number[] {
  if (lo + 1 === hi) return need;
  const { k } = maxpow2(hi - lo);
  if (n < lo + k) {
    leafProofIndex(lo, lo + k, n, need);
    subTreeIndex(lo + k, hi, need);
  } else {
    subTreeIndex(lo, lo + k, need);
    leafProofIndex(lo + k, hi, n, need);
  }
  return need;
}

function treeProofIndex(lo: number, hi: number, n: number, need: number[]): number[] {
  if (n === hi) return lo === 0 ? need : subTreeIndex(lo, hi, need);
  const { k } = maxpow2(hi - lo);
  if (n <= lo + k) {
    treeProofIndex(lo, lo + k, n, need);
    subTreeIndex(lo + k, hi, need);
  } else {
    subTreeIndex(lo, lo + k, need);
    treeProofIndex(lo + k, hi, n, need);
  }
  return need;
}

/** The largest power of two smaller than n (tlog's maxpow2), and its exponent. */
export function maxpow2(n: number): { k: number; level: number } {
  let level = 0;
  while (2 ** (level + 1) < n) level++;
  return { k: 2 ** level, level };
}

function shr(n: number, bits: number): number {
  return Math.floor(n / 2 ** bits);
}

function shl(n: number, bits: number): number {
  return n * 2 ** bits;
}

function trailingZeros(n: number): number {
  let zeros = 0;
  for (; n > 0 && n % 2 === 0; n /= 2) zeros++;
  return zeros;
}
