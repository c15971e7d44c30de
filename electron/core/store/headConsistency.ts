/**
 * Whether a bundle's tree head and the store's newest head of the same database are of one log: the
 * older tree must be a prefix of the newer, proven with the newer tree's tiles (tlog.CheckTree) from
 * the bundle's verified proofs and the store's. A head of another size than any held is only
 * comparable this way; when the tiles the proof needs are not all at hand, the heads are taken as
 * they come (the go command proves them itself, with the tiles it gets), but a proof that fails is a
 * fork, and refuses the import.
 */
import { decodeBase64 } from '../../../shared/sumdb/base64';
import { tilePath } from '../../../shared/sumdb/sumdbPath';
import { tileBytes, treeProofTiles, type Tile } from '../../../shared/sumdb/tiles';
import type { TreeHead } from '../../../shared/sumdb/treeNote';
import { ModFerryError } from '../errors/modferryError';
import { checkTreeConsistency, verifyTiles, type ProvenTile } from '../sumdb/tileProofs';
import type { ProofHead } from './catalogProofs';

/** The bytes of a tile at least as wide as asked, from the bundle or the store; undefined when neither holds one. */
export type TileBytes = (tile: Tile) => Promise<Uint8Array | undefined>;

export async function checkHeadConsistency(bundleHead: ProofHead, storeHead: ProofHead, tileBytesOf: TileBytes, bundleId: string): Promise<void> {
  if (bundleHead.size === storeHead.size) return;
  const [newer, older] = bundleHead.size > storeHead.size ? [bundleHead, storeHead] : [storeHead, bundleHead];
  const tiles = new Map<string, ProvenTile>();
  for (const tile of treeProofTiles(newer.size, older.size)) {
    const bytes = await tileBytesOf(tile);
    if (bytes === undefined) return;
    tiles.set(tilePath(tile), { tile, data: bytes.subarray(0, tileBytes(tile)) });
  }
  const subject = { database: bundleHead.db };
  try {
    verifyTiles(treeHeadOf(newer), tiles, subject);
    checkTreeConsistency(treeHeadOf(newer), treeHeadOf(older), tiles, subject);
  } catch (error) {
    if (!(error instanceof ModFerryError)) throw error;
    throw new ModFerryError(
      'store',
      `the checksum database ${bundleHead.db}'s tree head of ${bundleHead.size} records in bundle ${bundleId} and the store's of ${storeHead.size} ` +
        `are not of one log (${error.reason}); the database forked or one of them is forged, so nothing was imported`,
      { entry: `sumdb/${bundleHead.db}/latest` },
      { cause: error },
    );
  }
}

function treeHeadOf(head: ProofHead): TreeHead {
  const hash = decodeBase64(head.hash);
  if (hash === undefined) throw new Error(`sumdb/${head.db}: the catalog's tree head of ${head.size} records has no valid hash`);
  return { size: head.size, hash };
}
