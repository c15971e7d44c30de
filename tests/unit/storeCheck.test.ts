import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProgressEvent } from '../../shared/work/progress';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { startProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { checkStore, storeIsSound } from '../../electron/core/store/checkStore';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { QUARANTINE_NOTE } from '../../electron/core/store/quarantine';
import { repairCheckedStore, soundAfter } from '../../electron/core/store/repairCheckedStore';
import { RepairBundleError } from '../../electron/core/store/restoreFromBundle';
import { lockStore, tryLockStore } from '../../electron/core/store/storeLock';
import { requestCommand } from '../../electron/cli/commands/requestCommand';
import { makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { makeBundle, snapshotStore } from '../support/storeFixtures';

const key = testSigningKey();
const stranger = testSigningKey();
const trustOurKey = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;

const modules: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.0.0' },
  { path: 'example.com/a', version: 'v1.1.0' },
  { path: 'github.com/BurntSushi/toml', version: 'v1.2.0', files: { 'decode.go': 'package toml\n', 'LICENSE': 'MIT\n' } },
];
const A_ZIP = 'example.com/a/@v/v1.0.0.zip';
const A11_MOD = 'example.com/a/@v/v1.1.0.mod';
const TOML_ZIP = 'github.com/!burnt!sushi/toml/@v/v1.2.0.zip';
const TOML_INFO = 'github.com/!burnt!sushi/toml/@v/v1.2.0.info';

let root: string;
let cleanup: () => Promise<void>;
let bundle: WrittenBundle;
let strangerBundle: WrittenBundle;
let counter = 0;
const stores: DiskStore[] = [];

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-check'));
  bundle = await makeBundle(root, modules, key);
  strangerBundle = await makeBundle(root, modules, stranger);
});
after(async () => {
  for (const store of stores) store.close();
  await cleanup();
});

/** A store holding the bundle's modules. */
async function freshStore(): Promise<DiskStore> {
  const store = openStore(path.join(root, `store-${++counter}`), { mode: 'write' });
  stores.push(store);
  await importBundle(bundle.bundleDir, { store, trust: trustOurKey });
  return store;
}

const inTree = (store: DiskStore, treePath: string): string => path.join(store.layout.tree, ...treePath.split('/'));

async function flipByte(file: string): Promise<Buffer> {
  const bytes = await readFile(file);
  const damaged = Buffer.from(bytes);
  const middle = Math.floor(damaged.length / 2);
  damaged[middle] = (damaged[middle] ?? 0) ^ 0xff;
  await writeFile(file, damaged);
  return damaged;
}

/** Every file under a quarantine folder (relative paths) with its bytes. */
async function quarantined(dir: string | undefined): Promise<Map<string, Buffer>> {
  assert.ok(dir !== undefined, 'something was quarantined');
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join('/'), await readFile(full));
  }
  return files;
}

