import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ModulePathError,
  checkFilePath,
  checkImportPath,
  checkModulePath,
  checkPathMajor,
  escapePath,
  escapeVersion,
  isValidModulePath,
  parseModuleAtVersion,
  splitPathVersion,
  unescapePath,
  unescapeVersion,
} from '../../shared/gomod/modulePath';

/** Expected outcome of a check: OK, or the rule the go command reports as broken. */
const OK = null;
type Outcome = typeof OK | string;

// [path, as a module path, as an import path, as a file path]. Expectations follow
// golang.org/x/mod/module (CheckPath, CheckImportPath, CheckFilePath) rule for rule.
const PATH_CASES: ReadonlyArray<readonly [string, Outcome, Outcome, Outcome]> = [
  // ordinary paths
  ['x.y/z', OK, OK, OK],
  ['x.y', OK, OK, OK],
  ['golang.org/x/text', OK, OK, OK],
  ['github.com/BurntSushi/toml', OK, OK, OK],
  ['x..y/z', OK, OK, OK],
  ['x.y-/z', OK, OK, OK],
  ['x-.y/z', OK, OK, OK],
  ['x.y/-z', OK, OK, OK],
  ['x.y/Z', OK, OK, OK],
  ['x.y/z.t', OK, OK, OK],
  ['x.y/z/t', OK, OK, OK],
  ['x.y/z-', OK, OK, OK],
  ['x.y/z_', OK, OK, OK],
  ['x.y/z~', OK, OK, OK],
  ['x.y/x.foo', OK, OK, OK],
  // shape of the whole path
  ['', 'empty string', 'empty string', 'empty string'],
  ['/x.y/z', 'empty path element', 'empty path element', 'empty path element'],
  ['x.y//z', 'double slash', 'double slash', 'double slash'],
  ['x.y/z//w', 'double slash', 'double slash', 'double slash'],
  ['x.y/z/', 'trailing slash', 'trailing slash', 'trailing slash'],
  ['-x/z', 'leading dash', 'leading dash', OK],
  ['../x', 'invalid path element ".."', 'invalid path element ".."', 'invalid path element ".."'],
  ['./y', 'invalid path element "."', 'invalid path element "."', 'invalid path element "."'],
  ['x.y/z/../../w', 'invalid path element ".."', 'invalid path element ".."', 'invalid path element ".."'],
  ['a/../b', 'invalid path element ".."', 'invalid path element ".."', 'invalid path element ".."'],
  ['a/./b', 'invalid path element "."', 'invalid path element "."', 'invalid path element "."'],
  ['x.y/...', 'invalid path element "..."', 'invalid path element "..."', 'invalid path element "..."'],
  // dots
  ['.x/z', 'leading dot in path element', OK, OK],
  ['x./z', 'trailing dot in path element', 'trailing dot in path element', 'trailing dot in path element'],
  ['x.y/.z', 'leading dot in path element', OK, OK],
  ['x.y/z.', 'trailing dot in path element', 'trailing dot in path element', 'trailing dot in path element'],
  ['.gitignore', 'leading dot in path element', OK, OK],
  ['.github/ISSUE_TEMPLATE', 'leading dot in path element', OK, OK],
  ['.git/config', 'leading dot in path element', OK, OK],
  // first element is a lower-case domain
  ['X.y/z', "invalid char 'X' in first path element", OK, OK],
  ['example/z', 'missing dot in first path element', OK, OK],
  ['x_y.com/z', "invalid char '_' in first path element", OK, OK],
  ['!x.y/z', "invalid char '!'", "invalid char '!'", OK],
  ['_x.y/z', "invalid char '_' in first path element", OK, OK],
  ['x.y:8080/z', "invalid char ':'", "invalid char ':'", "invalid char ':'"],
  // characters
  ['x.y/z++', "invalid char '+'", OK, OK],
  ['x.y/z!', "invalid char '!'", "invalid char '!'", OK],
  ['x.y/z"', `invalid char '"'`, `invalid char '"'`, `invalid char '"'`],
  ['x.y/z#', "invalid char '#'", "invalid char '#'", OK],
  ['x.y/z$', "invalid char '$'", "invalid char '$'", OK],
  ['x.y/z%', "invalid char '%'", "invalid char '%'", OK],
  ['x.y/z&', "invalid char '&'", "invalid char '&'", OK],
  ["x.y/z'", "invalid char '\\''", "invalid char '\\''", "invalid char '\\''"],
  ['x.y/z(', "invalid char '('", "invalid char '('", OK],
  ['x.y/z)', "invalid char ')'", "invalid char ')'", OK],
  ['x.y/z*', "invalid char '*'", "invalid char '*'", "invalid char '*'"],
  ['x.y/z,', "invalid char ','", "invalid char ','", OK],
  ['x.y/z:', "invalid char ':'", "invalid char ':'", "invalid char ':'"],
  ['x.y/z;', "invalid char ';'", "invalid char ';'", "invalid char ';'"],
  ['x.y/z<', "invalid char '<'", "invalid char '<'", "invalid char '<'"],
  ['x.y/z=', "invalid char '='", "invalid char '='", OK],
  ['x.y/z>', "invalid char '>'", "invalid char '>'", "invalid char '>'"],
  ['x.y/z?', "invalid char '?'", "invalid char '?'", "invalid char '?'"],
  ['x.y/z@', "invalid char '@'", "invalid char '@'", OK],
  ['x.y/z[', "invalid char '['", "invalid char '['", OK],
  ['x.y/z\\', "invalid char '\\\\'", "invalid char '\\\\'", "invalid char '\\\\'"],
  ['x.y/z]', "invalid char ']'", "invalid char ']'", OK],
  ['x.y/z^', "invalid char '^'", "invalid char '^'", OK],
  ['x.y/z`', "invalid char '`'", "invalid char '`'", "invalid char '`'"],
  ['x.y/z{', "invalid char '{'", "invalid char '{'", OK],
  ['x.y/z|', "invalid char '|'", "invalid char '|'", "invalid char '|'"],
  ['x.y/z}', "invalid char '}'", "invalid char '}'", OK],
  ['x.y/z z', "invalid char ' '", "invalid char ' '", OK],
  ['x.y/z\tw', "invalid char '\\t'", "invalid char '\\t'", "invalid char '\\t'"],
  ['x.y/z\u00a0w', "invalid char '\\u00a0'", "invalid char '\\u00a0'", "invalid char '\\u00a0'"],
  ['x:y', "invalid char ':'", "invalid char ':'", "invalid char ':'"],
  ['\\temp\\foo', "invalid char '\\\\'", "invalid char '\\\\'", "invalid char '\\\\'"],
  ['github.com/!123/logrus', "invalid char '!'", "invalid char '!'", OK],
  // non-ASCII
  ['github.com/user/unicode/испытание', "invalid char 'и'", "invalid char 'и'", OK],
  ['x.y/é', "invalid char 'é'", "invalid char 'é'", OK],
  ['x.y/e\u0301', "invalid char '\u0301'", "invalid char '\u0301'", "invalid char '\u0301'"],
  ['x☺y', "invalid char '☺'", "invalid char '☺'", "invalid char '☺'"],
  ['x.y/😀', "invalid char '😀'", "invalid char '😀'", "invalid char '😀'"],
  ['x.y/\ud800z', 'invalid UTF-8', 'invalid UTF-8', 'invalid UTF-8'],
  // Windows reserved names
  ['x.y/aux.foo', '"aux" disallowed as path element component on Windows', '"aux" disallowed as path element component on Windows', '"aux" disallowed as path element component on Windows'],
  ['x.y/prn', '"prn" disallowed as path element component on Windows', '"prn" disallowed as path element component on Windows', '"prn" disallowed as path element component on Windows'],
  ['x.y/prn2', OK, OK, OK],
  ['x.y/com', OK, OK, OK],
  ['x.y/com1', '"com1" disallowed as path element component on Windows', '"com1" disallowed as path element component on Windows', '"com1" disallowed as path element component on Windows'],
  ['x.y/COM1', '"COM1" disallowed as path element component on Windows', '"COM1" disallowed as path element component on Windows', '"COM1" disallowed as path element component on Windows'],
  ['x.y/Com1.txt', '"Com1" disallowed as path element component on Windows', '"Com1" disallowed as path element component on Windows', '"Com1" disallowed as path element component on Windows'],
  ['x.y/CoN', '"CoN" disallowed as path element component on Windows', '"CoN" disallowed as path element component on Windows', '"CoN" disallowed as path element component on Windows'],
  ['x.y/conx', OK, OK, OK],
  ['x.y/con.d/x', '"con" disallowed as path element component on Windows', '"con" disallowed as path element component on Windows', '"con" disallowed as path element component on Windows'],
  ['x.y/nul', '"nul" disallowed as path element component on Windows', '"nul" disallowed as path element component on Windows', '"nul" disallowed as path element component on Windows'],
  ['x.y/lpt9', '"lpt9" disallowed as path element component on Windows', '"lpt9" disallowed as path element component on Windows', '"lpt9" disallowed as path element component on Windows'],
  ['x.y/LPT0', OK, OK, OK],
  ['x.y/calm1', OK, OK, OK],
  ['com1.example/x', '"com1" disallowed as path element component on Windows', '"com1" disallowed as path element component on Windows', '"com1" disallowed as path element component on Windows'],
  // Windows short names
  ['x.y/z~0', 'trailing tilde and digits in path element', 'trailing tilde and digits in path element', OK],
  ['x.y/z~09', 'trailing tilde and digits in path element', 'trailing tilde and digits in path element', OK],
  ['x.y/z~1.txt', 'trailing tilde and digits in path element', 'trailing tilde and digits in path element', OK],
  ['x.y/~1', 'trailing tilde and digits in path element', 'trailing tilde and digits in path element', OK],
  ['x.y/z~1a', OK, OK, OK],
  ['x.y/z09', OK, OK, OK],
  ['x.y/z09~', OK, OK, OK],
  ['x.y/z09~09z', OK, OK, OK],
  ['x.y/z09~09z~09', 'trailing tilde and digits in path element', 'trailing tilde and digits in path element', OK],
  // major version suffix
  ['x.y/z/v0', 'invalid version', OK, OK],
  ['x.y/z/v1', 'invalid version', OK, OK],
  ['x.y/z/v01', 'invalid version', OK, OK],
  ['x.y/z/v02', 'invalid version', OK, OK],
  ['x.y/z/v2', OK, OK, OK],
  ['x.y/z/v10', OK, OK, OK],
  ['x.y/v2', OK, OK, OK],
  ['x.y/z/v2.0', 'invalid version', OK, OK],
  ['x.y/z/v1.2.3', 'invalid version', OK, OK],
  ['x.y/zv2', OK, OK, OK],
  ['x.y/z/v1/w', OK, OK, OK],
  // gopkg.in
  ['gopkg.in/yaml.v0', OK, OK, OK],
  ['gopkg.in/yaml.v1', OK, OK, OK],
  ['gopkg.in/yaml.v2', OK, OK, OK],
  ['gopkg.in/user/pkg.v3', OK, OK, OK],
  ['gopkg.in/yaml.v2-unstable', OK, OK, OK],
  ['gopkg.in/yaml', 'invalid version', OK, OK],
  ['gopkg.in/yaml.v', 'invalid version', OK, OK],
  ['gopkg.in/yaml.v01', 'invalid version', OK, OK],
  ['gopkg.in/yaml/v2', 'invalid version', OK, OK],
];

