import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { exportHistoryFile, filesExportedBefore, recentExports, recordExport, treeHeadsExportedBefore } from '../../electron/core/catalog/exportHistory';
import { SqliteDatabase } from '../../electron/core/sqlite/sqliteDatabase';
import { makeTempDir } from '../support/bundleSources';

let root: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('export-history'));
});
after(() => cleanup());

test('the history lists recorded exports newest first; reading it on a machine that never exported creates nothing', () => {
  const dirs = { data: path.join(root, 'data'), cache: path.join(root, 'cache') };
  assert.deepEqual(recentExports(dirs, 5), []);
  assert.equal(existsSync(exportHistoryFile(dirs)), false);
  const entry = (bundleId: string, createdAt: string) => ({ bundleId, createdAt, outDir: '/media/usb', inputs: ['/src/app'], files: 3, bytes: 300, modules: 1 });
  recordExport(dirs, entry('mf-1', '2026-12-01T10:00:00.000Z'));
  recordExport(dirs, entry('mf-2', '2026-12-02T10:00:00.000Z'));
  assert.deepEqual(recentExports(dirs, 5), [entry('mf-2', '2026-12-02T10:00:00.000Z'), entry('mf-1', '2026-12-01T10:00:00.000Z')]);
  assert.deepEqual(recentExports(dirs, 1).map((r) => r.bundleId), ['mf-2']);
});

test('a history written before tree heads were recorded is upgraded in place, keeping its exports; heads are listed once each', () => {
  const dirs = { data: path.join(root, 'data-old'), cache: path.join(root, 'cache-old') };
  assert.deepEqual(treeHeadsExportedBefore(dirs), []);
  // The history as the version before this one left it: two migrations applied.
  mkdirSync(dirs.data, { recursive: true });
  const old = new SqliteDatabase(exportHistoryFile(dirs));
  old.exec(`CREATE TABLE exports (bundle_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, out_dir TEXT NOT NULL, inputs TEXT NOT NULL,
    files INTEGER NOT NULL, bytes INTEGER NOT NULL, modules INTEGER NOT NULL) STRICT`);
  old.exec(`CREATE TABLE export_files (bundle_id TEXT NOT NULL REFERENCES exports(bundle_id) ON DELETE CASCADE, module TEXT NOT NULL,
    version TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (bundle_id, module, version, kind)) STRICT`);
  old.prepare('INSERT INTO exports VALUES (?, ?, ?, ?, ?, ?, ?)').run('mf-old', '2026-11-01T10:00:00.000Z', '/media/usb', '["/src/app"]', 2, 20, 1);
  old.prepare('INSERT INTO export_files VALUES (?, ?, ?, ?)').run('mf-old', 'example.com/a', 'v1.0.0', 'zip');
  old.pragma('user_version = 2');
  old.close();

  assert.deepEqual(treeHeadsExportedBefore(dirs), [], 'the old bundles carried no heads the history knows of');
  const entry = (bundleId: string, createdAt: string) => ({ bundleId, createdAt, outDir: '/media/usb', inputs: ['/src/app'], files: 3, bytes: 300, modules: 1 });
  recordExport(dirs, entry('mf-1', '2026-12-01T10:00:00.000Z'), [], [{ database: 'sum.test', size: 303 }]);
  recordExport(dirs, entry('mf-2', '2026-12-02T10:00:00.000Z'), [], [{ database: 'sum.test', size: 303 }, { database: 'other.db', size: 9 }]);
  recordExport(dirs, entry('mf-3', '2026-12-03T10:00:00.000Z'), [], [{ database: 'sum.test', size: 612 }]);
  assert.deepEqual(treeHeadsExportedBefore(dirs), [{ database: 'other.db', size: 9 }, { database: 'sum.test', size: 303 }, { database: 'sum.test', size: 612 }]);
  assert.deepEqual(recentExports(dirs, 5).map((r) => r.bundleId), ['mf-3', 'mf-2', 'mf-1', 'mf-old']);
  assert.deepEqual([...filesExportedBefore(dirs)], [['example.com/a@v1.0.0.zip', 'mf-old']]);
  const reopened = new SqliteDatabase(exportHistoryFile(dirs));
  try {
    assert.equal(reopened.pragma('user_version', { simple: true }), 3);
  } finally {
    reopened.close();
  }
});
