import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { exportHistoryFile, recentExports, recordExport } from '../../electron/core/catalog/exportHistory';
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
