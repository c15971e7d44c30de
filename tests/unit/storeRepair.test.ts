import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { tryLockStore } from '../../electron/core/store/storeLock';
import { makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';
import { fileHashes, makeBundle, snapshotStore } from '../support/storeFixtures';

const key = testSigningKey();
const trustOurKey = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;
const projectRoot = path.resolve(__dirname, '..', '..');

const modules: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.0.0' },
  { path: 'example.com/a', version: 'v1.1.0' },
  { path: 'example.com/b', version: 'v0.1.0' },
];

let root: string;
let cleanup: () => Promise<void>;
let bundle: WrittenBundle;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-repair'));
  bundle = await makeBundle(root, modules, key);
});
after(() => cleanup());

/** Every catalog file is on disk with its recorded hash, and every tree file is in the catalog. */
async function assertConsistent(storeDir: string): Promise<void> {
  const db = new Database(path.join(storeDir, 'catalog.db'), { readonly: true });
  const rows = db.prepare<[], { path: string; sha256: string }>('SELECT path, sha256 FROM files ORDER BY path').all();
  const orphans = db.prepare('SELECT id FROM versions WHERE id NOT IN (SELECT version_id FROM files)').all();
  db.close();
  const onDisk = (await fileHashes(path.join(storeDir, 'tree'))).filter((line) => !line.endsWith('/'));
  assert.deepEqual(onDisk, rows.map((row) => `${row.path} ${row.sha256}`), 'the tree and the catalog agree');
  assert.deepEqual(orphans, [], 'no version is left without files');
  assert.deepEqual(await readdir(path.join(storeDir, 'staging')), [], 'staging is empty');
}

/**
 * Runs an import in a child process that kills itself (SIGKILL: no cleanup runs) at the first
 * progress event whose message starts with killAt, as a crash or power cut would.
 */
