import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSumdbPath, isSumdbName, parseSumdbPath, SumdbPathError, tilePath } from '../../shared/sumdb/sumdbPath';
import { parseSignedNote, parseSignedTreeNote, parseTreeHead, TreeNoteError } from '../../shared/sumdb/treeNote';
import { formatRecordEntry, LookupRecordError, parseLookupBody, parseRecordEntry, recordGoSumLines } from '../../shared/sumdb/lookupRecord';
import { decodeBase64, encodeBase64 } from '../../shared/sumdb/base64';
import { fullTileOf, tileBytes } from '../../shared/sumdb/tiles';
import { ManifestError, parseManifest, serializeManifest, type BundleManifest } from '../../shared/bundle/manifest';
import { parseBundlePath } from '../../shared/bundle/bundlePath';
import { parseTreePath, TreePathError } from '../../shared/bundle/treePath';
import { planVolumes } from '../../shared/bundle/volumePlan';
import { isImmutableKey } from '../../electron/core/upstream/proxyKeys';
import { isDownloadCacheFile } from '../../electron/core/upstream/downloadCache';

const HASH = 'RXn6Xl3my4FuAeuahJ+NOzx5rOkkY2ilipJoqm3efSQ=';
const SIG = 'W0F/cKHKQY8CPhtWleeowbV4AbDS6euogLqu4AM+EOv3Cg1Ksg/9lnGYPCPwHm8lSirpCd1AQmZ0v6VF1cFsc6eL5Aw=';
const NOTE = `go.sum database tree\n1\n${HASH}\n\n— tlog.test ${SIG}\n`;

describe('checksum-database paths', () => {
  const accepted: Array<[string, unknown]> = [
    ['sumdb/sum.golang.org/latest', { name: 'sum.golang.org', kind: 'latest' }],
    ['sumdb/sum.test/lookup/github.com/!burnt!sushi/toml@v1.2.0', { name: 'sum.test', kind: 'lookup', modulePath: 'github.com/BurntSushi/toml', version: 'v1.2.0' }],
    ['sumdb/sum.test/lookup/golang.org/toolchain@v0.0.1-go1.22.3.linux-amd64', { name: 'sum.test', kind: 'lookup', modulePath: 'golang.org/toolchain', version: 'v0.0.1-go1.22.3.linux-amd64' }],
    ['sumdb/sum.test/tile/8/0/000', { name: 'sum.test', kind: 'tile', tile: { level: 0, n: 0, width: 256 } }],
    ['sumdb/sum.test/tile/8/0/x001/234.p/17', { name: 'sum.test', kind: 'tile', tile: { level: 0, n: 1234, width: 17 } }],
    ['sumdb/sum.test/tile/8/1/x070/359', { name: 'sum.test', kind: 'tile', tile: { level: 1, n: 70359, width: 256 } }],
    ['sumdb/sum.test/tile/8/2/x001/x000/000.p/1', { name: 'sum.test', kind: 'tile', tile: { level: 2, n: 1_000_000, width: 1 } }],
  ];
  for (const [path, expected] of accepted) {
    test(`parses and formats ${path}`, () => {
      const parsed = parseSumdbPath(path);
      assert.deepEqual(parsed, expected);
      assert.equal(formatSumdbPath(parsed), path);
    });
  }

  const refused: Array<[string, RegExp]> = [
    ['sumdb/sum.test/tile/8/data/000', /data tiles are not carried/],
    ['sumdb/sum.test/tile/4/0/000', /height 8/],
    ['sumdb/sum.test/tile/8/0/1234', /three digits/],
    ['sumdb/sum.test/tile/8/0/x1/234', /three digits/],
    ['sumdb/sum.test/tile/8/0/001/234', /three digits/],
    ['sumdb/sum.test/tile/8/0/x000/234', /not spelled as a checksum database spells it/],
    ['sumdb/sum.test/tile/8/0/000.p/256', /partial tile width/],
    ['sumdb/sum.test/tile/8/0/000.p/0', /partial tile width/],
    ['sumdb/sum.test/tile/8/0/000.p/07', /partial tile width/],
    ['sumdb/sum.test/tile/8/01/000', /not a tile level/],
    ['sumdb/sum.test/lookup/github.com/BurntSushi/toml@v1.2.0', /invalid escaped module path/],
    ['sumdb/sum.test/lookup/example.com/a@v1.2', /not canonical/],
    ['sumdb/sum.test/lookup/example.com/a', /<escaped module path>@<escaped version>/],
    ['sumdb/sum.test/latest/x', /unexpected/],
    ['sumdb/sum.test/supported', /unexpected/],
    ['sumdb/sum test/latest', /not a checksum-database name/],
    ['sumdb/latest', /not a checksum-database path/],
  ];
  for (const [path, reason] of refused) {
    test(`refuses ${path}, naming it`, () => {
      assert.throws(() => parseSumdbPath(path), (error: unknown) => error instanceof SumdbPathError && error.path === path && reason.test(error.reason) && error.message.startsWith(JSON.stringify(path)));
    });
  }

  test('database names are one path element', () => {
    assert.ok(isSumdbName('sum.golang.org'));
    assert.ok(isSumdbName('sum_test-1'));
    for (const bad of ['', '.', '..', 'a/b', 'a b', 'a+b', '.hidden']) assert.ok(!isSumdbName(bad), bad);
  });

  test('tile paths group the number in threes as tlog does; a partial tile is a prefix of the full one', () => {
    assert.equal(tilePath({ level: 0, n: 999, width: 256 }), 'tile/8/0/999');
    assert.equal(tilePath({ level: 0, n: 1000, width: 3 }), 'tile/8/0/x001/000.p/3');
    assert.equal(tilePath({ level: 3, n: 123_456_789, width: 256 }), 'tile/8/3/x123/x456/789');
    assert.equal(tileBytes({ level: 0, n: 5, width: 10 }), 320);
    assert.deepEqual(fullTileOf({ level: 1, n: 5, width: 10 }), { level: 1, n: 5, width: 256 });
  });
});

