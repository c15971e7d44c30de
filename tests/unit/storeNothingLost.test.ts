import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { importCommand } from '../../electron/cli/commands/importCommand';
import { inventoryCommand } from '../../electron/cli/commands/inventoryCommand';
import { requestCommand } from '../../electron/cli/commands/requestCommand';
import { serveCommand } from '../../electron/cli/commands/serveCommand';
import { openStore } from '../../electron/core/store/diskStore';
import { lockStore } from '../../electron/core/store/storeLock';
import { RECOVERED_SIGNER } from '../../electron/core/store/rebuildCatalog';
import { importBundle } from '../../electron/core/store/importBundle';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir, testSigningKey, type SourceModule } from '../support/bundleSources';
import { catalogRows, fileHashes, makeBundle } from '../support/storeFixtures';

const key = testSigningKey();
const trustOurKey = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;

const modules: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.0.0' },
  { path: 'example.com/a', version: 'v1.1.0' },
  { path: 'example.com/b', version: 'v0.1.0' },
];

let root: string;
let cleanup: () => Promise<void>;
let bundle: WrittenBundle;
let otherBundle: WrittenBundle;
let counter = 0;
let savedHome: string | undefined;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-nothing-lost'));
  savedHome = process.env.MODFERRY_HOME;
  process.env.MODFERRY_HOME = path.join(root, 'home');
  bundle = await makeBundle(root, modules, key);
  otherBundle = await makeBundle(root, [{ path: 'example.com/c', version: 'v1.0.0' }], key);
});
after(async () => {
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  else process.env.MODFERRY_HOME = savedHome;
  await cleanup();
});

