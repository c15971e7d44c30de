import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { ImportConflictError } from '../../electron/core/store/importPlan';
import { craftTar, makeTempDir, sha256Hex, testSigningKey, writeSignedBundle } from '../support/bundleSources';
import { makeBundle, snapshotStore } from '../support/storeFixtures';

const key = testSigningKey();
const trust = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;
const infoPath = 'example.com/a/@v/v1.0.0.info';

let root: string;
let cleanup: () => Promise<void>;
let first: WrittenBundle;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('import-info'));
  first = await makeBundle(root, [{ path: 'example.com/a', version: 'v1.0.0' }], key);
});
after(() => cleanup());

/** A bundle carrying example.com/a@v1.0.0.info with this content, and a new module's .info so it has something to add. */
async function bundleWithInfo(content: string, bundleId: string): Promise<string> {
  const other = '{"Version":"v0.1.0","Time":"2024-01-02T03:04:05Z"}';
  const otherPath = 'example.com/new/@v/v0.1.0.info';
  const { bundleDir } = await writeSignedBundle(freshDir('bundle'), [{
    bytes: craftTar([{ path: infoPath, content }, { path: otherPath, content: other }]),
    entries: [{ path: infoPath, size: Buffer.byteLength(content), sha256: sha256Hex(content) }, { path: otherPath, size: other.length, sha256: sha256Hex(other) }],
  }], key, bundleId);
  return bundleDir;
}

describe('two .info files for one version', () => {
  test('differing only in layout, time zone and extra fields are the same file: the store keeps its own', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    await importBundle(first.bundleDir, { store, trust });
    const held = await readFile(path.join(dir, 'tree', infoPath));
    assert.equal(held.toString(), '{"Version":"v1.0.0","Time":"2024-01-02T03:04:05.000Z"}');
    const same = '{\n  "Version": "v1.0.0",\n  "Time": "2024-01-02T05:04:05+02:00",\n  "Origin": {"VCS": "git", "Hash": "0123"}\n}\n';
    const result = await importBundle(await bundleWithInfo(same, 'mf-20261125-00000001'), { store, trust });
    assert.equal(result.added, 1);
    assert.equal(result.alreadyPresent, 1);
    assert.deepEqual(await readFile(path.join(dir, 'tree', infoPath)), held);
    assert.equal(store.file('example.com/a', 'v1.0.0', 'info')?.sha256, sha256Hex(held));
    store.close();
  });

  test('saying another time is a conflict naming both files, and nothing is imported', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    await importBundle(first.bundleDir, { store, trust });
    const before = await snapshotStore(dir);
    const other = '{"Version":"v1.0.0","Time":"2025-06-07T08:09:10Z"}';
    await assert.rejects(importBundle(await bundleWithInfo(other, 'mf-20261125-00000002'), { store, trust }), (error: unknown) => {
      assert.ok(error instanceof ImportConflictError, String(error));
      assert.equal(error.conflicts[0]?.path, infoPath);
      assert.match(error.message, /^example\.com\/a\/@v\/v1\.0\.0\.info: the store already holds different bytes .*: the store's says v1\.0\.0 at 2024-01-02T03:04:05\.000Z, the bundle's v1\.0\.0 at 2025-06-07T08:09:10Z; nothing was imported$/);
      return true;
    });
    assert.deepEqual(await snapshotStore(dir), before);
    store.close();
  });
});
