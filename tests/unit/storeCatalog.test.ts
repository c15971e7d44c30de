import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CATALOG_MIGRATIONS, CatalogError } from '../../electron/core/store/catalogSchema';
import { openStore } from '../../electron/core/store/diskStore';
import { defaultStoreDir } from '../../electron/core/store/storeLayout';
import { makeTempDir } from '../support/bundleSources';

let root: string;
let cleanup: () => Promise<void>;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-catalog'));
});
after(() => cleanup());

describe('store catalog', () => {
  test('a new store has its tree, staging folder and catalog, with the schema and settings the store relies on', () => {
    const dir = freshDir('store');
    openStore(dir, { mode: 'write' }).close();
    assert.ok(existsSync(path.join(dir, 'tree')));
    assert.ok(existsSync(path.join(dir, 'staging')));
    const db = new Database(path.join(dir, 'catalog.db'));
    try {
      assert.equal(db.pragma('user_version', { simple: true }), CATALOG_MIGRATIONS.length);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const tables = db.prepare<[], { name: string; strict: number }>("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
      assert.deepEqual(tables, ['bundles', 'files', 'miss_drops', 'misses', 'module_file_counts', 'modules', 'store_counts', 'sumdb_files', 'sumdb_heads', 'unmet_requests', 'version_file_counts', 'versions'].map((name) => ({ name, strict: 1 })));
    } finally {
      db.close();
    }
  });

  test('foreign keys are enforced and STRICT types refused, on the store\'s own connection', () => {
    const store = openStore(freshDir('store'), { mode: 'write' });
    const db = (store.catalog as unknown as { db: Database.Database }).db;
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.throws(() => db.prepare("INSERT INTO versions (module_id, version) VALUES (42, 'v1.0.0')").run(), /FOREIGN KEY constraint failed/);
    assert.throws(
      () => db.prepare("INSERT INTO bundles (bundle_id, signer, created_at, imported_at, files_added) VALUES ('mf-20260101-00000000', 's', 'c', 'i', 'many')").run(),
      /cannot store TEXT value in INTEGER column bundles\.files_added/,
    );
    store.close();
  });

  test('a catalog from a newer ModFerry is refused, naming the file and both schema versions', () => {
    const dir = freshDir('store');
    openStore(dir, { mode: 'write' }).close();
    const db = new Database(path.join(dir, 'catalog.db'));
    db.pragma(`user_version = ${CATALOG_MIGRATIONS.length + 1}`);
    db.close();
    assert.throws(() => openStore(dir, { mode: 'write' }), (error: Error) => {
      assert.ok(error instanceof CatalogError);
      assert.equal(
        error.message,
        `${path.join(dir, 'catalog.db')}: the catalog has schema version ${CATALOG_MIGRATIONS.length + 1}, this ModFerry knows up to ${CATALOG_MIGRATIONS.length}; it was written by a newer ModFerry, so use that one`,
      );
      return true;
    });
  });

  test('a file that is not a catalog is refused, naming it', async () => {
    const dir = freshDir('store');
    openStore(dir, { mode: 'write' }).close();
    await writeFile(path.join(dir, 'catalog.db'), 'this is not SQLite '.repeat(100));
    assert.throws(() => openStore(dir, { mode: 'write' }), (error: Error) => {
      assert.ok(error instanceof CatalogError);
      assert.match(error.message, new RegExp(`^${path.join(dir, 'catalog.db').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a usable store catalog \\(file is not a database\\)$`));
      return true;
    });
  });

  test('a store that must exist and does not is refused, and not created', () => {
    const dir = freshDir('missing');
    assert.throws(() => openStore(dir, { mode: 'read' }), { message: new RegExp(`no store there`) });
    assert.equal(existsSync(dir), false);
  });

  test('the default store lives under the app data folder (MODFERRY_HOME)', () => {
    const saved = process.env.MODFERRY_HOME;
    process.env.MODFERRY_HOME = path.join(root, 'home');
    try {
      assert.equal(defaultStoreDir(), path.join(root, 'home', 'store'));
    } finally {
      if (saved === undefined) delete process.env.MODFERRY_HOME;
      else process.env.MODFERRY_HOME = saved;
    }
  });

  test('an empty store answers with nothing', () => {
    const store = openStore(freshDir('store'), { mode: 'write' });
    assert.deepEqual(store.versions('example.com/a'), []);
    assert.deepEqual(store.zipVersions('example.com/a'), []);
    assert.equal(store.file('example.com/a', 'v1.0.0', 'info'), undefined);
    assert.deepEqual(store.stats(), { modules: 0, versions: 0, bytes: 0 });
    assert.deepEqual(store.inventory(), []);
    assert.deepEqual(store.bundles(), []);
    assert.deepEqual(store.misses(), []);
    store.close();
  });
});

describe('store misses', () => {
  test('each miss is counted with its first and last time, whatever order the times arrive in', () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    store.recordMiss('example.com/a', 'v1.2.3', new Date('2026-01-02T00:00:00Z'));
    store.recordMiss('example.com/a', 'v1.2.3', new Date('2026-01-05T00:00:00Z'));
    store.recordMiss('example.com/a', 'v1.2.3', new Date('2026-01-01T00:00:00Z'));
    store.recordMiss('example.com/a', 'list', new Date('2026-01-03T00:00:00Z'));
    store.recordMiss('example.com/B', 'latest', new Date('2026-01-04T00:00:00Z'));
    store.recordMiss('example.com/a', 'master', new Date('2026-01-04T00:00:00Z'));
    store.recordMiss('example.com/a', 'v1.2', new Date('2026-01-06T00:00:00Z'));
    const expected = [
      { path: 'example.com/B', query: 'latest', count: 1, firstSeen: '2026-01-04T00:00:00.000Z', lastSeen: '2026-01-04T00:00:00.000Z' },
      // A branch and a version prefix are what a request file can ask for of the module: its latest.
      { path: 'example.com/a', query: 'latest', count: 2, firstSeen: '2026-01-04T00:00:00.000Z', lastSeen: '2026-01-06T00:00:00.000Z' },
      { path: 'example.com/a', query: 'list', count: 1, firstSeen: '2026-01-03T00:00:00.000Z', lastSeen: '2026-01-03T00:00:00.000Z' },
      { path: 'example.com/a', query: 'v1.2.3', count: 3, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-01-05T00:00:00.000Z' },
    ];
    assert.deepEqual(store.misses(), expected);
    store.close();
    const reopened = openStore(dir, { mode: 'write' });
    assert.deepEqual(reopened.misses(), expected, 'misses are kept across restarts');
    reopened.close();
  });

  test('a miss that is not a module path and a version, "latest" or "list" is dropped and counted as such', () => {
    const store = openStore(freshDir('store'), { mode: 'write' });
    const at = new Date('2026-01-02T00:00:00Z');
    assert.equal(store.recordMiss('not a module', 'v1.0.0', at), 'invalid');
    assert.equal(store.recordMiss('example.com/a', '', at), 'invalid');
    assert.equal(store.recordMiss('example.com/a', '../v1', at), 'invalid');
    assert.equal(store.recordMiss('example.com/a', 'v1!', at), 'invalid');
    assert.equal(store.recordMiss(`example.com/${'a'.repeat(300)}`, 'v1.0.0', at), 'invalid');
    assert.deepEqual(store.misses(), []);
    assert.deepEqual(store.droppedMisses(), [{ reason: 'invalid', count: 5, firstSeen: at.toISOString(), lastSeen: at.toISOString() }]);
    store.close();
  });
});
