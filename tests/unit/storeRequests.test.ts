import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pendingRequests, type StoreHoldings } from '../../electron/core/store/pendingRequests';
import type { StoreMiss } from '../../electron/core/store/store';

/** A store holding example.com/held@v1.0.0 in full and only the .mod of example.com/held@v1.1.0. */
const holdings: StoreHoldings = {
  holdsModule: (path) => path === 'example.com/held',
  holdsVersion: (path, version) => path === 'example.com/held' && version === 'v1.0.0',
};

function miss(path: string, query: string, count = 1, firstSeen = '2026-01-01T00:00:00.000Z', lastSeen = firstSeen): StoreMiss {
  return { path, query, count, firstSeen, lastSeen };
}

describe('pendingRequests', () => {
  const cases: Array<{ name: string; misses: StoreMiss[]; lines: string[]; askedAsLatest?: string[] }> = [
    { name: 'a canonical version the store lacks is asked for as is', misses: [miss('example.com/new', 'v1.2.3')], lines: ['example.com/new@v1.2.3'] },
    { name: 'a version the store now holds in full is left out', misses: [miss('example.com/held', 'v1.0.0')], lines: [] },
    { name: 'a version held only in part (no .zip) is still asked for', misses: [miss('example.com/held', 'v1.1.0')], lines: ['example.com/held@v1.1.0'] },
    { name: 'a list miss asks for latest', misses: [miss('example.com/new', 'list')], lines: ['example.com/new@latest'] },
    { name: 'a latest miss asks for latest', misses: [miss('example.com/new', 'latest')], lines: ['example.com/new@latest'] },
    { name: 'list and latest misses of a module the store now holds are left out', misses: [miss('example.com/held', 'list'), miss('example.com/held', 'latest')], lines: [] },
    { name: 'a pseudo-version is canonical', misses: [miss('example.com/new', 'v0.0.0-20230102150405-abcdefabcdef')], lines: ['example.com/new@v0.0.0-20230102150405-abcdefabcdef'] },
    { name: '+incompatible is kept', misses: [miss('example.com/new', 'v2.0.0+incompatible')], lines: ['example.com/new@v2.0.0+incompatible'] },
    { name: 'a pre-release is canonical', misses: [miss('example.com/new', 'v1.0.0-rc.1')], lines: ['example.com/new@v1.0.0-rc.1'] },
    {
      name: 'queries a request file cannot name (branch, partial version, build metadata) ask for latest and are reported',
      misses: [miss('example.com/x', 'master'), miss('example.com/y', 'v1.2'), miss('example.com/z', 'v1.0.0+meta')],
      lines: ['example.com/x@latest', 'example.com/y@latest', 'example.com/z@latest'],
      askedAsLatest: ['example.com/x@master', 'example.com/y@v1.2', 'example.com/z@v1.0.0+meta'],
    },
    {
      name: "probes of path prefixes shorter than a repository, recorded by older stores, are left out; the module they looked for is kept",
      misses: [miss('github.com', 'latest'), miss('github.com/google', 'list'), miss('golang.org/x', 'latest'), miss('github.com/google/uuid', 'latest')],
      lines: ['github.com/google/uuid@latest'],
    },
    { name: 'a branch query of a module the store now holds is left out', misses: [miss('example.com/held', 'main')], lines: [] },
    {
      name: 'lines are sorted by path, then version',
      misses: [miss('example.com/b', 'v1.0.0'), miss('example.com/a', 'v2.0.0'), miss('example.com/a', 'latest'), miss('example.com/a', 'v1.0.0')],
      lines: ['example.com/a@latest', 'example.com/a@v1.0.0', 'example.com/a@v2.0.0', 'example.com/b@v1.0.0'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const pending = pendingRequests(c.misses, holdings);
      assert.deepEqual(pending.requests.map((r) => `${r.path}@${r.version}`), c.lines);
      assert.deepEqual(pending.askedAsLatest.map((m) => `${m.path}@${m.query}`), c.askedAsLatest ?? []);
    });
  }

  test('misses that become the same line are merged: counts added, earliest first and latest last time kept', () => {
    const pending = pendingRequests(
      [
        miss('example.com/new', 'list', 2, '2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z'),
        miss('example.com/new', 'latest', 1, '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z'),
        miss('example.com/new', 'master', 4, '2026-01-05T00:00:00.000Z', '2026-01-09T00:00:00.000Z'),
      ],
      holdings,
    );
    assert.deepEqual(pending.requests, [
      { path: 'example.com/new', version: 'latest', count: 7, firstSeen: '2026-01-02T00:00:00.000Z', lastSeen: '2026-01-09T00:00:00.000Z' },
    ]);
  });
});
