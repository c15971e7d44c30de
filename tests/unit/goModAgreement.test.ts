import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import yazl from 'yazl';
import type { BundleEntry } from '../../shared/bundle/manifest';
import { BundleVerifyError } from '../../electron/core/bundle/bundleVerifyError';
import { verifyBundle } from '../../electron/core/bundle/verifyBundle';
import { hashGoModBytes, hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { openStore } from '../../electron/core/store/diskStore';
import { DamagedStoreCopyError, GoModConflictError } from '../../electron/core/store/storeGoMods';
import { importBundle } from '../../electron/core/store/importBundle';
import { craftTar, makeTempDir, moduleZip, sha256Hex, testSigningKey, writeSignedBundle, type CraftedTarEntry } from '../support/bundleSources';
import { snapshotStore } from '../support/storeFixtures';

const key = testSigningKey();
const trust = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;
const mod = { path: 'example.com/a', version: 'v1.0.0' };
const modPath = 'example.com/a/@v/v1.0.0.mod';
const zipPath = 'example.com/a/@v/v1.0.0.zip';
const goMod = Buffer.from('module example.com/a\n\ngo 1.21\n');
/** A go.mod that names another module: the zip would land a module under the wrong path. */
const otherGoMod = Buffer.from('module example.com/evil\n\ngo 1.21\n');

let root: string;
let cleanup: () => Promise<void>;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);
let goodZip: { bytes: Buffer; h1: string };
let badZip: { bytes: Buffer; h1: string };
let bareZip: { bytes: Buffer; h1: string };

async function withH1(bytes: Buffer): Promise<{ bytes: Buffer; h1: string }> {
  const file = path.join(freshDir('zip'), 'm.zip');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return { bytes, h1: await hashModuleZip(file) };
}

/** A module zip without a go.mod: the go command then takes `module <path>` as its go.mod. */
async function zipWithoutGoMod(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from('package a\n'), `${mod.path}@${mod.version}/a.go`, { mtime: new Date('2024-01-02T03:04:05Z'), mode: 0o644 });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('gomod-agreement'));
  goodZip = await withH1(await moduleZip(mod, goMod));
  badZip = await withH1(await moduleZip(mod, otherGoMod));
  bareZip = await withH1(await zipWithoutGoMod());
});
after(() => cleanup());

type File = { tar: CraftedTarEntry; listed: Omit<BundleEntry, 'volume'> };
const modFile = (content: Buffer = goMod): File => ({
  tar: { path: modPath, content },
  listed: { path: modPath, size: content.length, sha256: sha256Hex(content), h1: hashGoModBytes(content) },
});
const zipFile = (zip: { bytes: Buffer; h1: string }): File => ({
  tar: { path: zipPath, content: zip.bytes },
  listed: { path: zipPath, size: zip.bytes.length, sha256: sha256Hex(zip.bytes), h1: zip.h1 },
});

let bundleNumber = 0;
/** A signed bundle of these volumes, each a list of files in tar order. */
async function bundleOf(volumes: File[][]): Promise<string> {
  const bundleId = `mf-20261125-${(++bundleNumber).toString(16).padStart(8, '0')}`;
  const { bundleDir } = await writeSignedBundle(freshDir('bundle'), volumes.map((files) => ({
    bytes: craftTar(files.map((f) => f.tar)),
    entries: files.map((f) => f.listed),
  })), key, bundleId);
  return bundleDir;
}