async function crashImport(storeDir: string, killAt: string): Promise<void> {
  const script = path.join(freshDir('crash'), 'crashingImport.ts');
  await mkdir(path.dirname(script), { recursive: true });
  await writeFile(
    script,
    `
    import { openStore } from ${JSON.stringify(path.join(projectRoot, 'electron/core/store/diskStore'))};
    import { importBundle } from ${JSON.stringify(path.join(projectRoot, 'electron/core/store/importBundle'))};
    const [storeDir, bundleDir, fingerprint, killAt] = process.argv.slice(2);
    const store = openStore(storeDir);
    importBundle(bundleDir!, {
      store,
      trust: (signer) => signer.fingerprint === fingerprint,
      onProgress: (event) => {
        if (event.message?.startsWith(killAt!)) process.kill(process.pid, 'SIGKILL');
      },
    }).then(() => process.exit(3), (error) => { console.error(error); process.exit(4); });
    `,
  );
  const child = spawnSync(process.execPath, ['--import', 'tsx', script, storeDir, bundle.bundleDir, key.fingerprint, killAt], { cwd: projectRoot, encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', `the import was killed at "${killAt}" (status ${child.status}, stderr ${child.stderr})`);
}

describe('store repair at opening', () => {
  test('junk in staging, a tree file the catalog lacks and a catalog row whose file is gone: all made consistent', async () => {
    const dir = freshDir('store');
    const store = openStore(dir);
    await importBundle(bundle.bundleDir, { store, trust: trustOurKey });
    store.close();

    await mkdir(path.join(dir, 'staging', 'mf-20240101-deadbeef'), { recursive: true });
    await writeFile(path.join(dir, 'staging', 'mf-20240101-deadbeef', '1.zip'), 'half a zip');
    await writeFile(path.join(dir, 'staging', 'stray-file'), 'junk');
    // A file no verified bundle brought: a copy under another version's name, and a file outside the layout.
    await copyFile(path.join(dir, 'tree', 'example.com', 'a', '@v', 'v1.1.0.info'), path.join(dir, 'tree', 'example.com', 'a', '@v', 'v9.9.9.info'));
    await mkdir(path.join(dir, 'tree', 'example.com', 'unknown', '@v'), { recursive: true });
    await writeFile(path.join(dir, 'tree', 'example.com', 'unknown', '@v', 'list'), 'v1.0.0\n');
    // A file that went missing: the proxy must stop offering it.
    await rm(path.join(dir, 'tree', 'example.com', 'b', '@v', 'v0.1.0.zip'));
    await rm(path.join(dir, 'tree', 'example.com', 'b', '@v', 'v0.1.0.mod'));

    const reopened = openStore(dir);
    assert.deepEqual(reopened.repairedAtOpen, {
      completed: [],
      undone: [],
      stagingRemoved: ['mf-20240101-deadbeef', 'stray-file'],
      strayRemoved: ['example.com/a/@v/v9.9.9.info', 'example.com/unknown/@v/list'],
      missingForgotten: ['example.com/b/@v/v0.1.0.mod', 'example.com/b/@v/v0.1.0.zip'],
    });
    await assertConsistent(dir);
    assert.equal(existsSync(path.join(dir, 'tree', 'example.com', 'unknown')), false, 'folders left empty are removed');
    assert.deepEqual(reopened.versions('example.com/a'), ['v1.0.0', 'v1.1.0']);
    assert.deepEqual(reopened.versions('example.com/b'), [], 'a version without its .mod is not listed');
    assert.deepEqual(reopened.zipVersions('example.com/b'), []);
    assert.equal(reopened.file('example.com/b', 'v0.1.0', 'zip'), undefined);
    assert.ok(reopened.file('example.com/b', 'v0.1.0', 'info'), 'the .info that is still there is still served');
    reopened.close();

    const twice = openStore(dir);
    assert.deepEqual(twice.repairedAtOpen, { completed: [], undone: [], stagingRemoved: [], strayRemoved: [], missingForgotten: [] });
    twice.close();
  });

  test('re-importing a bundle after its files went missing restores them', async () => {
    const dir = freshDir('store');
    const store = openStore(dir);
    await importBundle(bundle.bundleDir, { store, trust: trustOurKey });
    await rm(path.join(dir, 'tree', 'example.com', 'a', '@v', 'v1.0.0.zip'));
    const result = await importBundle(bundle.bundleDir, { store, trust: trustOurKey });
    assert.deepEqual([result.alreadyImported, result.added, result.alreadyPresent], [false, 1, 8]);
    await assertConsistent(dir);
    assert.deepEqual(store.zipVersions('example.com/a'), ['v1.0.0', 'v1.1.0']);
    store.close();
  });

  test('a crash while files are staged: the next start removes them and the store is as it was', async () => {
    const dir = freshDir('store');
    openStore(dir).close();
    const before = await snapshotStore(dir);
    const secondVolume = bundle.manifest.volumes[1]?.name;
    assert.ok(secondVolume);
    await crashImport(dir, `checked ${secondVolume}`);
    assert.ok((await readdir(path.join(dir, 'staging', bundle.manifest.bundleId))).length > 0, 'the crash left staged files');
    assert.ok(existsSync(path.join(dir, 'import.lock')), 'and its lock');

    const reopened = openStore(dir);
    assert.deepEqual(reopened.repairedAtOpen?.stagingRemoved, [bundle.manifest.bundleId]);
    reopened.close();
    assert.deepEqual(await snapshotStore(dir), before);
  });

  for (const [moment, killAt] of [
    ['after the commit journal, before any file moved', 'moving '],
    ['after the files moved, before the catalog transaction', 'recording '],
  ] as const) {
    test(`a crash ${moment}: the next start finishes the commit`, async () => {
      const dir = freshDir('store');
      openStore(dir).close();
      await crashImport(dir, killAt);
      assert.ok(existsSync(path.join(dir, 'staging', bundle.manifest.bundleId, 'commit.json')), 'the crash left the journal');

      const reopened = openStore(dir);
      assert.deepEqual(reopened.repairedAtOpen?.completed, [bundle.manifest.bundleId]);
      assert.deepEqual(reopened.repairedAtOpen?.strayRemoved, []);
      await assertConsistent(dir);
      assert.deepEqual(reopened.versions('example.com/a'), ['v1.0.0', 'v1.1.0']);
      assert.deepEqual(reopened.zipVersions('example.com/b'), ['v0.1.0']);
      assert.deepEqual(reopened.bundles().map((b) => [b.bundleId, b.filesAdded]), [[bundle.manifest.bundleId, 9]]);
      const zip = reopened.file('example.com/b', 'v0.1.0', 'zip');
      assert.ok(zip);
      assert.equal(sha256Hex(await readFile(zip.file)), zip.sha256);
      assert.equal((await importBundle(bundle.bundleDir, { store: reopened, trust: trustOurKey })).alreadyImported, true);
      reopened.close();
    });
  }

  test('a crashed commit whose files were tampered with is undone, not finished', async () => {
    const dir = freshDir('store');
    openStore(dir).close();
    const before = await snapshotStore(dir);
    await crashImport(dir, 'recording ');
    await writeFile(path.join(dir, 'tree', 'example.com', 'a', '@v', 'v1.0.0.mod'), 'module example.com/evil\n');

    const reopened = openStore(dir);
    assert.deepEqual(reopened.repairedAtOpen?.undone, [bundle.manifest.bundleId]);
    assert.deepEqual(reopened.repairedAtOpen?.strayRemoved, ['example.com/a/@v/v1.0.0.mod']);
    reopened.close();
    assert.deepEqual(await snapshotStore(dir), before);
  });

  test('a store another import holds is opened without repair, and a second import is refused', async () => {
    const dir = freshDir('store');
    openStore(dir).close();
    const lock = tryLockStore(path.join(dir, 'import.lock'));
    assert.ok(lock);
    try {
      await writeFile(path.join(dir, 'staging', 'in-progress'), 'another import is writing this');
      const store = openStore(dir);
      assert.equal(store.repairedAtOpen, undefined);
      assert.ok(existsSync(path.join(dir, 'staging', 'in-progress')), 'its staging is left alone');
      await assert.rejects(importBundle(bundle.bundleDir, { store, trust: trustOurKey }), {
        message: new RegExp(`^${escapeRegExp(dir)}: process ${process.pid} on .* is importing into this store; wait for it to finish \\(if no import is running, remove ${escapeRegExp(path.join(dir, 'import.lock'))}\\)$`),
      });
      store.close();
    } finally {
      lock.release();
    }
    assert.equal(existsSync(path.join(dir, 'import.lock')), false);
  });

  test('a lock left by a process that is gone is taken over', async () => {
    const dir = freshDir('store');
    openStore(dir).close();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(path.join(dir, 'import.lock'), JSON.stringify({ pid: Number(gone.stdout), host: os.hostname(), since: '2024-01-01T00:00:00.000Z' }));
    const store = openStore(dir);
    assert.ok(store.repairedAtOpen, 'the stale lock did not stop the repair');
    assert.equal((await importBundle(bundle.bundleDir, { store, trust: trustOurKey })).added, 9);
    store.close();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
