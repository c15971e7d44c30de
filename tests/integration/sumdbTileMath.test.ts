import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { formatSumdbPath, parseSumdbPath, tilePath } from '../../shared/sumdb/sumdbPath';
import { parseSignedTreeNote } from '../../shared/sumdb/treeNote';
import { encodeBase64 } from '../../shared/sumdb/base64';
import {
  edgeTiles,
  recordTiles,
  splitStoredHashIndex,
  storedHashCount,
  storedHashIndex,
  tileBytes,
  tileForIndex,
  tilesFromLevel,
  treeProofTiles,
} from '../../shared/sumdb/tiles';
import { decodeBase64 } from '../../shared/sumdb/base64';
import { fullTileOf, type Tile } from '../../shared/sumdb/tiles';
import { checkRecord, checkTreeConsistency, verifyTiles, type ProvenTile } from '../../electron/core/sumdb/tileProofs';
import { parseVerifierKey, verifyNoteSignature } from '../../electron/core/sumdb/verifierKey';
import { ModFerryError } from '../../electron/core/errors/modferryError';
import { makeTempDir } from '../support/bundleSources';
import { requireGo } from '../support/goCommand';
import { writeTlogCases, type TlogCases } from '../support/tlogCases';
import { filesUnder } from '../support/filesUnder';

// Trees from one record to past 65,536 (the first level-2 hash), around every tile boundary.
const SIZES = [1, 2, 3, 7, 8, 255, 256, 257, 300, 511, 512, 513, 600, 65535, 65536, 65537, 65793, 70000];

