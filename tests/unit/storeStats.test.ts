import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Catalog, STATS_SQL } from '../../electron/core/store/catalog';
import { CATALOG_MIGRATIONS } from '../../electron/core/store/catalogSchema';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { makeTempDir } from '../support/bundleSources';

let root: string;
let cleanup: () => Promise<void>;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-stats'));
});
after(() => cleanup());

/** The store's own connection, to write rows as an import or a repair would. */
function catalogDb(store: DiskStore): Database.Database {
  return (store.catalog as unknown as { db: Database.Database }).db;
}

/** What /stats used to compute by reading every file: what the counters must always equal. */
function countedByScan(db: Database.Database): { modules: number; versions: number; bytes: number } {
  return db.prepare<[], { modules: number; versions: number; bytes: number }>(
    `SELECT count(DISTINCT v.module_id) AS modules, count(DISTINCT v.id) AS versions, coalesce(sum(f.size), 0) AS bytes
     FROM files f JOIN versions v ON v.id = f.version_id`,
  ).get()!;
}

const SHA = 'a'.repeat(64);

function addBundle(db: Database.Database, bundleId: string): void {
  db.prepare("INSERT INTO bundles (bundle_id, signer, created_at, imported_at, files_added) VALUES (?, 's', 'c', 'i', 0)").run(bundleId);
}

describe('store stats', () => {
  test('the counters follow every insert, change and removal of files, cascades included', () => {
    const store = openStore(freshDir('store'), { mode: 'write' });
    const db = catalogDb(store);
    try {
      addBundle(db, 'b1');
      const moduleId = (path: string): number => db.prepare<[string], { id: number }>('INSERT INTO modules (path) VALUES (?) RETURNING id').get(path)!.id;
      const versionId = (module: number, version: string): number =>
        db.prepare<[number, string], { id: number }>('INSERT INTO versions (module_id, version) VALUES (?, ?) RETURNING id').get(module, version)!.id;
      const addFile = db.prepare<[number, string, string, number, string | null]>(
        "INSERT INTO files (version_id, kind, path, size, sha256, h1, bundle_id) VALUES (?, ?, ?, ?, '" + SHA + "', ?, 'b1')",
      );
      const check = (what: string): void => assert.deepEqual(store.stats(), countedByScan(db), what);
      const generations: number[] = [store.generation()];
      const moved = (what: string): void => {
        const now = store.generation();
        assert.ok(now > generations.at(-1)!, `${what}: the generation moves`);
        generations.push(now);
      };

      const a = moduleId('example.com/a');
      const a1 = versionId(a, 'v1.0.0');
      const a2 = versionId(a, 'v1.1.0');
      check('modules and versions without files are not counted');
      addFile.run(a1, 'info', 'a/1.info', 10, null);
      moved('insert');
      check('first file');
      addFile.run(a1, 'mod', 'a/1.mod', 20, 'h1:x');
      addFile.run(a2, 'mod', 'a/2.mod', 30, 'h1:x');
      const b = moduleId('example.com/b');
      const b1 = versionId(b, 'v0.1.0');
      addFile.run(b1, 'zip', 'b/1.zip', 1000, 'h1:x');
      check('two modules, three versions');
      db.prepare("UPDATE files SET size = 25 WHERE path = 'a/1.mod'").run();
      moved('update');
      check('a size changed');
      assert.throws(() => db.prepare("UPDATE files SET version_id = ? WHERE path = 'a/2.mod'").run(b1), /never moves to another version/);
      db.prepare(`INSERT OR REPLACE INTO files (version_id, kind, path, size, sha256, h1, bundle_id) VALUES (?, 'zip', 'b/1.zip', 900, '${SHA}', 'h1:y', 'b1')`).run(b1);
      moved('replace');
      check('a file replaced in place');
      db.prepare("DELETE FROM files WHERE path = 'a/1.info'").run();
      moved('delete');
      check('one of two files of a version removed');
      db.prepare("DELETE FROM files WHERE path = 'a/1.mod'").run();
      check('the last file of a version removed');
      db.prepare('DELETE FROM versions WHERE id = ?').run(a2);
      check('a version removed with its files (cascade)');
      db.prepare('DELETE FROM modules WHERE id = ?').run(b);
      moved('cascade');
      check('a module removed with its versions and files (cascade)');
      assert.deepEqual(store.stats(), { modules: 0, versions: 0, bytes: 0 });
    } finally {
      store.close();
    }
  });

  test('a catalog from before the counters gets them right when it is opened', () => {
    const file = path.join(freshDir('catalog'), 'catalog.db');
    mkdirSync(path.dirname(file));
    // The first schema alone, with rows, as an older ModFerry left it.
    const old = new Database(file);
    old.exec(CATALOG_MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    addBundle(old, 'b1');
    old.exec(`INSERT INTO modules (id, path) VALUES (1, 'example.com/a'), (2, 'example.com/b');
      INSERT INTO versions (id, module_id, version) VALUES (1, 1, 'v1.0.0'), (2, 1, 'v1.1.0'), (3, 2, 'v1.0.0');
      INSERT INTO files (version_id, kind, path, size, sha256, h1, bundle_id) VALUES
        (1, 'mod', 'a1', 5, '${SHA}', 'h1:x', 'b1'), (1, 'zip', 'a1z', 7, '${SHA}', 'h1:x', 'b1'), (3, 'mod', 'b1', 11, '${SHA}', 'h1:x', 'b1');
      INSERT INTO misses (path, query, count, first_seen, last_seen) VALUES ('example.com/c', 'latest', 3, 't', 't');`);
    old.close();
    const catalog = new Catalog(file);
    try {
      assert.deepEqual(catalog.stats(), { modules: 2, versions: 2, bytes: 23 });
      const db = (catalog as unknown as { db: Database.Database }).db;
      assert.deepEqual(catalog.stats(), countedByScan(db));
      assert.equal(db.prepare('SELECT misses FROM store_counts').pluck().get(), 1);
    } finally {
      catalog.close();
    }
  });

  test('stats read one row by its key, with 200,000 versions as with none', () => {
    const store = openStore(freshDir('store'), { mode: 'write' });
    const db = catalogDb(store);
    try {
      const plan = (): string[] => db.prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${STATS_SQL}`).all().map((row) => row.detail);
      const empty = plan();
      assert.deepEqual(empty, ['SEARCH store_counts USING INTEGER PRIMARY KEY (rowid=?)']);
      db.transaction(() => {
        addBundle(db, 'b1');
        const addModule = db.prepare<[string], { id: number }>('INSERT INTO modules (path) VALUES (?) RETURNING id');
        const addVersion = db.prepare<[number, string], { id: number }>('INSERT INTO versions (module_id, version) VALUES (?, ?) RETURNING id');
        const addFile = db.prepare<[number, string, number]>(`INSERT INTO files (version_id, kind, path, size, sha256, h1, bundle_id) VALUES (?, 'mod', ?, ?, '${SHA}', 'h1:x', 'b1')`);
        for (let m = 0; m < 200; m++) {
          const moduleId = addModule.get(`example.com/m${m}`)!.id;
          for (let v = 0; v < 1000; v++) addFile.run(addVersion.get(moduleId, `v1.0.${v}`)!.id, `m${m}/v${v}.mod`, v);
        }
      })();
      db.exec('ANALYZE');
      assert.deepEqual(plan(), empty, 'the same plan at 200,000 versions');
      assert.deepEqual(store.stats(), { modules: 200, versions: 200_000, bytes: 200 * ((999 * 1000) / 2) });
      assert.deepEqual(store.stats(), countedByScan(db));
    } finally {
      store.close();
    }
  });
});
