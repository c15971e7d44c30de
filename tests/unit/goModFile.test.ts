import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GoModSyntaxError, parseGoMod, type GoModFile } from '../../shared/gomod/goModFile';
import { debianGoSourceRoot } from '../support/debianModules';
import { requireGo } from '../support/goCommand';

function strict(text: string): GoModFile {
  return parseGoMod(text, 'go.mod');
}

function lax(text: string): GoModFile {
  return parseGoMod(text, 'go.mod', { lax: true });
}

function parseError(text: string, options: { lax?: boolean; fileName?: string } = {}): GoModSyntaxError {
  const fileName = options.fileName ?? 'go.mod';
  try {
    parseGoMod(text, fileName, { lax: options.lax === true });
  } catch (error) {
    assert.ok(error instanceof GoModSyntaxError, `expected GoModSyntaxError, got ${String(error)}`);
    assert.equal(error.file, fileName);
    assert.equal(error.message, `${fileName}:${error.line}: ${error.reason}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(text)} to be rejected`);
}

/** What `go mod edit -json` reports, in a shape both sides can be reduced to. */
interface Projection {
  module: string;
  deprecated: string;
  go: string;
  require: Array<[string, string, boolean]>;
  exclude: Array<[string, string]>;
  replace: Array<[string, string, string, string]>;
  retract: Array<[string, string, string]>;
}

function project(f: GoModFile): Projection {
  return {
    module: f.module?.path ?? '',
    deprecated: f.module?.deprecated ?? '',
    go: f.go?.version ?? '',
    require: f.require.map((r) => [r.path, r.version, r.indirect]),
    exclude: f.exclude.map((e) => [e.path, e.version]),
    replace: f.replace.map((r) => [r.old.path, r.old.version ?? '', r.new.path, r.new.version ?? '']),
    retract: f.retract.map((r) => [r.low, r.high, r.rationale]),
  };
}

interface GoModJson {
  Module?: { Path: string; Deprecated?: string };
  Go?: string;
  Require: Array<{ Path: string; Version: string; Indirect?: boolean }> | null;
  Exclude: Array<{ Path: string; Version: string }> | null;
  Replace: Array<{ Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }> | null;
  Retract: Array<{ Low: string; High: string; Rationale?: string }> | null;
}

function projectGoJson(j: GoModJson): Projection {
  return {
    module: j.Module?.Path ?? '',
    deprecated: j.Module?.Deprecated ?? '',
    go: j.Go ?? '',
    require: (j.Require ?? []).map((r) => [r.Path, r.Version, r.Indirect === true]),
    exclude: (j.Exclude ?? []).map((e) => [e.Path, e.Version]),
    replace: (j.Replace ?? []).map((r) => [r.Old.Path, r.Old.Version ?? '', r.New.Path, r.New.Version ?? '']),
    retract: (j.Retract ?? []).map((r) => [r.Low, r.High, r.Rationale ?? '']),
  };
}

function goModEditJson(file: string): GoModJson {
  return JSON.parse(execFileSync('go', ['mod', 'edit', '-json', file], { encoding: 'utf8', env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'] })) as GoModJson;
}

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: '', GOTOOLCHAIN: 'local', GOWORK: 'off' };
}

/** Runs `go mod edit -json` on text: the result, or the line of the first error the go command reports. */
function goCommandReads(text: string): { json: GoModJson } | { errorLine: number; stderr: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modferry-gomod-'));
  try {
    const file = path.join(dir, 'go.mod');
    writeFileSync(file, text);
    try {
      return { json: goModEditJson(file) };
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '');
      const match = /go\.mod:(\d+)(?::\d+)?: /.exec(stderr);
      assert.ok(match, `no go.mod:line in go's error output: ${stderr}`);
      return { errorLine: Number(match[1]), stderr };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// A go.mod in the spirit of a large real service: blocks, direct and indirect requirements,
// +incompatible and gopkg.in versions, replacements by module and by directory, exclusions,
// retractions with rationales, and a deprecation notice.
const realistic = `// Deprecated: use example.com/platform/v2 instead.
// It will not receive security fixes after 2025.
module example.com/platform

go 1.21.5

toolchain go1.22.1

godebug (
	default=go1.21
	panicnil=1
)

require (
	cloud.google.com/go/storage v1.36.0
	github.com/google/go-cmp v0.6.0
	github.com/prometheus/client_golang v1.18.0
	golang.org/x/sync v0.6.0
	google.golang.org/grpc v1.60.1
	gopkg.in/yaml.v3 v3.0.1
	k8s.io/client-go v0.29.0
)

require (
	cloud.google.com/go v0.111.0 // indirect
	github.com/Azure/go-autorest v14.2.0+incompatible // indirect
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.2.0 // indirect
	github.com/golang/protobuf v1.5.3 // indirect; pinned by grpc
	golang.org/x/net v0.20.0 // indirect
	gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405 // indirect
	internal.example.com/shim v0.0.0-00010101000000-000000000000
)

replace (
	github.com/google/go-cmp => github.com/google/go-cmp v0.5.9
	k8s.io/client-go v0.29.0 => ../client-go
	golang.org/x/net v0.20.0 => ./third_party/net
)

replace internal.example.com/shim => /opt/src/shim

exclude (
	github.com/prometheus/client_golang v1.17.0
	google.golang.org/grpc v1.59.0
)

// Published with a broken go.mod.
retract v1.4.0

retract (
	// Accidentally tagged from a feature branch.
	[v1.5.0, v1.5.3]
	v1.6.0 // Contains CVE-2024-0001.
)
`;

const realisticExpected: GoModFile = {
  module: {
    path: 'example.com/platform',
    deprecated: 'use example.com/platform/v2 instead.\nIt will not receive security fixes after 2025.',
    line: 3,
  },
  go: { version: '1.21.5', line: 5 },
  toolchain: { name: 'go1.22.1', line: 7 },
  require: [
    { path: 'cloud.google.com/go/storage', version: 'v1.36.0', indirect: false, line: 15 },
    { path: 'github.com/google/go-cmp', version: 'v0.6.0', indirect: false, line: 16 },
    { path: 'github.com/prometheus/client_golang', version: 'v1.18.0', indirect: false, line: 17 },
    { path: 'golang.org/x/sync', version: 'v0.6.0', indirect: false, line: 18 },
    { path: 'google.golang.org/grpc', version: 'v1.60.1', indirect: false, line: 19 },
    { path: 'gopkg.in/yaml.v3', version: 'v3.0.1', indirect: false, line: 20 },
    { path: 'k8s.io/client-go', version: 'v0.29.0', indirect: false, line: 21 },
    { path: 'cloud.google.com/go', version: 'v0.111.0', indirect: true, line: 25 },
    { path: 'github.com/Azure/go-autorest', version: 'v14.2.0+incompatible', indirect: true, line: 26 },
    { path: 'github.com/beorn7/perks', version: 'v1.0.1', indirect: true, line: 27 },
    { path: 'github.com/cespare/xxhash/v2', version: 'v2.2.0', indirect: true, line: 28 },
    { path: 'github.com/golang/protobuf', version: 'v1.5.3', indirect: true, line: 29 },
    { path: 'golang.org/x/net', version: 'v0.20.0', indirect: true, line: 30 },
    { path: 'gopkg.in/check.v1', version: 'v0.0.0-20161208181325-20d25e280405', indirect: true, line: 31 },
    { path: 'internal.example.com/shim', version: 'v0.0.0-00010101000000-000000000000', indirect: false, line: 32 },
  ],
  replace: [
    {
      old: { path: 'github.com/google/go-cmp' },
      new: { path: 'github.com/google/go-cmp', version: 'v0.5.9' },
      isLocalPath: false,
      line: 36,
    },
    { old: { path: 'k8s.io/client-go', version: 'v0.29.0' }, new: { path: '../client-go' }, isLocalPath: true, line: 37 },
    { old: { path: 'golang.org/x/net', version: 'v0.20.0' }, new: { path: './third_party/net' }, isLocalPath: true, line: 38 },
    { old: { path: 'internal.example.com/shim' }, new: { path: '/opt/src/shim' }, isLocalPath: true, line: 41 },
  ],
  exclude: [
    { path: 'github.com/prometheus/client_golang', version: 'v1.17.0', line: 44 },
    { path: 'google.golang.org/grpc', version: 'v1.59.0', line: 45 },
  ],
  retract: [
    { low: 'v1.4.0', high: 'v1.4.0', rationale: 'Published with a broken go.mod.', line: 49 },
    { low: 'v1.5.0', high: 'v1.5.3', rationale: 'Accidentally tagged from a feature branch.', line: 53 },
    { low: 'v1.6.0', high: 'v1.6.0', rationale: 'Contains CVE-2024-0001.', line: 54 },
  ],
};

describe('parseGoMod: a realistic go.mod', () => {
  test('reads every directive with its line', () => {
    assert.deepEqual(strict(realistic), realisticExpected);
  });

  test('\\r\\n line endings read the same', () => {
    assert.deepEqual(strict(realistic.replace(/\n/g, '\r\n')), realisticExpected);
  });

  test('lax reading keeps module, go, require and retract, and drops main-module-only directives', () => {
    assert.deepEqual(lax(realistic), {
      module: realisticExpected.module,
      go: realisticExpected.go,
      require: realisticExpected.require,
      replace: [],
      exclude: [],
      retract: realisticExpected.retract,
    });
  });

  test('an empty file and a file of comments are valid and have no module', () => {
    assert.deepEqual(strict(''), { require: [], replace: [], exclude: [], retract: [] });
    assert.deepEqual(strict('// just a comment\n\n// and another\n'), { require: [], replace: [], exclude: [], retract: [] });
  });
});

describe('parseGoMod: lexical rules', () => {
  test('double-quoted strings follow Go escape rules', () => {
    const cases: Array<[string, string]> = [
      ['"example.com/m"', 'example.com/m'],
      ['"example.com/\\x6d"', 'example.com/m'],
      ['"example.com/\\155"', 'example.com/m'],
      ['"example.com/\\u006d"', 'example.com/m'],
      ['"example.com/\\U0000006d"', 'example.com/m'],
      ['"example.com/a\\"b"', 'example.com/a"b'],
      ['"example.com/a\\\\b"', 'example.com/a\\b'],
      ['"example.com/\\xc3\\xa9"', 'example.com/é'],
      ['"example.com/m // not a comment"', 'example.com/m // not a comment'],
    ];
    for (const [literal, value] of cases) {
      assert.equal(lax(`module ${literal}\n`).module?.path, value, literal);
    }
  });

  test('invalid escapes are rejected as Go rejects them', () => {
    for (const literal of ['"a\\q"', '"a\\\'"', '"a\\x6"', '"a\\400"', '"a\\ud800"', '"a\\U00110000"', '"a\\8"']) {
      const error = parseError(`module ${literal}\n`);
      assert.equal(error.message, 'go.mod:1: invalid quoted string: invalid syntax', literal);
    }
  });

  test('quoted tokens can be requirement paths and versions', () => {
    assert.deepEqual(strict('require "example.com/a" "v1.0.0"\n').require, [
      { path: 'example.com/a', version: 'v1.0.0', indirect: false, line: 1 },
    ]);
  });

  test('a backquoted string is one token, but go.mod reserves it: it is never a valid argument', () => {
    // The comment marker inside the backquotes does not start a comment: the string is a third argument.
    assert.equal(parseError('require example.com/a v1.0.0 `// indirect`\n', { lax: true }).message, 'go.mod:1: usage: require module/path v1.2.3');
    assert.equal(parseError('module `example.com/m`\n').message, 'go.mod:1: invalid quoted string: unquoted string cannot contain quote');
    assert.equal(parseError("module example.com/it's\n").message, 'go.mod:1: invalid quoted string: unquoted string cannot contain quote');
  });

  test('// ends a word and starts a line-end comment', () => {
    assert.deepEqual(strict('require example.com/a v1.0.0//indirect\n').require, [
      { path: 'example.com/a', version: 'v1.0.0', indirect: true, line: 1 },
    ]);
  });

  test('brackets and commas are tokens of their own', () => {
    assert.deepEqual(strict('module example.com/m\nretract [v1.0.0,v1.1.0]\n').retract, [
      { low: 'v1.0.0', high: 'v1.1.0', rationale: '', line: 2 },
    ]);
  });

  test('comments and blank lines may appear anywhere', () => {
    const text = [
      '// leading',
      '',
      'module example.com/m // the module',
      '',
      '// before the block',
      'require ( // opening',
      '',
      '\t// about a',
      '\texample.com/a v1.0.0 // indirect',
      '',
      '',
      '\texample.com/b v1.1.0',
      '\t// dangling',
      ') // closing',
      '',
      'require () // an empty block',
      'require (',
      ')',
      '// trailing',
    ].join('\n');
    assert.deepEqual(strict(text).require, [
      { path: 'example.com/a', version: 'v1.0.0', indirect: true, line: 9 },
      { path: 'example.com/b', version: 'v1.1.0', indirect: false, line: 12 },
    ]);
  });

  test('( in the middle of a line is an ordinary token, not a block', () => {
    assert.equal(parseError('module example.com/m\nretract ( v1.0.0 )\n').message, "go.mod:2: expected '[' or version");
    assert.equal(parseError('require example.com/a ( ) v1.0.0\n').message, 'go.mod:1: usage: require module/path v1.2.3');
  });

  test('tabs, spaces and carriage returns separate tokens', () => {
    assert.deepEqual(strict('require\t example.com/a \r\tv1.0.0\r\n').require, [
      { path: 'example.com/a', version: 'v1.0.0', indirect: false, line: 1 },
    ]);
  });
});

describe('parseGoMod: // indirect (modfile isIndirect)', () => {
  const cases: Array<[string, boolean]> = [
    ['// indirect', true],
    ['//indirect', true],
    ['//   indirect   ', true],
    ['// indirect; needed by example.com/b', true],
    ['//indirect; x', true],
    ['// indirect;', false],
    ['// indirect foo', false],
    ['// indirect tagx:ignore', false],
    ['// Indirect', false],
    ['// not indirect', false],
    ['//', false],
    ['', false],
  ];
  for (const [comment, indirect] of cases) {
    test(`${JSON.stringify(comment)} -> ${indirect}`, () => {
      assert.equal(strict(`require example.com/a v1.0.0 ${comment}\n`).require[0]?.indirect, indirect);
      assert.equal(strict(`require (\n\texample.com/a v1.0.0 ${comment}\n)\n`).require[0]?.indirect, indirect);
    });
  }

  test('a comment on the line above does not make a requirement indirect', () => {
    assert.equal(strict('require (\n\t// indirect\n\texample.com/a v1.0.0\n)\n').require[0]?.indirect, false);
  });
});

describe('parseGoMod: module deprecation', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['comment block directly above', '// Deprecated: use example.com/n.\nmodule example.com/m\n', 'use example.com/n.'],
    ['line-end comment', 'module example.com/m // Deprecated: use example.com/n.\n', 'use example.com/n.'],
    ['no space after the colon', '//Deprecated:use n\nmodule example.com/m\n', 'use n'],
    ['runs to the end of its paragraph', '// Deprecated: use n\n// from now on.\n//\n// Other notes.\nmodule example.com/m\n', 'use n\nfrom now on.'],
    ['a later paragraph', '// The m module.\n//\n// Deprecated: use n.\nmodule example.com/m\n', 'use n.'],
    ['the first of two notices', '// Deprecated: first.\n//\n// Deprecated: second.\nmodule example.com/m\n', 'first.'],
    ['separated by a blank line', '// Deprecated: use n.\n\nmodule example.com/m\n', undefined],
    ['not at the start of a paragraph', '// This is Deprecated: no.\nmodule example.com/m\n', undefined],
    ['mid-paragraph line', '// The m module.\n// Deprecated: no.\nmodule example.com/m\n', undefined],
    ['lower case', '// deprecated: no.\nmodule example.com/m\n', undefined],
    ['empty notice', '// Deprecated:\nmodule example.com/m\n', undefined],
    ['inside a module block, from the block', '// Deprecated: blocky.\nmodule (\n\texample.com/m\n)\n', 'blocky.'],
    ['inside a module block, own comment wins', '// Deprecated: blocky.\nmodule (\n\texample.com/m // Deprecated: own.\n)\n', 'own.'],
  ];
  for (const [name, text, deprecated] of cases) {
    test(name, () => {
      assert.equal(strict(text).module?.deprecated, deprecated);
      assert.equal(lax(text).module?.deprecated, deprecated);
    });
  }
});

describe('parseGoMod: retraction rationale', () => {
  test('comments above and at the end of a retract line, joined by newlines', () => {
    const f = strict('module example.com/m\n// First line.\n// Second line.\nretract v1.0.0 // Third.\n');
    assert.deepEqual(f.retract, [{ low: 'v1.0.0', high: 'v1.0.0', rationale: 'First line.\nSecond line.\nThird.', line: 4 }]);
  });

  test('lines in a block without comments of their own use the block comment; a blank line above a line cuts it off', () => {
    const f = strict(
      ['module example.com/m', '// Shared reason.', 'retract (', '\tv1.0.0', '\tv1.1.0 // Own reason.', '', '\tv1.2.0', '\t[v1.3.0, v1.3.9]', ')', ''].join('\n'),
    );
    assert.deepEqual(
      f.retract.map((r) => [r.low, r.high, r.rationale]),
      [
        ['v1.0.0', 'v1.0.0', 'Shared reason.'],
        ['v1.1.0', 'v1.1.0', 'Own reason.'],
        ['v1.2.0', 'v1.2.0', ''],
        ['v1.3.0', 'v1.3.9', 'Shared reason.'],
      ],
    );
  });
});

describe('parseGoMod: replace', () => {
  const cases: Array<[string, GoModFile['replace'][number]]> = [
    ['example.com/a => example.com/b v1.2.3', { old: { path: 'example.com/a' }, new: { path: 'example.com/b', version: 'v1.2.3' }, isLocalPath: false, line: 1 }],
    ['example.com/a v1.0.0 => example.com/b v1.2.3', { old: { path: 'example.com/a', version: 'v1.0.0' }, new: { path: 'example.com/b', version: 'v1.2.3' }, isLocalPath: false, line: 1 }],
    ['example.com/a => ./a', { old: { path: 'example.com/a' }, new: { path: './a' }, isLocalPath: true, line: 1 }],
    ['example.com/a => ../a', { old: { path: 'example.com/a' }, new: { path: '../a' }, isLocalPath: true, line: 1 }],
    ['example.com/a => .', { old: { path: 'example.com/a' }, new: { path: '.' }, isLocalPath: true, line: 1 }],
    ['example.com/a => ..', { old: { path: 'example.com/a' }, new: { path: '..' }, isLocalPath: true, line: 1 }],
    ['example.com/a => /abs/a', { old: { path: 'example.com/a' }, new: { path: '/abs/a' }, isLocalPath: true, line: 1 }],
    ['example.com/a => .\\a', { old: { path: 'example.com/a' }, new: { path: '.\\a' }, isLocalPath: true, line: 1 }],
    ['example.com/a => ..\\a', { old: { path: 'example.com/a' }, new: { path: '..\\a' }, isLocalPath: true, line: 1 }],
    ['example.com/a => C:\\src\\a', { old: { path: 'example.com/a' }, new: { path: 'C:\\src\\a' }, isLocalPath: true, line: 1 }],
    ['example.com/a => \\\\server\\share', { old: { path: 'example.com/a' }, new: { path: '\\\\server\\share' }, isLocalPath: true, line: 1 }],
    ['example.com/a => "./dir with spaces"', { old: { path: 'example.com/a' }, new: { path: './dir with spaces' }, isLocalPath: true, line: 1 }],
    ['example.com/a/v2 v2.0.0 => example.com/fork/a/v2 v2.0.1', { old: { path: 'example.com/a/v2', version: 'v2.0.0' }, new: { path: 'example.com/fork/a/v2', version: 'v2.0.1' }, isLocalPath: false, line: 1 }],
    ['local/tool => ./tool', { old: { path: 'local/tool' }, new: { path: './tool' }, isLocalPath: true, line: 1 }],
  ];
  for (const [directive, expected] of cases) {
    test(directive, () => {
      assert.deepEqual(strict(`replace ${directive}\n`).replace, [expected]);
    });
  }

  test('a requirement without a dot in its path is fine when a replacement provides it', () => {
    const f = strict('module example.com/m\nrequire local/tool v0.0.0\nreplace local/tool v0.0.0 => ./tool\n');
    assert.deepEqual(f.require, [{ path: 'local/tool', version: 'v0.0.0', indirect: false, line: 2 }]);
  });
});

describe('parseGoMod: go and toolchain', () => {
  for (const version of ['1.13', '1.21', '1.21.0', '1.21rc1', '1.22.3', '10.0']) {
    test(`go ${version}`, () => assert.equal(strict(`go ${version}\n`).go?.version, version));
  }
  for (const name of ['go1.21', 'go1.21.0', 'go1.22rc1', 'go1.21.3-gccgo', 'default']) {
    test(`toolchain ${name}`, () => assert.equal(strict(`toolchain ${name}\n`).toolchain?.name, name));
  }

  test('lax reading salvages old toolchain spellings of the go version', () => {
    assert.equal(lax('go 1.21.0-rc1\n').go?.version, '1.21');
    assert.equal(lax('go 1.14.x\n').go?.version, '1.14');
    assert.equal(lax('go v1.21beta1.x\n').go?.version, '1.21');
    assert.equal(parseError('go 1.21.0-rc1\n').message, "go.mod:1: invalid go version '1.21.0-rc1': must match format 1.23.0");
    assert.equal(parseError('go v1.19\n', { lax: true }).message, "go.mod:1: invalid go version 'v1.19': must match format 1.23.0");
  });
});

describe('parseGoMod: lax reading (the go.mod of a dependency)', () => {
  test('unknown and main-module-only directives and blocks are ignored, even malformed ones', () => {
    const f = lax(
      [
        'module example.com/m',
        'frobnicate all the things',
        'future (',
        '\tsomething',
        ')',
        'require x y (',
        '\tz',
        ')',
        'go (',
        ')',
        'toolchain not-a-toolchain',
        'godebug nonsense',
        'tool',
        'replace example.com/a => nowhere',
        'exclude example.com/a 1.0',
        'require example.com/a v1.0.0',
        '',
      ].join('\n'),
    );
    assert.deepEqual(f, {
      module: { path: 'example.com/m', line: 1 },
      require: [{ path: 'example.com/a', version: 'v1.0.0', indirect: false, line: 16 }],
      replace: [],
      exclude: [],
      retract: [],
    });
  });

  test('versions are canonicalized as ParseLax does, keeping +incompatible', () => {
    const f = lax('require (\n\texample.com/a v1.2\n\texample.com/b v2.0.0+incompatible\n\texample.com/c v1.0.0+build.5\n\texample.com/d v1\n)\n');
    assert.deepEqual(
      f.require.map((r) => r.version),
      ['v1.2.0', 'v2.0.0+incompatible', 'v1.0.0', 'v1.0.0'],
    );
  });

  test('malformed retractions are dropped instead of failing the file; versions are canonicalized', () => {
    const f = lax(
      ['module example.com/m', 'retract [v1.0.0', 'retract foo', 'retract v1.1.0 trailing', 'retract (v1.2.0)', 'retract [v1.3, v1.4.0+meta]', ''].join('\n'),
    );
    assert.deepEqual(f.retract, [
      { low: 'v1.1.0', high: 'v1.1.0', rationale: '', line: 4 },
      { low: 'v1.3.0', high: 'v1.4.0', rationale: '', line: 6 },
    ]);
  });

  test('module paths are not held to main-module rules', () => {
    assert.equal(lax('module -weird\n').module?.path, '-weird');
    assert.deepEqual(lax('require local/tool v0.0.0\n').require[0]?.path, 'local/tool');
  });

  test('errors in module, go, require and ignore are still errors', () => {
    const cases: Array<[string, string]> = [
      ['module a\nmodule b\n', 'go.mod:2: repeated module statement'],
      ['module a b\n', 'go.mod:1: usage: module module/path'],
      ['go 1.20\ngo 1.21\n', 'go.mod:2: repeated go statement'],
      ['go\n', 'go.mod:1: go directive expects exactly one argument'],
      ['require example.com/a 1.2\n', 'go.mod:1: require example.com/a: version "1.2" invalid: must be of the form v1.2.3'],
      ['require example.com/a/v2 v1.0.0\n', 'go.mod:1: require example.com/a/v2: version "v1.0.0" invalid: should be v2, not v1'],
      ['ignore a b\n', 'go.mod:1: ignore directive expects exactly one argument'],
      ['module "a\n', 'go.mod:1: unterminated quoted string'],
      ['require (\n', 'go.mod:1: unterminated block: missing \')\' to close \'require (\''],
    ];
    for (const [text, message] of cases) assert.equal(parseError(text, { lax: true }).message, message, text);
  });
});

interface ErrorCase {
  name: string;
  text: string;
  message: string;
  /** Whether Go 1.19+'s `go mod edit` rejects the same file at the same line (false where we are deliberately stricter or newer). */
  goAgrees: boolean;
}

const errorCases: ErrorCase[] = [
  // Lexical and structural errors.
  { name: 'block comment between statements', text: 'module example.com/m\n/* c */\n', message: 'go.mod:2: mod files must use // comments (not /* */ comments)', goAgrees: true },
  { name: 'block comment inside a word', text: 'module example.com/m/*c*/\n', message: 'go.mod:1: mod files must use // comments (not /* */ comments)', goAgrees: true },
  { name: 'newline in a string', text: 'module example.com/m\nrequire "example.com/a\n v1.0.0\n', message: 'go.mod:2: unterminated quoted string', goAgrees: true },
  { name: 'end of file in a string', text: 'module example.com/m\n\nmodule "example.com/m', message: 'go.mod:3: unterminated quoted string', goAgrees: true },
  { name: 'end of file in a backquoted string', text: 'module `example.com/m', message: 'go.mod:1: unterminated quoted string', goAgrees: true },
  { name: 'escaped newline in a string', text: 'module "example.com\\\nm"\n', message: 'go.mod:1: unterminated quoted string', goAgrees: true },
  { name: 'control character', text: 'module example.com/m\x0b\n', message: "go.mod:1: unexpected input character '\\v'", goAgrees: true },
  { name: 'byte order mark', text: '\ufeffmodule example.com/m\n', message: "go.mod:1: unexpected input character '\\ufeff'", goAgrees: true },
  { name: 'unterminated block', text: 'module example.com/m\n\nrequire (\n\texample.com/a v1.0.0\n', message: "go.mod:3: unterminated block: missing ')' to close 'require ('", goAgrees: false },
  { name: 'text after closing paren', text: 'require (\n\texample.com/a v1.0.0\n) x\n', message: 'go.mod:3: syntax error (expected newline after closing paren)', goAgrees: true },

  // Directives and blocks.
  { name: 'unknown directive', text: 'module example.com/m\n\nfoo bar\n', message: 'go.mod:3: unknown directive: foo', goAgrees: true },
  { name: 'stray closing paren', text: ')\n', message: 'go.mod:1: unknown directive: )', goAgrees: true },
  { name: 'unknown block', text: 'foo (\n\tbar\n)\n', message: 'go.mod:1: unknown block type: foo', goAgrees: true },
  { name: 'go is not a block', text: 'go (\n\t1.20\n)\n', message: 'go.mod:1: unknown block type: go', goAgrees: true },
  { name: 'block with two words', text: 'require example.com/a (\n\tv1.0.0\n)\n', message: 'go.mod:1: unknown block type: require example.com/a', goAgrees: true },

  // module
  { name: 'repeated module', text: 'module example.com/m\ngo 1.20\nmodule example.com/m\n', message: 'go.mod:3: repeated module statement', goAgrees: true },
  { name: 'module without a path', text: 'module\n', message: 'go.mod:1: usage: module module/path', goAgrees: true },
  { name: 'module with two paths', text: 'module a b\n', message: 'go.mod:1: usage: module module/path', goAgrees: true },
  { name: 'bad escape in module path', text: 'module "a\\q"\n', message: 'go.mod:1: invalid quoted string: invalid syntax', goAgrees: true },
  { name: 'module path with a space', text: 'module "example.com/a b"\n', message: 'go.mod:1: malformed module path "example.com/a b": invalid char \' \'', goAgrees: false },
  { name: 'module path with a leading dash', text: 'module -m\n', message: 'go.mod:1: malformed module path "-m": leading dash', goAgrees: false },

  // go, toolchain, godebug
  { name: 'repeated go', text: 'go 1.20\n\ngo 1.20\n', message: 'go.mod:3: repeated go statement', goAgrees: true },
  { name: 'go without a version', text: 'go\n', message: 'go.mod:1: go directive expects exactly one argument', goAgrees: true },
  { name: 'go with two versions', text: 'go 1.20 1.21\n', message: 'go.mod:1: go directive expects exactly one argument', goAgrees: true },
  { name: 'go version with v', text: 'go v1.20\n', message: "go.mod:1: invalid go version 'v1.20': must match format 1.23.0", goAgrees: true },
  { name: 'go version with four parts', text: 'go 1.2.3.4\n', message: "go.mod:1: invalid go version '1.2.3.4': must match format 1.23.0", goAgrees: true },
  { name: 'go version with leading zero', text: 'go 1.02\n', message: "go.mod:1: invalid go version '1.02': must match format 1.23.0", goAgrees: true },
  { name: 'repeated toolchain', text: 'toolchain go1.21.0\ntoolchain go1.21.0\n', message: 'go.mod:2: repeated toolchain statement', goAgrees: false },
  { name: 'toolchain without a name', text: 'toolchain\n', message: 'go.mod:1: toolchain directive expects exactly one argument', goAgrees: false },
  { name: 'toolchain not starting with go1', text: 'toolchain 1.21\n', message: "go.mod:1: invalid toolchain version '1.21': must match format go1.23.0 or default", goAgrees: false },
  { name: 'godebug without =', text: 'godebug panicnil\n', message: 'go.mod:1: usage: godebug key=value', goAgrees: false },
  { name: 'godebug with a comma', text: 'godebug a=1,b=2\n', message: 'go.mod:1: usage: godebug key=value', goAgrees: false },
  { name: 'godebug with two settings', text: 'godebug (\n\ta=1 b=2\n)\n', message: 'go.mod:2: usage: godebug key=value', goAgrees: false },
  { name: 'tool with two paths', text: 'tool a b\n', message: 'go.mod:1: tool directive expects exactly one argument', goAgrees: false },

  // require and exclude
  { name: 'require without a version', text: 'module example.com/m\nrequire example.com/a\n', message: 'go.mod:2: usage: require module/path v1.2.3', goAgrees: true },
  { name: 'version without v', text: 'require (\n\texample.com/a v1.0.0\n\texample.com/b 1.2\n)\n', message: 'go.mod:3: require example.com/b: version "1.2" invalid: must be of the form v1.2.3', goAgrees: true },
  { name: 'version that is a branch name', text: 'require example.com/a master\n', message: 'go.mod:1: require example.com/a: version "master" invalid: must be of the form v1.2.3', goAgrees: true },
  { name: 'version not canonical', text: 'require example.com/a v1.2\n', message: 'go.mod:1: require example.com/a: version "v1.2" invalid: must be of the form v1.2.3', goAgrees: false },
  { name: 'version with build metadata', text: 'require example.com/a v1.2.3+meta\n', message: 'go.mod:1: require example.com/a: version "v1.2.3+meta" invalid: must be of the form v1.2.3', goAgrees: false },
  { name: 'version with a quote', text: "require example.com/a v1'0\n", message: 'go.mod:1: require example.com/a: version "v1\'0" invalid: unquoted string cannot contain quote', goAgrees: true },
  { name: 'v2 without /v2', text: 'require example.com/a v2.0.0\n', message: 'go.mod:1: require example.com/a: version "v2.0.0" invalid: should be v0 or v1, not v2', goAgrees: true },
  { name: '/v2 with v1', text: 'require example.com/a/v2 v1.5.0\n', message: 'go.mod:1: require example.com/a/v2: version "v1.5.0" invalid: should be v2, not v1', goAgrees: true },
  { name: 'gopkg.in major mismatch', text: 'require gopkg.in/yaml.v2 v3.0.0\n', message: 'go.mod:1: require gopkg.in/yaml.v2: version "v3.0.0" invalid: should be v2, not v3', goAgrees: true },
  { name: '/v1 suffix', text: 'require example.com/a/v1 v1.0.0\n', message: 'go.mod:1: require example.com/a/v1: invalid module path', goAgrees: true },
  { name: 'unreplaced requirement without a dot', text: 'module example.com/m\n\nrequire tool v1.0.0\n', message: 'go.mod:3: require tool: malformed module path "tool": missing dot in first path element', goAgrees: false },
  { name: 'replacement for another version only', text: 'require local/tool v1.0.0\nreplace local/tool v0.9.0 => ./tool\n', message: 'go.mod:1: require local/tool: malformed module path "local/tool": missing dot in first path element', goAgrees: false },
  { name: 'escaped newline in a path stays on one line', text: 'require "example.com/a\\nb" v1.0.0\n', message: 'go.mod:1: require "example.com/a\\nb": malformed module path "example.com/a\\nb": invalid char \'\\n\'', goAgrees: false },
  { name: 'path with a space is quoted', text: 'require "example.com/a b" v1\n', message: 'go.mod:1: require "example.com/a b": version "v1" invalid: must be of the form v1.2.3', goAgrees: false },
  { name: 'exclude without a version', text: 'exclude example.com/a\n', message: 'go.mod:1: usage: exclude module/path v1.2.3', goAgrees: true },
  { name: 'exclude with a bad version', text: 'exclude example.com/a latest\n', message: 'go.mod:1: exclude example.com/a: version "latest" invalid: must be of the form v1.2.3', goAgrees: true },

  // replace
  { name: 'replace without arrow', text: 'replace example.com/a example.com/b v1.0.0\n', message: 'go.mod:1: usage: replace module/path [v1.2.3] => other/module v1.4 or replace module/path [v1.2.3] => ../local/directory', goAgrees: true },
  { name: 'replace with nothing after arrow', text: 'replace example.com/a =>\n', message: 'go.mod:1: usage: replace module/path [v1.2.3] => other/module v1.4 or replace module/path [v1.2.3] => ../local/directory', goAgrees: true },
  { name: 'replace with too many words', text: 'replace example.com/a v1.0.0 => example.com/b v1.0.0 extra\n', message: 'go.mod:1: usage: replace module/path [v1.2.3] => other/module v1.4 or replace module/path [v1.2.3] => ../local/directory', goAgrees: true },
  { name: 'replacement as path@version', text: 'replace example.com/a => example.com/b@v1.0.0\n', message: "go.mod:1: replacement module must match format 'path version', not 'path@version'", goAgrees: true },
  { name: 'replacement module without version', text: 'replace example.com/a => example.com/b\n', message: 'go.mod:1: replacement module without version must be directory path (rooted or starting with . or ..)', goAgrees: true },
  { name: 'relative path without ./', text: 'replace example.com/a => vendor/a\n', message: 'go.mod:1: replacement module without version must be directory path (rooted or starting with . or ..)', goAgrees: true },
  { name: 'directory with a version', text: 'replace example.com/a => ../a v1.0.0\n', message: 'go.mod:1: replacement module directory path "../a" cannot have version', goAgrees: true },
  { name: 'replaced version invalid', text: 'replace example.com/a 1.0 => ../a\n', message: 'go.mod:1: replace example.com/a: version "1.0" invalid: must be of the form v1.2.3', goAgrees: true },
  { name: 'replacement version invalid', text: 'replace example.com/a => example.com/b 1.0\n', message: 'go.mod:1: replace example.com/b: version "1.0" invalid: must be of the form v1.2.3', goAgrees: true },
  { name: 'replaced version major mismatch', text: 'replace example.com/a/v2 v1.0.0 => ../a\n', message: 'go.mod:1: replace example.com/a/v2: version "v1.0.0" invalid: should be v2, not v1', goAgrees: true },
  { name: 'replaced path /v1', text: 'replace example.com/a/v1 => ../a\n', message: 'go.mod:1: replace example.com/a/v1: invalid module path', goAgrees: true },
  { name: 'replacement version major mismatch', text: 'replace example.com/a => example.com/b/v2 v1.0.0\n', message: 'go.mod:1: replace example.com/b/v2: version "v1.0.0" invalid: should be v2, not v1', goAgrees: false },
  { name: 'replacement module path without a dot', text: 'replace example.com/a => fork v1.0.0\n', message: 'go.mod:1: replace fork: malformed module path "fork": missing dot in first path element', goAgrees: false },

  // retract
  { name: 'retract without versions', text: 'module example.com/m\nretract\n', message: "go.mod:2: expected '[' or version", goAgrees: true },
  { name: 'retract interval without low', text: 'module example.com/m\nretract [\n', message: "go.mod:2: expected version after '['", goAgrees: true },
  { name: 'retract interval without comma', text: 'module example.com/m\nretract [v1.0.0 v1.1.0]\n', message: "go.mod:2: expected ',' after version", goAgrees: true },
  { name: 'retract interval without high', text: 'module example.com/m\nretract [v1.0.0,\n', message: "go.mod:2: expected version after ','", goAgrees: true },
  { name: 'retract interval without ]', text: 'module example.com/m\nretract [v1.0.0, v1.1.0\n', message: "go.mod:2: expected ']' after version", goAgrees: true },
  { name: 'retract with an open interval', text: 'module example.com/m\nretract (v1.0.0, v1.1.0]\n', message: "go.mod:2: expected '[' or version", goAgrees: true },
  { name: 'retract with a trailing word', text: 'module example.com/m\nretract v1.0.0 please\n', message: 'go.mod:2: unexpected token after version: "please"', goAgrees: true },
  { name: 'retracted version with a quote', text: "module example.com/m\nretract v1'0\n", message: 'go.mod:2: retract: version "v1\'0" invalid: unquoted string cannot contain quote', goAgrees: true },
  { name: 'retracted version invalid, module declared later', text: 'retract [v1.0.0, latest]\nmodule example.com/m\n', message: 'go.mod:1: retract example.com/m: version "latest" invalid: must be of the form v1.2.3', goAgrees: false },
  { name: 'retracted version invalid, no module', text: 'retract v1\n', message: 'go.mod:1: retract: version "v1" invalid: must be of the form v1.2.3', goAgrees: false },
  { name: 'retracted version of another major', text: 'module example.com/m/v2\nretract v1.0.0\n', message: 'go.mod:2: retract example.com/m/v2: version "v1.0.0" invalid: should be v2, not v1', goAgrees: false },
  { name: 'statement errors come before retraction errors', text: 'retract foo\nmodule example.com/m\nrequire example.com/a 1\n', message: 'go.mod:3: require example.com/a: version "1" invalid: must be of the form v1.2.3', goAgrees: false },
];

describe('parseGoMod: errors name the file and line', () => {
  for (const c of errorCases) {
    test(c.name, () => {
      assert.equal(parseError(c.text).message, c.message);
    });
  }

  test('the file name given is the one reported', () => {
    const error = parseError('module example.com/m\nfoo\n', { fileName: '/src/app/go.mod' });
    assert.equal(error.message, '/src/app/go.mod:2: unknown directive: foo');
    assert.equal(error.line, 2);
    assert.equal(error.reason, 'unknown directive: foo');
  });
});

// The same files through the real go command: where it agrees on rejecting, it rejects at the same line;
// where it accepts, it reads exactly what we read.
describe('parseGoMod agrees with `go mod edit -json`', () => {
  test('rejects the same files at the same lines', (t: TestContext) => {
    if (!requireGo(t)) return;
    for (const c of errorCases.filter((e) => e.goAgrees)) {
      const result = goCommandReads(c.text);
      assert.ok('errorLine' in result, `${c.name}: the go command accepted ${JSON.stringify(c.text)}`);
      assert.equal(result.errorLine, parseError(c.text).line, `${c.name}: ${result.stderr}`);
    }
  });

  const accepted: Array<[string, string]> = [
    ['realistic go.mod (less what Go 1.19 lacks)', realistic.replace('go 1.21.5', 'go 1.19').replace(/toolchain .*\n/, '').replace(/godebug \([^)]*\)\n/, '')],
    ['CRLF', realistic.replace('go 1.21.5', 'go 1.19').replace(/toolchain .*\n/, '').replace(/godebug \([^)]*\)\n/, '').replace(/\n/g, '\r\n')],
    ['quoted strings', 'module "example.com/\\x6d"\nrequire (\n\t"example.com/a" "v1.0.0"\n\t"example.com/\\u0062" v1.0.0 // indirect\n)\nreplace "example.com/a" => "./dir with spaces"\n'],
    ['indirect comments', 'module example.com/m\nrequire (\n\texample.com/a v1.0.0 // indirect\n\texample.com/b v1.0.0 //indirect\n\texample.com/c v1.0.0 // indirect;\n\texample.com/d v1.0.0 // indirect; why\n\texample.com/e v1.0.0 // indirect tagx:ignore\n\t// indirect\n\texample.com/f v1.0.0\n\texample.com/g v1.0.0//indirect\n)\n'],
    ['deprecation in paragraphs', '// The m module.\n//\n// Deprecated: use n\n// from now on.\n//\n// More.\nmodule example.com/m // extra\n'],
    ['deprecation cut off by a blank line', '// Deprecated: no\n\nmodule example.com/m\n'],
    ['deprecation from a module block', '// Deprecated: blocky.\nmodule (\n\texample.com/m\n)\n'],
    ['retraction rationales', 'module example.com/m\n// Shared.\nretract (\n\tv1.0.0\n\tv1.1.0 // Own.\n\n\tv1.2.0\n\t// Above.\n\t[v1.3.0, v1.3.9] // And after.\n)\n// One.\n// Two.\nretract [v2.0.0+incompatible,v2.1.0+incompatible]\n'],
    ['comments and blank lines everywhere', '// a\n\nmodule example.com/m // b\n\n// c\nrequire ( // d\n\n\t// e\n\texample.com/a v1.0.0 // indirect\n\n\n\texample.com/b v1.1.0\n\t// f\n) // g\nrequire () // h\nrequire (\n)\n// i\n'],
    ['lax-only directives absent; gopkg.in and +incompatible', 'module example.com/m\ngo 1.17\nrequire (\n\tgopkg.in/yaml.v2 v2.4.0\n\tgopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405\n\tgithub.com/Azure/go-autorest v14.2.0+incompatible\n)\nexclude gopkg.in/yaml.v2 v2.3.0\n'],
    // Not `=> .` (Go before 1.21 wants `./`) nor `=> C:\\x` (the go command rejects Windows paths on other systems).
    ['replacements', 'module example.com/m\nreplace (\n\texample.com/a => example.com/b v1.2.3\n\texample.com/c v1.0.0 => ../c\n\texample.com/e => /abs/e\n\tlocal/tool => ./tool\n)\n'],
  ];
  for (const [name, text] of accepted) {
    test(name, (t: TestContext) => {
      if (!requireGo(t)) return;
      const result = goCommandReads(text);
      assert.ok('json' in result, `the go command rejected it: ${'stderr' in result ? result.stderr : ''}`);
      assert.deepEqual(project(strict(text)), projectGoJson(result.json));
      assert.deepEqual(project(lax(text)).require, projectGoJson(result.json).require);
    });
  }
});

function findGoModFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Dirent.isDirectory() is false for symlinks, so Debian's compatibility links are not followed twice.
    if (entry.isDirectory()) {
      if (entry.name !== 'testdata' && entry.name !== 'vendor') found.push(...findGoModFiles(path.join(dir, entry.name)));
    } else if (entry.name === 'go.mod' && entry.isFile()) {
      found.push(path.join(dir, entry.name));
    }
  }
  return found;
}

describe('parseGoMod on real go.mod files', () => {
  test(`every go.mod under ${debianGoSourceRoot} reads as the go command reads it`, (t: TestContext) => {
    if (!requireGo(t)) return;
    if (!existsSync(debianGoSourceRoot)) {
      if (process.env.MODFERRY_REQUIRE_GO === '1') {
        assert.fail(`${debianGoSourceRoot} is missing: install the packages in tests/support/debian-go-packages.txt`);
      }
      t.skip(`${debianGoSourceRoot} is missing (install tests/support/debian-go-packages.txt); set MODFERRY_REQUIRE_GO=1 to make this fail`);
      return;
    }
    const files = findGoModFiles(debianGoSourceRoot);
    assert.ok(files.length >= 30, `only ${files.length} go.mod files under ${debianGoSourceRoot}`);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const ours = parseGoMod(text, file, { lax: true });
      const goJson = goModEditJson(file);
      assert.equal(ours.module?.path, goJson.Module?.Path, file);
      assert.deepEqual(project(ours).require, projectGoJson(goJson).require, file);
      assert.deepEqual(project(parseGoMod(text, file)), projectGoJson(goJson), file);
    }
  });
});

