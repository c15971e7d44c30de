import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { cp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BundleManifest } from '../../shared/bundle/manifest';
import { escapePath } from '../../shared/gomod/modulePath';
import type { ProgressEvent } from '../../shared/work/progress';
import { BundleVerifyError } from '../../electron/core/bundle/bundleVerifyError';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { hashGoModBytes } from '../../electron/core/modzip/hashModuleZip';
import { signerPolicy, trustStore } from '../../electron/core/keys/trustStore';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { repairDidSomething } from '../../electron/core/store/repairStore';
import { importBundle, type ImportBundleOptions } from '../../electron/core/store/importBundle';
import { ImportConflictError } from '../../electron/core/store/importPlan';
import { importSpace } from '../../electron/core/store/storeSpace';
import { craftTar, makeTempDir, sha256Hex, testSigningKey, writeSignedBundle, type SourceModule } from '../support/bundleSources';
import { makeBundle, snapshotStore } from '../support/storeFixtures';

const key = testSigningKey();
const trustOurKey = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;

const first: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.0.0' },
  { path: 'example.com/a', version: 'v1.1.0' },
  { path: 'github.com/BurntSushi/toml', version: 'v1.2.0', files: { 'decode.go': 'package toml\n', 'LICENSE': 'MIT\n' } },
];
const overlapping: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.1.0' },
  { path: 'example.com/b', version: 'v0.1.0' },
];
/** example.com/a@v1.0.0 again, but with other source: its zip differs from the one the store holds. */
const conflicting: SourceModule[] = [
  { path: 'example.com/c', version: 'v1.0.0' },
  { path: 'example.com/a', version: 'v1.0.0', files: { 'main.go': 'package a // changed\n' } },
];

let root: string;
let cleanup: () => Promise<void>;
let firstBundle: WrittenBundle;
let overlappingBundle: WrittenBundle;
let conflictingBundle: WrittenBundle;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-import'));
  firstBundle = await makeBundle(root, first, key);
  overlappingBundle = await makeBundle(root, overlapping, key);
  conflictingBundle = await makeBundle(root, conflicting, key);
});
after(() => cleanup());

function importInto(store: DiskStore, bundleDir: string, extra: Partial<ImportBundleOptions> = {}): ReturnType<typeof importBundle> {
  return importBundle(bundleDir, { store, trust: trustOurKey, ...extra });
}

/** A store that holds the first bundle. */
async function storeWithFirstBundle(): Promise<{ store: DiskStore; dir: string }> {
  const dir = freshDir('store');
  const store = openStore(dir, { mode: 'write' });
  await importInto(store, firstBundle.bundleDir);
  return { store, dir };
}

/** Copies a bundle folder so a test can damage its copy. */
async function copyBundle(bundle: WrittenBundle): Promise<string> {
  const copy = path.join(freshDir('copy'), bundle.manifest.bundleId);
  await cp(bundle.bundleDir, copy, { recursive: true });
  return copy;
}

