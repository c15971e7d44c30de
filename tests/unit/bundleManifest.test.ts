import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from '../../shared/bundle/formatBytes';
import {
  isBundleId,
  makeBundleId,
  ManifestError,
  parseManifest,
  serializeManifest,
  volumeName,
  type BundleManifest,
} from '../../shared/bundle/manifest';
import { parseTreePath, TreePathError, unsafePathReason } from '../../shared/bundle/treePath';

const H1 = 'h1:DhNAN5ESgofBjUyC9S2g6VCJUhcIDhtNzG+3JuOOhyg=';
const SHA = 'a'.repeat(64);

function validManifest(): BundleManifest {
  return {
    format: 'modferry-bundle',
    formatVersion: 1,
    bundleId: 'mf-20261125-1a2b3c4d',
    createdAt: '2026-11-25T13:05:00Z',
    tool: { name: 'modferry', version: '0.1.0' },
    inputs: [
      { kind: 'go.mod', value: '/home/me/project/go.mod' },
      { kind: 'module', value: 'golang.org/x/text@latest' },
    ],
    volumes: [
      { index: 1, name: 'mf-20261125-1a2b3c4d-001-of-002.tar', size: 10240, sha256: SHA },
      { index: 2, name: 'mf-20261125-1a2b3c4d-002-of-002.tar', size: 2048, sha256: 'b'.repeat(64) },
    ],
    entries: [
      { path: 'github.com/!burnt!sushi/toml/@v/list', size: 7, sha256: SHA, volume: 1 },
      { path: 'github.com/!burnt!sushi/toml/@v/v1.2.0.info', size: 54, sha256: SHA, volume: 1 },
      { path: 'github.com/!burnt!sushi/toml/@v/v1.2.0.mod', size: 43, sha256: SHA, h1: H1, volume: 1 },
      { path: 'github.com/!burnt!sushi/toml/@v/v1.2.0.zip', size: 414, sha256: SHA, h1: H1, volume: 2 },
    ],
  };
}

type JsonPath = Array<string | number>;
const DELETE = Symbol('delete');

/** The valid manifest as JSON text, with the value at `at` replaced (or deleted). */
function editedText(at: JsonPath, value: unknown): string {
  const json: unknown = JSON.parse(serializeManifest(validManifest()));
  let parent = json as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = at.at(-1) ?? '';
  if (value === DELETE) delete parent[last];
  else parent[last] = value;
  return JSON.stringify(json);
}

