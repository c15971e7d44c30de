import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  checkModuleZipFileSize,
  checkModuleZipListing,
  collisionKey,
  formatModuleZipProblem,
  MAX_GO_MOD_BYTES,
  MAX_LICENSE_BYTES,
  MAX_ZIP_FILE_BYTES,
  ModuleZipListingChecker,
  moduleZipPrefix,
  type ModuleZipListingEntry,
} from '../../shared/gomod/moduleZipRules';
import { offlineGoEnv, requireGo, runGo } from '../support/goCommand';

const mod = { path: 'example.com/m', version: 'v1.0.0' };
const P = 'example.com/m@v1.0.0/';
const MiB = 1024 * 1024;

function file(rel: string, size = 10): ModuleZipListingEntry {
  return { name: P + rel, size, isDirectory: false };
}

function dir(rel: string): ModuleZipListingEntry {
  return { name: P + rel, size: 0, isDirectory: true };
}

function problems(entries: ModuleZipListingEntry[]): string[] {
  return checkModuleZipListing(entries, mod).map(formatModuleZipProblem);
}

describe('module zip limits', () => {
  test('match golang.org/x/mod/zip', () => {
    assert.equal(MAX_ZIP_FILE_BYTES, 500 << 20);
    assert.equal(MAX_GO_MOD_BYTES, 16 << 20);
    assert.equal(MAX_LICENSE_BYTES, 16 << 20);
  });

  test('the zip file itself may be at most 500 MiB', () => {
    assert.equal(checkModuleZipFileSize(0), undefined);
    assert.equal(checkModuleZipFileSize(MAX_ZIP_FILE_BYTES), undefined);
    assert.equal(checkModuleZipFileSize(MAX_ZIP_FILE_BYTES + 1), 'module zip file is too large (524288001 bytes; limit is 524288000 bytes)');
  });
});

