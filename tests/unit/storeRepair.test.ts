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
import { lockStore } from '../../electron/core/store/storeLock';
import type { RepairReport } from '../../electron/core/store/repairStore';
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
    const store = openStore(storeDir, { mode: 'write' });
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

/** The repair an import runs first, on its own: the store opened for writing, the lock held. */
async function repairNow(dir: string): Promise<RepairReport> {
  const store = openStore(dir, { mode: 'write' });
  const lock = lockStore(store.layout.lock, dir);
  try {
    return await store.repair();
  } finally {
    lock.release();
    store.close();
  }
}

const nothingDone: RepairReport = { completed: [], undone: [], stagingRemoved: [], missingForgotten: [], quarantined: { dir: undefined, files: [] } };

describe('store repair before an import', () => {
  test('junk in staging, a tree file the catalog lacks and a catalog row whose file is gone: quarantined, forgotten, consistent', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
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
    const strays = await Promise.all(
      ['staging/mf-20240101-deadbeef/1.zip', 'staging/stray-file', 'tree/example.com/a/@v/v9.9.9.info', 'tree/example.com/unknown/@v/list'].map(
        async (file) => `${file} ${sha256Hex(await readFile(path.join(dir, file)))}`,
      ),
    );

    const report = await repairNow(dir);
    const quarantine = report.quarantined.dir;
    assert.ok(quarantine);
    assert.equal(path.dirname(quarantine), path.join(dir, 'quarantine'));
    assert.deepEqual(report, {
      completed: [],
      undone: [],
      stagingRemoved: [],
      missingForgotten: ['example.com/b/@v/v0.1.0.mod', 'example.com/b/@v/v0.1.0.zip'],
      quarantined: {
        dir: quarantine,
        files: [
          { from: 'staging/mf-20240101-deadbeef', why: 'in staging/ but not left there by a ModFerry import' },
          { from: 'staging/stray-file', why: 'in staging/ but not left there by a ModFerry import' },
          { from: 'tree/example.com/a/@v/v9.9.9.info', why: 'not in the catalog: no imported bundle brought it' },
          { from: 'tree/example.com/unknown/@v/list', why: 'not in the catalog: no imported bundle brought it' },
        ],
      },
    });
    assert.deepEqual(
      (await fileHashes(quarantine)).filter((line) => !line.endsWith('/') && !line.startsWith('QUARANTINE.txt')),
      strays,
      'every stray file is in the quarantine, unchanged',
    );
    assert.match(await readFile(path.join(quarantine, 'QUARANTINE.txt'), 'utf8'), /^tree\/example\.com\/a\/@v\/v9\.9\.9\.info: not in the catalog/m);
    await assertConsistent(dir);
    assert.equal(existsSync(path.join(dir, 'tree', 'example.com', 'unknown')), false, 'folders left empty are removed');
    const reopened = openStore(dir, { mode: 'read' });
    assert.deepEqual(reopened.versions('example.com/a'), ['v1.0.0', 'v1.1.0']);
    assert.deepEqual(reopened.versions('example.com/b'), [], 'a version without its .mod is not listed');
    assert.deepEqual(reopened.zipVersions('example.com/b'), []);
    assert.equal(reopened.file('example.com/b', 'v0.1.0', 'zip'), undefined);
    assert.ok(reopened.file('example.com/b', 'v0.1.0', 'info'), 'the .info that is still there is still served');
    reopened.close();

    assert.deepEqual(await repairNow(dir), nothingDone);
  });

  test('opening a store to read it repairs nothing, even with junk in it', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    await importBundle(bundle.bundleDir, { store, trust: trustOurKey });
    store.close();
    await writeFile(path.join(dir, 'staging', 'stray-file'), 'junk');
    await copyFile(path.join(dir, 'tree', 'example.com', 'a', '@v', 'v1.1.0.info'), path.join(dir, 'tree', 'example.com', 'a', '@v', 'v9.9.9.info'));
    await rm(path.join(dir, 'tree', 'example.com', 'b', '@v', 'v0.1.0.zip'));
    const before = await snapshotStore(dir);
    const reader = openStore(dir, { mode: 'read' });
    assert.deepEqual(reader.zipVersions('example.com/b'), ['v0.1.0'], 'the catalog is as it was');
    reader.close();
    assert.deepEqual(await snapshotStore(dir), before);
  });

  test('re-importing a bundle after its files went missing restores them', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    await importBundle(bundle.bundleDir, { store, trust: trustOurKey });
    await rm(path.join(dir, 'tree', 'example.com', 'a', '@v', 'v1.0.0.zip'));
    const repairs: RepairReport[] = [];
    const result = await importBundle(bundle.bundleDir, { store, trust: trustOurKey, onRepair: (report) => repairs.push(report) });
    assert.deepEqual(repairs, [{ ...nothingDone, missingForgotten: ['example.com/a/@v/v1.0.0.zip'] }]);
    assert.deepEqual([result.alreadyImported, result.added, result.alreadyPresent], [false, 1, 8]);
    await assertConsistent(dir);
    assert.deepEqual(store.zipVersions('example.com/a'), ['v1.0.0', 'v1.1.0']);
    store.close();
  });

  test('a crash while files are staged: the next import removes them and the store is as it was', async () => {
    const dir = freshDir('store');
    openStore(dir, { mode: 'write' }).close();
    const before = await snapshotStore(dir);
    const secondVolume = bundle.manifest.volumes[1]?.name;
    assert.ok(secondVolume);
    await crashImport(dir, `checked ${secondVolume}`);
    const staged = await readdir(path.join(dir, 'staging', bundle.manifest.bundleId));
    assert.ok(staged.includes('.modferry-import') && staged.length > 1, `the crash left marked, staged files (${staged.join(', ')})`);

    assert.deepEqual(await repairNow(dir), { ...nothingDone, stagingRemoved: [bundle.manifest.bundleId] });
    assert.deepEqual(await snapshotStore(dir), before);
  });

  test('a leftover import folder keeps what the import did not write: it is quarantined', async () => {
    const dir = freshDir('store');
    openStore(dir, { mode: 'write' }).close();
    const secondVolume = bundle.manifest.volumes[1]?.name;
    assert.ok(secondVolume);
    await crashImport(dir, `checked ${secondVolume}`);
    await writeFile(path.join(dir, 'staging', bundle.manifest.bundleId, 'notes.txt'), 'someone wrote this here');
    const report = await repairNow(dir);
    assert.deepEqual(report.stagingRemoved, [bundle.manifest.bundleId]);
    assert.deepEqual(report.quarantined.files, [{ from: `staging/${bundle.manifest.bundleId}/notes.txt`, why: 'in a leftover import folder, but not written by the import' }]);
    assert.equal(await readFile(path.join(report.quarantined.dir!, 'staging', bundle.manifest.bundleId, 'notes.txt'), 'utf8'), 'someone wrote this here');
    await assertConsistent(dir);
  });

  for (const [moment, killAt] of [
    ['after the commit journal, before any file moved', 'moving '],
    ['after the files moved, before the catalog transaction', 'recording '],
  ] as const) {
    test(`a crash ${moment}: the next import finishes the commit`, async () => {
      const dir = freshDir('store');
      openStore(dir, { mode: 'write' }).close();
      await crashImport(dir, killAt);
      assert.ok(existsSync(path.join(dir, 'staging', bundle.manifest.bundleId, 'commit.json')), 'the crash left the journal');

      const reopened = openStore(dir, { mode: 'write' });
      const repairs: RepairReport[] = [];
      const result = await importBundle(bundle.bundleDir, { store: reopened, trust: trustOurKey, onRepair: (report) => repairs.push(report) });
      assert.deepEqual(repairs, [{ ...nothingDone, completed: [bundle.manifest.bundleId], stagingRemoved: [bundle.manifest.bundleId] }]);
      assert.equal(result.alreadyImported, true);
      await assertConsistent(dir);
      assert.deepEqual(reopened.versions('example.com/a'), ['v1.0.0', 'v1.1.0']);
      assert.deepEqual(reopened.zipVersions('example.com/b'), ['v0.1.0']);
      assert.deepEqual(reopened.bundles().map((b) => [b.bundleId, b.filesAdded]), [[bundle.manifest.bundleId, 9]]);
      const zip = reopened.file('example.com/b', 'v0.1.0', 'zip');
      assert.ok(zip);
      assert.equal(sha256Hex(await readFile(zip.file)), zip.sha256);
      reopened.close();
    });
  }

  test('a crashed commit whose files were tampered with is undone, not finished; the tampered file is quarantined', async () => {
    const dir = freshDir('store');
    openStore(dir, { mode: 'write' }).close();
    const before = await snapshotStore(dir);
    await crashImport(dir, 'recording ');
    await writeFile(path.join(dir, 'tree', 'example.com', 'a', '@v', 'v1.0.0.mod'), 'module example.com/evil\n');

    const report = await repairNow(dir);
    assert.deepEqual(report.undone, [bundle.manifest.bundleId]);
    assert.deepEqual(report.quarantined.files, [{ from: 'tree/example.com/a/@v/v1.0.0.mod', why: 'not in the catalog: no imported bundle brought it' }]);
    const after = await snapshotStore(dir);
    assert.deepEqual({ ...after, files: after.files.filter((line) => !line.startsWith('quarantine/')) }, before);
  });

  test('a second import while one holds the store lock is refused, naming the holder, and changes nothing', async () => {
    const dir = freshDir('store');
    openStore(dir, { mode: 'write' }).close();
    const lock = lockStore(path.join(dir, 'store.lock'), dir);
    try {
      await writeFile(path.join(dir, 'staging', 'in-progress'), 'another import is writing this');
      const store = openStore(dir, { mode: 'write' });
      const since = (JSON.parse(await readFile(path.join(dir, 'store.lock.holder'), 'utf8')) as { since: string }).since;
      await assert.rejects(importBundle(bundle.bundleDir, { store, trust: trustOurKey }), {
        name: 'StoreLockedError',
        message: `${dir}: process ${process.pid} on ${os.hostname()} (since ${since}) is importing into or repairing this store; wait for it to finish and try again`,
      });
      assert.ok(existsSync(path.join(dir, 'staging', 'in-progress')), 'its staging is left alone');
      store.close();
    } finally {
      lock.release();
    }
    assert.equal(existsSync(path.join(dir, 'store.lock.holder')), false);
  });
});
