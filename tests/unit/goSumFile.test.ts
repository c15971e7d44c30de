import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatGoSum, GoSumSyntaxError, parseGoSum, type GoSumLine } from '../../shared/gomod/goSumFile';
import { debianGoSourceRoot } from '../support/debianModules';

const H_A = 'h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
const H_B = 'h1:frcCuC6FNcJabr3cMnoiaAdbSBA3IUI3yHMhFIHBTZc=';
const H_C = 'h1:uAM3Tvy5q8SHCgZmKR2+YLymvLwWXV1N6n1kN2uNEns=';
const EMPTY_GO_MOD = 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=';

function parseError(text: string, fileName = 'go.sum'): GoSumSyntaxError {
  try {
    parseGoSum(text, fileName);
  } catch (error) {
    assert.ok(error instanceof GoSumSyntaxError, `expected GoSumSyntaxError, got ${String(error)}`);
    assert.equal(error.file, fileName);
    assert.equal(error.message, `${fileName}:${error.line}: ${error.reason}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

const realistic = `cloud.google.com/go v0.111.0 ${H_A}
cloud.google.com/go v0.111.0/go.mod ${H_B}
github.com/Azure/go-autorest v14.2.0+incompatible ${H_C}
github.com/Azure/go-autorest v14.2.0+incompatible/go.mod ${H_A}
github.com/google/go-cmp v0.5.9/go.mod ${H_B}
github.com/google/go-cmp v0.6.0 ${H_C}
github.com/google/go-cmp v0.6.0/go.mod ${H_A}
golang.org/x/net v0.0.0-20190620200207-3b0461eec859/go.mod ${H_B}
golang.org/x/net v0.20.0 ${H_C}
golang.org/x/net v0.20.0/go.mod ${H_A}
gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405/go.mod ${H_B}
gopkg.in/yaml.v3 v3.0.1 ${H_C}
gopkg.in/yaml.v3 v3.0.1/go.mod ${H_A}
`;

describe('parseGoSum', () => {
  test('reads zip and go.mod lines with their line numbers', () => {
    const lines = parseGoSum(realistic, 'go.sum');
    assert.equal(lines.length, 13);
    assert.deepEqual(lines.slice(0, 4), [
      { path: 'cloud.google.com/go', version: 'v0.111.0', isGoMod: false, hash: H_A, line: 1 },
      { path: 'cloud.google.com/go', version: 'v0.111.0', isGoMod: true, hash: H_B, line: 2 },
      { path: 'github.com/Azure/go-autorest', version: 'v14.2.0+incompatible', isGoMod: false, hash: H_C, line: 3 },
      { path: 'github.com/Azure/go-autorest', version: 'v14.2.0+incompatible', isGoMod: true, hash: H_A, line: 4 },
    ]);
  });

  test('blank lines, white-space-only lines, extra spacing and \\r\\n are fine', () => {
    const text = `\n  \t\r\nexample.com/a\tv1.0.0   ${H_A}\r\n\r\n  example.com/a v1.0.0/go.mod ${H_B}  \n\n`;
    assert.deepEqual(parseGoSum(text, 'go.sum'), [
      { path: 'example.com/a', version: 'v1.0.0', isGoMod: false, hash: H_A, line: 3 },
      { path: 'example.com/a', version: 'v1.0.0', isGoMod: true, hash: H_B, line: 5 },
    ]);
  });

  test('exact duplicates are reported once, at their first line', () => {
    const text = `example.com/a v1.0.0 ${H_A}\nexample.com/a v1.0.0 ${H_A}\nexample.com/a v1.0.0/go.mod ${H_B}\nexample.com/a  v1.0.0/go.mod  ${H_B}\n`;
    assert.deepEqual(parseGoSum(text, 'go.sum'), [
      { path: 'example.com/a', version: 'v1.0.0', isGoMod: false, hash: H_A, line: 1 },
      { path: 'example.com/a', version: 'v1.0.0', isGoMod: true, hash: H_B, line: 3 },
    ]);
  });

  test('two different hashes for one module are both kept, for verification to catch', () => {
    const text = `example.com/a v1.0.0 ${H_A}\nexample.com/a v1.0.0 ${H_B}\n`;
    assert.deepEqual(
      parseGoSum(text, 'go.sum').map((l) => l.hash),
      [H_A, H_B],
    );
  });

  test('the empty-go.mod hash written by an old go command bug is dropped, as the go command drops it', () => {
    const text = `example.com/a v1.0.0/go.mod ${EMPTY_GO_MOD}\nexample.com/a v1.0.0 ${H_A}\n`;
    assert.deepEqual(parseGoSum(text, 'go.sum'), [{ path: 'example.com/a', version: 'v1.0.0', isGoMod: false, hash: H_A, line: 2 }]);
  });

  test('hashes of algorithms newer than h1 are accepted', () => {
    assert.equal(parseGoSum(`example.com/a v1.0.0 h2:anything-goes\n`, 'go.sum')[0]?.hash, 'h2:anything-goes');
  });

  test('a file without a final newline and an empty file are fine', () => {
    assert.equal(parseGoSum(`example.com/a v1.0.0 ${H_A}`, 'go.sum').length, 1);
    assert.deepEqual(parseGoSum('', 'go.sum'), []);
  });

  const malformed: Array<[string, string, string]> = [
    ['one field', `example.com/a v1.0.0 ${H_A}\nexample.com/b\n`, 'go.sum:2: wrong number of fields 1, want 3 (module path, version, hash)'],
    ['two fields', `\n\nexample.com/b v1.0.0\n`, 'go.sum:3: wrong number of fields 2, want 3 (module path, version, hash)'],
    ['four fields', `example.com/b v1.0.0 ${H_A} extra\n`, 'go.sum:1: wrong number of fields 4, want 3 (module path, version, hash)'],
    ['a version without v', `example.com/b 1.0.0 ${H_A}\n`, 'go.sum:1: example.com/b: version "1.0.0" invalid: must be of the form v1.2.3 or v1.2.3/go.mod'],
    ['a shorthand version', `example.com/b v1.0/go.mod ${H_A}\n`, 'go.sum:1: example.com/b: version "v1.0/go.mod" invalid: must be of the form v1.2.3 or v1.2.3/go.mod'],
    ['build metadata other than +incompatible', `example.com/b v1.0.0+meta ${H_A}\n`, 'go.sum:1: example.com/b: version "v1.0.0+meta" invalid: must be of the form v1.2.3 or v1.2.3/go.mod'],
    ['a suffix other than /go.mod', `example.com/b v1.0.0/info ${H_A}\n`, 'go.sum:1: example.com/b: version "v1.0.0/info" invalid: must be of the form v1.2.3 or v1.2.3/go.mod'],
    ['a hash without an algorithm', `example.com/b v1.0.0 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`, 'go.sum:1: example.com/b@v1.0.0: malformed hash "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=": want h1: followed by a base64 SHA-256'],
    ['a truncated h1 hash', `example.com/b v1.0.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF=\n`, 'go.sum:1: example.com/b@v1.0.0: malformed hash "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF=": want h1: followed by a base64 SHA-256'],
    ['an h1 hash without padding', `example.com/b v1.0.0/go.mod h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n`, 'go.sum:1: example.com/b@v1.0.0/go.mod: malformed hash "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU": want h1: followed by a base64 SHA-256'],
    ['an h1 hash with URL-safe base64', `example.com/b v1.0.0 h1:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=\n`, 'go.sum:1: example.com/b@v1.0.0: malformed hash "h1:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=": want h1: followed by a base64 SHA-256'],
    ['an h1 hash whose padding bits are not zero', `example.com/b v1.0.0 h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n`, 'go.sum:1: example.com/b@v1.0.0: malformed hash "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=": want h1: followed by a base64 SHA-256'],
  ];
  for (const [name, text, message] of malformed) {
    test(`rejects ${name}`, () => {
      assert.equal(parseError(text).message, message);
    });
  }

  test('the file name given is the one reported', () => {
    const error = parseError('example.com/a\n', '/src/app/go.sum');
    assert.equal(error.message, '/src/app/go.sum:1: wrong number of fields 1, want 3 (module path, version, hash)');
    assert.equal(error.line, 1);
  });
});

function entry(pathAndVersion: string, hash: string): Omit<GoSumLine, 'line'> {
  const [path = '', version = ''] = pathAndVersion.split(' ');
  const isGoMod = version.endsWith('/go.mod');
  return { path, version: isGoMod ? version.slice(0, -'/go.mod'.length) : version, isGoMod, hash };
}

describe('formatGoSum', () => {
  test('writes what it reads back unchanged when already in go command order', () => {
    assert.equal(formatGoSum(parseGoSum(realistic, 'go.sum')), realistic);
  });

  test('sorts by path, then by semantic version (not text), with /go.mod after the zip line', () => {
    const shuffled = [
      entry('example.com/b v1.0.0', H_A),
      entry('example.com/a v1.10.0/go.mod', H_A),
      entry('example.com/a v1.10.0', H_B),
      entry('example.com/a v1.9.0', H_C),
      entry('example.com/a v1.2.0-rc.1', H_A),
      entry('example.com/a v1.2.0', H_A),
      entry('example.com/a v1.2.0-beta.2', H_A),
      entry('example.com/a v1.2.0-beta.11', H_A),
      entry('example.com/a v0.0.0-20190620200207-3b0461eec859', H_A),
      entry('example.com/a v2.0.0+incompatible/go.mod', H_A),
      entry('example.com/a/v2 v2.0.0', H_A),
      entry('example.com/A v1.0.0', H_A),
      entry('example.com/a-b v1.0.0', H_A),
    ];
    assert.equal(
      formatGoSum(shuffled),
      [
        `example.com/A v1.0.0 ${H_A}`,
        `example.com/a v0.0.0-20190620200207-3b0461eec859 ${H_A}`,
        `example.com/a v1.2.0-beta.2 ${H_A}`,
        `example.com/a v1.2.0-beta.11 ${H_A}`,
        `example.com/a v1.2.0-rc.1 ${H_A}`,
        `example.com/a v1.2.0 ${H_A}`,
        `example.com/a v1.9.0 ${H_C}`,
        `example.com/a v1.10.0 ${H_B}`,
        `example.com/a v1.10.0/go.mod ${H_A}`,
        `example.com/a v2.0.0+incompatible/go.mod ${H_A}`,
        `example.com/a-b v1.0.0 ${H_A}`,
        `example.com/a/v2 v2.0.0 ${H_A}`,
        `example.com/b v1.0.0 ${H_A}`,
        '',
      ].join('\n'),
    );
  });

  test('removes duplicates and orders several hashes of one module by text', () => {
    const out = formatGoSum([entry('example.com/a v1.0.0', H_C), entry('example.com/a v1.0.0', H_A), entry('example.com/a v1.0.0', H_C)]);
    assert.equal(out, `example.com/a v1.0.0 ${H_A}\nexample.com/a v1.0.0 ${H_C}\n`);
  });

  test('the order does not depend on the input order', () => {
    const lines = parseGoSum(realistic, 'go.sum');
    assert.equal(formatGoSum([...lines].reverse()), realistic);
  });

  test('nothing to write is an empty file', () => {
    assert.equal(formatGoSum([]), '');
  });

  test('refuses fields that would not read back as one field', () => {
    assert.throws(() => formatGoSum([entry('example.com/a v1.0.0', 'h1:a b')]), {
      message: 'cannot write go.sum line "example.com/a v1.0.0 h1:a b": "h1:a b" is empty or contains white space',
    });
    assert.throws(() => formatGoSum([{ path: '', version: 'v1.0.0', isGoMod: false, hash: H_A }]), {
      message: `cannot write go.sum line " v1.0.0 ${H_A}": "" is empty or contains white space`,
    });
    assert.throws(() => formatGoSum([{ path: 'example.com/a\n', version: 'v1.0.0', isGoMod: false, hash: H_A }]), {
      message: `cannot write go.sum line "example.com/a\\n v1.0.0 ${H_A}": "example.com/a\\n" is empty or contains white space`,
    });
  });
});

function findGoSumFiles(dir: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() && e.name !== 'testdata' && e.name !== 'vendor') found.push(...findGoSumFiles(path.join(dir, e.name)));
    else if (e.isFile() && e.name === 'go.sum') found.push(path.join(dir, e.name));
  }
  return found;
}

describe('go.sum files written by the go command', () => {
  test(`every go.sum under ${debianGoSourceRoot} reads and writes back byte for byte`, (t: TestContext) => {
    if (!existsSync(debianGoSourceRoot)) {
      if (process.env.MODFERRY_REQUIRE_GO === '1') {
        assert.fail(`${debianGoSourceRoot} is missing: install the packages in tests/support/debian-go-packages.txt`);
      }
      t.skip(`${debianGoSourceRoot} is missing (install tests/support/debian-go-packages.txt); set MODFERRY_REQUIRE_GO=1 to make this fail`);
      return;
    }
    const files = findGoSumFiles(debianGoSourceRoot);
    assert.ok(files.length >= 10, `only ${files.length} go.sum files under ${debianGoSourceRoot}`);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      assert.equal(formatGoSum(parseGoSum(text, file)), text, file);
    }
  });
});