test('tile math against golang.org/x/mod/sumdb/tlog', { timeout: 180_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('tlog-cases');
  t.after(cleanup);
  const cases: TlogCases = await writeTlogCases(dir, SIZES);

  await t.test('stored hash indexes split, count and map to tiles and byte ranges as tlog does', () => {
    assert.ok(cases.indexes.length > 14);
    for (const c of cases.indexes) {
      assert.deepEqual(splitStoredHashIndex(c.index), { level: c.level, n: c.n }, `split ${c.index}`);
      assert.equal(storedHashIndex(c.level, c.n), c.index);
      const { tile, start, end } = tileForIndex(c.index);
      assert.equal(tilePath(tile), c.tile, `tile of ${c.index}`);
      assert.deepEqual([start, end], [c.start, c.end], `bytes of ${c.index}`);
    }
    for (const [size, count] of cases.counts) assert.equal(storedHashCount(size), count, `count of ${size}`);
  });

  await t.test('a record check reads exactly the tiles tlog reads, at every tree size', () => {
    let checked = 0;
    for (const size of cases.sizes) {
      assert.deepEqual(edgeTiles(size.size).map(tilePath), size.edge, `edge of ${size.size}`);
      for (const record of size.records) {
        assert.deepEqual(recordTiles(size.size, record.id).map(tilePath), record.tiles ?? [], `record ${record.id} of ${size.size}`);
        checked++;
      }
    }
    assert.ok(checked > 150, `${checked} record cases`);
  });

  await t.test('a tree proof reads exactly the tiles tlog reads, at every pair of sizes', () => {
    let checked = 0;
    for (const size of cases.sizes) {
      for (const tree of size.trees) {
        assert.deepEqual(treeProofTiles(size.size, tree.old).map(tilePath), tree.tiles ?? [], `tree ${tree.old} in ${size.size}`);
        checked++;
      }
    }
    assert.ok(checked > 100, `${checked} tree cases`);
  });

  await t.test('signed tree heads parse to the size and hash tlog signed', () => {
    for (const size of cases.sizes) {
      const note = parseSignedTreeNote(size.note);
      assert.equal(note.size, size.size);
      assert.equal(encodeBase64(note.hash), size.hash);
      assert.equal(note.signatures.length, 1);
      assert.equal(note.signatures[0]!.name, 'tlog.test');
      assert.equal(note.signatures[0]!.signature.length, 64);
    }
  });

  // The tiles on disk are those of the largest tree: a smaller tree's partial tile is a prefix of one of them.
  const readTiles = async (tiles: readonly Tile[]): Promise<Map<string, ProvenTile>> => {
    const map = new Map<string, ProvenTile>();
    for (const tile of tiles) {
      const own = await readFile(path.join(dir, tilePath(tile))).catch(() => undefined);
      const data = own ?? (await readFile(path.join(dir, tilePath(fullTileOf(tile))))).subarray(0, tileBytes(tile));
      map.set(tilePath(tile), { tile, data });
    }
    return map;
  };
  const headOf = (size: TlogCases['sizes'][number]) => ({ size: size.size, hash: decodeBase64(size.hash)! });

  await t.test('records verify against the signed head through their tiles, at every tree size (tileProofs)', async () => {
    const key = parseVerifierKey(cases.vkey);
    for (const size of cases.sizes) {
      verifyNoteSignature(parseSignedTreeNote(size.note), key);
      for (const record of size.records) {
        const tiles = await readTiles(recordTiles(size.size, record.id));
        verifyTiles(headOf(size), tiles, { database: 'tlog.test' });
        checkRecord(headOf(size), record, tiles, { database: 'tlog.test' });
        assert.throws(() => checkRecord(headOf(size), { id: record.id, text: record.text.replace('v1.0.0', 'v1.0.1') }, tiles, { database: 'tlog.test' }), /record \d+ is not the one the signed tree holds/);
      }
    }
  });

  await t.test('older trees are proven prefixes of newer ones; a wrong older hash is refused (checkTreeConsistency)', async () => {
    for (const size of cases.sizes) {
      for (const tree of size.trees) {
        const tiles = await readTiles([...edgeTiles(size.size), ...treeProofTiles(size.size, tree.old)]);
        verifyTiles(headOf(size), tiles, { database: 'tlog.test' });
        checkTreeConsistency(headOf(size), { size: tree.old, hash: decodeBase64(tree.hash)! }, tiles, { database: 'tlog.test' });
        const wrong = Buffer.from(decodeBase64(tree.hash)!);
        wrong[0]! ^= 1;
        assert.throws(() => checkTreeConsistency(headOf(size), { size: tree.old, hash: wrong }, tiles, { database: 'tlog.test' }), /not of one log/);
      }
    }
  });

  await t.test('a forged tile, anywhere, and a wrong signature are refused, naming what', async () => {
    const size = cases.sizes.find((c) => c.size === 70000)!;
    const tiles = await readTiles(recordTiles(70000, 5));
    assert.deepEqual([...tiles.keys()], ['tile/8/2/000.p/1', 'tile/8/1/001.p/17', 'tile/8/0/273.p/112', 'tile/8/1/000', 'tile/8/0/000']);
    for (const [forged, reason] of [
      ['tile/8/0/000', /tile tile\/8\/0\/000 does not match its parent tile\/8\/1\/000/],
      ['tile/8/1/000', /tile tile\/8\/1\/000 does not match its parent tile\/8\/2\/000.p\/1/],
      ['tile/8/0/273.p/112', /right-edge tiles .* do not hash to the signed tree head/],
    ] as const) {
      const copy = new Map(tiles);
      const data = Buffer.from(copy.get(forged)!.data);
      data[40]! ^= 0x20;
      copy.set(forged, { ...copy.get(forged)!, data });
      assert.throws(() => verifyTiles(headOf(size), copy, { database: 'tlog.test' }), (e: unknown) => e instanceof ModFerryError && e.kind === 'upstream' && reason.test(e.message), forged);
    }
    const missing = new Map(tiles);
    missing.delete('tile/8/1/000');
    assert.throws(() => verifyTiles(headOf(size), missing, { database: 'tlog.test' }), /tile tile\/8\/1\/000 is missing/);

    const key = parseVerifierKey(cases.vkey);
    const note = parseSignedTreeNote(size.note);
    assert.throws(() => verifyNoteSignature({ ...note, text: note.text.replace('70000', '70001') }, key), /signature is not valid for the key/);
    assert.throws(() => verifyNoteSignature({ ...note, signatures: note.signatures.map((sig) => ({ ...sig, keyHash: sig.keyHash ^ 1 })) }, key), /carries no signature by the key/);
    assert.throws(() => parseVerifierKey(cases.vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), /key hash does not match/);
    assert.throws(() => parseVerifierKey('tlog.test'), /expected <name>\+<8 hex digits>\+<base64 key>/);
  });

  await t.test('every tile path tlog writes parses back to a tile of the right size, and level-1+ tiles are the ones tlog has', async () => {
    const files = await filesUnder(path.join(dir, 'tile'));
    assert.ok(files.length > 400);
    for (const tileFile of files) {
      const file = path.join(dir, 'tile', tileFile);
      const relative = `sumdb/tlog.test/tile/${tileFile}`;
      const parsed = parseSumdbPath(relative);
      assert.equal(formatSumdbPath(parsed), relative);
      assert.ok(parsed.kind === 'tile');
      assert.equal((await stat(file)).size, tileBytes(parsed.tile), relative);
    }
    const largest = SIZES.at(-1)!;
    const onDisk = new Set(files.map((tileFile) => `tile/${tileFile}`));
    const upper = tilesFromLevel(largest, 1).map(tilePath);
    assert.ok(upper.some((p) => p.startsWith('tile/8/2/')), 'reaches level 2');
    for (const p of upper) assert.ok(onDisk.has(p), p);
  });
});
