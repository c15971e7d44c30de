import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { inventoryCommand } from '../../electron/cli/commands/inventoryCommand';
import { serveCommand } from '../../electron/cli/commands/serveCommand';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir, testSigningKey } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

const key = testSigningKey();

let root: string;
let cleanup: () => Promise<void>;
let bundle: WrittenBundle;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-read-only'));
  bundle = await makeBundle(root, [{ path: 'example.com/a', version: 'v1.0.0' }], key);
});
after(() => cleanup());

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `status ${result.status}`}: ${result.stderr.trim()}); this test needs a read-only bind mount (run as root on Linux)`);
  }
}

/**
 * A store with one bundle seen through a read-only bind mount: closed first (so its WAL side files
 * are gone), or copied while open, with its WAL holding the import.
 */
async function readOnlyStore(prepare: (dir: string) => Promise<void> = async () => {}, copiedWhileOpen = false): Promise<{ mount: string; unmount: () => void }> {
  let dir = freshDir('store');
  const store = openStore(dir, { mode: 'write' });
  await importBundle(bundle.bundleDir, { store, trust: (signer) => signer.fingerprint === key.fingerprint });
  store.recordMiss('example.com/wanted', 'v1.0.0', new Date('2026-01-01T00:00:00Z'));
  store.flushMisses();
  if (copiedWhileOpen) {
    const copy = freshDir('copy');
    await cp(dir, copy, { recursive: true });
    dir = copy;
  }
  store.close();
  await prepare(dir);
  const mount = freshDir('media');
  await mkdir(mount);
  run('mount', ['--bind', dir, mount]);
  const unmount = (): void => run('umount', [mount]);
  try {
    run('mount', ['-o', 'remount,bind,ro', mount]);
    await assert.rejects(writeFile(path.join(mount, 'probe'), 'x'), { code: 'EROFS' }, 'the mount is read-only');
  } catch (error) {
    unmount();
    throw error;
  }
  return { mount, unmount };
}

describe('a store on read-only media', () => {
  test('is opened read-only and answers; misses are skipped without an error; it cannot be imported into', async () => {
    const { mount, unmount } = await readOnlyStore();
    try {
      assert.deepEqual((await readdir(mount)).filter((name) => name.startsWith('catalog.db')), ['catalog.db'], 'no WAL side files to read through');
      const store = openStore(mount, { mode: 'read' });
      try {
        assert.equal(store.readOnly, true);
        assert.deepEqual(store.versions('example.com/a'), ['v1.0.0']);
        const mod = store.file('example.com/a', 'v1.0.0', 'mod');
        assert.ok(mod);
        assert.match(await readFile(mod.file, 'utf8'), /^module example\.com\/a/);
        store.recordMiss('example.com/other', 'v2.0.0');
        assert.deepEqual(store.misses().map((miss) => `${miss.path}@${miss.query}`), ['example.com/wanted@v1.0.0']);
      } finally {
        store.close();
      }
      assert.throws(() => openStore(mount, { mode: 'write' }), {
        name: 'StoreFolderError',
        message: `${mount}: the store cannot be written here (read-only media, or no permission); nothing can be imported into it`,
      });
      const out = path.join(freshDir('inventory'), 'inventory.txt');
      // The folder must exist, as a mounted drive's does.
      mkdirSync(path.dirname(out));
      const output = captureOutput();
      assert.equal(await inventoryCommand(['--store', mount, '--out', out], output), 0);
      assert.deepEqual(output.stdout, [`Wrote ${out}: 1 version of 1 module, 1 without a checksum-database proof (the next export --since this inventory carries their proofs)`]);
    } finally {
      unmount();
    }
  });

  test('serve says misses are not recorded, serves files and answers a miss with a plain 404', async () => {
    const { mount, unmount } = await readOnlyStore();
    try {
      const output = captureOutput();
      const stop = new AbortController();
      const running = serveCommand(['--store', mount, '--listen', '127.0.0.1:0'], output, { stop: stop.signal, platform: 'linux', env: {} });
      // Settled here at once, so a serve that fails to start fails this test, not a later one.
      let ended = false;
      const outcome = running.then(
        (code) => ((ended = true), { code }),
        (error: unknown) => ((ended = true), { error }),
      );
      let url: string | undefined;
      for (const deadline = Date.now() + 10_000; url === undefined && !ended && Date.now() < deadline; ) {
        url = output.stdout.find((line) => line.startsWith('  export GOPROXY='))?.replace('  export GOPROXY=', '');
        if (url === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      try {
        assert.ok(url, `serve started: ${output.stdout.join('\n')}`);
        assert.equal(output.stdout[1], 'modferry serve: read-only store: misses are not recorded');
        const mod = await fetch(`${url}/example.com/a/@v/v1.0.0.mod`);
        assert.equal(mod.status, 200);
        assert.match(await mod.text(), /^module example\.com\/a/);
        const missing = await fetch(`${url}/example.com/missing/@v/v1.0.0.info`);
        assert.equal(missing.status, 404);
        assert.equal((await missing.text()).trim(), 'not found: example.com/missing@v1.0.0 (.info) is not in this ModFerry store');
      } finally {
        stop.abort();
        assert.deepEqual(await outcome, { code: 0 });
      }
      assert.match(output.stdout.at(-1) ?? '', /stopped after 2 request\(s\), 0 recorded as misses$/);
      assert.deepEqual(output.stderr, []);
    } finally {
      unmount();
    }
  });

  test('a store from before the marker is served from read-only media without one', async () => {
    const { mount, unmount } = await readOnlyStore((dir) => rm(path.join(dir, 'modferry-store.json')));
    try {
      const store = openStore(mount, { mode: 'read' });
      assert.equal(store.readOnly, true);
      assert.deepEqual(store.zipVersions('example.com/a'), ['v1.0.0']);
      store.close();
      assert.equal(existsSync(path.join(mount, 'modferry-store.json')), false);
    } finally {
      unmount();
    }
  });

  test('a store copied while open, with its WAL, is read with what the WAL holds', async () => {
    const { mount, unmount } = await readOnlyStore(async () => {}, true);
    try {
      assert.deepEqual((await readdir(mount)).filter((name) => name.startsWith('catalog.db')).sort(), ['catalog.db', 'catalog.db-shm', 'catalog.db-wal']);
      const store = openStore(mount, { mode: 'read' });
      try {
        assert.equal(store.readOnly, true);
        assert.deepEqual(store.zipVersions('example.com/a'), ['v1.0.0']);
        assert.equal(store.misses().length, 1);
      } finally {
        store.close();
      }
    } finally {
      unmount();
    }
  });
});