describe('checkStore', () => {
  test('a sound store checks clean, reporting its progress', async () => {
    const store = await freshStore();
    const events: ProgressEvent[] = [];
    const report = await checkStore(store.layout, store.catalog, { onProgress: (event) => events.push(event) });
    const stored = bundle.manifest.entries.filter((entry) => !entry.path.endsWith('/@v/list'));
    assert.deepEqual(report, {
      files: stored.length, bytes: stored.reduce((sum, e) => sum + e.size, 0), damaged: [], missing: [], stray: [],
      proofs: { files: 0, bytes: 0, damaged: [], missing: [], stray: [], damagedHeads: [] },
    });
    assert.ok(storeIsSound(report));
    assert.ok(events.length > 0 && events.every((event) => event.stage === 'check' && event.totalFiles === stored.length));
  });

  test('a flipped byte (same size), a truncated file and a missing file are found and named', async () => {
    const store = await freshStore();
    const good = await readFile(inTree(store, A_ZIP));
    const damaged = await flipByte(inTree(store, A_ZIP));
    assert.equal(damaged.length, good.length);
    await truncate(inTree(store, TOML_ZIP), 10);
    await rm(inTree(store, TOML_INFO));

    const report = await checkStore(store.layout, store.catalog);
    assert.deepEqual(
      report.damaged.map(({ file, found, why }) => [file.path, `${file.modulePath}@${file.version}`, file.sha256, found?.sha256, why]),
      [
        [A_ZIP, 'example.com/a@v1.0.0', sha256Hex(good), sha256Hex(damaged), 'sha256 differs from the catalog'],
        [TOML_ZIP, 'github.com/BurntSushi/toml@v1.2.0', store.catalog.fileByPath(TOML_ZIP)?.sha256, sha256Hex((await readFile(inTree(store, TOML_ZIP)))), `10 bytes, the catalog says ${store.catalog.fileByPath(TOML_ZIP)?.size}`],
      ],
    );
    assert.deepEqual(report.missing.map((file) => [file.path, file.modulePath, file.version, file.bundleId]), [
      [TOML_INFO, 'github.com/BurntSushi/toml', 'v1.2.0', bundle.manifest.bundleId],
    ]);
    assert.equal(storeIsSound(report), false);
  });

  test('files in the tree the catalog does not list are reported, never removed', async () => {
    const store = await freshStore();
    const stray = inTree(store, 'example.com/a/@v/v9.9.9.zip');
    await writeFile(stray, 'not from any bundle');
    await mkdir(inTree(store, 'example.com/z'), { recursive: true });
    await writeFile(inTree(store, 'example.com/z/notes.txt'), 'mine');
    const before = await snapshotStore(store.dir);

    const report = await checkStore(store.layout, store.catalog);
    assert.deepEqual(report.stray, ['example.com/a/@v/v9.9.9.zip', 'example.com/z/notes.txt']);
    assert.deepEqual(await snapshotStore(store.dir), before);
  });

  test('the check needs no lock: it runs while another process holds the store lock', async () => {
    const store = await freshStore();
    await flipByte(inTree(store, A_ZIP));
    const lock = lockStore(store.layout.lock, store.dir);
    try {
      const report = await checkStore(store.layout, store.catalog);
      assert.deepEqual(report.damaged.map(({ file }) => file.path), [A_ZIP]);
      await assert.rejects(repairCheckedStore(store.layout, store.catalog, { bundles: [], trust: trustOurKey }), /is importing into or repairing this store/);
    } finally {
      lock.release();
    }
  });

  test('an aborted check stops with the abort reason', async () => {
    const store = await freshStore();
    const controller = new AbortController();
    controller.abort(new Error('stop here'));
    await assert.rejects(checkStore(store.layout, store.catalog, { signal: controller.signal }), /stop here/);
    let events = 0;
    const midway = new AbortController();
    await assert.rejects(
      checkStore(store.layout, store.catalog, {
        signal: midway.signal,
        onProgress: () => {
          if (++events === 1) midway.abort(new Error('interrupted'));
        },
      }),
      /interrupted/,
    );
  });
});