describe('checkModuleZipListing', () => {
  test('accepts a listing the go command accepts', () => {
    assert.equal(moduleZipPrefix(mod), P);
    const listing = [
      { name: P, size: 0, isDirectory: true },
      file('go.mod'),
      file('LICENSE', MAX_LICENSE_BYTES),
      file('m.go'),
      dir('sub/'),
      dir('sub/'),
      file('sub/x.go'),
      file('sub/deeper/y.go'),
      file('.gitignore'),
      file('-dash.go'),
      file('with space.txt'),
      file("punct!#$%&()+,-.=@[]^_{}~.txt"),
      file('日本語/ｶ.go'),
      file('sub/LICENSE', MAX_LICENSE_BYTES + 1),
      file('sub/deeper/license', MAX_LICENSE_BYTES + 1),
      file('sub/go.modx'),
      file('testdata/README'),
      file('a.go'),
      file('b.go'),
    ];
    assert.deepEqual(problems(listing), []);
  });

  test('a folder named go.mod is fine, as x/mod allows it', () => {
    assert.deepEqual(problems([dir('go.mod/'), file('go.mod/x.go')]), []);
  });

  test('a go.mod of exactly 16 MiB is fine', () => {
    assert.deepEqual(problems([file('go.mod', MAX_GO_MOD_BYTES)]), []);
  });

  const single: Array<[string, ModuleZipListingEntry, string]> = [
    ['another module', { name: 'example.com/other@v1.0.0/x.go', size: 1, isDirectory: false }, 'path does not have prefix "example.com/m@v1.0.0/"'],
    ['another version', { name: 'example.com/m@v1.0.1/x.go', size: 1, isDirectory: false }, 'path does not have prefix "example.com/m@v1.0.0/"'],
    ['a differently cased module path', { name: 'example.com/M@v1.0.0/x.go', size: 1, isDirectory: false }, 'path does not have prefix "example.com/m@v1.0.0/"'],
    ['the escaped module path', { name: 'example.com/!m@v1.0.0/x.go', size: 1, isDirectory: false }, 'path does not have prefix "example.com/m@v1.0.0/"'],
    ['a bare file', { name: 'x.go', size: 1, isDirectory: false }, 'path does not have prefix "example.com/m@v1.0.0/"'],
    ['the prefix without its slash', { name: 'example.com/m@v1.0.0', size: 0, isDirectory: false }, 'path does not have prefix "example.com/m@v1.0.0/"'],
    ['a double slash', file('a//x.go'), 'file path is not clean'],
    ['a leading slash', file('/x.go'), 'malformed file path "/x.go": empty path element'],
    ['an inner ..', file('a/../x.go'), 'file path is not clean'],
    ['a . element', file('./x.go'), 'file path is not clean'],
    ['a trailing . element', file('a/.'), 'file path is not clean'],
    ['a directory named by a lone slash', { name: `${P}/`, size: 0, isDirectory: true }, 'file path is not clean'],
    ['a directory with two trailing slashes', { name: `${P}sub//`, size: 0, isDirectory: true }, 'file path is not clean'],
    ['a file name ending in a slash', { name: `${P}x/`, size: 0, isDirectory: false }, 'file path is not clean'],
    ['a leading ..', file('../x.go'), 'malformed file path "../x.go": invalid path element ".."'],
    ['a name that is ..', file('..'), 'malformed file path "..": invalid path element ".."'],
    ['a directory that is ..', { name: `${P}../`, size: 0, isDirectory: true }, 'malformed file path "..": invalid path element ".."'],
    ['a name of dots', file('a/...'), 'malformed file path "a/...": invalid path element "..."'],
    ['a backslash', file('a\\b.go'), 'malformed file path "a\\\\b.go": invalid char \'\\\\\''],
    ['a colon', file('c:x.go'), 'malformed file path "c:x.go": invalid char \':\''],
    ['a star', file('*.go'), 'malformed file path "*.go": invalid char \'*\''],
    ['a trailing dot', file('x.'), 'malformed file path "x.": trailing dot in path element'],
    ['a reserved Windows name', file('sub/CON.go'), 'malformed file path "sub/CON.go": "CON" disallowed as path element component on Windows'],
    ['a reserved Windows name in lower case', file('aux'), 'malformed file path "aux": "aux" disallowed as path element component on Windows'],
    ['a go.mod below the root', file('sub/go.mod'), 'go.mod file not in module root directory'],
    ['a GO.MOD below the root', file('sub/GO.MOD'), 'go.mod file not in module root directory'],
    ['an upper-case GO.MOD', file('GO.MOD'), 'go.mod files must have lowercase names'],
    ['a Go.mod', file('Go.mod'), 'go.mod files must have lowercase names'],
    ['a go.mod over 16 MiB', file('go.mod', MAX_GO_MOD_BYTES + 1), 'go.mod file too large (16777217 bytes; max size is 16777216 bytes)'],
    ['a 17000000-byte go.mod', file('go.mod', 17_000_000), 'go.mod file too large (17000000 bytes; max size is 16777216 bytes)'],
    ['a LICENSE over 16 MiB', file('LICENSE', MAX_LICENSE_BYTES + 1), 'LICENSE file too large (16777217 bytes; max size is 16777216 bytes)'],
    ['a single file over 500 MiB', file('big.bin', MAX_ZIP_FILE_BYTES + 1), 'total uncompressed size of module contents too large (max size is 524288000 bytes)'],
  ];
  for (const [what, entry, reason] of single) {
    test(`rejects ${what}, naming the entry`, () => {
      assert.deepEqual(problems([entry]), [`${entry.name}: ${reason}`]);
    });
  }

  const pairs: Array<[string, string, string, string | undefined]> = [
    ['A.go', 'a.go', 'a.go', 'case-insensitive file name collision: "A.go" and "a.go"'],
    ['README', 'readme', 'readme', 'case-insensitive file name collision: "README" and "readme"'],
    // U+212A KELVIN SIGN folds with K and k; U+017F LONG S with S and s.
    ['\u212a.go', 'k.go', 'k.go', 'case-insensitive file name collision: "\u212a.go" and "k.go"'],
    ['s.go', '\u017f.go', '\u017f.go', 'case-insensitive file name collision: "s.go" and "\u017f.go"'],
    ['\u00c5.go', '\u212b.go', '\u212b.go', 'case-insensitive file name collision: "\u00c5.go" and "\u212b.go"'],
    ['\u03a3.go', '\u03c2.go', '\u03c2.go', 'case-insensitive file name collision: "\u03a3.go" and "\u03c2.go"'],
    ['\u03c3.go', '\u03c2.go', '\u03c2.go', 'case-insensitive file name collision: "\u03c3.go" and "\u03c2.go"'],
    ['\u01c4.go', '\u01c5.go', '\u01c5.go', 'case-insensitive file name collision: "\u01c4.go" and "\u01c5.go"'],
    ['\u1f80.go', '\u1f88.go', '\u1f88.go', 'case-insensitive file name collision: "\u1f80.go" and "\u1f88.go"'],
    ['\u00df.go', '\u1e9e.go', '\u1e9e.go', 'case-insensitive file name collision: "\u00df.go" and "\u1e9e.go"'],
    ['\u{10400}.go', '\u{10428}.go', '\u{10428}.go', 'case-insensitive file name collision: "\u{10400}.go" and "\u{10428}.go"'],
    // Simple folding only: ß is not SS, and the Turkish dotted and dotless i stay apart from i.
    ['\u00df.go', 'ss.go', 'ss.go', undefined],
    ['\u0130.go', 'i.go', 'i.go', undefined],
    ['\u0131.go', 'i.go', 'i.go', undefined],
    ['\u0131.go', 'I.go', 'I.go', undefined],
    ['Sub/', 'sub/x.go', 'sub/x.go', 'case-insensitive file name collision: "Sub" and "sub"'],
    ['a/B/c.go', 'a/b/d.go', 'a/b/d.go', 'case-insensitive file name collision: "a/B" and "a/b"'],
    ['x', 'x/y.go', 'x/y.go', 'entry "x" is both a file and a directory'],
    ['x/', 'x', 'x', 'entry "x" is both a file and a directory'],
    ['x/y.go', 'x', 'x', 'entry "x" is both a file and a directory'],
    ['a.go', 'a.go', 'a.go', 'multiple entries for file "a.go"'],
    ['go.mod', 'go.mod', 'go.mod', 'multiple entries for file "go.mod"'],
    ['x/', 'x/', 'x/', undefined],
    ['x/y.go', 'x/', 'x/', undefined],
  ];
  for (const [first, second, at, reason] of pairs) {
    const entry = (rel: string): ModuleZipListingEntry => (rel.endsWith('/') ? dir(rel) : file(rel));
    test(`${JSON.stringify(first)} then ${JSON.stringify(second)}: ${reason ?? 'no collision'}`, () => {
      assert.deepEqual(problems([entry(first), entry(second)]), reason === undefined ? [] : [`${P}${at}: ${reason}`]);
    });
  }

  test('every bad entry is reported, at most once each, in zip order', () => {
    assert.deepEqual(problems([file('a.go'), file('../b.go'), file('A.go'), file('ok.go'), { name: 'z.go', size: 1, isDirectory: false }]), [
      `${P}../b.go: malformed file path "../b.go": invalid path element ".."`,
      `${P}A.go: case-insensitive file name collision: "a.go" and "A.go"`,
      'z.go: path does not have prefix "example.com/m@v1.0.0/"',
    ]);
  });

  test('a rejected entry does not take part in later collision checks', () => {
    assert.deepEqual(problems([file('x.'), file('X.')]).length, 2);
    assert.deepEqual(problems([{ name: 'other@v1/a.go', size: 1, isDirectory: false }, file('a.go')]).length, 1);
  });

  test('the total uncompressed size may be at most 500 MiB, reported once', () => {
    const listing = [file('a.bin', 200 * MiB), file('b.bin', 300 * MiB), file('c.bin', 1), file('d.bin', 2)];
    assert.deepEqual(problems(listing), [`${P}c.bin: total uncompressed size of module contents too large (max size is 524288000 bytes)`]);
    assert.deepEqual(problems([file('a.bin', 200 * MiB), file('b.bin', 300 * MiB)]), []);
  });

  test('directories and refused entries do not count towards the total', () => {
    assert.deepEqual(problems([dir('d/'), file('a.bin', 500 * MiB), file('../b.bin', 1)]).length, 1);
  });

  test('a go.mod that is too large is reported even when it also overflows the total', () => {
    assert.deepEqual(problems([file('a.bin', 500 * MiB), file('go.mod', MAX_GO_MOD_BYTES + 1), file('b.bin', 1)]), [
      `${P}go.mod: go.mod file too large (16777217 bytes; max size is 16777216 bytes)`,
      `${P}b.bin: total uncompressed size of module contents too large (max size is 524288000 bytes)`,
    ]);
  });

  test('a checker applies the same rules one entry at a time', () => {
    const checker = new ModuleZipListingChecker(mod);
    assert.equal(checker.prefix, P);
    assert.equal(checker.goModEntry, `${P}go.mod`);
    assert.equal(checker.check(file('a.go')), undefined);
    assert.deepEqual(checker.check(file('A.go')), { entry: `${P}A.go`, reason: 'case-insensitive file name collision: "a.go" and "A.go"' });
  });
});