async function run(command: (args: string[], output: ReturnType<typeof captureOutput>) => Promise<number>, args: string[]) {
  const output = captureOutput();
  const code = await command(args, output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

async function importedStore(): Promise<string> {
  const dir = freshDir('store');
  const store = openStore(dir, { mode: 'write' });
  try {
    await importBundle(bundle.bundleDir, { store, trust: trustOurKey });
  } finally {
    store.close();
  }
  return dir;
}

async function treeFiles(storeDir: string): Promise<string[]> {
  return (await fileHashes(path.join(storeDir, 'tree'))).filter((line) => !line.endsWith('/'));
}

describe('a store whose catalog is lost keeps its files', () => {
  for (const [damage, spoil] of [
    ['missing', (catalog: string) => rm(catalog)],
    ['empty', (catalog: string) => writeFile(catalog, '')],
  ] as const) {
    test(`catalog.db ${damage}: inventory deletes nothing, import rebuilds the catalog from the tree`, async () => {
      const dir = await importedStore();
      const before = await treeFiles(dir);
      assert.equal(before.length, 9);
      await spoil(path.join(dir, 'catalog.db'));

      const out = path.join(freshDir('inventory'), 'inventory.txt');

      // The folder must exist, as a mounted drive's does.

      mkdirSync(path.dirname(out));
      await assert.rejects(run(inventoryCommand, ['--store', dir, '--out', out]), {
        message: new RegExp(`catalog\\.db.*(missing|lists no files).*tree.*modferry import`),
      });
      assert.deepEqual(await treeFiles(dir), before, 'inventory left the tree alone');

      const again = await run(importCommand, [otherBundle.bundleDir, '--store', dir, '--trust-new-key']);
      assert.match(again.stdout.join('\n'), /Repaired the store: rebuilt the catalog from 9 files in tree\/ as bundle recovered-/);
      const after = await treeFiles(dir);
      assert.deepEqual(after.filter((line) => !line.startsWith('example.com/c/')), before, 'the import kept every file');
      assert.equal(after.length, 12);
      const inventory = await run(inventoryCommand, ['--store', dir, '--out', out]);
      assert.equal(inventory.stdout[0], `Wrote ${out}: 4 versions of 3 modules, 4 without a checksum-database proof (the next export --since this inventory carries their proofs)`);
    });
  }

  test('a store copied without catalog.db-wal while it was open: read commands delete nothing', async () => {
    const dir = freshDir('store');
    // A store kept open (a running proxy, the desktop app) holds the newest rows in its WAL until it closes.
    const live = openStore(dir, { mode: 'write' });
    try {
      await importBundle(bundle.bundleDir, { store: live, trust: trustOurKey });
      const copy = freshDir('copy');
      await cp(dir, copy, { recursive: true, filter: (source) => !source.endsWith('-wal') && !source.endsWith('-shm') });
      const before = await treeFiles(copy);
      assert.equal(before.length, 9);
      const out = path.join(freshDir('request'), 'request.txt');
      // The folder must exist, as a mounted drive's does.
      mkdirSync(path.dirname(out));
      await assert.rejects(run(requestCommand, ['--store', copy, '--out', out]), { message: /catalog\.db lists no files while tree\/ holds files; nothing was changed/ });
      await assert.rejects(run(inventoryCommand, ['--store', copy, '--out', out]), { message: /catalog\.db lists no files while tree\/ holds files/ });
      await assert.rejects(run(serveCommand, ['--store', copy, '--listen', '127.0.0.1:0']), { message: /catalog\.db lists no files while tree\/ holds files/ });
      assert.deepEqual(await treeFiles(copy), before);
    } finally {
      live.close();
    }
  });
});

describe('a folder that is not a store is refused', () => {
  test('import --store into an unrelated folder with tree/ and staging/ touches nothing there', async () => {
    const dir = freshDir('projects');
    await mkdir(path.join(dir, 'tree', 'oak'), { recursive: true });
    await writeFile(path.join(dir, 'tree', 'oak', 'notes.txt'), 'my notes');
    await mkdir(path.join(dir, 'staging', 'site'), { recursive: true });
    await writeFile(path.join(dir, 'staging', 'site', 'index.html'), '<html>');
    await writeFile(path.join(dir, 'staging', 'draft.md'), '# draft');
    const before = await fileHashes(dir);

    const refused = await run(importCommand, [bundle.bundleDir, '--store', dir, '--trust-new-key']).then(
      () => undefined,
      (error: Error) => error,
    );
    assert.deepEqual(await fileHashes(dir), before);
    assert.match(refused?.message ?? 'imported', new RegExp(`^${escapeRegExp(dir)}: not a ModFerry store \\(no modferry-store\\.json\\) and not empty`));
    assert.deepEqual((await readdir(dir)).sort(), ['staging', 'tree']);
  });
  test('a file given as the store is refused, named, by every command that opens a store, and left as it was', async () => {
    const file = freshDir('notes.txt');
    await writeFile(file, 'my notes');
    const attempts: Array<[string, Promise<unknown>]> = [
      ['import', run(importCommand, [bundle.bundleDir, '--store', file, '--trust-new-key'])],
      ['inventory', run(inventoryCommand, ['--store', file, '--out', freshDir('inventory.json')])],
      ['request', run(requestCommand, ['--store', file, '--out', freshDir('request.txt')])],
      ['serve', run(serveCommand, ['--store', file, '--listen', '127.0.0.1:0'])],
    ];
    for (const [command, attempt] of attempts) {
      const refused = await attempt.then(
        () => undefined,
        (error: Error) => error,
      );
      assert.match(refused?.message ?? `${command} accepted it`, new RegExp(`^${escapeRegExp(file)}: not a folder: a store is a folder`), command);
    }
    assert.equal(await readFile(file, 'utf8'), 'my notes');
  });
});

describe('the store marker', () => {
  test('a new folder and an empty one become stores with a marker; reading an empty folder makes nothing', async () => {
    for (const dir of [freshDir('new'), freshDir('empty')]) {
      if (dir.includes('empty')) await mkdir(dir);
      openStore(dir, { mode: 'write' }).close();
      const marker = JSON.parse(await readFile(path.join(dir, 'modferry-store.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(marker), ['format', 'id', 'createdAt']);
      assert.equal(marker.format, 'modferry-store/1');
      assert.match(String(marker.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.ok(Math.abs(Date.parse(String(marker.createdAt)) - Date.now()) < 60_000);
    }
    const empty = freshDir('empty');
    await mkdir(empty);
    assert.throws(() => openStore(empty, { mode: 'read' }), { name: 'StoreFolderError', message: `${empty}: no store there; import a bundle into it first, or give the right --store` });
    assert.deepEqual(await readdir(empty), []);
  });

  test('a store from before the marker is adopted, by reading and by importing, with its files', async () => {
    for (const mode of ['read', 'write'] as const) {
      const dir = await importedStore();
      await rm(path.join(dir, 'modferry-store.json'));
      const before = { files: await treeFiles(dir), catalog: catalogRows(dir) };
      const store = openStore(dir, { mode });
      assert.deepEqual(store.zipVersions('example.com/a'), ['v1.0.0', 'v1.1.0']);
      store.close();
      assert.equal((JSON.parse(await readFile(path.join(dir, 'modferry-store.json'), 'utf8')) as { format: string }).format, 'modferry-store/1');
      assert.deepEqual({ files: await treeFiles(dir), catalog: catalogRows(dir) }, before);
    }
  });

  test('a marker this ModFerry does not understand is refused, naming it', async () => {
    const dir = await importedStore();
    await writeFile(path.join(dir, 'modferry-store.json'), '{"format":"modferry-store/2","id":"x","createdAt":"2030-01-01T00:00:00Z"}\n');
    for (const mode of ['read', 'write'] as const) {
      assert.throws(() => openStore(dir, { mode }), {
        name: 'StoreFolderError',
        message: new RegExp(`^${escapeRegExp(dir)}: ${escapeRegExp(path.join(dir, 'modferry-store.json'))} is not a store marker this ModFerry understands`),
      });
    }
  });
});

describe('rebuilding a lost catalog', () => {
  test('files that cannot be rebuilt are quarantined, the rest recorded under a recovered bundle', async () => {
    const dir = await importedStore();
    const v = path.join(dir, 'tree', 'example.com', 'a', '@v');
    await writeFile(path.join(v, 'v1.1.0.zip'), 'not a zip at all');
    await writeFile(path.join(v, 'v1.1.0.info'), '{"Version":"v9.0.0"}');
    await writeFile(path.join(v, 'list'), 'v1.0.0\n');
    await mkdir(path.join(dir, 'tree', 'photos'));
    await writeFile(path.join(dir, 'tree', 'photos', 'cat.jpg'), 'a cat');
    await rm(path.join(dir, 'catalog.db'));

    const store = openStore(dir, { mode: 'write' });
    const lock = lockStore(store.layout.lock, dir);
    const report = await store.repair().finally(() => lock.release());
    assert.ok(report.rebuilt);
    assert.match(report.rebuilt.bundleId, /^recovered-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    assert.equal(report.rebuilt.files, 7);
    assert.deepEqual(
      report.quarantined.files.map((file) => file.from),
      ['tree/example.com/a/@v/list', 'tree/example.com/a/@v/v1.1.0.info', 'tree/example.com/a/@v/v1.1.0.zip', 'tree/photos/cat.jpg'],
    );
    assert.match(report.quarantined.files[2]!.why, /^catalog rebuild: not a valid module zip of example\.com\/a@v1\.1\.0/);
    assert.match(report.quarantined.files[3]!.why, /^catalog rebuild: not in the GOPROXY layout/);
    assert.equal(await readFile(path.join(report.quarantined.dir!, 'tree', 'photos', 'cat.jpg'), 'utf8'), 'a cat');
    assert.deepEqual(store.bundles().map((b) => [b.bundleId, b.signer, b.filesAdded]), [[report.rebuilt.bundleId, RECOVERED_SIGNER, 7]]);
    assert.deepEqual(store.versions('example.com/a'), ['v1.0.0']);
    assert.deepEqual(store.zipVersions('example.com/b'), ['v0.1.0']);
    store.close();

    // The rebuilt rows carry the hashes of the bytes: the bundle that brought them finds them present and the same.
    const again = openStore(dir, { mode: 'write' });
    const result = await importBundle(bundle.bundleDir, { store: again, trust: trustOurKey });
    assert.deepEqual([result.added, result.alreadyPresent], [2, 7]);
    again.close();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
