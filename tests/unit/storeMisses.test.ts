import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { countedMiss, MAX_MISS_PATH_LENGTH, MAX_MISS_VERSION_LENGTH } from '../../electron/core/store/countedMiss';
import { openStore, type DiskStore } from '../../electron/core/store/diskStore';
import { makeTempDir } from '../support/bundleSources';

let root: string;
let cleanup: () => Promise<void>;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-misses'));
});
after(() => cleanup());

const at = (minute: number): Date => new Date(Date.UTC(2026, 2, 1, 10, minute));

/** The misses table as another process sees it. */
function catalogMisses(store: DiskStore): string[] {
  const db = new Database(store.layout.catalog, { readonly: true });
  try {
    return db.prepare<[], { path: string; query: string; count: number }>('SELECT path, query, count FROM misses ORDER BY path, query').all()
      .map((row) => `${row.path}@${row.query} ${row.count}`);
  } finally {
    db.close();
  }
}

/** A connection of another process importing: it holds the catalog's write lock until release(). */
function holdWriteLock(store: DiskStore): { release(): void } {
  const importer = new Database(store.layout.catalog);
  importer.exec('BEGIN IMMEDIATE');
  return {
    release() {
      importer.exec('ROLLBACK');
      importer.close();
    },
  };
}

describe('recording misses', () => {
  test('a miss is counted in memory: the catalog is written only when the batch is', () => {
    const store = openStore(freshDir('store'), { mode: 'write', misses: { flushIntervalMs: 60_000 } });
    try {
      assert.equal(store.recordMiss('example.com/a', 'v1.0.0', at(1)), 'recorded');
      assert.equal(store.recordMiss('example.com/a', 'v1.0.0', at(2)), 'recorded');
      assert.equal(store.recordMiss('example.com/b', 'list', at(3)), 'recorded');
      assert.deepEqual(catalogMisses(store), [], 'nothing written on the request path');
      assert.equal(store.flushMisses(false), true);
      assert.deepEqual(catalogMisses(store), ['example.com/a@v1.0.0 2', 'example.com/b@list 1']);
    } finally {
      store.close();
    }
  });

  test('the batch is written on its own within the flush interval', async () => {
    const store = openStore(freshDir('store'), { mode: 'write', misses: { flushIntervalMs: 20 } });
    try {
      store.recordMiss('example.com/a', 'v1.0.0', at(1));
      for (let i = 0; i < 500 && catalogMisses(store).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(catalogMisses(store), ['example.com/a@v1.0.0 1']);
    } finally {
      store.close();
    }
  });

  test('a write that finds the catalog locked by an import gives up at once, keeps the batch, and lands it later', () => {
    const store = openStore(freshDir('store'), { mode: 'write', misses: { flushIntervalMs: 60_000 } });
    try {
      store.recordMiss('example.com/a', 'v1.0.0', at(1));
      const lock = holdWriteLock(store);
      try {
        assert.equal(store.recordMiss('example.com/a', 'v1.0.0', at(2)), 'recorded', 'recording never touches the catalog');
        assert.equal(store.flushMisses(false), false, 'busy: not written, not waited for');
      } finally {
        lock.release();
      }
      assert.deepEqual(catalogMisses(store), []);
      assert.equal(store.flushMisses(false), true);
      assert.deepEqual(catalogMisses(store), ['example.com/a@v1.0.0 2']);
      assert.equal(store.flushMisses(false), true, 'nothing left to write');
      assert.deepEqual(catalogMisses(store), ['example.com/a@v1.0.0 2'], 'written once');
    } finally {
      store.close();
    }
  });

  test('close writes what is still in memory', () => {
    const dir = freshDir('store');
    const store = openStore(dir, { mode: 'write', misses: { flushIntervalMs: 60_000 } });
    store.recordMiss('example.com/a', 'latest', at(1));
    store.close();
    const reopened = openStore(dir, { mode: 'write' });
    assert.deepEqual(reopened.misses().map((m) => `${m.path}@${m.query}`), ['example.com/a@latest']);
    reopened.close();
  });

  test('distinct misses held in memory are capped; more are dropped and counted as over the cap', () => {
    const store = openStore(freshDir('store'), { mode: 'write', misses: { pendingLimit: 3, flushIntervalMs: 60_000 } });
    try {
      const outcomes = ['a', 'b', 'c', 'd', 'e'].map((name) => store.recordMiss(`example.com/${name}`, 'v1.0.0', at(1)));
      assert.deepEqual(outcomes, ['recorded', 'recorded', 'recorded', 'over-cap', 'over-cap']);
      assert.equal(store.recordMiss('example.com/a', 'v1.0.0', at(2)), 'recorded', 'a miss already held is still counted');
      assert.deepEqual(store.misses().map((m) => `${m.path} ${m.count}`), ['example.com/a 2', 'example.com/b 1', 'example.com/c 1']);
      assert.deepEqual(store.droppedMisses(), [{ reason: 'over-cap', count: 2, firstSeen: at(1).toISOString(), lastSeen: at(1).toISOString() }]);
    } finally {
      store.close();
    }
  });

  test('distinct misses in the catalog are capped across batches and processes; known ones keep counting', () => {
    const dir = freshDir('store');
    const first = openStore(dir, { mode: 'write', misses: { cap: 4, flushIntervalMs: 60_000 } });
    const second = openStore(dir, { mode: 'write', misses: { cap: 4, flushIntervalMs: 60_000 } });
    try {
      for (const name of ['a', 'b', 'c']) first.recordMiss(`example.com/${name}`, 'v1.0.0', at(1));
      for (const name of ['a', 'd', 'e', 'f']) second.recordMiss(`example.com/${name}`, 'v1.0.0', at(2));
      first.flushMisses();
      second.flushMisses();
      first.recordMiss('example.com/f', 'v1.0.0', at(3));
      first.recordMiss('example.com/b', 'v1.0.0', at(3));
      assert.deepEqual(first.misses().map((m) => `${m.path} ${m.count}`), ['example.com/a 2', 'example.com/b 2', 'example.com/c 1', 'example.com/d 1']);
      assert.deepEqual(first.droppedMisses(), [{ reason: 'over-cap', count: 3, firstSeen: at(2).toISOString(), lastSeen: at(3).toISOString() }]);
    } finally {
      first.close();
      second.close();
    }
  });

  test('a flood of long junk paths leaves the catalog small: only valid paths of sane length count', () => {
    const store = openStore(freshDir('store'), { mode: 'write', misses: { cap: 100, flushIntervalMs: 60_000 } });
    try {
      const segment = 'a'.repeat(60);
      for (let i = 0; i < 2000; i++) {
        const long = `example.com/${Array.from({ length: 60 }, () => segment).join('/')}${i}`;
        store.recordMiss(i % 2 === 0 ? long : `example.com/m${i}`, 'v1.0.0', at(1));
        if (i % 500 === 499) store.flushMisses();
      }
      const misses = store.misses();
      assert.equal(misses.length, 100);
      assert.ok(misses.every((m) => m.path.length < 300));
      assert.deepEqual(store.droppedMisses().map((d) => `${d.reason} ${d.count}`), ['invalid 1000', 'over-cap 900']);
      const db = new Database(store.layout.catalog, { readonly: true });
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.close();
      assert.ok(pages < 100, `${pages} pages`);
    } finally {
      store.close();
    }
  });

  test('misses and drops can be selected by when they were last seen, and cleared', () => {
    const store = openStore(freshDir('store'), { mode: 'write', misses: { flushIntervalMs: 60_000 } });
    try {
      store.recordMiss('example.com/old', 'v1.0.0', at(1));
      store.recordMiss('example.com/both', 'v1.0.0', at(1));
      store.recordMiss('example.com/both', 'v1.0.0', at(5));
      store.recordMiss('example.com/new', 'latest', at(6));
      store.recordMiss('not a path', 'latest', at(2));
      assert.deepEqual(store.misses({ since: at(5) }).map((m) => `${m.path} ${m.count}`), ['example.com/both 2', 'example.com/new 1']);
      assert.deepEqual(store.droppedMisses({ since: at(3) }), []);
      assert.deepEqual(store.clearMisses(at(5)), { misses: 1, dropped: 1 });
      assert.deepEqual(store.misses().map((m) => m.path), ['example.com/both', 'example.com/new']);
      store.recordMiss('example.com/later', 'list', at(7));
      assert.deepEqual(store.clearMisses(), { misses: 3, dropped: 0 });
      assert.deepEqual(store.misses(), []);
    } finally {
      store.close();
    }
  });
});

describe('what counts as a miss', () => {
  const longPath = `example.com/${'p'.repeat(MAX_MISS_PATH_LENGTH - 'example.com/'.length)}`;
  const longVersion = `v1.0.0-${'r'.repeat(MAX_MISS_VERSION_LENGTH - 'v1.0.0-'.length)}`;
  const cases: Array<[string, string, string]> = [
    ['example.com/a', 'v1.2.3', 'example.com/a@v1.2.3'],
    ['example.com/a', 'list', 'example.com/a@list'],
    ['example.com/a', 'latest', 'example.com/a@latest'],
    ['example.com/a', 'v0.0.0-20200101000000-abcdefabcdef', 'example.com/a@v0.0.0-20200101000000-abcdefabcdef'],
    ['example.com/a', 'v2.0.0+incompatible', 'example.com/a@v2.0.0+incompatible'],
    ['example.com/a/v2', 'v2.1.0', 'example.com/a/v2@v2.1.0'],
    [longPath, 'v1.0.0', `${longPath}@v1.0.0`],
    ['example.com/a', longVersion, `example.com/a@${longVersion}`],
    // Queries a request file can only ask for as the module's latest.
    ['example.com/a', 'master', 'example.com/a@latest'],
    ['example.com/a', 'v1.2', 'example.com/a@latest'],
    ['example.com/a', 'v1.0.0+build', 'example.com/a@latest'],
    ['example.com/a', `${longVersion}x`, 'example.com/a@latest'],
    ['example.com/a/v2', 'v1.0.0', 'example.com/a/v2@latest'],
    // Nested modules below a repository are modules.
    ['github.com/a/b', 'latest', 'github.com/a/b@latest'],
    ['github.com/a/b/sub', 'v1.0.0', 'github.com/a/b/sub@v1.0.0'],
    ['golang.org/x/sys', 'latest', 'golang.org/x/sys@latest'],
    ['google.golang.org/grpc', 'latest', 'google.golang.org/grpc@latest'],
    ['gopkg.in/yaml.v3', 'latest', 'gopkg.in/yaml.v3@latest'],
    ['example.com', 'latest', 'example.com@latest'],
    // The go command's probes of path prefixes on hosts where no module can be that short: ignored.
    ['github.com', 'latest', 'probe'],
    ['github.com/google', 'latest', 'probe'],
    ['github.com/nosuch', 'v1.0.0', 'probe'],
    ['bitbucket.org/owner', 'latest', 'probe'],
    ['golang.org', 'latest', 'probe'],
    ['golang.org/x', 'latest', 'probe'],
    ['google.golang.org', 'latest', 'probe'],
    // Dropped.
    [`${longPath}x`, 'v1.0.0', 'invalid: module path longer than 300 characters'],
    ['not a path', 'v1.0.0', 'invalid: not a module path'],
    ['Example.com/a', 'v1.0.0', 'invalid: not a module path'],
    ['example.com/a', '', 'invalid: not a version, "latest" or "list"'],
    ['example.com/a', '../v1', 'invalid: not a version, "latest" or "list"'],
    ['example.com/a', 'v1!', 'invalid: not a version, "latest" or "list"'],
  ];
  for (const [modulePath, query, want] of cases) {
    test(`${modulePath.length > 40 ? `${modulePath.slice(0, 20)}…(${modulePath.length})` : modulePath} ${query.length > 40 ? `${query.slice(0, 10)}…(${query.length})` : JSON.stringify(query)} → ${want.slice(0, 60)}`, () => {
      const counted = countedMiss(modulePath, query);
      assert.equal('probe' in counted ? 'probe' : 'invalid' in counted ? `invalid: ${counted.invalid}` : `${counted.path}@${counted.query}`, want);
    });
  }
});