describe('the module a zip is checked against', () => {
  const good = [
    ['example.com/m', 'v0.0.0-20200101000000-abcdefabcdef'],
    ['example.com/m', 'v1.2.3-pre.1'],
    ['example.com/m', 'v2.0.0+incompatible'],
    ['example.com/m/v2', 'v2.1.0'],
    ['gopkg.in/yaml.v2', 'v2.4.0'],
    ['gopkg.in/check.v1', 'v0.0.0-20161208181325-20d25e280405'],
    ['github.com/BurntSushi/toml', 'v1.2.0'],
  ] as const;
  for (const [modPath, version] of good) {
    test(`accepts ${modPath}@${version}`, () => {
      assert.deepEqual(checkModuleZipListing([{ name: `${modPath}@${version}/a.go`, size: 1, isDirectory: false }], { path: modPath, version }), []);
    });
  }

  const bad = [
    ['Example.com/m', 'v1.0.0', /malformed module path "Example\.com\/m"/],
    ['example.com/m', 'v1.0', /example\.com\/m@v1\.0: version "v1\.0" is not canonical \(should be "v1\.0\.0"\)/],
    ['example.com/m', 'v1.0.0+meta', /example\.com\/m@v1\.0\.0\+meta: version "v1\.0\.0\+meta" is not canonical \(should be "v1\.0\.0"\)/],
    ['example.com/m', 'latest', /example\.com\/m@latest: invalid version: not a semantic version/],
    ['example.com/m', 'v2.0.0', /example\.com\/m@v2\.0\.0: invalid version: should be v0 or v1, not v2/],
    ['example.com/m/v2', 'v1.0.0', /example\.com\/m\/v2@v1\.0\.0: invalid version: should be v2, not v1/],
    ['gopkg.in/yaml.v2', 'v3.0.0', /should be v2, not v3/],
  ] as const;
  for (const [modPath, version, message] of bad) {
    test(`refuses ${modPath}@${version}`, () => {
      assert.throws(() => checkModuleZipListing([], { path: modPath, version }), message);
    });
  }
});