/** Files of the store's tree, relative and sorted. */
async function treeFiles(storeDir: string): Promise<string[]> {
  const tree = path.join(storeDir, 'tree');
  const entries = await readdir(tree, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(tree, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

async function stagingEntries(storeDir: string): Promise<string[]> {
  return readdir(path.join(storeDir, 'staging'));
}

/** Where in a volume an entry's data starts: its volume holds whole files, each a header block and padded data. */
function dataOffsetOf(manifest: BundleManifest, entryPath: string): { volume: string; offset: number } {
  const entry = manifest.entries.find((e) => e.path === entryPath);
  assert.ok(entry, `${entryPath} is in the manifest`);
  let offset = 0;
  for (const e of manifest.entries.filter((x) => x.volume === entry.volume)) {
    if (e.path === entryPath) break;
    offset += 512 + Math.ceil(e.size / 512) * 512;
  }
  const volume = manifest.volumes[entry.volume - 1];
  assert.ok(volume);
  return { volume: volume.name, offset: offset + 512 };
}

describe('importBundle', () => {
  test('imports a multi-volume bundle into the escaped tree and records it in the catalog', async () => {
    assert.ok(firstBundle.manifest.volumes.length >= 3, 'the bundle spans several volumes');
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    const events: ProgressEvent[] = [];
    const result = await importInto(store, firstBundle.bundleDir, { onProgress: (e) => events.push(e) });

    const stored = firstBundle.manifest.entries.filter((e) => !e.path.endsWith('/@v/list'));
    assert.deepEqual(result, {
      bundleId: firstBundle.manifest.bundleId,
      signer: key.fingerprint,
      signerNewlyTrusted: false,
      alreadyImported: false,
      added: stored.length,
      addedBytes: stored.reduce((sum, e) => sum + e.size, 0),
      alreadyPresent: 0,
      restored: [],
      unmet: [],
      proofs: { added: 0, heads: [] },
    });
    assert.equal(stored.length, 9);
    assert.deepEqual(await treeFiles(dir), stored.map((e) => e.path).sort());
    assert.ok((await treeFiles(dir)).includes('github.com/!burnt!sushi/toml/@v/v1.2.0.zip'));
    assert.deepEqual(await stagingEntries(dir), []);
    assert.equal(existsSync(path.join(dir, 'import.lock')), false);
    for (const entry of stored) assert.equal(sha256Hex(await readFile(path.join(dir, 'tree', ...entry.path.split('/')))), entry.sha256);

    assert.deepEqual(store.versions('example.com/a'), ['v1.0.0', 'v1.1.0']);
    assert.deepEqual(store.zipVersions('github.com/BurntSushi/toml'), ['v1.2.0']);
    assert.deepEqual(store.versions('github.com/burntsushi/toml'), [], 'module paths are case-sensitive');
    assert.deepEqual(store.versions('example.com/none'), []);
    const zip = store.file('github.com/BurntSushi/toml', 'v1.2.0', 'zip');
    const zipEntry = stored.find((e) => e.path === 'github.com/!burnt!sushi/toml/@v/v1.2.0.zip');
    assert.deepEqual(zip, { file: path.join(dir, 'tree', 'github.com', '!burnt!sushi', 'toml', '@v', 'v1.2.0.zip'), size: zipEntry?.size, sha256: zipEntry?.sha256 });
    assert.equal(store.file('example.com/a', 'v1.2.0', 'mod'), undefined);
    assert.deepEqual(store.stats(), { modules: 2, versions: 3, bytes: result.addedBytes });
    assert.deepEqual(store.inventory(), [
      { path: 'example.com/a', version: 'v1.0.0', files: ['info', 'mod', 'zip'] },
      { path: 'example.com/a', version: 'v1.1.0', files: ['info', 'mod', 'zip'] },
      { path: 'github.com/BurntSushi/toml', version: 'v1.2.0', files: ['info', 'mod', 'zip'] },
    ]);
    assert.deepEqual(store.bundles().map((b) => [b.bundleId, b.signer, b.createdAt, b.filesAdded]), [
      [firstBundle.manifest.bundleId, key.fingerprint, firstBundle.manifest.createdAt, 9],
    ]);
    assert.ok(events.some((e) => e.stage === 'verify'));
    assert.deepEqual(events.filter((e) => e.stage === 'commit').at(-1), {
      stage: 'commit', message: `imported ${firstBundle.manifest.bundleId}`, files: 9, totalFiles: 9, bytes: result.addedBytes, totalBytes: result.addedBytes,
    });
    store.close();
  });

  test('a store reopened later answers the same', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const before = { versions: store.versions('example.com/a'), inventory: store.inventory(), stats: store.stats() };
    store.close();
    const reopened = openStore(dir, { mode: 'write' });
    assert.deepEqual({ versions: reopened.versions('example.com/a'), inventory: reopened.inventory(), stats: reopened.stats() }, before);
    assert.equal(repairDidSomething(await reopened.repair()), false);
    reopened.close();
  });

  test('importing the same bundle again is a no-op, reported as such', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const before = await snapshotStore(dir);
    const result = await importInto(store, firstBundle.bundleDir);
    assert.deepEqual(result, {
      bundleId: firstBundle.manifest.bundleId,
      signer: key.fingerprint,
      signerNewlyTrusted: false,
      alreadyImported: true,
      added: 0,
      addedBytes: 0,
      alreadyPresent: 9,
      restored: [],
      unmet: [],
      proofs: { added: 0, heads: [] },
    });
    assert.deepEqual(await snapshotStore(dir), before);
    store.close();
  });

  test('an overlapping bundle adds only what is new', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const result = await importInto(store, overlappingBundle.bundleDir);
    assert.equal(result.alreadyImported, false);
    assert.equal(result.added, 3, 'example.com/b@v0.1.0 .info, .mod and .zip');
    assert.equal(result.alreadyPresent, 3, 'example.com/a@v1.1.0 .info, .mod and .zip');
    assert.deepEqual(store.versions('example.com/a'), ['v1.0.0', 'v1.1.0']);
    assert.deepEqual(store.versions('example.com/b'), ['v0.1.0']);
    assert.equal((await treeFiles(dir)).length, 12);
    assert.deepEqual(store.bundles().map((b) => [b.bundleId, b.filesAdded]), [
      [firstBundle.manifest.bundleId, 9],
      [overlappingBundle.manifest.bundleId, 3],
    ]);
    assert.equal((await importInto(store, overlappingBundle.bundleDir)).alreadyImported, true);
    store.close();
  });

  test('a bundle with a file the store holds with other bytes is refused whole, naming the file and both hashes', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const before = await snapshotStore(dir);
    const zipPath = 'example.com/a/@v/v1.0.0.zip';
    const held = store.file('example.com/a', 'v1.0.0', 'zip')?.sha256;
    const offered = conflictingBundle.manifest.entries.find((e) => e.path === zipPath)?.sha256;
    assert.ok(held !== undefined && offered !== undefined && held !== offered);
    await assert.rejects(importInto(store, conflictingBundle.bundleDir), (error: Error) => {
      assert.ok(error instanceof ImportConflictError);
      assert.equal(
        error.message,
        `${zipPath}: the store already holds different bytes (sha256 ${held} in the store, ${offered} in bundle ${conflictingBundle.manifest.bundleId}); nothing was imported`,
      );
      return true;
    });
    assert.deepEqual(await snapshotStore(dir), before);
    assert.deepEqual(store.versions('example.com/c'), [], 'the bundle\'s other, new module did not land either');
    store.close();
  });

  test('a flipped byte in a later volume is refused, naming volume and entry, and nothing lands', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const before = await snapshotStore(dir);
    const copy = await copyBundle(overlappingBundle);
    const victim = overlappingBundle.manifest.entries.filter((e) => e.path.endsWith('.zip')).at(-1);
    assert.ok(victim);
    const { volume, offset } = dataOffsetOf(overlappingBundle.manifest, victim.path);
    assert.notEqual(volume, overlappingBundle.manifest.volumes[0]?.name, 'earlier volumes land first');
    const bytes = await readFile(path.join(copy, volume));
    bytes[offset + 10] = (bytes[offset + 10] ?? 0) ^ 0x01;
    await writeFile(path.join(copy, volume), bytes);

    await assert.rejects(importInto(store, copy), (error: Error) => {
      assert.ok(error instanceof BundleVerifyError);
      assert.equal(error.volume, volume);
      assert.equal(error.entry, victim.path);
      assert.match(error.message, /sha256 mismatch/);
      return true;
    });
    assert.deepEqual(await snapshotStore(dir), before);
    store.close();
  });

  test('a truncated or missing volume is refused before anything is read, and nothing lands', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const before = await snapshotStore(dir);
    const truncated = await copyBundle(overlappingBundle);
    const last = overlappingBundle.manifest.volumes.at(-1);
    assert.ok(last);
    await truncate(path.join(truncated, last.name), last.size - 512);
    await assert.rejects(importInto(store, truncated), { message: `${last.name}: ${last.size - 512} bytes, the manifest says ${last.size} (truncated or incompletely copied)` });

    const missing = await copyBundle(overlappingBundle);
    await rm(path.join(missing, last.name));
    await assert.rejects(importInto(store, missing), { message: `${last.name}: missing (volume ${last.index} of ${last.index})` });
    assert.deepEqual(await snapshotStore(dir), before);
    store.close();
  });

  test('a volume entry that climbs out of the tree is refused, and nothing lands anywhere', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const before = await snapshotStore(dir);
    const goMod = Buffer.from('module example.com/evil\n');
    const listed = { path: 'example.com/evil/@v/v1.0.0.mod', content: goMod };
    const volume = craftTar([listed, { path: '../../../escaped.txt', content: 'gotcha\n' }]);
    const parent = freshDir('crafted');
    const { bundleDir } = await writeSignedBundle(parent, [
      { bytes: volume, entries: [{ path: listed.path, size: goMod.length, sha256: sha256Hex(goMod), h1: hashGoModBytes(goMod) }] },
    ], key);
    await assert.rejects(importInto(store, bundleDir), (error: Error) => {
      assert.ok(error instanceof BundleVerifyError);
      assert.equal(error.entry, '../../../escaped.txt');
      assert.match(error.reason, /climbs out/);
      return true;
    });
    assert.deepEqual(await snapshotStore(dir), before);
    for (const place of [path.join(dir, '..', 'escaped.txt'), path.join(dir, 'escaped.txt'), path.join(parent, 'escaped.txt')]) {
      assert.equal(existsSync(place), false, place);
    }
    store.close();
  });

  test('a bundle larger than the store\'s free space is refused before any volume is read', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const before = await snapshotStore(dir);
    const info = Buffer.from('{"Version":"v1.0.0"}');
    // The manifest is signed and well formed; only the size it gives (a petabyte) is impossible to hold.
    const { bundleDir, manifest } = await writeSignedBundle(freshDir('huge'), [
      { bytes: craftTar([{ path: 'example.com/huge/@v/v1.0.0.info', content: info }]), entries: [{ path: 'example.com/huge/@v/v1.0.0.info', size: 2 ** 50, sha256: sha256Hex(info) }] },
    ], key);
    await assert.rejects(importInto(store, bundleDir), (error: Error) => {
      assert.match(error.message, new RegExp(`^not enough free space on .*: importing ${manifest.bundleId} needs 1\\.0 PiB, .* is free, .* short; nothing was imported`));
      return true;
    });
    assert.deepEqual(await snapshotStore(dir), before);
    store.close();
  });

  test('free space needed is the new files once, in whole blocks, plus their catalog rows', () => {
    assert.deepEqual(importSpace([1, 4096, 4097], 4096, 20_000), { neededBytes: 4096 * 4 + 3 * 1024, availableBytes: 20_000, shortfallBytes: 0 });
    assert.deepEqual(importSpace([10_000], 4096, 10_000), { neededBytes: 12_288 + 1024, availableBytes: 10_000, shortfallBytes: 3312 });
    assert.deepEqual(importSpace([], 4096, 0), { neededBytes: 0, availableBytes: 0, shortfallBytes: 0 });
  });

  test('an unknown signer is refused; accepted as new, it is trusted once the bundle checked out', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    const trusted = trustStore(freshDir('trusted-keys'));
    const before = await snapshotStore(dir);
    await assert.rejects(importBundle(firstBundle.bundleDir, { store, trust: signerPolicy(trusted, { acceptNewSigner: false }), trustStore: trusted }), (error: Error) => {
      assert.ok(error instanceof BundleVerifyError);
      assert.match(error.message, new RegExp(`^manifest\\.sig: signed by ${key.fingerprint}, which is not a trusted signer`));
      return true;
    });
    assert.deepEqual(await snapshotStore(dir), before);
    assert.deepEqual(await trusted.list(), []);

    const result = await importBundle(firstBundle.bundleDir, { store, trust: signerPolicy(trusted, { acceptNewSigner: true }), trustStore: trusted });
    assert.equal(result.signerNewlyTrusted, true);
    assert.equal(result.added, 9);
    assert.equal(await trusted.isTrusted(key.fingerprint), true);

    const again = await importBundle(overlappingBundle.bundleDir, { store, trust: signerPolicy(trusted, { acceptNewSigner: false }), trustStore: trusted });
    assert.equal(again.signerNewlyTrusted, false);
    assert.equal(again.added, 3);
    store.close();
  });

  test('a bundle from a signer accepted as new but failing verification leaves the signer untrusted', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    const trusted = trustStore(freshDir('trusted-keys'));
    const copy = await copyBundle(firstBundle);
    const volume = firstBundle.manifest.volumes.at(-1);
    assert.ok(volume);
    const bytes = await readFile(path.join(copy, volume.name));
    bytes[600] = (bytes[600] ?? 0) ^ 0xff;
    await writeFile(path.join(copy, volume.name), bytes);
    await assert.rejects(importBundle(copy, { store, trust: signerPolicy(trusted, { acceptNewSigner: true }), trustStore: trusted }), BundleVerifyError);
    assert.deepEqual(await trusted.list(), []);
    assert.deepEqual(store.inventory(), []);
    store.close();
  });

  test('an abort part-way through leaves the store as it was, staged files included', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    const before = await snapshotStore(dir);
    const controller = new AbortController();
    const thirdVolume = firstBundle.manifest.volumes[2]?.name;
    assert.ok(thirdVolume);
    let stagedAtAbort: string[] = [];
    await assert.rejects(
      importInto(store, firstBundle.bundleDir, {
        signal: controller.signal,
        onProgress: (e) => {
          if (e.message !== `checking ${thirdVolume}`) return;
          stagedAtAbort = readdirSync(path.join(dir, 'staging', firstBundle.manifest.bundleId));
          controller.abort(new Error('stopped by the operator'));
        },
      }),
      { message: 'stopped by the operator' },
    );
    assert.ok(stagedAtAbort.length >= 3, `earlier volumes' files were staged: ${stagedAtAbort.join(', ')}`);
    assert.deepEqual(await snapshotStore(dir), before);
    store.close();
  });

  test('a corrupt manifest is refused by verification, and nothing lands', async () => {
    const { store, dir } = await storeWithFirstBundle();
    const before = await snapshotStore(dir);
    const copy = await copyBundle(overlappingBundle);
    const manifestFile = path.join(copy, 'manifest.json');
    await writeFile(manifestFile, (await readFile(manifestFile, 'utf8')).replace('"tool"', '"tool" '));
    await assert.rejects(importInto(store, copy), { message: /^manifest\.sig: the signature by .* does not match manifest\.json/ });
    assert.deepEqual(await snapshotStore(dir), before);
    store.close();
  });

  test('versions are listed in semver order, pseudo-versions and pre-releases included', async () => {
    const versions = ['v1.10.0', 'v1.9.0', 'v1.10.0-rc.1', 'v0.0.0-20230102150405-abcdefabcdef', 'v1.2.0', 'v2.0.0+incompatible'];
    const bundle = await makeBundle(freshDir('semver'), versions.map((version) => ({ path: 'example.com/sorted', version })), key, 1024 * 1024);
    const store = openStore(freshDir('store'), { mode: 'write' });
    await importInto(store, bundle.bundleDir);
    const expected = ['v0.0.0-20230102150405-abcdefabcdef', 'v1.2.0', 'v1.9.0', 'v1.10.0-rc.1', 'v1.10.0', 'v2.0.0+incompatible'];
    assert.deepEqual(store.versions('example.com/sorted'), expected);
    assert.deepEqual(store.zipVersions('example.com/sorted'), expected);
    assert.deepEqual(store.inventory().map((m) => m.version), expected);
    store.close();
  });

  test('the tree uses escaped paths only', async () => {
    const { store, dir } = await storeWithFirstBundle();
    for (const file of await treeFiles(dir)) assert.equal(file, file.toLowerCase(), file);
    assert.ok((await treeFiles(dir)).every((file) => file.startsWith(`${escapePath('example.com/a')}/`) || file.startsWith(`${escapePath('github.com/BurntSushi/toml')}/`)));
    store.close();
  });
});
