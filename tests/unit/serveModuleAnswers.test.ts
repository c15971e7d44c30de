import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import type { CatalogFile } from '../../electron/core/store/catalog';
import { ModuleAnswers } from '../../electron/core/serve/moduleAnswers';
import type { ProxyStore } from '../../electron/core/serve/proxyStore';
import { startProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { treeFile } from '../../electron/core/store/storeLayout';
import { makeTempDir, sha256Hex } from '../support/bundleSources';

let root: string;
let cleanup: () => Promise<void>;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('serve-answers'));
});
after(() => cleanup());

const BIG = 'example.com/big';

/** Lands versions in the store as an import does (files in the tree, then one catalog transaction), through `store`'s own connection. */
function land(store: DiskStore, modulePath: string, versions: readonly string[], goMod: (version: string) => string = () => `module ${modulePath}\n`): void {
  const files: CatalogFile[] = [];
  for (const version of versions) {
    const contents = { info: JSON.stringify({ Version: version, Time: '2024-01-02T03:04:05Z' }), mod: goMod(version), zip: `zip of ${version}` };
    for (const kind of ['info', 'mod', 'zip'] as const) {
      const treePath = `${escapePath(modulePath)}/@v/${escapeVersion(version)}.${kind}`;
      const file = treeFile(store.layout, treePath);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, contents[kind]);
      files.push({ path: treePath, modulePath, version, kind, size: Buffer.byteLength(contents[kind]), sha256: sha256Hex(contents[kind]), ...(kind === 'info' ? {} : { h1: 'h1:x' }) });
    }
  }
  store.catalog.recordImport({ bundleId: `mf-20260101-${String(++counter).padStart(8, '0')}`, signer: 's', createdAt: 'c', importedAt: 'i' }, files);
}

/** The real store, counting how often the catalog is asked for a module's versions. */
function counting(store: DiskStore): { store: ProxyStore; versionQueries: () => number } {
  let queries = 0;
  return {
    store: {
      readOnly: store.readOnly,
      versions: (p) => {
        queries++;
        return store.versions(p);
      },
      zipVersions: (p) => store.zipVersions(p),
      file: (p, v, k) => store.file(p, v, k),
      recordMiss: (p, q, at) => store.recordMiss(p, q, at),
      stats: () => store.stats(),
      generation: () => store.generation(),
      proofs: store.proofs,
    },
    versionQueries: () => queries,
  };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

describe('list and @latest answers are worked out once per module', () => {
  test('a module of 2,000 versions: many list and @latest requests cost one catalog query, until an import elsewhere changes the store', { timeout: 120_000 }, async () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write' });
    const importer = openStore(dir, { mode: 'write' });
    try {
      land(store, BIG, Array.from({ length: 2000 }, (_, i) => `v1.0.${i}`));
      const { store: proxyStore, versionQueries } = counting(store);
      const server = await startProxyServer({ store: proxyStore, host: '127.0.0.1', port: 0 });
      try {
        const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => get(`${server.url}/${BIG}/${i % 2 === 0 ? '@latest' : '@v/list'}`)));
        assert.ok(replies.every((r) => r.status === 200));
        assert.equal(JSON.parse(replies[0]!.body).Version, 'v1.0.1999');
        assert.equal(replies[1]!.body.split('\n').length, 2001);
        assert.equal(versionQueries(), 1);

        // An import through another connection, as the CLI's would be.
        land(importer, BIG, ['v1.1.0']);
        let latest = '';
        for (let i = 0; i < 200 && latest !== 'v1.1.0'; i++) {
          await new Promise((resolve) => setTimeout(resolve, 25));
          latest = (JSON.parse((await get(`${server.url}/${BIG}/@latest`)).body) as { Version: string }).Version;
        }
        assert.equal(latest, 'v1.1.0', 'the import is seen');
        assert.match((await get(`${server.url}/${BIG}/@v/list`)).body, /\nv1\.1\.0\n$/);
        assert.equal(versionQueries(), 2);
      } finally {
        await server.close();
      }
    } finally {
      importer.close();
      store.close();
    }
  });

  test('an import through the server\'s own connection is seen too', () => {
    const store = openStore(freshDir('store'), { mode: 'write' });
    try {
      const answers = new ModuleAnswers(store, { checkEveryMs: 0 });
      assert.equal(answers.list('example.com/a'), undefined);
      land(store, 'example.com/a', ['v1.0.0']);
      assert.equal(answers.list('example.com/a')?.body.toString(), 'v1.0.0\n');
      assert.equal(answers.latest('example.com/a')?.stored.file, treeFile(store.layout, 'example.com/a/@v/v1.0.0.info'));
    } finally {
      store.close();
    }
  });

  test('@latest reads retractions from the stored go.mod files', () => {
    const store = openStore(freshDir('store'), { mode: 'write' });
    try {
      const answers = new ModuleAnswers(store, { checkEveryMs: 0 });
      const old = 'v0.0.0-20200101000000-aaaaaaaaaaaa';
      const bad = 'v0.0.0-20210101000000-bbbbbbbbbbbb';
      land(store, 'example.com/p', [old, bad], (v) => `module example.com/p\n${v === bad ? `retract ${bad} // broken\n` : ''}`);
      assert.equal(answers.list('example.com/p')?.body.toString(), '');
      assert.equal(answers.latest('example.com/p')?.stored.file, treeFile(store.layout, `example.com/p/@v/${old}.info`));
      land(store, 'example.com/t', ['v1.0.0', 'v1.1.0'], (v) => `module example.com/t\n${v === 'v1.1.0' ? 'retract v1.1.0\n' : ''}`);
      assert.equal(answers.latest('example.com/t')?.stored.file, treeFile(store.layout, 'example.com/t/@v/v1.0.0.info'));
      land(store, 'example.com/unreadable', ['v1.0.0'], () => 'module example.com/unreadable\nretract [\n');
      assert.equal(answers.latest('example.com/unreadable')?.stored.file, treeFile(store.layout, 'example.com/unreadable/@v/v1.0.0.info'), 'a go.mod that does not parse retracts nothing');
    } finally {
      store.close();
    }
  });
});