describe('signed tree notes and lookup records', () => {
  test('parses a signed tree head into size, hash and signature lines', () => {
    const note = parseSignedTreeNote(NOTE);
    assert.equal(note.text, `go.sum database tree\n1\n${HASH}\n`);
    assert.equal(note.size, 1);
    assert.equal(encodeBase64(note.hash), HASH);
    assert.equal(note.signatures.length, 1);
    assert.equal(note.signatures[0]!.name, 'tlog.test');
    assert.equal(note.signatures[0]!.keyHash, 0x5b417f70);
    assert.equal(note.signatures[0]!.signature.length, 64);
  });

  test('refuses malformed notes and heads with the reason', () => {
    const bad: Array<[string, RegExp]> = [
      [`go.sum database tree\n1\n${HASH}\n`, /no blank line/],
      [`go.sum database tree\n1\n${HASH}\n\n`, /no signature lines/],
      [`go.sum database tree\n1\n${HASH}\n\n— tlog.test ${SIG}`, /no signature lines ending in a newline/],
      [`go.sum database tree\n1\n${HASH}\n\n- tlog.test ${SIG}\n`, /does not start with/],
      [`go.sum database tree\n1\n${HASH}\n\n— tlog.test AAAA\n`, /malformed signature line/],
      [`go.sum database tree\n1\n${HASH}\n\n— tlog.test not*base64\n`, /malformed signature line/],
      [`go.sum database tree\n01\n${HASH}\n\n— tlog.test ${SIG}\n`, /tree size "01"/],
      [`go.sum database tree\n1\nAAAA\n\n— tlog.test ${SIG}\n`, /tree hash "AAAA"/],
      [`go.sum database trees\n1\n${HASH}\n\n— tlog.test ${SIG}\n`, /not a tree head/],
      [`go.sum database tree\n1\t\n${HASH}\n\n— tlog.test ${SIG}\n`, /control characters/],
    ];
    for (const [text, reason] of bad) {
      assert.throws(() => parseSignedTreeNote(text), (error: unknown) => error instanceof TreeNoteError && reason.test(error.reason), JSON.stringify(text));
    }
    assert.equal(parseSignedNote(`hello\n\n— a ${SIG}\n— b ${SIG}\n`).signatures.length, 2);
    assert.deepEqual(parseTreeHead(`go.sum database tree\n0\n${HASH}\n`).size, 0);
  });

  test('a lookup body splits into record and signed head; the record entry round-trips', () => {
    const text = 'example.com/a v1.0.0 h1:x=\nexample.com/a v1.0.0/go.mod h1:y=\n';
    const body = `12\n${text}\n${NOTE}`;
    const answer = parseLookupBody(body);
    assert.equal(answer.id, 12);
    assert.equal(answer.text, text);
    assert.equal(answer.noteText, NOTE);
    assert.equal(answer.note.size, 1);
    const entry = formatRecordEntry(answer);
    assert.equal(entry, `12\n${text}`);
    assert.equal(`${entry}\n${NOTE}`, body, 'an entry, a newline and a head make the lookup body again');
    assert.deepEqual(parseRecordEntry(entry), { id: 12, text });
    assert.deepEqual(recordGoSumLines(answer), [
      { path: 'example.com/a', version: 'v1.0.0', hash: 'h1:x=' },
      { path: 'example.com/a', version: 'v1.0.0/go.mod', hash: 'h1:y=' },
    ]);
    for (const bad of ['x\na b c\n\n', '12\na b c\n', '12\n\n\nnote', '-1\na b c\n\n']) {
      assert.throws(() => parseLookupBody(bad), LookupRecordError, JSON.stringify(bad));
    }
    assert.throws(() => parseRecordEntry(`12\n${text}\nextra\n`), LookupRecordError);
  });

  test('base64 round-trips and refuses what is not padded standard base64', () => {
    for (const length of [0, 1, 2, 3, 31, 32, 33]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff);
      const text = encodeBase64(bytes);
      assert.equal(text, Buffer.from(bytes).toString('base64'));
      assert.deepEqual(decodeBase64(text), bytes);
    }
    for (const bad of ['A', 'AA', 'A===', 'AB=C', 'AB-_', 'AB C']) assert.equal(decodeBase64(bad), undefined, bad);
  });
});