function refusesZipGoMod(error: unknown): boolean {
  assert.ok(error instanceof BundleVerifyError, String(error));
  assert.equal(error.entry, zipPath);
  assert.equal(error.module, mod.path);
  assert.equal(error.version, mod.version);
  assert.match(error.reason, /go\.mod:? differs from the module's \.mod file/);
  return true;
}

describe('a version\'s .mod and its zip\'s go.mod agree, whatever their order', () => {
  const layouts: Array<[string, (zip: File) => File[][]]> = [
    ['.mod first in one volume', (zip) => [[modFile(), zip]]],
    ['zip first in one volume', (zip) => [[zip, modFile()]]],
    ['zip in an earlier volume', (zip) => [[zip], [modFile()]]],
    ['.mod in an earlier volume', (zip) => [[modFile()], [zip]]],
  ];
  for (const [layout, volumes] of layouts) {
    test(`${layout}: a zip whose go.mod names another module is refused, verified in place and imported`, async () => {
      const bundleDir = await bundleOf(volumes(zipFile(badZip)));
      await assert.rejects(verifyBundle(bundleDir, { trust }), refusesZipGoMod);
      const store = openStore(freshDir('store'), { mode: 'write' });
      await assert.rejects(importBundle(bundleDir, { store, trust }), refusesZipGoMod);
      assert.deepEqual(store.inventory(), []);
      store.close();
    });

    test(`${layout}: matching files verify and import`, async () => {
      const bundleDir = await bundleOf(volumes(zipFile(goodZip)));
      await verifyBundle(bundleDir, { trust });
      const store = openStore(freshDir('store'), { mode: 'write' });
      assert.equal((await importBundle(bundleDir, { store, trust })).added, 2);
      store.close();
    });
  }

  test('a zip without a go.mod is compared with nothing: the go command makes its go.mod from the path', async () => {
    await verifyBundle(await bundleOf([[zipFile(bareZip), modFile(Buffer.from('module example.com/a\n'))]]), { trust });
  });
});

describe('against the copies already in the store', () => {
  const cases: Array<[string, () => File[], () => File[]]> = [
    ['a zip arriving for a version whose .mod the store holds', () => [modFile()], () => [zipFile(badZip)]],
    ['a .mod arriving for a version whose zip the store holds', () => [zipFile(badZip)], () => [modFile()]],
  ];
  for (const [name, first, second] of cases) {
    test(`${name}: refused when they differ, naming both, and the store is unchanged`, async () => {
      const dir = freshDir('store');
      const store = openStore(dir, { mode: 'write' });
      await importBundle(await bundleOf([first()]), { store, trust });
      const before = await snapshotStore(dir);
      await assert.rejects(importBundle(await bundleOf([second()]), { store, trust }), (error: unknown) => {
        assert.ok(error instanceof GoModConflictError, String(error));
        assert.equal(error.module, mod.path);
        assert.equal(error.version, mod.version);
        assert.match(error.message, new RegExp(`^example\\.com/a@v1\\.0\\.0: the go\\.mod in ${zipPath.replace(/\./g, '\\.')} \\((the store|bundle mf-[0-9a-f-]+)\\) differs from ${modPath.replace(/\./g, '\\.')} \\((the store|bundle mf-[0-9a-f-]+)\\), first on line 1; nothing was imported$`));
        return true;
      });
      assert.deepEqual(await snapshotStore(dir), before);
      store.close();
    });
  }

  test('a damaged store copy is not compared: the import is refused, naming it', async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    await importBundle(await bundleOf([[modFile()]]), { store, trust });
    await writeFile(path.join(dir, 'tree', modPath), otherGoMod.subarray(0, goMod.length));
    await assert.rejects(importBundle(await bundleOf([[zipFile(goodZip)]]), { store, trust }), (error: unknown) =>
      error instanceof DamagedStoreCopyError && error.path === modPath && /^example\.com\/a\/@v\/v1\.0\.0\.mod: the store's copy is damaged \(sha256 [0-9a-f]{64}, the catalog says/.test(error.message));
    store.close();
  });

  test('matching copies, and a stored zip without a go.mod, are accepted', async () => {
    const pairs: Array<[File[], File[]]> = [
      [[modFile()], [zipFile(goodZip)]],
      [[zipFile(goodZip)], [modFile()]],
      [[zipFile(bareZip)], [modFile(Buffer.from('module example.com/a\n'))]],
    ];
    for (const [first, second] of pairs) {
      const store = openStore(freshDir('store'), { mode: 'write' });
      await importBundle(await bundleOf([first]), { store, trust });
      assert.equal((await importBundle(await bundleOf([second]), { store, trust })).added, 1);
      store.close();
    }
  });
});