describe('collisionKey', () => {
  test('leaves lower-case ASCII alone and folds ASCII upper case', () => {
    assert.equal(collisionKey('a/b-c_d.go'), 'a/b-c_d.go');
    assert.equal(collisionKey('README.Md'), 'readme.md');
  });

  test('groups letters exactly as the go command\'s strToFold does', { timeout: 120_000 }, async (t) => {
    if (!requireGo(t)) return;
    const dirPath = await mkdtemp(path.join(os.tmpdir(), 'modferry-fold-'));
    t.after(() => rm(dirPath, { recursive: true, force: true }));
    // Every letter the go command knows, with the rune strToFold maps it to when that differs.
    await writeFile(path.join(dirPath, 'fold.go'), GO_FOLD_PROGRAM);
    const env = offlineGoEnv('off', path.join(dirPath, 'modcache'));
    const { stdout } = await runGo(['run', 'fold.go'], { cwd: dirPath, env });

    // Compare the partitions: two letters share a Go fold exactly when they share a key.
    // Letters newer than the go command's Unicode tables are left out: Go cannot fold what it does not know.
    const keyOfGoClass = new Map<number, string>();
    const goClassOfKey = new Map<string, number>();
    const disagreements: string[] = [];
    let letters = 0;
    for (const line of stdout.trimEnd().split('\n')) {
      const [rune, fold] = line.split(' ').map((hex) => parseInt(hex, 16));
      const ch = String.fromCodePoint(rune!);
      if (!/\p{L}/u.test(ch)) continue;
      letters++;
      const goClass = fold ?? rune!;
      const key = collisionKey(ch);
      const seenKey = keyOfGoClass.get(goClass);
      const seenClass = goClassOfKey.get(key);
      if ((seenKey !== undefined && seenKey !== key) || (seenClass !== undefined && seenClass !== goClass)) {
        disagreements.push(`U+${rune!.toString(16).toUpperCase()}`);
      }
      keyOfGoClass.set(goClass, key);
      goClassOfKey.set(key, goClass);
    }
    assert.ok(letters > 100_000, `expected Go to know over 100000 letters, got ${letters}`);
    assert.deepEqual(disagreements, []);
  });
});

const GO_FOLD_PROGRAM = `package main

import (
	"bufio"
	"fmt"
	"os"
	"unicode"
)

// SimpleFold steps through a cycle of case-equivalent runes; strToFold keys each rune by the
// smallest one in its cycle, so two runes fold together exactly when their cycles' minimums match.
func foldClass(r rune) rune {
	smallest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < smallest {
			smallest = f
		}
	}
	return smallest
}

func main() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if !unicode.IsLetter(r) {
			continue
		}
		if f := foldClass(r); f != r {
			fmt.Fprintf(w, "%x %x\\n", r, f)
		} else {
			fmt.Fprintf(w, "%x\\n", r)
		}
	}
}
`;