function assertPathCheck(
  check: (path: string) => void,
  kind: ModulePathError['kind'],
  path: string,
  expected: Outcome,
): void {
  if (expected === OK) {
    assert.doesNotThrow(() => check(path), `${kind} ${JSON.stringify(path)} should be accepted`);
    return;
  }
  assert.throws(
    () => check(path),
    (err: unknown) => {
      assert.ok(err instanceof ModulePathError, `expected a ModulePathError for ${JSON.stringify(path)}`);
      assert.equal(err.kind, kind);
      assert.equal(err.path, path);
      assert.equal(err.reason, expected);
      assert.ok(err.message.startsWith(`malformed ${kind} "`), err.message);
      assert.ok(err.message.endsWith(`: ${expected}`), err.message);
      return true;
    },
  );
}

describe('path checks', () => {
  for (const [path, asModule, asImport, asFile] of PATH_CASES) {
    test(`${JSON.stringify(path)}`, () => {
      assertPathCheck(checkModulePath, 'module path', path, asModule);
      assertPathCheck(checkImportPath, 'import path', path, asImport);
      assertPathCheck(checkFilePath, 'file path', path, asFile);
      assert.equal(isValidModulePath(path), asModule === OK);
    });
  }

  test('every valid module path is a valid import path, and every valid import path a valid file path', () => {
    for (const [path, asModule, asImport, asFile] of PATH_CASES) {
      if (asModule === OK) assert.equal(asImport, OK, path);
      if (asImport === OK) assert.equal(asFile, OK, path);
    }
  });
});

