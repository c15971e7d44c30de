/**
 * Checksum-database proofs in the store, with a real test database (golang.org/x/mod/sumdb):
 * verify checks what each proof file claims, the store check and repair treat sumdb/ as the store's
 * own, and an import interrupted after its journal is finished by the next repair, proofs included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { verifyBundle } from '../../electron/core/bundle/verifyBundle';
import { checkStore, storeIsSound } from '../../electron/core/store/checkStore';
import { writeCommitJournal } from '../../electron/core/store/commitJournal';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { repairCheckedStore, soundAfter } from '../../electron/core/store/repairCheckedStore';
import { markStagingFolder } from '../../electron/core/store/stagingMarker';
import { proofFacts } from '../../electron/core/store/storeFacts';
import { proofFile, stagingDirOf } from '../../electron/core/store/storeLayout';
import { errorMessage } from '../../shared/errorMessage';
import { makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';
import { requireGo } from '../support/goCommand';
import { goSumLines, makeProofBundle, makeProofSources, moduleSources, paddingLines } from '../support/proofBundles';
import { makeBundle } from '../support/storeFixtures';

const alpha: SourceModule = { path: 'example.com/alpha', version: 'v1.0.0' };
const beta: SourceModule = { path: 'example.com/beta', version: 'v1.0.0' };
const RECORD_TILE = 'sumdb/sum.test/tile/8/0/001.p/45';
const ALPHA_LOOKUP = 'sumdb/sum.test/lookup/example.com/alpha@v1.0.0';

test('checksum-database proofs: verified for what they claim, checked and repaired as the store\'s own, journaled with the import', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('store-proofs');
  t.after(cleanup);
  const key = testSigningKey();
  const trust = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;
  const sources = await moduleSources(dir, 'modules', [alpha, beta]);
  const proofs = await makeProofSources(path.join(dir, 'db', 'sum.test'), [...paddingLines(0, 300), ...goSumLines(sources)]);

  // A lookup filed under another module's name, and a head filed under another database's: refused by verify.
  const betaRecord = proofs.files.find((file) => file.path === 'sumdb/sum.test/lookup/example.com/beta@v1.0.0');
  assert.ok(betaRecord);
  const swapped = proofs.files.map((file) => (file.path === ALPHA_LOOKUP ? { ...betaRecord, path: ALPHA_LOOKUP } : file));
  const misfiled = await makeProofBundle(dir, 'misfiled', sources, swapped, key);
  await assert.rejects(verifyBundle(misfiled.bundleDir, { trust }), (error: Error) => {
    assert.match(errorMessage(error), /lookup\/example\.com\/alpha@v1\.0\.0: the record holds a go\.sum line for example\.com\/beta v1\.0\.0, not for example\.com\/alpha@v1\.0\.0/);
    return true;
  });
  const otherName = proofs.files.map((file) => ({ ...file, path: file.path.replace('sumdb/sum.test/', 'sumdb/other.db/') }));
  const renamed = await makeProofBundle(dir, 'renamed', sources, otherName, key);
  await assert.rejects(verifyBundle(renamed.bundleDir, { trust }), /sumdb\/other\.db\/latest: the tree head is signed by sum\.test, not by the checksum database other\.db/);

  // Imported: the store check hashes the proofs too, and finds the store sound.
  const bundle = await makeProofBundle(dir, 'good', sources, proofs.files, key);
  const storeDir = path.join(dir, 'store');
  const store = openStore(storeDir, { mode: 'write' });
  t.after(() => store.close());
  const imported = await importBundle(bundle.bundleDir, { store, trust });
  assert.equal(imported.proofs.added, proofs.files.filter((file) => !file.path.endsWith('/latest')).length);
  const sound = await checkStore(store.layout, store.catalog);
  assert.ok(storeIsSound(sound), JSON.stringify(sound));
  assert.equal(sound.proofs.files, imported.proofs.added);

  // A damaged tile and a file nobody imported under sumdb/: the check names both, never as tree strays;
  // the repair quarantines them and forgets the tile, which the same bundle then brings back.
  const tileFile = proofFile(store.layout, RECORD_TILE);
  const tileBytes = await readFile(tileFile);
  await writeFile(tileFile, Buffer.concat([tileBytes.subarray(0, 32), Buffer.alloc(tileBytes.length - 32)]));
  await writeFile(path.join(store.layout.sumdb, 'sum.test', 'planted'), 'not a proof');
  const damaged = await checkStore(store.layout, store.catalog);
  assert.deepEqual(damaged.stray, []);
  assert.deepEqual(damaged.proofs.damaged, [{ path: RECORD_TILE, why: 'sha256 differs from the catalog' }]);
  assert.deepEqual(damaged.proofs.stray, ['sumdb/sum.test/planted']);
  const repaired = await repairCheckedStore(store.layout, store.catalog, { bundles: [], trust });
  assert.ok(repaired.repair);
  assert.deepEqual(repaired.repair.proofsForgotten, [{ db: 'sum.test', path: RECORD_TILE, was: 'damaged' }]);
  assert.deepEqual(repaired.repair.quarantined, ['sumdb/sum.test/planted', RECORD_TILE]);
  assert.equal(soundAfter(repaired), false, 'a forgotten proof leaves the store short of it');
  assert.equal(store.catalog.proofs.file(RECORD_TILE), undefined);
  const again = await importBundle(bundle.bundleDir, { store, trust });
  assert.equal(again.alreadyImported, false);
  assert.equal(again.proofs.added, 1);
  assert.deepEqual(await readFile(tileFile), tileBytes);
  assert.ok(storeIsSound(await checkStore(store.layout, store.catalog)));

  // A module version imported without a proof: the facts count and name it.
  const plain = await makeBundle(path.join(dir, 'plain'), [{ path: 'example.com/gamma', version: 'v1.0.0' }], key);
  await importBundle(plain.bundleDir, { store, trust });
  assert.deepEqual(proofFacts(store), { databases: [{ name: 'sum.test', size: 302 }], withProof: 2, withoutProof: 1, firstWithout: ['example.com/gamma@v1.0.0'] });

  // An import that died after writing its journal: the next repair moves its staged proofs in and
  // records them with the head, in one go.
  const journalStore = openStore(path.join(dir, 'store-journal'), { mode: 'write' });
  t.after(() => journalStore.close());
  const bundleId = 'mf-20261203-0000beef';
  const staging = stagingDirOf(journalStore.layout, bundleId);
  await mkdir(staging, { recursive: true });
  await markStagingFolder(staging, bundleId);
  const lookupSource = proofs.files.find((file) => file.path === ALPHA_LOOKUP);
  assert.ok(lookupSource);
  const record = await readFile(lookupSource.source);
  await writeFile(path.join(staging, '1.proof'), record);
  const note = await readFile(path.join(proofs.dir, 'latest'), 'utf8');
  const recordId = Number(record.toString('utf8').split('\n')[0]);
  await writeCommitJournal(staging, {
    bundle: { bundleId, signer: key.fingerprint, createdAt: '2026-12-03T00:00:00Z', importedAt: '2026-12-03T00:00:01Z' },
    files: [],
    proofs: {
      heads: [{ db: 'sum.test', size: 302, hash: '', note }],
      files: [{ db: 'sum.test', path: ALPHA_LOOKUP, kind: 'lookup', modulePath: alpha.path, version: alpha.version, recordId, size: record.length, sha256: sha256Hex(record), staged: '1.proof' }],
    },
  });
  const settled = await journalStore.repair();
  assert.deepEqual(settled.completed, [bundleId]);
  assert.deepEqual(await readFile(proofFile(journalStore.layout, ALPHA_LOOKUP)), record);
  assert.equal(journalStore.catalog.proofs.lookup('sum.test', alpha.path, alpha.version)?.recordId, recordId);
  assert.deepEqual(journalStore.catalog.proofs.heads('sum.test').map((head) => [head.size, head.note]), [[302, note]]);
  assert.equal(existsSync(staging), false);
});