describe('parseGoMod: each syntax error carries its reason as a code with its parts, beside the go command\'s words', () => {
  const cases: Array<[string, GoModSyntaxError['problem']]> = [
    ['module m\n\nrequire (\n\tthis is not a requirement\n)\n', { code: 'usage', directive: 'require', usage: 'require module/path v1.2.3' }],
    ['module m\nmodule n\n', { code: 'repeated', directive: 'module' }],
    ['module m\ngo 1.x\n', { code: 'invalid-go-version', version: '1.x' }],
    ['module m\ntoolchain 1.22\n', { code: 'invalid-toolchain', name: '1.22' }],
    ['module m\nrequire example.com/a v1.2\n', { code: 'invalid-version', directive: 'require', module: 'example.com/a', version: 'v1.2' }],
    ['module m\nrequire example.com/a/v2 v1.0.0\n', { code: 'version-path-mismatch', directive: 'require', module: 'example.com/a/v2', version: 'v1.0.0' }],
    ['module m\nreplace example.com/a => example.com/b\n', { code: 'replacement-without-version', replacement: 'example.com/b' }],
    ['module m\nreplace example.com/a => ./b v1.0.0\n', { code: 'replacement-directory-version', dir: './b' }],
    ['module m\nfrobnicate x\n', { code: 'unknown-directive', directive: 'frobnicate' }],
    ['module m\nrequire (\n\texample.com/a v1.0.0\n', { code: 'unterminated-block', block: 'require' }],
    ['module m\n/* no */\n', { code: 'block-comment' }],
    ['module m\nretract [v1.0.0 v1.1.0]\n', { code: 'retract-syntax' }],
  ];
  for (const [text, problem] of cases) {
    test(`${problem.code}: ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseError(text).problem, problem);
    });
  }
});