describe('ModulePathError', () => {
  test('is an Error whose message uses the go command wording', () => {
    const err = new ModulePathError('module path', 'x.y/.z', 'leading dot in path element');
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'ModulePathError');
    assert.equal(err.message, 'malformed module path "x.y/.z": leading dot in path element');
  });

  test('quotes the path and the offending character the way Go %q does', () => {
    const messages: ReadonlyArray<readonly [() => void, string]> = [
      [() => checkModulePath('X.y/z'), `malformed module path "X.y/z": invalid char 'X' in first path element`],
      [() => checkModulePath('x.y/z/v1'), 'malformed module path "x.y/z/v1": invalid version'],
      [() => checkImportPath('x.y/z"'), `malformed import path "x.y/z\\"": invalid char '"'`],
      [() => checkImportPath("x.y/z'"), `malformed import path "x.y/z'": invalid char '\\''`],
      [() => checkFilePath('a\\b'), `malformed file path "a\\\\b": invalid char '\\\\'`],
      [() => checkFilePath('a\tb'), `malformed file path "a\\tb": invalid char '\\t'`],
      [() => checkFilePath('a\x01b'), `malformed file path "a\\x01b": invalid char '\\x01'`],
      [() => checkFilePath('a\u00a0b'), `malformed file path "a\\u00a0b": invalid char '\\u00a0'`],
      [() => checkFilePath('a☺b'), `malformed file path "a☺b": invalid char '☺'`],
      [() => checkImportPath('x.y/испытание'), `malformed import path "x.y/испытание": invalid char 'и'`],
      [() => checkFilePath('../x'), 'malformed file path "../x": invalid path element ".."'],
      [() => checkFilePath('a/CON.txt'), 'malformed file path "a/CON.txt": "CON" disallowed as path element component on Windows'],
    ];
    for (const [check, message] of messages) assert.throws(check, { name: 'ModulePathError', message });
  });
});

