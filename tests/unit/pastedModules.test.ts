import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pastedModules } from '../../renderer/src/export/pastedModules';

test('pasted lines: each module read, each problem as a code beside the parser\'s English', () => {
  const read = pastedModules('golang.org/x/text@v0.14.0\n# a comment\nnot a module line\n@v1.0.0\nexample.com/a@\nexample.com/a@banana\n.bad/path@v1.0.0\n');
  assert.deepEqual(read.map((l) => ('module' in l ? [l.line, l.module] : [l.line, l.code])), [
    [1, 'golang.org/x/text@v0.14.0'],
    [3, 'no-at'],
    [4, 'no-path'],
    [5, 'no-version'],
    [6, 'bad-version'],
    [7, 'bad-path'],
  ]);
  const first = read[1]!;
  assert.ok('problem' in first && first.problem.startsWith('invalid path@version "not a module line": missing "@version"'));
});