describe('repairCheckedStore', () => {
  test('restores damaged and missing files from a bundle; the quarantine holds the bad bytes and the strays', async () => {
    const store = await freshStore();
    const goodZip = await readFile(inTree(store, A_ZIP));
    const goodInfo = await readFile(inTree(store, TOML_INFO));
    const goodToml = await readFile(inTree(store, TOML_ZIP));
    const badZip = await flipByte(inTree(store, A_ZIP));
    await truncate(inTree(store, TOML_ZIP), 10);
    await rm(inTree(store, TOML_INFO));
    await writeFile(inTree(store, 'example.com/a/@v/v9.9.9.zip'), 'stray');
    const catalogBefore = (await snapshotStore(store.dir)).catalog;

    const result = await repairCheckedStore(store.layout, store.catalog, { bundles: [bundle.bundleDir], trust: trustOurKey });
    const { repair } = result;
    assert.ok(repair !== undefined);
    assert.deepEqual(repair.restored.map(({ file, bundleId }) => [file.path, bundleId]), [
      [A_ZIP, bundle.manifest.bundleId],
      [TOML_INFO, bundle.manifest.bundleId],
      [TOML_ZIP, bundle.manifest.bundleId],
    ]);
    assert.deepEqual(repair.forgotten, []);
    assert.deepEqual(repair.quarantined, [A_ZIP, 'example.com/a/@v/v9.9.9.zip', TOML_ZIP]);
    assert.ok(soundAfter(result));

    assert.deepEqual(await readFile(inTree(store, A_ZIP)), goodZip);
    assert.deepEqual(await readFile(inTree(store, TOML_INFO)), goodInfo);
    assert.deepEqual(await readFile(inTree(store, TOML_ZIP)), goodToml);
    const moved = await quarantined(repair.quarantineDir);
    assert.deepEqual(moved.get(`tree/${A_ZIP}`), badZip);
    assert.equal(moved.get(`tree/${TOML_ZIP}`)?.length, 10);
    assert.equal(moved.get('tree/example.com/a/@v/v9.9.9.zip')?.toString(), 'stray');
    assert.match(moved.get(QUARANTINE_NOTE)?.toString() ?? '', /example\.com\/a@v1\.0\.0: damaged \(sha256 differs from the catalog/);

    assert.deepEqual((await snapshotStore(store.dir)).catalog, catalogBefore, 'the catalog is unchanged');
    assert.deepEqual(await readdir(store.layout.staging), [], 'the restore leaves nothing in staging');
    const relocked = tryLockStore(store.layout.lock);
    assert.ok(relocked !== undefined, 'the lock is released');
    relocked.release();
    assert.ok(storeIsSound(await checkStore(store.layout, store.catalog)));
  });

  test('a sound store is left alone, bundle or not', async () => {
    const store = await freshStore();
    const before = await snapshotStore(store.dir);
    const result = await repairCheckedStore(store.layout, store.catalog, { bundles: [bundle.bundleDir], trust: trustOurKey });
    assert.equal(result.repair, undefined);
    assert.ok(soundAfter(result));
    assert.deepEqual(await snapshotStore(store.dir), before);
  });

  test('without a bundle, a damaged file is quarantined and forgotten: the proxy stops listing it and the next request file asks for it', async () => {
    const store = await freshStore();
    const badMod = await flipByte(inTree(store, A11_MOD));
    assert.deepEqual(store.versions('example.com/a'), ['v1.0.0', 'v1.1.0']);

    const result = await repairCheckedStore(store.layout, store.catalog, { bundles: [], trust: trustOurKey });
    const { repair } = result;
    assert.ok(repair !== undefined);
    assert.deepEqual(repair.restored, []);
    assert.deepEqual(repair.forgotten.map(({ file, was }) => [file.path, `${file.modulePath}@${file.version}`, file.bundleId, was]), [
      [A11_MOD, 'example.com/a@v1.1.0', bundle.manifest.bundleId, 'damaged'],
    ]);
    assert.equal(soundAfter(result), false);
    assert.equal(store.catalog.fileByPath(A11_MOD), undefined);
    assert.ok(!existsSync(inTree(store, A11_MOD)));
    assert.deepEqual((await quarantined(repair.quarantineDir)).get(`tree/${A11_MOD}`), badMod);
    assert.deepEqual(store.versions('example.com/a'), ['v1.0.0']);
    assert.ok(storeIsSound(await checkStore(store.layout, store.catalog)), 'what is left checks sound');

    const server = await startProxyServer({ store, host: '127.0.0.1', port: 0 });
    try {
      const list = await fetch(`${server.url}/example.com/a/@v/list`);
      assert.equal(await list.text(), 'v1.0.0\n');
      assert.equal((await fetch(`${server.url}/example.com/a/@v/v1.1.0.mod`)).status, 404);
      assert.equal((await fetch(`${server.url}/example.com/a/@v/v1.0.0.mod`)).status, 200);
    } finally {
      await server.close();
      store.flushMisses();
    }
    const out = path.join(root, `request-${++counter}.txt`);
    const output = captureOutput();
    assert.equal(await requestCommand(['--store', store.dir, '--out', out], output), 0);
    assert.match(await readFile(out, 'utf8'), /^example\.com\/a@v1\.1\.0 /m);
  });

  test('a proxy already serving a file forgets it once a repair in another process forgets it', async () => {
    const store = await freshStore();
    const server = await startProxyServer({ store, host: '127.0.0.1', port: 0 });
    const repairer = openStore(store.dir, { mode: 'write' });
    try {
      const target = `${server.url}/example.com/a/@v/v1.1.0.mod`;
      // Twice: the second answer comes from what the server remembers of the target.
      assert.equal((await fetch(target)).status, 200);
      assert.equal((await fetch(target)).status, 200);
      await flipByte(inTree(store, A11_MOD));
      const { repair } = await repairCheckedStore(repairer.layout, repairer.catalog, { bundles: [], trust: trustOurKey });
      assert.deepEqual(repair?.forgotten.map(({ file }) => file.path), [A11_MOD]);
      // The server checks the store's generation at most every 200 ms.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await fetch(target);
      assert.equal(after.status, 404, await after.text());
    } finally {
      repairer.close();
      await server.close();
    }
  });

  test('a bundle whose copy differs from the catalog\'s restores nothing and the file is forgotten', async () => {
    const store = await freshStore();
    const other = await makeBundle(root, [
      { path: 'example.com/other', version: 'v1.0.0' },
      { path: 'example.com/a', version: 'v1.0.0', files: { 'main.go': 'package a // not the one the store holds\n' } },
    ], key);
    assert.ok(other.manifest.entries.some((entry) => entry.path === A_ZIP));
    await rm(inTree(store, A_ZIP));
    const { repair } = await repairCheckedStore(store.layout, store.catalog, { bundles: [other.bundleDir], trust: trustOurKey });
    assert.deepEqual(repair?.restored, []);
    assert.deepEqual(repair?.forgotten.map(({ file, was }) => [file.path, was]), [[A_ZIP, 'missing']]);
    assert.equal(repair?.quarantineDir, undefined);
    assert.deepEqual(store.catalog.fileByPath(A_ZIP), undefined);
  });

  test('a bundle signed by an untrusted key is refused for repair and the store is left as it was', async () => {
    const store = await freshStore();
    await flipByte(inTree(store, A_ZIP));
    const before = await snapshotStore(store.dir);
    await assert.rejects(
      repairCheckedStore(store.layout, store.catalog, { bundles: [strangerBundle.bundleDir], trust: trustOurKey }),
      (error: unknown) => {
        assert.ok(error instanceof RepairBundleError);
        assert.equal(error.bundleDir, strangerBundle.bundleDir);
        assert.match(error.message, new RegExp(`signed by ${stranger.fingerprint.replace(/[+/]/g, '\\$&')}, which is not a trusted signer`));
        return true;
      },
    );
    assert.deepEqual(await snapshotStore(store.dir), before);
  });

  test('a bundle with a changed byte is refused, even when the entry the store needs is intact', async () => {
    const store = await freshStore();
    await flipByte(inTree(store, A_ZIP));
    const copy = path.join(root, `copy-${++counter}`, bundle.manifest.bundleId);
    await mkdir(copy, { recursive: true });
    for (const name of await readdir(bundle.bundleDir)) await writeFile(path.join(copy, name), await readFile(path.join(bundle.bundleDir, name)));
    const lastVolume = bundle.manifest.volumes.at(-1);
    assert.ok(lastVolume);
    await flipByte(path.join(copy, lastVolume.name));
    const before = await snapshotStore(store.dir);
    await assert.rejects(repairCheckedStore(store.layout, store.catalog, { bundles: [copy], trust: trustOurKey }), RepairBundleError);
    assert.deepEqual(await snapshotStore(store.dir), before);
  });
});