describe('splitPathVersion', () => {
  const cases: ReadonlyArray<readonly [string, { prefix: string; pathMajor: string } | undefined]> = [
    ['x.y/z', { prefix: 'x.y/z', pathMajor: '' }],
    ['x.y/z/v2', { prefix: 'x.y/z', pathMajor: '/v2' }],
    ['x.y/z/v3', { prefix: 'x.y/z', pathMajor: '/v3' }],
    ['x.y/z/v10', { prefix: 'x.y/z', pathMajor: '/v10' }],
    ['rsc.io/quote/v3', { prefix: 'rsc.io/quote', pathMajor: '/v3' }],
    ['x.y/v', { prefix: 'x.y/v', pathMajor: '' }],
    ['x.y/zv2', { prefix: 'x.y/zv2', pathMajor: '' }],
    ['x.y/z/2', { prefix: 'x.y/z/2', pathMajor: '' }],
    ['x.y/z/v2/w', { prefix: 'x.y/z/v2/w', pathMajor: '' }],
    ['v2', { prefix: 'v2', pathMajor: '' }],
    ['/v2', { prefix: '', pathMajor: '/v2' }],
    ['x.y/z/v0', undefined],
    ['x.y/z/v1', undefined],
    ['x.y/z/v01', undefined],
    ['x.y/z/v02', undefined],
    ['x.y/z/v2.0', undefined],
    ['x.y/z/v1.2.3', undefined],
    // gopkg.in puts the major version after a dot, and v0 and v1 count.
    ['gopkg.in/yaml.v0', { prefix: 'gopkg.in/yaml', pathMajor: '.v0' }],
    ['gopkg.in/yaml.v1', { prefix: 'gopkg.in/yaml', pathMajor: '.v1' }],
    ['gopkg.in/yaml.v2', { prefix: 'gopkg.in/yaml', pathMajor: '.v2' }],
    ['gopkg.in/yaml.v3', { prefix: 'gopkg.in/yaml', pathMajor: '.v3' }],
    ['gopkg.in/user/pkg.v3', { prefix: 'gopkg.in/user/pkg', pathMajor: '.v3' }],
    ['gopkg.in/yaml.v2-unstable', { prefix: 'gopkg.in/yaml', pathMajor: '.v2-unstable' }],
    ['gopkg.in/yaml.v0-unstable', undefined],
    ['gopkg.in/yaml', undefined],
    ['gopkg.in/yaml.v', undefined],
    ['gopkg.in/yaml.v01', undefined],
    ['gopkg.in/yaml/v2', undefined],
  ];
  for (const [path, expected] of cases) {
    test(`${path} -> ${expected === undefined ? 'malformed' : JSON.stringify(expected)}`, () => {
      assert.deepEqual(splitPathVersion(path), expected);
    });
  }

  test('prefix and suffix always put the path back together', () => {
    for (const [path] of PATH_CASES) {
      const split = splitPathVersion(path);
      if (split !== undefined) assert.equal(split.prefix + split.pathMajor, path);
    }
  });
});