const SHA = 'a'.repeat(64);
const H1 = 'h1:DhNAN5ESgofBjUyC9S2g6VCJUhcIDhtNzG+3JuOOhyg=';

function sumdbManifest(): BundleManifest {
  return {
    format: 'modferry-bundle',
    formatVersion: 3,
    bundleId: 'mf-20261125-1a2b3c4d',
    createdAt: '2026-11-25T13:05:00Z',
    tool: { name: 'modferry', version: '0.1.0' },
    inputs: [],
    volumes: [{ index: 1, name: 'mf-20261125-1a2b3c4d-001-of-001.tar', size: 10240, sha256: SHA }],
    entries: [
      { path: 'example.com/a/@v/v1.0.0.mod', size: 43, sha256: SHA, h1: H1, volume: 1 },
      { path: 'sumdb/sum.test/latest', size: 180, sha256: SHA, volume: 1 },
      { path: 'sumdb/sum.test/lookup/example.com/a@v1.0.0', size: 80, sha256: SHA, volume: 1 },
      { path: 'sumdb/sum.test/tile/8/0/000.p/3', size: 96, sha256: SHA, volume: 1 },
      { path: 'sumdb/sum.test/tile/8/1/000', size: 8192, sha256: SHA, volume: 1 },
    ],
  };
}

