/**
 * `modferry store check --repair --bundle` restores checksum-database proofs (lookup records and hash
 * tiles) from a real bundle carrying them with the catalog's SHA-256, and names by database and path
 * what no bundle given can restore; a proof of the same path with other bytes is never taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../../electron/cli/main';
import { trustedKeysDir } from '../../electron/core/appDirs/appDirs';
import { trustStore } from '../../electron/core/keys/trustStore';
import { checkStore, storeIsSound } from '../../electron/core/store/checkStore';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { proofFile } from '../../electron/core/store/storeLayout';
import { makeTempDir, testSigningKey, type SourceModule } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { requireGo } from '../support/goCommand';
import { goSumLines, makeProofBundle, makeProofSources, moduleSources, paddingLines } from '../support/proofBundles';
import { useModferryHome } from '../support/modferryHome';

const alpha: SourceModule = { path: 'example.com/alpha', version: 'v1.0.0' };
const beta: SourceModule = { path: 'example.com/beta', version: 'v1.0.0' };
const RECORD_TILE = 'sumdb/sum.test/tile/8/0/001.p/45';
const LEVEL1_TILE = 'sumdb/sum.test/tile/8/1/000.p/1';
const ALPHA_LOOKUP = 'sumdb/sum.test/lookup/example.com/alpha@v1.0.0';
const BETA_LOOKUP = 'sumdb/sum.test/lookup/example.com/beta@v1.0.0';

test('store check --repair --bundle restores damaged and missing proofs from a bundle carrying them, and names what it cannot', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('store-proof-repair');
  t.after(cleanup);
  useModferryHome(t, path.join(dir, 'home'));
  const key = testSigningKey();
  await trustStore(trustedKeysDir()).trustKey(key.publicKey);

  const sources = await moduleSources(dir, 'modules', [alpha, beta]);
  const proofs = await makeProofSources(path.join(dir, 'db', 'sum.test'), [...paddingLines(0, 300), ...goSumLines(sources)]);
  const carried = new Set(proofs.files.map((file) => file.path));
  for (const proofPath of [RECORD_TILE, LEVEL1_TILE, ALPHA_LOOKUP, BETA_LOOKUP]) assert.ok(carried.has(proofPath), `the database has ${proofPath}`);
  const good = await makeProofBundle(dir, 'good', sources, proofs.files, key);
  // The same bundle short of beta's record: it restores the tiles, not the record.
  const withoutBeta = await makeProofBundle(dir, 'without-beta', sources, proofs.files.filter((file) => file.path !== BETA_LOOKUP), key);
  // Another tree of the same database name: beta's record under the same path with another id, so other bytes.
  const otherProofs = await makeProofSources(path.join(dir, 'db-other', 'sum.test'), [...paddingLines(0, 10), ...goSumLines(sources)], { seed: 'other' });
  const other = await makeProofBundle(dir, 'other', sources, otherProofs.files, key);

  const storeDir = path.join(dir, 'store');
  const store = openStore(storeDir, { mode: 'write' });
  try {
    await importBundle(good.bundleDir, { store, trust: () => true });
  } finally {
    store.close();
  }
  const held = openStore(storeDir, { mode: 'read' });
  const layout = held.layout;
  held.close();
  const original = new Map(await Promise.all([RECORD_TILE, LEVEL1_TILE, ALPHA_LOOKUP, BETA_LOOKUP].map(async (p) => [p, await readFile(proofFile(layout, p))] as const)));

  // A tile damaged, a tile and both records missing, and the tree head's note (kept in the catalog) cut short.
  const damagedTile = Buffer.from(original.get(RECORD_TILE)!);
  damagedTile[0]! ^= 0xff;
  await writeFile(proofFile(layout, RECORD_TILE), damagedTile);
  for (const p of [LEVEL1_TILE, ALPHA_LOOKUP, BETA_LOOKUP]) await rm(proofFile(layout, p));
  const head = await readFile(path.join(proofs.dir, 'latest'), 'utf8');
  const cutHead = (): void => {
    const catalog = new Database(path.join(storeDir, 'catalog.db'));
    try {
      catalog.prepare('UPDATE sumdb_heads SET note = ? WHERE db = ?').run(head.slice(0, 30), 'sum.test');
    } finally {
      catalog.close();
    }
  };
  cutHead();

  const checked = await cli(['store', 'check', '--store', storeDir]);
  assert.equal(checked.code, 1);
  assert.deepEqual(checked.stdout.slice(0, 5), [
    `damaged: ${RECORD_TILE}: sha256 differs from the catalog`,
    `missing: ${ALPHA_LOOKUP}`,
    `missing: ${BETA_LOOKUP}`,
    `missing: ${LEVEL1_TILE}`,
    'damaged: sumdb/sum.test/latest (the tree head of 302 records, in the catalog): not a signed tree head (signed note has no blank line before its signatures)',
  ]);

  // The other tree's bundle first: its record of beta has other bytes and is not taken; the bundle short of beta's record restores the rest.
  const repaired = await cli(['store', 'check', '--store', storeDir, '--repair', '--bundle', other.bundleDir, '--bundle', withoutBeta.bundleDir]);
  assert.equal(repaired.code, 1, repaired.stderr.join('\n'));
  const id = withoutBeta.manifest.bundleId;
  const lines = repaired.stdout.filter((line) => /^(restored|forgotten): /.test(line));
  assert.deepEqual(lines, [
    `restored: ${ALPHA_LOOKUP} (checksum database sum.test) from ${id}`,
    `restored: ${RECORD_TILE} (checksum database sum.test) from ${id}`,
    `restored: ${LEVEL1_TILE} (checksum database sum.test) from ${id}`,
    `forgotten: ${BETA_LOOKUP} (checksum database sum.test), missing and in no bundle given: import or give with --bundle a bundle that carries it`,
    `restored: sumdb/sum.test/latest (the tree head of 302 records) from ${id}`,
  ]);
  assert.equal(repaired.stdout.at(-1), 'Not fully repaired: 1 checksum database proof is no longer served');
  for (const p of [RECORD_TILE, LEVEL1_TILE, ALPHA_LOOKUP]) assert.deepEqual(await readFile(proofFile(layout, p)), original.get(p), `${p} holds its imported bytes again`);
  assert.equal(existsSync(proofFile(layout, BETA_LOOKUP)), false);

  // The damaged copy is in the quarantine, not deleted; nothing is left in staging.
  const [quarantine] = await readdir(path.join(storeDir, 'quarantine'));
  assert.ok(quarantine !== undefined);
  assert.deepEqual(await readFile(path.join(storeDir, 'quarantine', quarantine, ...RECORD_TILE.split('/'))), damagedTile);
  assert.ok((await readFile(path.join(storeDir, 'quarantine', quarantine, 'QUARANTINE.txt'), 'utf8')).includes(`${RECORD_TILE}: checksum database proof damaged (sha256 differs from the catalog); replaced by a good copy\n`));
  assert.deepEqual((await readdir(layout.staging)).filter((name) => name.startsWith('store-check-')), []);

  // The forgotten record is no longer listed: the store is sound without it, and the good bundle brings it back.
  const after = openStore(storeDir, { mode: 'write' });
  try {
    assert.deepEqual(after.catalog.proofs.heads('sum.test').map((h) => [h.size, h.note]), [[302, head]], 'the head\'s note is the bundle\'s again');
    assert.equal(after.catalog.proofs.file(BETA_LOOKUP), undefined);
    assert.ok(storeIsSound(await checkStore(after.layout, after.catalog)));
    const again = await importBundle(good.bundleDir, { store: after, trust: () => true });
    assert.equal(again.proofs.added, 1);
    assert.deepEqual(await readFile(proofFile(layout, BETA_LOOKUP)), original.get(BETA_LOOKUP));
  } finally {
    after.close();
  }

  // Damaged again, repaired from the good bundle alone: sound, exit 0, and the JSON report names the database.
  await writeFile(proofFile(layout, ALPHA_LOOKUP), 'not a record\n');
  const json = await cli(['store', 'check', '--store', storeDir, '--repair', '--bundle', good.bundleDir, '--json']);
  assert.equal(json.code, 0, json.stderr.join('\n'));
  const report = JSON.parse(json.stdout.at(-1)!) as { sound: boolean; repair: { proofsRestored: unknown[]; proofsForgotten: unknown[] } };
  assert.equal(report.sound, true);
  assert.deepEqual(report.repair.proofsRestored, [{ db: 'sum.test', path: ALPHA_LOOKUP, bundleId: good.manifest.bundleId }]);
  assert.deepEqual(report.repair.proofsForgotten, []);
  assert.deepEqual(await readFile(proofFile(layout, ALPHA_LOOKUP)), original.get(ALPHA_LOOKUP));
  assert.equal((await cli(['store', 'check', '--store', storeDir])).code, 0);

  // A head no bundle given carries is kept as it is and named: a store without its newest head would serve an older one.
  cutHead();
  const unrestored = await cli(['store', 'check', '--store', storeDir, '--repair', '--bundle', other.bundleDir]);
  assert.equal(unrestored.code, 1);
  assert.ok(unrestored.stdout.includes('still damaged: sumdb/sum.test/latest (the tree head of 302 records), kept: give with --bundle a bundle that carries this head to restore it'), unrestored.stdout.join('\n'));
  assert.equal(unrestored.stdout.at(-1), 'Not fully repaired: 1 tree head is still damaged');
  const kept = openStore(storeDir, { mode: 'read' });
  try {
    assert.deepEqual(kept.catalog.proofs.heads('sum.test').map((h) => [h.size, h.note]), [[302, head.slice(0, 30)]]);
  } finally {
    kept.close();
  }
});

async function cli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const output = captureOutput();
  const code = await runCli(args, output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}