describe('checkPathMajor', () => {
  // [version, path major suffix, OK or the message].
  const cases: ReadonlyArray<readonly [string, string, Outcome]> = [
    ['v0.0.0', '', OK],
    ['v0.8.0', '', OK],
    ['v1.9.9', '', OK],
    ['v1.2', '', OK],
    ['v2.0.0', '', 'version "v2.0.0" invalid: should be v0 or v1, not v2'],
    ['v3.0.0', '', 'version "v3.0.0" invalid: should be v0 or v1, not v3'],
    // +incompatible lets a v2+ module without a go.mod be used from its unsuffixed path.
    ['v2.0.0+incompatible', '', OK],
    ['v17.0.0+incompatible', '', OK],
    ['v2.0.0', '/v2', OK],
    ['v2.1.5', '/v2', OK],
    ['v2.0.0-rc.1', '/v2', OK],
    ['v10.0.0', '/v10', OK],
    ['v1.0.0', '/v2', 'version "v1.0.0" invalid: should be v2, not v1'],
    ['v0.0.0', '/v2', 'version "v0.0.0" invalid: should be v2, not v0'],
    ['v3.0.0', '/v2', 'version "v3.0.0" invalid: should be v2, not v3'],
    ['v3.0.0+incompatible', '/v2', 'version "v3.0.0+incompatible" invalid: should be v2, not v3'],
    ['v0.8.0', '.v0', OK],
    ['v1.0.0', '.v0', 'version "v1.0.0" invalid: should be v0, not v1'],
    ['v1.0.0', '.v1', OK],
    ['v0.8.0', '.v1', 'version "v0.8.0" invalid: should be v1, not v0'],
    ['v2.0.0', '.v1', 'version "v2.0.0" invalid: should be v1, not v2'],
    ['v2.0.0', '.v2', OK],
    ['v1.0.0', '.v1-unstable', OK],
    ['v2.0.0', '.v1-unstable', 'version "v2.0.0" invalid: should be v1, not v2'],
    // Old v0.0.0- pseudo-versions for gopkg.in .v1 paths are still accepted; a plain v0.0.0 is not.
    ['v0.0.0-20160102150405-abcdef123456', '.v1', OK],
    ['v0.0.0', '.v1', 'version "v0.0.0" invalid: should be v1, not v0'],
    ['v0.0.0-20160102150405-abcdef123456', '', OK],
    ['v0.0.0-20160102150405-abcdef123456', '/v2', 'version "v0.0.0-20160102150405-abcdef123456" invalid: should be v2, not v0'],
    ['1.0.0', '', 'version "1.0.0" invalid: not a semantic version'],
    ['latest', '/v2', 'version "latest" invalid: not a semantic version'],
  ];
  for (const [version, pathMajor, expected] of cases) {
    test(`${version} with ${JSON.stringify(pathMajor)}`, () => {
      if (expected === OK) assert.doesNotThrow(() => checkPathMajor(version, pathMajor));
      else assert.throws(() => checkPathMajor(version, pathMajor), { message: expected });
    });
  }
});

