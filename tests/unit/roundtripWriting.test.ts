import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { storeInventory, writeStoreInventory } from '../../electron/core/roundtrip/storeInventory';
import { storeRequest, writeStoreRequest } from '../../electron/core/roundtrip/storeRequest';
import { importBundle } from '../../electron/core/store/importBundle';
import { openStore } from '../../electron/core/store/diskStore';
import { parseInventory } from '../../shared/roundtrip/inventory';
import { parseRequestFile } from '../../shared/roundtrip/requestFile';
import { errorRecord } from '../../electron/core/errors/modferryError';
import { makeTempDir, testSigningKey } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

let root: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir: root, cleanup } = await makeTempDir('roundtrip-writing')));
after(() => cleanup());

const now = new Date(Date.UTC(2026, 2, 7, 12));

test('a request is computed from the store, then written durably; nothing is written when nothing is asked', async () => {
  const storeDir = path.join(root, 'store');
  const store = openStore(storeDir, { mode: 'write' });
  store.recordMiss('example.com/wanted', 'v1.2.0', new Date(Date.UTC(2026, 2, 1)));
  store.recordMiss('example.com/wanted', 'v1.2.0', new Date(Date.UTC(2026, 2, 5)));
  store.recordMiss('golang.org/x/text', 'list', new Date(Date.UTC(2026, 2, 5)));
  store.recordMiss('example.com/../x', 'v1.0.0', new Date(Date.UTC(2026, 2, 5)));
  store.close();

  const computed = storeRequest({ storeDir, tool: 'modferry test', now });
  assert.deepEqual(computed.requests.map((r) => [r.path, r.version, r.count]), [['example.com/wanted', 'v1.2.0', 2], ['golang.org/x/text', 'latest', 1]]);
  assert.equal(computed.dropped?.count, 1);
  assert.deepEqual(computed.leftOut, { requests: [], bundles: [] });
  assert.match(computed.text ?? '', /# written 2026-03-07T12:00:00\.000Z by modferry test/);

  await mkdir(path.join(root, 'drive', 'to-online'), { recursive: true });
  const file = path.join(root, 'drive', 'to-online', 'request.txt');
  const written = await writeStoreRequest(file, { storeDir, tool: 'modferry test', now });
  assert.equal(written.written, true);
  assert.equal(await readFile(file, 'utf8'), computed.text);
  assert.deepEqual(parseRequestFile(computed.text!, file).map((r) => `${r.path}@${r.version}`), ['example.com/wanted@v1.2.0', 'golang.org/x/text@latest']);
  assert.deepEqual(await readdir(path.dirname(file)), ['request.txt'], 'no temporary file is left');

  const since = storeRequest({ storeDir, tool: 'modferry test', since: new Date(Date.UTC(2026, 2, 6)) });
  assert.equal(since.text, undefined);
  const none = path.join(root, 'none', 'request.txt');
  assert.equal((await writeStoreRequest(none, { storeDir, tool: 'modferry test', since: new Date(Date.UTC(2026, 2, 6)) })).written, false);
  assert.deepEqual(await readdir(root).then((names) => names.includes('none')), false);
  await assert.rejects(async () => storeRequest({ storeDir: path.join(root, 'no-store'), tool: 't' }), { name: 'StoreFolderError' });
});

test('an inventory of a store not made yet is empty; of a real store it lists what it holds', async () => {
  const empty = storeInventory({ storeDir: path.join(root, 'never-made'), tool: 'modferry test', now });
  assert.deepEqual([empty.modules, empty.paths], [[], 0]);
  assert.deepEqual(await readdir(root).then((names) => names.includes('never-made')), false);

  const storeDir = path.join(root, 'inventory-store');
  const store = openStore(storeDir, { mode: 'write' });
  try {
    const bundle = await makeBundle(path.join(root, 'work'), [{ path: 'example.com/a', version: 'v1.0.0' }, { path: 'example.com/a', version: 'v1.1.0' }], testSigningKey());
    await importBundle(bundle.bundleDir, { store, trust: () => true });
  } finally {
    store.close();
  }
  await mkdir(path.join(root, 'drive2'));
  const file = path.join(root, 'drive2', 'inventory.json');
  const written = await writeStoreInventory(file, { storeDir, tool: 'modferry test', now });
  const parsed = parseInventory(await readFile(file, 'utf8'), file);
  assert.equal(parsed.createdAt, now.toISOString());
  assert.deepEqual(parsed.modules, written.modules);
  assert.deepEqual(written.modules.map((m) => `${m.path}@${m.version}`), ['example.com/a@v1.0.0', 'example.com/a@v1.1.0']);
  assert.equal(written.paths, 1);
});

test('an inventory for a drive that is not mounted is refused, naming the folder, and no folder is made on the local disk; a folder given as the file is named', async () => {
  await mkdir(path.join(root, 'media'));
  for (const unmounted of [path.join(root, 'media', 'USB-STICK'), path.join(root, 'media', 'USB-STICK', 'to-online')]) {
    const file = path.join(unmounted, 'inventory.json');
    await assert.rejects(writeStoreInventory(file, { storeDir: path.join(root, 'never-made'), tool: 'modferry test', now }), (error: unknown) => {
      assert.deepEqual(errorRecord(error), {
        type: 'error',
        kind: 'destination',
        message: `cannot write ${file}: no such folder ${unmounted} (is the drive mounted?)`,
        file,
      });
      return true;
    });
  }
  assert.deepEqual(await readdir(path.join(root, 'media')), [], 'nothing was made for it');

  const folder = path.join(root, 'a-folder');
  await mkdir(folder);
  await assert.rejects(writeStoreInventory(folder, { storeDir: path.join(root, 'never-made'), tool: 'modferry test', now }), (error: unknown) => {
    assert.deepEqual(errorRecord(error), {
      type: 'error',
      kind: 'destination',
      message: `cannot write ${folder}: it is a folder; name a file in it`,
      file: folder,
    });
    return true;
  });
  assert.deepEqual(await readdir(root).then((names) => names.filter((n) => n.startsWith('a-folder'))), ['a-folder'], 'no temporary file is left');
});