describe('parseManifest', () => {
  test('accepts a valid manifest and round-trips through serializeManifest', () => {
    const text = serializeManifest(validManifest());
    const parsed = parseManifest(text, 'manifest.json');
    assert.deepEqual(parsed, validManifest());
    assert.equal(serializeManifest(parsed), text);
    assert.ok(text.endsWith('}\n'));
  });

  test('unmet requests make a format 2 manifest that round-trips; each field is checked', () => {
    const unmet = [{ path: 'example.com/wanted', version: 'latest', reason: 'example.com/sys@v1.2.0: not found', missing: 'example.com/sys@v1.2.0' }];
    const m = { ...validManifest(), formatVersion: 2 as const, unmet };
    const text = serializeManifest(m);
    assert.deepEqual(parseManifest(text, 'manifest.json'), m);
    assert.equal(serializeManifest(parseManifest(text, 'manifest.json')), text);
    assert.ok(!serializeManifest(validManifest()).includes('unmet'), 'a bundle without unmet requests stays readable by older readers');
    assert.throws(() => parseManifest(serializeManifest({ ...m, unmet: [] }), 'm.json'), { message: 'm.json: unmet: a format 2 manifest lists at least one unmet request' });
    assert.throws(() => parseManifest(serializeManifest({ ...m, unmet: [{ ...unmet[0]!, missing: '' }] }), 'm.json'), { message: 'm.json: unmet[0].missing: must not be empty' });
  });

  test('serializes fields in a fixed order whatever order the object has', () => {
    const m = validManifest();
    const shuffled = { entries: m.entries, volumes: m.volumes, inputs: m.inputs, tool: m.tool, createdAt: m.createdAt, bundleId: m.bundleId, formatVersion: m.formatVersion, format: m.format };
    assert.equal(serializeManifest(shuffled), serializeManifest(m));
  });

  const rejected: Array<[string, JsonPath, unknown, string]> = [
    ['wrong format', ['format'], 'zarf', 'manifest.json: format: expected "modferry-bundle", got "zarf": not a ModFerry bundle manifest'],
    ['newer format version', ['formatVersion'], 4, 'manifest.json: formatVersion: this bundle uses format 4, this ModFerry reads formats 1 to 3'],
    ['format 3 without checksum-database proofs', ['formatVersion'], 3, 'manifest.json: entries: a format 3 manifest carries checksum-database proofs (sumdb/<name>/...), this one none'],
    ['unmet requests in a format 1 manifest', ['unmet'], [], 'manifest.json: unmet: unknown field'],
    ['format 2 without unmet requests', ['formatVersion'], 2, 'manifest.json: unmet: expected an array, got nothing'],
    ['fractional format version', ['formatVersion'], 1.5, 'manifest.json: formatVersion: expected a whole number, got 1.5'],
    ['unknown top-level field', ['extra'], true, 'manifest.json: extra: unknown field'],
    ['missing entries', ['entries'], DELETE, 'manifest.json: entries: expected an array, got nothing'],
    ['bad bundle id', ['bundleId'], 'mf-2026-xyz', 'manifest.json: bundleId: expected mf-<yyyymmdd>-<8 hex digits>'],
    ['bundle id with an impossible date', ['bundleId'], 'mf-20260230-1a2b3c4d', 'manifest.json: bundleId: expected'],
    ['createdAt not UTC', ['createdAt'], '2026-11-25T13:05:00+01:00', 'manifest.json: createdAt: expected an ISO 8601 UTC time'],
    ['createdAt impossible date', ['createdAt'], '2026-02-30T13:05:00Z', 'manifest.json: createdAt: expected an ISO 8601 UTC time'],
    ['empty tool version', ['tool', 'version'], ' ', 'manifest.json: tool.version: must not be empty'],
    ['unknown tool field', ['tool', 'url'], 'x', 'manifest.json: tool.url: unknown field'],
    ['bad input kind', ['inputs', 1, 'kind'], 'url', 'manifest.json: inputs[1].kind: expected one of "go.mod", "project", "module", "request", got "url"'],
    ['no volumes', ['volumes'], [], 'manifest.json: volumes: a bundle has at least one volume'],
    ['volume index out of order', ['volumes', 1, 'index'], 3, 'manifest.json: volumes[1].index: expected 2, got 3'],
    ['volume named for another bundle', ['volumes', 0, 'name'], 'mf-20261125-ffffffff-001-of-002.tar', 'manifest.json: volumes[0].name: expected "mf-20261125-1a2b3c4d-001-of-002.tar"'],
    ['volume size not whole blocks', ['volumes', 0, 'size'], 10000, 'manifest.json: volumes[0].size: a tar volume is a whole number of 512-byte blocks, got 10000'],
    ['volume too small for any file', ['volumes', 0, 'size'], 1024, 'manifest.json: volumes[0].size: expected at least 1536, got 1024'],
    ['short volume hash', ['volumes', 0, 'sha256'], 'abc', 'manifest.json: volumes[0].sha256: expected 64 lower-case hex digits, got "abc"'],
    ['entry hash in upper case', ['entries', 2, 'sha256'], 'A'.repeat(64), 'manifest.json: entries[2].sha256: expected 64 lower-case hex digits'],
    ['no entries', ['entries'], [], 'manifest.json: entries: a bundle carries at least one file'],
    ['negative size', ['entries', 0, 'size'], -1, 'manifest.json: entries[0].size: expected at least 0, got -1'],
    ['size as a string', ['entries', 0, 'size'], '7', 'manifest.json: entries[0].size: expected a whole number, got "7"'],
    ['zip without h1', ['entries', 3, 'h1'], DELETE, 'manifest.json: entries[3].h1: required for a .zip file'],
    ['mod with a malformed h1', ['entries', 2, 'h1'], 'h1:abc', 'manifest.json: entries[2].h1: expected "h1:" and the base64 of a SHA-256, got "h1:abc"'],
    ['info with an h1', ['entries', 1, 'h1'], H1, 'manifest.json: entries[1].h1: only .mod and .zip files have an h1 hash, not a .info file'],
    ['list with an h1', ['entries', 0, 'h1'], H1, 'manifest.json: entries[0].h1: only .mod and .zip files have an h1 hash, not a list file'],
    ['entry in a volume that does not exist', ['entries', 3, 'volume'], 3, 'manifest.json: entries[3].volume: volume 3 does not exist (the bundle has 2)'],
    ['entry in volume 0', ['entries', 3, 'volume'], 0, 'manifest.json: entries[3].volume: expected at least 1, got 0'],
    ['duplicate path', ['entries', 1, 'path'], 'github.com/!burnt!sushi/toml/@v/list', 'manifest.json: entries[1].path: "github.com/!burnt!sushi/toml/@v/list" is already listed at entries[0]'],
    ['path climbing out', ['entries', 0, 'path'], '../../etc/passwd', 'manifest.json: entries[0].path: "../../etc/passwd": path climbs out of the bundle ("..")'],
    ['absolute path', ['entries', 0, 'path'], '/github.com/x/@v/list', 'manifest.json: entries[0].path: "/github.com/x/@v/list": absolute path'],
    ['path with upper case (not escaped)', ['entries', 0, 'path'], 'github.com/BurntSushi/toml/@v/list', 'manifest.json: entries[0].path: "github.com/BurntSushi/toml/@v/list": invalid escaped module path'],
    ['unknown field in an entry', ['entries', 0, 'mode'], 420, 'manifest.json: entries[0].mode: unknown field'],
    ['entry not an object', ['entries', 0], 'x', 'manifest.json: entries[0]: expected an object, got "x"'],
    ['volume holding nothing', ['entries', 3, 'volume'], 1, 'manifest.json: volumes[1]: mf-20261125-1a2b3c4d-002-of-002.tar holds no file'],
    ['go.mod over the go command limit', ['entries', 2, 'size'], 16 * 1024 * 1024 + 1, 'manifest.json: entries[2].size: 16777217 bytes is over the go command\'s limit of 16777216 bytes for a .mod file'],
    ['zip over the go command limit', ['entries', 3, 'size'], 500 * 1024 * 1024 + 1, 'manifest.json: entries[3].size: 524288001 bytes is over the go command\'s limit'],
  ];
  for (const [name, at, value, message] of rejected) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => parseManifest(editedText(at, value), 'manifest.json'),
        (error: unknown) => error instanceof ManifestError && error.message.startsWith(message),
      );
    });
  }

  test('rejects text that is not JSON, or not an object, naming the file', () => {
    assert.throws(() => parseManifest('{"format":', 'bundle/manifest.json'), /^ManifestError: bundle\/manifest.json: not valid JSON/);
    assert.throws(() => parseManifest('[]', 'manifest.json'), /manifest.json: expected an object, got an array/);
    assert.throws(() => parseManifest('null', 'manifest.json'), /manifest.json: expected an object, got null/);
  });

  test('reports the field of the error in a property', () => {
    try {
      parseManifest(editedText(['entries', 2, 'sha256'], 'x'), 'manifest.json');
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof ManifestError);
      assert.equal(error.field, 'entries[2].sha256');
      assert.equal(error.fileName, 'manifest.json');
    }
  });
});