describe('escapePath and unescapePath', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['github.com/BurntSushi/toml', 'github.com/!burnt!sushi/toml'],
    ['github.com/GoogleCloudPlatform/omega', 'github.com/!google!cloud!platform/omega'],
    ['github.com/Azure/azure-sdk-for-go', 'github.com/!azure/azure-sdk-for-go'],
    ['example.com/ABC/v2', 'example.com/!a!b!c/v2'],
    ['ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789', 'ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789'],
    ['gopkg.in/yaml.v2', 'gopkg.in/yaml.v2'],
  ];
  for (const [path, escaped] of cases) {
    test(`${path} <-> ${escaped}`, () => {
      assert.equal(escapePath(path), escaped);
      assert.equal(unescapePath(escaped), path);
    });
  }

  test('every valid module path survives a round trip, and no escaped form has an upper-case letter', () => {
    for (const [path, asModule] of PATH_CASES) {
      if (asModule !== OK) continue;
      const escaped = escapePath(path);
      assert.doesNotMatch(escaped, /[A-Z]/);
      assert.equal(unescapePath(escaped), path);
    }
  });

  test('escapePath rejects every invalid module path with the module path error', () => {
    for (const [path, asModule] of PATH_CASES) {
      if (asModule === OK) continue;
      assert.throws(() => escapePath(path), {
        name: 'ModulePathError',
        message: new ModulePathError('module path', path, asModule).message,
      });
    }
  });

  test('unescapePath rejects text that escapePath cannot produce', () => {
    const bad = [
      'github.com/Burnt',
      'github.com/!Burnt',
      'github.com/!',
      'github.com/!burnt!/toml',
      'github.com/!0google',
      'github.com/!_google',
      'github.com/!!google',
      'github.com/!é',
      'github.com/é',
    ];
    for (const escaped of bad) {
      assert.throws(() => unescapePath(escaped), { message: `invalid escaped module path ${JSON.stringify(escaped)}` });
    }
  });

  test('unescapePath rejects a decoded path that is not a valid module path', () => {
    assert.throws(() => unescapePath('!github.com/x'), {
      message: `invalid escaped module path "!github.com/x": malformed module path "Github.com/x": invalid char 'G' in first path element`,
    });
    assert.throws(() => unescapePath('x.y/z/v1'), {
      message: 'invalid escaped module path "x.y/z/v1": malformed module path "x.y/z/v1": invalid version',
    });
    assert.throws(() => unescapePath(''), {
      message: 'invalid escaped module path "": malformed module path "": empty string',
    });
    for (const [path, asModule] of PATH_CASES) {
      if (asModule !== OK) assert.throws(() => unescapePath(path), /^Error: invalid escaped module path/, path);
    }
  });
});

