import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
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
import { makeTempDir } from '../support/bundleSources';
import { requireGo } from '../support/goCommand';
import { writeTlogCases, type TlogCases } from '../support/tlogCases';

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

  await t.test('every tile path tlog writes parses back to a tile of the right size, and level-1+ tiles are the ones tlog has', async () => {
    const files = await listFiles(path.join(dir, 'tile'));
    assert.ok(files.length > 400);
    for (const file of files) {
      const relative = `sumdb/tlog.test/tile/${path.relative(path.join(dir, 'tile'), file).split(path.sep).join('/')}`;
      const parsed = parseSumdbPath(relative);
      assert.equal(formatSumdbPath(parsed), relative);
      assert.ok(parsed.kind === 'tile');
      assert.equal((await stat(file)).size, tileBytes(parsed.tile), relative);
    }
    const largest = SIZES.at(-1)!;
    const onDisk = new Set(files.map((file) => path.relative(dir, file).split(path.sep).join('/')));
    const upper = tilesFromLevel(largest, 1).map(tilePath);
    assert.ok(upper.some((p) => p.startsWith('tile/8/2/')), 'reaches level 2');
    for (const p of upper) assert.ok(onDisk.has(p), p);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out;
}