describe('bundle and volume names', () => {
  test('makeBundleId uses the UTC day and the random hex', () => {
    assert.equal(makeBundleId(new Date('2026-11-25T23:59:59Z'), '1a2b3c4d'), 'mf-20261125-1a2b3c4d');
    assert.equal(makeBundleId(new Date('2026-01-01T00:00:00Z'), '00000000'), 'mf-20260101-00000000');
    assert.throws(() => makeBundleId(new Date(), '1A2B3C4D'), /8 lower-case hex digits/);
    assert.throws(() => makeBundleId(new Date(), '123'), /8 lower-case hex digits/);
  });

  test('isBundleId', () => {
    assert.equal(isBundleId('mf-20261125-1a2b3c4d'), true);
    assert.equal(isBundleId('mf-20261125-1A2B3C4D'), false);
    assert.equal(isBundleId('mf-20261325-1a2b3c4d'), false);
    assert.equal(isBundleId('mf-20261125-1a2b3c4d-001-of-002'), false);
    assert.equal(isBundleId('xx-20261125-1a2b3c4d'), false);
  });

  test('volumeName pads to three digits, more when the count needs them', () => {
    assert.equal(volumeName('mf-20261125-1a2b3c4d', 2, 5), 'mf-20261125-1a2b3c4d-002-of-005.tar');
    assert.equal(volumeName('mf-20261125-1a2b3c4d', 1, 1), 'mf-20261125-1a2b3c4d-001-of-001.tar');
    assert.equal(volumeName('mf-20261125-1a2b3c4d', 7, 1200), 'mf-20261125-1a2b3c4d-0007-of-1200.tar');
  });
});