describe('escapeVersion and unescapeVersion', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['v1.2.3', 'v1.2.3'],
    ['v1.0.0-RC1', 'v1.0.0-!r!c1'],
    ['v2.0.0+incompatible', 'v2.0.0+incompatible'],
    ['master', 'master'],
    ['Feature-X', '!feature-!x'],
    // Versions are checked as file names, so the Windows short-name rule does not apply.
    ['x~1', 'x~1'],
    ['.hidden', '.hidden'],
  ];
  for (const [version, escaped] of cases) {
    test(`${version} <-> ${escaped}`, () => {
      assert.equal(escapeVersion(version), escaped);
      assert.equal(unescapeVersion(escaped), version);
    });
  }

  test('escapeVersion rejects strings that are not a single plain file name', () => {
    for (const version of ['', 'v1!', 'a/b', 'v1.', '..', 'con', 'nul.txt', 'a*b', 'vé']) {
      assert.throws(() => escapeVersion(version), {
        message: `version ${JSON.stringify(version)} invalid: disallowed version string`,
      });
    }
  });

  test('unescapeVersion rejects bad escapes and bad versions', () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['v1.0.0-RC1', 'invalid escaped version "v1.0.0-RC1"'],
      ['v1!', 'invalid escaped version "v1!"'],
      ['!1', 'invalid escaped version "!1"'],
      ['v1.0.0-!R', 'invalid escaped version "v1.0.0-!R"'],
      ['vé', 'invalid escaped version "vé"'],
      ['', 'invalid escaped version "": empty path element'],
      ['v1.', 'invalid escaped version "v1.": trailing dot in path element'],
      ['a/b', `invalid escaped version "a/b": invalid char '/'`],
      ['!con', 'invalid escaped version "Con": "Con" disallowed as path element component on Windows'],
    ];
    for (const [escaped, message] of cases) assert.throws(() => unescapeVersion(escaped), { message });
  });
});

describe('parseModuleAtVersion', () => {
  const valid: ReadonlyArray<readonly [string, string, string]> = [
    ['golang.org/x/text@latest', 'golang.org/x/text', 'latest'],
    ['golang.org/x/text@v0.3.7', 'golang.org/x/text', 'v0.3.7'],
    ['rsc.io/quote/v3@v3.1.0', 'rsc.io/quote/v3', 'v3.1.0'],
    ['github.com/BurntSushi/toml@v1.2.1', 'github.com/BurntSushi/toml', 'v1.2.1'],
    ['gopkg.in/yaml.v2@v2.4.0', 'gopkg.in/yaml.v2', 'v2.4.0'],
    ['example.com/m@v1.2', 'example.com/m', 'v1.2'],
    ['example.com/m@v1.0.0-rc.1', 'example.com/m', 'v1.0.0-rc.1'],
    ['example.com/m@v2.0.0+incompatible', 'example.com/m', 'v2.0.0+incompatible'],
    ['example.com/m@v0.0.0-20191109021931-daa7c04131f5', 'example.com/m', 'v0.0.0-20191109021931-daa7c04131f5'],
  ];
  for (const [text, path, version] of valid) {
    test(`parses ${text}`, () => {
      assert.deepEqual(parseModuleAtVersion(text), { path, version });
    });
  }

  const invalid: ReadonlyArray<readonly [string, string]> = [
    ['golang.org/x/text', 'invalid path@version "golang.org/x/text": missing "@version" (e.g. golang.org/x/text@latest)'],
    ['', 'invalid path@version "": missing "@version" (e.g. golang.org/x/text@latest)'],
    ['@v1.0.0', 'invalid path@version "@v1.0.0": missing module path before "@"'],
    ['golang.org/x/text@', 'invalid path@version "golang.org/x/text@": missing version after "@"'],
    [
      'Golang.org/x/text@v1.0.0',
      `invalid path@version "Golang.org/x/text@v1.0.0": malformed module path "Golang.org/x/text": invalid char 'G' in first path element`,
    ],
    [
      ' golang.org/x/text@latest',
      `invalid path@version " golang.org/x/text@latest": malformed module path " golang.org/x/text": invalid char ' '`,
    ],
    [
      'example.com/m/v1@v1.0.0',
      'invalid path@version "example.com/m/v1@v1.0.0": malformed module path "example.com/m/v1": invalid version',
    ],
  ];
  for (const [text, message] of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseModuleAtVersion(text), { message });
    });
  }

  test('rejects versions that are neither latest nor semantic versions', () => {
    for (const version of ['1.0.0', 'master', 'Latest', 'upgrade', 'v1.0.0@v2', 'v1.0.0 ', 'v01.0.0']) {
      const text = `golang.org/x/text@${version}`;
      assert.throws(() => parseModuleAtVersion(text), {
        message: `invalid path@version ${JSON.stringify(text)}: version ${JSON.stringify(version)} is neither "latest" nor a semantic version like v1.2.3`,
      });
    }
  });
});
