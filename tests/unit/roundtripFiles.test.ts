import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRequestFile, parseRequestFile, parseRequestHeads, RequestFileError } from '../../shared/roundtrip/requestFile';
import { formatInventory, inventoryHas, parseInventory } from '../../shared/roundtrip/inventory';
import { requestFileAsks } from '../../shared/sources/exportSource';
import { sourceProblemWords } from '../../renderer/src/export/sourceProblemWords';
import { formatters } from '../../renderer/src/i18n/format';
import { translator } from '../../renderer/src/i18n/catalog';

describe('request file', () => {
  test('round-trips what the store writes', () => {
    const text = formatRequestFile(
      [
        { path: 'github.com/BurntSushi/toml', version: 'v1.2.0', count: 3, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-02T00:00:00Z' },
        { path: 'golang.org/x/text', version: 'latest', count: 1, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:00Z' },
      ],
      { createdAt: '2026-01-03T00:00:00Z', tool: 'modferry 0.1.0' },
    );
    assert.deepEqual(parseRequestFile(text, 'req.txt').map(({ path, version }) => `${path}@${version}`), [
      'github.com/BurntSushi/toml@v1.2.0',
      'golang.org/x/text@latest',
    ]);
  });

  test('says since when and how many requests were dropped, and still parses back', () => {
    const text = formatRequestFile(
      [{ path: 'golang.org/x/text', version: 'latest', count: 1, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:00Z' }],
      {
        createdAt: '2026-01-03T00:00:00Z',
        tool: 'modferry 0.1.0',
        since: '2026-01-01T00:00:00.000Z',
        dropped: { count: 12, firstSeen: '2026-01-01T01:00:00.000Z', lastSeen: '2026-01-02T01:00:00.000Z', reasons: ['10 not a module path and version', '2 over the cap'] },
      },
    );
    assert.match(text, /^# requests seen since 2026-01-01T00:00:00\.000Z$/m);
    assert.match(
      text,
      /^# dropped: 12 requests were answered but not recorded, so not named here \(10 not a module path and version, 2 over the cap\), first 2026-01-01T01:00:00\.000Z, last 2026-01-02T01:00:00\.000Z$/m,
    );
    assert.deepEqual(parseRequestFile(text, 'req.txt'), [{ path: 'golang.org/x/text', version: 'latest', line: 7 }]);
  });

  test('hand edits: comments, blank lines, duplicates and +incompatible are fine', () => {
    const text = '# modferry request v1\n\n  github.com/a/b@v2.0.0+incompatible  \n# note\ngithub.com/a/b@v2.0.0+incompatible\n';
    assert.deepEqual(parseRequestFile(text, 'r'), [{ path: 'github.com/a/b', version: 'v2.0.0+incompatible', line: 3 }]);
  });

  test('names the store\'s checksum-database heads in comment lines that readers of the requests skip', () => {
    const heads = [{ database: 'sum.golang.org', size: 31_002_117 }, { database: 'sum.test', size: 303 }];
    const text = formatRequestFile(
      [{ path: 'golang.org/x/text', version: 'v0.3.0', count: 1, firstSeen: '2026-01-01T00:00:00Z', lastSeen: '2026-01-01T00:00:00Z' }],
      { createdAt: '2026-01-03T00:00:00Z', tool: 'modferry 0.1.0', heads },
    );
    assert.match(text, /^# sumdb sum\.golang\.org 31002117$/m);
    assert.match(text, /^# sumdb sum\.test 303$/m);
    assert.deepEqual(parseRequestHeads(text, 'req.txt'), heads);
    // A reader that knows nothing of the head lines (any comment is skipped) reads the same requests.
    assert.deepEqual(parseRequestFile(text, 'req.txt').map(({ path, version }) => `${path}@${version}`), ['golang.org/x/text@v0.3.0']);
    const withoutHeads = formatRequestFile([{ path: 'golang.org/x/text', version: 'v0.3.0', count: 1, firstSeen: 'a', lastSeen: 'b' }], { createdAt: 'c', tool: 't' });
    assert.deepEqual(parseRequestHeads(withoutHeads, 'req.txt'), []);
    // Hand edits: spacing is free; every head counts, each once.
    assert.deepEqual(parseRequestHeads('# modferry request v1\n#sumdb sum.test 300\n#  sumdb   sum.test   400  \n# sumdb sum.test 300\n', 'r'), [
      { database: 'sum.test', size: 300 },
      { database: 'sum.test', size: 400 },
    ]);
  });

  for (const [text, message] of [
    ['# modferry request v1\n# sumdb sum.test\n', 'r:2: checksum database head: expected "# sumdb <database name> <tree size>"'],
    ['# modferry request v1\n\n# sumdb sum.test twelve\n', 'r:3: checksum database head: "twelve" is not a tree size'],
    ['# modferry request v1\n# sumdb sum.test 0\n', 'r:2: checksum database head: 0 is not a tree size'],
    ['# modferry request v1\n# sumdb a/b 3\n', 'r:2: checksum database head: "a/b" is not a checksum database name'],
  ] as const) {
    test(`rejects the head line in ${JSON.stringify(text)} naming the line, also when the file is chosen as an export source`, () => {
      assert.throws(() => parseRequestHeads(text, 'r'), (e: unknown) => e instanceof RequestFileError && e.message.startsWith(message));
      const asked = requestFileAsks(`${text}example.com/x@v1.0.0\n`, 'r');
      assert.ok('message' in asked && asked.message.startsWith(message), JSON.stringify(asked));
    });
  }

  for (const [text, message, problem] of [
    ['github.com/a/b@v1.0.0\n', 'r:1: not a modferry request file', { code: 'not-a-request-file' }],
    ['# modferry request v1\ngithub.com/a/b\n', 'r:2: "github.com/a/b": expected path@version or path@latest', { code: 'request-syntax', text: 'github.com/a/b' }],
    ['# modferry request v1\ngithub.com/a/b@1.0\n', 'r:2: github.com/a/b@1.0: version must be canonical', { code: 'request-version', path: 'github.com/a/b', version: '1.0' }],
    ['# modferry request v1\n\ngithub.com/a/b@v1.0\n', 'r:3: github.com/a/b@v1.0: version must be canonical', { code: 'request-version', path: 'github.com/a/b', version: 'v1.0' }],
    ['# modferry request v1\nGithub.com/a/b@v1.0.0\n', 'r:2: malformed module path', { code: 'request-path', path: 'Github.com/a/b' }],
    ['# modferry request v1\n# sumdb sum.golang.org\nexample.com/x@v1.0.0\n', 'r:2: checksum database head', { code: 'request-head' }],
  ] as const) {
    test(`rejects ${JSON.stringify(text)} naming the line, with the problem as a code the sources step words`, () => {
      const asked = requestFileAsks(text, 'r');
      assert.ok('message' in asked && asked.message.startsWith(message), JSON.stringify(asked));
      assert.deepEqual(asked.coded, problem);
      for (const language of ['en', 'zh-CN'] as const) {
        const t = translator(language);
        const words = sourceProblemWords(problem, t, formatters(language, t));
        assert.doesNotMatch(words, /\{\w+\}/, `${language}: ${words}`);
        for (const value of Object.values(problem).slice(1)) assert.ok(words.includes(value), `${language}: ${words} names ${value}`);
      }
    });
  }
});

describe('inventory', () => {
  test('round-trips and answers what the store holds', () => {
    const text = formatInventory([{ path: 'github.com/a/b', version: 'v1.0.0', files: ['info', 'mod'] }], { createdAt: 'now', tool: 'modferry' });
    const has = inventoryHas(parseInventory(text, 'inv.json'));
    assert.equal(has('github.com/a/b', 'v1.0.0', 'mod'), true);
    assert.equal(has('github.com/a/b', 'v1.0.0', 'zip'), false);
    assert.equal(has('github.com/a/c', 'v1.0.0', 'mod'), false);
  });

  test('carries the store\'s checksum-database heads in a field readers of format 1 skip', () => {
    const sumdbHeads = [{ database: 'sum.test', size: 303 }];
    const text = formatInventory([{ path: 'github.com/a/b', version: 'v1.0.0', files: ['info', 'mod'] }], { createdAt: 'now', tool: 'modferry', sumdbHeads });
    const parsed = parseInventory(text, 'inv.json');
    assert.equal(parsed.formatVersion, 1);
    assert.deepEqual(parsed.sumdbHeads, sumdbHeads);
    assert.equal(parseInventory(formatInventory([], { createdAt: 'now', tool: 'modferry' }), 'inv.json').sumdbHeads, undefined);
  });

  for (const [doc, message] of [
    ['{"format":"modferry-inventory","formatVersion":1,"modules":[],"sumdbHeads":{}}', 'inv.json: sumdbHeads: expected an array'],
    ['{"format":"modferry-inventory","formatVersion":1,"modules":[],"sumdbHeads":[{"database":"sum.test","size":-1}]}', 'inv.json: sumdbHeads[0]: -1 is not a tree size'],
    ['{"format":"modferry-inventory","formatVersion":1,"modules":[],"sumdbHeads":[{"database":"a b","size":3}]}', 'inv.json: sumdbHeads[0]: "a b" is not a checksum database name'],
    ['{"format":"modferry-inventory","formatVersion":1,"modules":[],"sumdbHeads":[7]}', 'inv.json: sumdbHeads[0]: expected {"database"'],
    ['nope', 'inv.json: not JSON'],
    ['{"format":"other"}', 'inv.json: format: not a modferry inventory'],
    ['{"format":"modferry-inventory","formatVersion":2,"modules":[]}', 'inv.json: formatVersion: unsupported version 2'],
    ['{"format":"modferry-inventory","formatVersion":1,"modules":[{"path":"x","version":"v1.0.0","files":[]}]}', 'inv.json: modules[0].path: malformed module path'],
    ['{"format":"modferry-inventory","formatVersion":1,"modules":[{"path":"a.b/c","version":"1","files":[]}]}', 'inv.json: modules[0].version: invalid version'],
    ['{"format":"modferry-inventory","formatVersion":1,"modules":[{"path":"a.b/c","version":"v1.0.0","files":["tar"]}]}', 'inv.json: modules[0].files'],
  ] as const) {
    test(`rejects ${doc.slice(0, 40)} naming the field`, () => {
      assert.throws(() => parseInventory(doc, 'inv.json'), (e: unknown) => e instanceof Error && e.message.startsWith(message));
    });
  }
});
