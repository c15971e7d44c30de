import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { importCommand } from '../../electron/cli/commands/importCommand';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

const key = testSigningKey();
const trust = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;
const projectRoot = path.resolve(__dirname, '..', '..');

const modules: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.0.0' },
  { path: 'example.com/b', version: 'v0.1.0', files: { 'b.go': 'package b\n'.repeat(300) } },
];
const zipPath = 'example.com/b/@v/v0.1.0.zip';
const modPath = 'example.com/b/@v/v0.1.0.mod';

let root: string;
let cleanup: () => Promise<void>;
let bundle: WrittenBundle;
/** The same module versions in another bundle, with the .mod after the zip in its volumes (one file per volume). */
let otherOrder: WrittenBundle;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('import-restore'));
  bundle = await makeBundle(root, modules, key);
  otherOrder = await makeBundle(root, [...modules].reverse(), key, 1024 * 1024);
});
after(() => cleanup());

/** A store holding the bundle, with one byte of each named file flipped in place (same size). */
async function damagedStore(paths: readonly string[]): Promise<{ store: DiskStore; dir: string; good: Map<string, Buffer>; bad: Map<string, Buffer> }> {
  const dir = freshDir('store');
  const store = openStore(dir, { mode: 'write' });
  await importBundle(bundle.bundleDir, { store, trust });
  const good = new Map<string, Buffer>();
  const bad = new Map<string, Buffer>();
  for (const treePath of paths) {
    const file = path.join(dir, 'tree', treePath);
    const bytes = await readFile(file);
    good.set(treePath, Buffer.from(bytes));
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    await writeFile(file, bytes);
    bad.set(treePath, bytes);
  }
  return { store, dir, good, bad };
}

async function quarantined(dir: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const quarantine = path.join(dir, 'quarantine');
  for (const entry of await readdir(quarantine, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (entry.isFile() && entry.name !== 'QUARANTINE.txt') found.set(path.join(entry.parentPath, entry.name), await readFile(path.join(entry.parentPath, entry.name)));
  }
  return found;
}

describe('importing a bundle restores a damaged copy in the store', () => {
  for (const [name, source] of [['the same bundle again', () => bundle], ['another bundle carrying the files in another order', () => otherOrder]] as const) {
    test(`${name}: the damaged .zip and .mod are replaced, moved to quarantine and named`, async () => {
      const { store, dir, good, bad } = await damagedStore([zipPath, modPath]);
      const result = await importBundle(source().bundleDir, { store, trust });
      assert.equal(result.alreadyImported, false);
      assert.deepEqual(result.restored.map((r) => r.path).sort(), [modPath, zipPath]);
      for (const [treePath, bytes] of good) {
        assert.deepEqual(await readFile(path.join(dir, 'tree', treePath)), bytes, `${treePath} is the good copy again`);
        assert.equal(store.file('example.com/b', 'v0.1.0', treePath.endsWith('.zip') ? 'zip' : 'mod')?.sha256, sha256Hex(bytes));
      }
      const moved = [...(await quarantined(dir)).values()].map((bytes) => sha256Hex(bytes)).sort();
      assert.deepEqual(moved, [...bad.values()].map((bytes) => sha256Hex(bytes)).sort(), 'the damaged copies are kept in quarantine');
      for (const restored of result.restored) assert.deepEqual(await readFile(restored.quarantined), bad.get(restored.path));
      assert.deepEqual(await readdir(path.join(dir, 'staging')), [], 'nothing is left in staging');
      assert.equal((await importBundle(source().bundleDir, { store, trust })).alreadyImported, true, 'nothing is left to restore');
      store.close();
    });
  }

  test('modferry import prints what it restored and where the damaged copy went', async () => {
    const { store, dir } = await damagedStore([zipPath]);
    store.close();
    const home = freshDir('home');
    const saved = process.env.MODFERRY_HOME;
    process.env.MODFERRY_HOME = home;
    try {
      const output = captureOutput();
      await importCommand([bundle.bundleDir, '--store', dir, '--trust-new-key'], output);
      const line = output.stdout.find((text) => text.startsWith('Restored '));
      assert.ok(line, output.stdout.join('\n'));
      assert.match(line, new RegExp(`^Restored ${zipPath.replace(/[.]/g, '\\.')}: the store's copy was damaged; it is now in ${dir.replace(/[.]/g, '\\.')}/quarantine/`));
    } finally {
      if (saved === undefined) delete process.env.MODFERRY_HOME;
      else process.env.MODFERRY_HOME = saved;
    }
  });

  for (const killAt of ['restoring ', 'replacing ', 'quarantining ']) {
    test(`a kill -9 at "${killAt.trim()}" leaves the old or the new copy, and the next import restores it`, async () => {
      const { store, dir, good, bad } = await damagedStore([zipPath]);
      store.close();
      const script = path.join(freshDir('crash'), 'crashingImport.ts');
      await mkdir(path.dirname(script), { recursive: true });
      await writeFile(script, `
        import { openStore } from ${JSON.stringify(path.join(projectRoot, 'electron/core/store/diskStore'))};
        import { importBundle } from ${JSON.stringify(path.join(projectRoot, 'electron/core/store/importBundle'))};
        const [storeDir, bundleDir, fingerprint, killAt] = process.argv.slice(2);
        importBundle(bundleDir!, {
          store: openStore(storeDir, { mode: 'write' }),
          trust: (signer) => signer.fingerprint === fingerprint,
          onProgress: (event) => { if (event.message?.startsWith(killAt!)) process.kill(process.pid, 'SIGKILL'); },
        }).then(() => process.exit(3), (error) => { console.error(error); process.exit(4); });
      `);
      const child = spawnSync(process.execPath, ['--import', 'tsx', script, dir, bundle.bundleDir, key.fingerprint, killAt], { cwd: projectRoot, encoding: 'utf8' });
      assert.equal(child.signal, 'SIGKILL', `killed at "${killAt}" (status ${child.status}, stderr ${child.stderr})`);

      const reopened = openStore(dir, { mode: 'write' });
      const now = await readFile(path.join(dir, 'tree', zipPath));
      assert.ok(now.equals(good.get(zipPath)!) || now.equals(bad.get(zipPath)!), 'the old copy or the new one, nothing else');
      assert.equal(reopened.file('example.com/b', 'v0.1.0', 'zip')?.sha256, sha256Hex(good.get(zipPath)!), 'the catalog still vouches for the good bytes');
      const again = await importBundle(bundle.bundleDir, { store: reopened, trust });
      assert.deepEqual(again.restored.map((r) => r.path), now.equals(bad.get(zipPath)!) ? [zipPath] : []);
      assert.deepEqual(await readFile(path.join(dir, 'tree', zipPath)), good.get(zipPath));
      reopened.close();
    });
  }
});
