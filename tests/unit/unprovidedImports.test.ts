import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unprovidedImports } from '../../electron/core/export/unprovidedImports';

// As go 1.19 prints them under `go list -deps -test ./...` with -mod=mod and GOPROXY=file://.
const work = '/tmp/modferry-check-abc/work';
const modCache = '/dev/shm/modferry-modcache-xyz';

test("the go command's unfound imports are named with the file or module@version that imports them", () => {
  const stderr = [
    'go: downloading github.com/fatih/color v1.7.0',
    'go: finding module for package github.com/mattn/go-colorable',
    `can't load test package: ${modCache}/github.com/fatih/color@v1.7.0/color.go:11:2: cannot find module providing package github.com/mattn/go-colorable: module github.com/mattn/go-colorable: reading file:///t/github.com/mattn/go-colorable/@v/list: no such file or directory`,
    `${modCache}/github.com/fatih/color@v1.7.0/color.go:11:2: cannot find module providing package github.com/mattn/go-colorable: module github.com/mattn/go-colorable: reading file:///t/github.com/mattn/go-colorable/@v/list: no such file or directory`,
    `${modCache}/github.com/!burnt!sushi/toml@v1.2.1-!r!c1/decode.go:3:2: cannot find module providing package example.org/x: module example.org/x: reading http://127.0.0.1:1/example.org/x/@v/list: 404 Not Found`,
    'main.go:5:2: cannot find module providing package example.org/nothere/pkg: module example.org/nothere/pkg: reading file:///t/example.org/nothere/pkg/@v/list: no such file or directory',
    `${work}/cmd/tool/main_test.go:7:2: cannot find module providing package github.com/google/go-cmp/cmp: module github.com/google/go-cmp/cmp: reading file:///t/github.com/google/go-cmp/cmp/@v/list: no such file or directory`,
    'main.go:9:2: some other failure',
  ].join('\n');
  assert.deepEqual(unprovidedImports(stderr, work, modCache), [
    { importPath: 'github.com/mattn/go-colorable', importedBy: 'github.com/fatih/color@v1.7.0' },
    { importPath: 'example.org/x', importedBy: 'github.com/BurntSushi/toml@v1.2.1-RC1' },
    { importPath: 'example.org/nothere/pkg', importedBy: 'main.go' },
    { importPath: 'github.com/google/go-cmp/cmp', importedBy: 'cmd/tool/main_test.go' },
  ]);
});

test('a failure that is not an unfound import yields none', () => {
  assert.deepEqual(unprovidedImports('go: github.com/a/b@v1.0.0: reading file:///t/github.com/a/b/@v/v1.0.0.zip: no such file or directory\n', work, modCache), []);
});
