import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { serializeManifestSignature, signManifest } from '../../electron/core/keys/manifestSignature';
import { CATALOG_MIGRATIONS, openCatalogDatabase } from '../../electron/core/store/catalogSchema';
import { readCommitJournal, writeCommitJournal } from '../../electron/core/store/commitJournal';
import { openStore } from '../../electron/core/store/diskStore';
import { BundleIdentityError } from '../../electron/core/store/bundleIdentity';
import { importBundle } from '../../electron/core/store/importBundle';
import { craftTar, makeTempDir, sha256Hex, testSigningKey, writeSignedBundle } from '../support/bundleSources';
import { makeBundle, snapshotStore } from '../support/storeFixtures';

const key = testSigningKey();
const otherKey = testSigningKey();
const trustBoth = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint || signer.fingerprint === otherKey.fingerprint;

let root: string;
let cleanup: () => Promise<void>;
let bundle: WrittenBundle;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('bundle-identity'));
  bundle = await makeBundle(root, [{ path: 'example.com/a', version: 'v1.0.0' }], key);
});
after(() => cleanup());

const manifestSha256 = async (bundleDir: string): Promise<string> =>
  createHash('sha256').update(await readFile(path.join(bundleDir, 'manifest.json'))).digest('hex');

/** The same manifest bytes, signed by another key. */
async function resignedCopy(): Promise<string> {
  const dir = path.join(freshDir('resigned'), bundle.manifest.bundleId);
  await cp(bundle.bundleDir, dir, { recursive: true });
  const bytes = await readFile(path.join(dir, 'manifest.json'));
  await writeFile(path.join(dir, 'manifest.sig'), serializeManifestSignature(signManifest(bytes, otherKey)));
  return dir;
}

/** Another bundle under the same id: other content, so another manifest. */
async function sameIdOtherContent(signer = key): Promise<string> {
  const info = '{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}';
  const infoPath = 'example.com/new/@v/v1.0.0.info';
  const { bundleDir } = await writeSignedBundle(freshDir('same-id'), [{
    bytes: craftTar([{ path: infoPath, content: info }]),
    entries: [{ path: infoPath, size: info.length, sha256: sha256Hex(info) }],
  }], signer, bundle.manifest.bundleId);
  return bundleDir;
}

describe('a bundle id names one signed manifest', () => {
  test('the same id signed by another key is refused, naming the id and both signers, and nothing changes', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    await importBundle(bundle.bundleDir, { store, trust: trustBoth });
    const before = await snapshotStore(dir);
    for (const bundleDir of [await resignedCopy(), await sameIdOtherContent(otherKey)]) {
      await assert.rejects(importBundle(bundleDir, { store, trust: trustBoth }), (error: unknown) => {
        assert.ok(error instanceof BundleIdentityError, String(error));
        assert.equal(error.bundleId, bundle.manifest.bundleId);
        assert.equal(error.storeSigner, key.fingerprint);
        assert.equal(error.bundleSigner, otherKey.fingerprint);
        assert.match(error.message, new RegExp(`^${bundle.manifest.bundleId}: the store holds a bundle of this id signed by ${key.fingerprint}.*; this one is signed by ${otherKey.fingerprint}`));
        return true;
      });
    }
    assert.deepEqual(await snapshotStore(dir), before);
    store.close();
  });

  test('the same id and signer with another manifest is refused, naming both manifest hashes, never merged into the old row', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    await importBundle(bundle.bundleDir, { store, trust: trustBoth });
    const before = await snapshotStore(dir);
    const other = await sameIdOtherContent();
    const [held, offered] = [await manifestSha256(bundle.bundleDir), await manifestSha256(other)];
    await assert.rejects(importBundle(other, { store, trust: trustBoth }), (error: unknown) => {
      assert.ok(error instanceof BundleIdentityError, String(error));
      assert.equal(error.storeManifestSha256, held);
      assert.equal(error.bundleManifestSha256, offered);
      assert.match(error.message, new RegExp(`manifest sha256 ${held}.*manifest sha256 ${offered}`));
      return true;
    });
    assert.deepEqual(await snapshotStore(dir), before);
    assert.deepEqual(store.versions('example.com/new'), []);
    assert.equal((await importBundle(bundle.bundleDir, { store, trust: trustBoth })).alreadyImported, true, 'the bundle itself is still welcome');
    store.close();
  });

  test('a bundle recorded before manifest hashes were kept is compared by signer alone', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    await importBundle(bundle.bundleDir, { store, trust: trustBoth });
    store.close();
    const db = new Database(path.join(dir, 'catalog.db'));
    db.prepare('UPDATE bundles SET manifest_sha256 = NULL').run();
    db.close();
    const reopened = openStore(dir, { mode: 'write' });
    await assert.rejects(importBundle(await resignedCopy(), { store: reopened, trust: trustBoth }), BundleIdentityError);
    assert.equal((await importBundle(bundle.bundleDir, { store: reopened, trust: trustBoth })).alreadyImported, true);
    reopened.close();
  });

  test('the commit journal carries the manifest hash, so a crashed commit finished at start-up records it; an older journal without one still reads', async () => {
    const dir = freshDir('journal');
    mkdirSync(dir, { recursive: true });
    const bundleRecord = { bundleId: bundle.manifest.bundleId, signer: key.fingerprint, manifestSha256: 'c'.repeat(64), createdAt: 'a', importedAt: 'b' };
    await writeCommitJournal(dir, { bundle: bundleRecord, files: [] });
    assert.deepEqual(readCommitJournal(dir)?.bundle, bundleRecord);
    const { manifestSha256: _, ...older } = bundleRecord;
    await writeFile(path.join(dir, 'commit.json'), JSON.stringify({ format: 'modferry-import-journal', bundle: older, files: [] }));
    assert.deepEqual(readCommitJournal(dir)?.bundle, older);
  });

  test('the migration to schema 2 keeps a version 1 catalog\'s bundles, with no manifest hash', () => {
    const file = path.join(freshDir('catalog'), 'catalog.db');
    mkdirSync(path.dirname(file), { recursive: true });
    const old = new Database(file);
    old.exec(CATALOG_MIGRATIONS[0] ?? '');
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO bundles (bundle_id, signer, created_at, imported_at, files_added) VALUES ('mf-20261125-0badc0de', 'SHA256:x', 'a', 'b', 0)").run();
    old.close();
    const db = openCatalogDatabase(file);
    assert.ok(Number(db.pragma('user_version', { simple: true })) >= 2);
    assert.deepEqual(db.prepare('SELECT bundle_id, signer, manifest_sha256 FROM bundles').all(), [
      { bundle_id: 'mf-20261125-0badc0de', signer: 'SHA256:x', manifest_sha256: null },
    ]);
    db.close();
  });
});