describe('parseTreePath', () => {
  const valid: Array<[string, { modulePath: string; version?: string; kind: string }]> = [
    ['github.com/!burnt!sushi/toml/@v/list', { modulePath: 'github.com/BurntSushi/toml', kind: 'list' }],
    ['github.com/!burnt!sushi/toml/@v/v1.2.0.zip', { modulePath: 'github.com/BurntSushi/toml', version: 'v1.2.0', kind: 'zip' }],
    ['golang.org/x/text/@v/v0.3.7.info', { modulePath: 'golang.org/x/text', version: 'v0.3.7', kind: 'info' }],
    ['golang.org/x/text/@v/v0.3.7.mod', { modulePath: 'golang.org/x/text', version: 'v0.3.7', kind: 'mod' }],
    ['example.com/m/v2/@v/v2.1.0-rc.1.mod', { modulePath: 'example.com/m/v2', version: 'v2.1.0-rc.1', kind: 'mod' }],
    ['example.com/old/@v/v3.0.0+incompatible.zip', { modulePath: 'example.com/old', version: 'v3.0.0+incompatible', kind: 'zip' }],
    ['gopkg.in/yaml.v3/@v/v3.0.1.zip', { modulePath: 'gopkg.in/yaml.v3', version: 'v3.0.1', kind: 'zip' }],
    ['gopkg.in/check.v1/@v/v0.0.0-20161208181325-20d25e280405.mod', { modulePath: 'gopkg.in/check.v1', version: 'v0.0.0-20161208181325-20d25e280405', kind: 'mod' }],
    ['example.com/m/@v/v1.0.0-!r!c1.info', { modulePath: 'example.com/m', version: 'v1.0.0-RC1', kind: 'info' }],
    ['example.com/m/@v/v0.0.0-20240101000000-abcdefabcdef.zip', { modulePath: 'example.com/m', version: 'v0.0.0-20240101000000-abcdefabcdef', kind: 'zip' }],
  ];
  for (const [path, expected] of valid) {
    test(`accepts ${path}`, () => assert.deepEqual(parseTreePath(path), expected));
  }

  const invalid: Array<[string, string]> = [
    ['', 'empty path'],
    ['/example.com/m/@v/list', 'absolute path'],
    ['C:/example.com/m/@v/list', 'absolute path'],
    ['example.com\\m/@v/list', 'backslash in path'],
    ['example.com/m/../../@v/list', 'path climbs out of the bundle ("..")'],
    ['example.com/./m/@v/list', 'path has a "." element'],
    ['example.com//m/@v/list', 'empty path element'],
    ['example.com/m/@v/list/', 'empty path element'],
    ['example.com/m/@v/', 'empty path element'],
    ['example.com/m/list', 'not in the GOPROXY layout'],
    ['example.com/m/@latest', 'not in the GOPROXY layout'],
    ['example.com/m/@v/sub/v1.0.0.zip', 'nested folder under @v'],
    ['example.com/m/@v/v1.0.0.txt', 'unexpected file "v1.0.0.txt" under @v'],
    ['example.com/m/@v/v1.0.0', 'unexpected file "v1.0.0" under @v'],
    ['github.com/BurntSushi/toml/@v/list', 'invalid escaped module path'],
    ['github.com/!!burnt/toml/@v/list', 'invalid escaped module path'],
    ['github.com/burnt!/toml/@v/list', 'invalid escaped module path'],
    ['example/m/@v/list', 'missing dot in first path element'],
    ['example.com/m/@v/v1.0.0-RC1.info', 'invalid escaped version'],
    ['example.com/m/@v/v1.2.zip', 'is not canonical (the go command asks for "v1.2.0")'],
    ['example.com/m/@v/v1.2.0+build.zip', 'is not canonical'],
    ['example.com/m/@v/master.info', 'is not a semantic version'],
    ['example.com/m/@v/v2.0.0.mod', 'should be v0 or v1, not v2'],
    ['example.com/m/v2/@v/v3.0.0.mod', 'should be v2, not v3'],
    ['example.com/m/v1/@v/v1.0.0.mod', 'invalid'],
  ];
  for (const [path, reason] of invalid) {
    test(`rejects ${JSON.stringify(path)}: ${reason}`, () => {
      assert.throws(
        () => parseTreePath(path),
        (error: unknown) => error instanceof TreePathError && error.path === path && error.message.includes(reason),
      );
    });
  }

  test('unsafePathReason allows ordinary relative paths', () => {
    assert.equal(unsafePathReason('a/b/c'), undefined);
    assert.equal(unsafePathReason('..a/b..'), undefined);
    assert.equal(unsafePathReason('a/\0b'), 'NUL byte in path');
  });
});

describe('formatBytes', () => {
  const cases: Array<[number, string]> = [
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1.0 MiB'],
    [4 * 1024 ** 3 - 1, '4.0 GiB'],
    [5.25 * 1024 ** 4, '5.3 TiB'],
  ];
  for (const [bytes, text] of cases) test(`${bytes} -> ${text}`, () => assert.equal(formatBytes(bytes), text));
});