describe('bundle manifests with checksum-database proofs', () => {
  test('format 3 carries sumdb entries, with or without unmet requests, and round-trips', () => {
    const text = serializeManifest(sumdbManifest());
    assert.deepEqual(parseManifest(text, 'm.json'), sumdbManifest());
    const unmet = [{ path: 'example.com/w', version: 'latest', reason: 'gone', missing: 'example.com/w' }];
    const withUnmet = { ...sumdbManifest(), unmet };
    assert.deepEqual(parseManifest(serializeManifest(withUnmet), 'm.json'), withUnmet);
    assert.throws(() => parseManifest(serializeManifest({ ...sumdbManifest(), unmet: [] }), 'm.json'), { message: /m.json: unmet: a format 3 manifest lists its unmet requests or leaves the field out/ });
  });

  test('a sumdb entry in a format 1 or 2 manifest is refused, naming the entry', () => {
    for (const formatVersion of [1, 2] as const) {
      const m = { ...sumdbManifest(), formatVersion, ...(formatVersion === 2 ? { unmet: [{ path: 'a.b/c', version: 'latest', reason: 'r', missing: 'a.b/c' }] } : {}) };
      assert.throws(() => parseManifest(serializeManifest(m), 'm.json'), { message: `m.json: entries[1].path: "sumdb/sum.test/latest": checksum-database proofs belong in a format 3 manifest, this one says format ${formatVersion}` });
    }
  });

  test('refuses a tile of the wrong size, an h1 on a sumdb entry, a database without its head, a format 3 manifest without proofs', () => {
    const edit = (change: (m: BundleManifest) => void): string => {
      const m = sumdbManifest();
      change(m);
      return serializeManifest(m);
    };
    assert.throws(() => parseManifest(edit((m) => { m.entries[3]!.size = 100; }), 'm.json'), { message: 'm.json: entries[3].size: a tile of width 3 is 96 bytes, not 100 (a partial tile)' });
    assert.throws(() => parseManifest(edit((m) => { m.entries[1]!.h1 = H1; }), 'm.json'), { message: 'm.json: entries[1].h1: only .mod and .zip files have an h1 hash, not a checksum-database file' });
    assert.throws(() => parseManifest(edit((m) => { m.entries.splice(1, 1); }), 'm.json'), { message: 'm.json: entries[1].path: checksum database sum.test has no signed tree head (sumdb/sum.test/latest) in this bundle' });
    assert.throws(() => parseManifest(edit((m) => { m.entries.splice(1, 4); }), 'm.json'), { message: /carries checksum-database proofs \(sumdb\/<name>\/\.\.\.\), this one none/ });
    assert.throws(() => parseManifest(edit((m) => { m.entries[2]!.size = 70_000; }), 'm.json'), { message: /too large for a checksum database's lookup/ });
    assert.throws(() => parseManifest(edit((m) => { m.entries[4]!.path = 'sumdb/sum.test/tile/8/data/000'; }), 'm.json'), ManifestError);
    assert.throws(() => parseManifest(edit((m) => { m.formatVersion = 4 as never; }), 'm.json'), { message: /reads formats 1 to 3/ });
  });

  test('bundle paths: sumdb paths get their own kind; parseTreePath still refuses them; each stands alone in volume plans', () => {
    assert.deepEqual(parseBundlePath('sumdb/sum.test/latest'), { kind: 'sumdb', sumdb: { name: 'sum.test', kind: 'latest' } });
    assert.equal(parseBundlePath('example.com/a/@v/list').kind, 'list');
    assert.throws(() => parseTreePath('sumdb/sum.test/latest'), TreePathError);
    assert.throws(() => parseBundlePath('sumdb/sum.test/../x/latest'), (e: unknown) => e instanceof TreePathError && /climbs out/.test(e.reason));
    assert.throws(() => parseBundlePath('sumdb/sum.test/tile/8/data/000'), (e: unknown) => e instanceof TreePathError && e.path === 'sumdb/sum.test/tile/8/data/000');
    const volumes = planVolumes(
      [
        { path: 'sumdb/sum.test/tile/8/0/000', size: 8192 },
        { path: 'sumdb/sum.test/tile/8/0/001', size: 8192 },
      ],
      10 * 1024,
    );
    assert.equal(volumes.length, 2, 'sumdb files are not kept together like a version\'s files');
  });
});

describe('checksum-database files in the download cache', () => {
  test('lookups and full tiles never change and are kept; the latest head and partial tiles are not', () => {
    assert.ok(isImmutableKey('sumdb/sum.test/lookup/github.com/!burnt!sushi/toml@v1.2.0'));
    assert.ok(isImmutableKey('sumdb/sum.test/tile/8/1/x001/234'));
    assert.ok(!isImmutableKey('sumdb/sum.test/tile/8/0/000.p/3'));
    assert.ok(!isImmutableKey('sumdb/sum.test/latest'));
    assert.ok(!isImmutableKey('sumdb/sum.test/tile/8/data/000'));
    assert.ok(!isImmutableKey('sumdb/sum.test/lookup/example.com/a@v1.2'));
  });

  test('their index entries are the cache\'s own files, so cache clean removes them', () => {
    assert.ok(isDownloadCacheFile('index/sumdb/sum.test/lookup/github.com/!burnt!sushi/toml@v1.2.0.json'));
    assert.ok(isDownloadCacheFile('index/sumdb/sum.test/tile/8/0/x001/234.json'));
    assert.ok(isDownloadCacheFile('index/sumdb/sum.test/tile/8/0/000.json.0a1b2c3d.partial'));
    assert.ok(!isDownloadCacheFile('index/sumdb/sum.test/latest.json'));
  });
});
