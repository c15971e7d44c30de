/**
 * The checksum database as the offline proxy serves it from the store's proofs, so the go command
 * verifies every module exactly as it would online, with only GOPROXY changed:
 *
 * - `supported`: 200 for a database the store holds proofs of; a 404 sends the go command to the
 *   database itself, as a proxy without proofs does;
 * - `lookup/<path>@<version>`: the stored record, a blank line and the newest tree head the record
 *   can be proven against with the tiles held: the store's newest head unless a tile it needs is
 *   missing, then the next newest (at worst the head the record came with);
 * - `tile/8/<L>/<N>[.p/<W>]`: the widest tile held at that place, cut to the width asked (a partial
 *   tile is a byte prefix of any wider one);
 * - everything else (`latest`, data tiles): 404, as the go command never asks for them through a proxy.
 *
 * Every file is checked against the catalog's sha256 as it is read: a proof is a few KB at most.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { recordTiles, TILE_HEIGHT, TILE_WIDTH, tileBytes, type Tile } from '../../../shared/sumdb/tiles';
import type { ProofStore, StoredFile } from '../store/store';
import type { SumdbRequest } from './proxyRequest';
import { StoreFileDamagedError } from './storeFileChecks';

export type SumdbAnswer = { status: 200; body: Buffer; immutable: boolean } | { status: 404; line: string };

export async function answerSumdb(proofs: ProofStore, name: string, request: SumdbRequest): Promise<SumdbAnswer> {
  const held = proofs.databases().includes(name);
  const notHeld = { status: 404, line: `not found: this ModFerry store holds no proofs of the checksum database ${name}` } as const;
  switch (request.kind) {
    case 'supported':
      return held ? { status: 200, body: Buffer.alloc(0), immutable: false } : notHeld;
    case 'other':
      return { status: 404, line: `not found: this proxy serves the checksum database ${name} through lookup and tile requests only` };
    case 'lookup': {
      if (!held) return notHeld;
      const { modulePath, version } = request;
      const record = proofs.lookup(name, modulePath, version);
      if (record === undefined) return { status: 404, line: `not found: this ModFerry store holds no ${name} record of ${modulePath}@${version}` };
      const head = proofs.heads(name).find((candidate) => record.recordId < candidate.size && provable(proofs, name, record.recordId, candidate.size));
      if (head === undefined) return { status: 404, line: `not found: this ModFerry store lacks the ${name} tiles that prove its record of ${modulePath}@${version}` };
      const text = await readChecked(record);
      return { status: 200, body: Buffer.concat([text, Buffer.from(`\n${head.note}`)]), immutable: false };
    }
    case 'tile': {
      if (!held) return notHeld;
      const tile = proofs.tile(name, request.tile);
      if (tile === undefined) return { status: 404, line: missingTile(name, request.tile, proofs.heads(name)[0]?.size ?? 0) };
      const bytes = await readChecked(tile);
      return { status: 200, body: bytes.subarray(0, tileBytes(request.tile)), immutable: true };
    }
  }
}

/**
 * A tile wider than the store's newest tree makes it is one the go command wants to check a newer
 * head it has seen: only a newer bundle can help, and the line says so.
 */
function missingTile(name: string, tile: Tile, newest: number): string {
  const what = `this ModFerry store holds no ${name} tile ${tile.level}/${tile.n} of width ${tile.width}`;
  const hashes = Math.floor(newest / 2 ** (tile.level * TILE_HEIGHT)) - tile.n * TILE_WIDTH;
  if (tile.width <= hashes) return `not found: ${what}`;
  return `not found: ${what}; the go command has seen a newer ${name} tree head than the store's newest (${newest} records): import a newer bundle into the store`;
}

/** Whether every tile the go command reads to prove record `id` against a tree of `size` records is held. */
function provable(proofs: ProofStore, name: string, id: number, size: number): boolean {
  return recordTiles(size, id).every((tile) => proofs.tile(name, tile) !== undefined);
}

async function readChecked(stored: StoredFile): Promise<Buffer> {
  const bytes = await readFile(stored.file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== stored.size || sha256 !== stored.sha256) throw new StoreFileDamagedError(stored.file, stored.sha256, sha256);
  return bytes;
}
