import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  build,
  canonical,
  compare,
  isValid,
  major,
  majorMinor,
  max,
  prerelease,
  sortVersions,
} from '../../shared/gomod/semver';

/** [input, canonical ('' = invalid), major, majorMinor, prerelease, build] */
type Row = [string, string, string, string, string, string];

const invalid = (v: string): Row => [v, '', '', '', '', ''];

/**
 * Every valid row is in ascending precedence; rows with the same canonical form are equal. The invalid rows
 * come first because invalid versions sort below all valid ones (and equal to each other).
 */
const ordered: Row[] = [
  invalid(''),
  invalid('bad'),
  invalid('v'),
  invalid('V1.2.3'),
  invalid('1.2.3'),
  invalid('v1.2.3.4'),
  invalid('v1.02.3'),
  invalid('v01.2.3'),
  invalid('v1.2.03'),
  invalid('v1.2.3-01'),
  invalid('v1.2.3-alpha.007'),
  invalid('v1-pre'),
  invalid('v1+meta'),
  invalid('v1-pre+meta'),
  invalid('v1-alpha.beta.gamma'),
  invalid('v1.2-pre'),
  invalid('v1.2+meta'),
  invalid('v1.2-pre+meta'),
  invalid('v1.'),
  invalid('v1.2.'),
  invalid('v1..2'),
  invalid('v1.2.3-'),
  invalid('v1.2.3+'),
  invalid('v1.2.3-a..b'),
  invalid('v1.2.3-a.'),
  invalid('v1.2.3+a..b'),
  invalid('v1.2.3+meta+more'),
  invalid('v1.2.3-pre_release'),
  invalid('v1.2.3-béta'),
  invalid('v1.2.3 '),
  invalid(' v1.2.3'),
  invalid('v-1.2.3'),
  invalid('v1.2.3x'),
  ['v0', 'v0.0.0', 'v0', 'v0.0', '', ''],
  ['v0.0.0', 'v0.0.0', 'v0', 'v0.0', '', ''],
  ['v0.0.1', 'v0.0.1', 'v0', 'v0.0', '', ''],
  ['v0.1.0-0', 'v0.1.0-0', 'v0', 'v0.1', '-0', ''],
  ['v0.1.0', 'v0.1.0', 'v0', 'v0.1', '', ''],
  ['v1.0.0-0', 'v1.0.0-0', 'v1', 'v1.0', '-0', ''],
  ['v1.0.0-1', 'v1.0.0-1', 'v1', 'v1.0', '-1', ''],
  ['v1.0.0-9', 'v1.0.0-9', 'v1', 'v1.0', '-9', ''],
  ['v1.0.0-10', 'v1.0.0-10', 'v1', 'v1.0', '-10', ''],
  ['v1.0.0-99999999999999999999', 'v1.0.0-99999999999999999999', 'v1', 'v1.0', '-99999999999999999999', ''],
  // Numeric identifiers sort below alphanumeric ones, however large the number.
  // '-' is a letter here: the identifier '-' is alphanumeric and sorts before digits-led ones in ASCII.
  ['v1.0.0--', 'v1.0.0--', 'v1', 'v1.0', '--', ''],
  ['v1.0.0-0a', 'v1.0.0-0a', 'v1', 'v1.0', '-0a', ''],
  ['v1.0.0-A', 'v1.0.0-A', 'v1', 'v1.0', '-A', ''],
  ['v1.0.0-Z', 'v1.0.0-Z', 'v1', 'v1.0', '-Z', ''],
  ['v1.0.0-alpha', 'v1.0.0-alpha', 'v1', 'v1.0', '-alpha', ''],
  ['v1.0.0-alpha.1', 'v1.0.0-alpha.1', 'v1', 'v1.0', '-alpha.1', ''],
  ['v1.0.0-alpha.1.1', 'v1.0.0-alpha.1.1', 'v1', 'v1.0', '-alpha.1.1', ''],
  ['v1.0.0-alpha.beta', 'v1.0.0-alpha.beta', 'v1', 'v1.0', '-alpha.beta', ''],
  ['v1.0.0-alpha0', 'v1.0.0-alpha0', 'v1', 'v1.0', '-alpha0', ''],
  ['v1.0.0-beta', 'v1.0.0-beta', 'v1', 'v1.0', '-beta', ''],
  ['v1.0.0-beta.2', 'v1.0.0-beta.2', 'v1', 'v1.0', '-beta.2', ''],
  ['v1.0.0-beta.11', 'v1.0.0-beta.11', 'v1', 'v1.0', '-beta.11', ''],
  ['v1.0.0-beta.11+build.7', 'v1.0.0-beta.11', 'v1', 'v1.0', '-beta.11', '+build.7'],
  ['v1.0.0-beta.x', 'v1.0.0-beta.x', 'v1', 'v1.0', '-beta.x', ''],
  ['v1.0.0-rc.1', 'v1.0.0-rc.1', 'v1', 'v1.0', '-rc.1', ''],
  ['v1.0.0-rc1', 'v1.0.0-rc1', 'v1', 'v1.0', '-rc1', ''],
  ['v1', 'v1.0.0', 'v1', 'v1.0', '', ''],
  ['v1.0', 'v1.0.0', 'v1', 'v1.0', '', ''],
  ['v1.0.0', 'v1.0.0', 'v1', 'v1.0', '', ''],
  ['v1.0.0+incompatible', 'v1.0.0', 'v1', 'v1.0', '', '+incompatible'],
  ['v1.0.1', 'v1.0.1', 'v1', 'v1.0', '', ''],
  ['v1.2', 'v1.2.0', 'v1', 'v1.2', '', ''],
  ['v1.2.0', 'v1.2.0', 'v1', 'v1.2', '', ''],
  ['v1.2.3-456', 'v1.2.3-456', 'v1', 'v1.2', '-456', ''],
  ['v1.2.3-456.789', 'v1.2.3-456.789', 'v1', 'v1.2', '-456.789', ''],
  ['v1.2.3-456-789', 'v1.2.3-456-789', 'v1', 'v1.2', '-456-789', ''],
  ['v1.2.3-456a', 'v1.2.3-456a', 'v1', 'v1.2', '-456a', ''],
  ['v1.2.3-pre', 'v1.2.3-pre', 'v1', 'v1.2', '-pre', ''],
  ['v1.2.3-pre+meta', 'v1.2.3-pre', 'v1', 'v1.2', '-pre', '+meta'],
  ['v1.2.3-pre.1', 'v1.2.3-pre.1', 'v1', 'v1.2', '-pre.1', ''],
  ['v1.2.3-zzz', 'v1.2.3-zzz', 'v1', 'v1.2', '-zzz', ''],
  ['v1.2.3', 'v1.2.3', 'v1', 'v1.2', '', ''],
  ['v1.2.3+meta', 'v1.2.3', 'v1', 'v1.2', '', '+meta'],
  ['v1.2.3+meta-pre', 'v1.2.3', 'v1', 'v1.2', '', '+meta-pre'],
  ['v1.2.3+meta-pre.sha.256a', 'v1.2.3', 'v1', 'v1.2', '', '+meta-pre.sha.256a'],
  // Build identifiers, unlike prerelease ones, may have leading zeros.
  ['v1.2.3+007', 'v1.2.3', 'v1', 'v1.2', '', '+007'],
  ['v1.2.10', 'v1.2.10', 'v1', 'v1.2', '', ''],
  ['v1.10', 'v1.10.0', 'v1', 'v1.10', '', ''],
  ['v1.19', 'v1.19.0', 'v1', 'v1.19', '', ''],
  ['v2.0.0-0.20060102150405-abcdefabcdef', 'v2.0.0-0.20060102150405-abcdefabcdef', 'v2', 'v2.0', '-0.20060102150405-abcdefabcdef', ''],
  ['v2.0.0+incompatible', 'v2.0.0', 'v2', 'v2.0', '', '+incompatible'],
  ['v10.0.0', 'v10.0.0', 'v10', 'v10.0', '', ''],
  ['v99999999999999999999.0.0', 'v99999999999999999999.0.0', 'v99999999999999999999', 'v99999999999999999999.0', '', ''],
  ['v100000000000000000000', 'v100000000000000000000.0.0', 'v100000000000000000000', 'v100000000000000000000.0', '', ''],
];

describe('semver: one version at a time', () => {
  for (const [v, wantCanonical, wantMajor, wantMajorMinor, wantPrerelease, wantBuild] of ordered) {
    test(JSON.stringify(v), () => {
      assert.equal(isValid(v), wantCanonical !== '', 'isValid');
      assert.equal(canonical(v), wantCanonical, 'canonical');
      assert.equal(major(v), wantMajor, 'major');
      assert.equal(majorMinor(v), wantMajorMinor, 'majorMinor');
      assert.equal(prerelease(v), wantPrerelease, 'prerelease');
      assert.equal(build(v), wantBuild, 'build');
    });
  }
});

describe('semver: compare', () => {
  test('every pair of the ordered table compares by position, equal when canonical forms match', () => {
    ordered.forEach(([v, cv], i) => {
      ordered.forEach(([w, cw], j) => {
        const want = cv === cw ? 0 : i < j ? -1 : 1;
        assert.equal(compare(v, w), want, `compare(${JSON.stringify(v)}, ${JSON.stringify(w)})`);
      });
    });
  });

  const pairs: [string, string, number][] = [
    ['v1', 'v1', 0],
    ['v2', 'v1', 1],
    ['v1', 'v2', -1],
    ['v1.19', 'v1.2', 1],
    ['v1.2', 'v1.19', -1],
    ['v1.9.0', 'v1.10.0', -1],
    ['v1.0.9', 'v1.0.10', -1],
    ['v1.0', 'v1.0.0', 0],
    ['v1', 'v1.0.0', 0],
    ['v1.2.3+a', 'v1.2.3+b', 0],
    ['v1.2.3+incompatible', 'v1.2.3', 0],
    ['v1.2.3-pre+a', 'v1.2.3-pre+b', 0],
    ['v2.0.0+incompatible', 'v1.99.99', 1],
    ['v1.0.0-alpha', 'v1.0.0', -1],
    ['v1.0.0-2', 'v1.0.0-10', -1],
    ['v1.0.0-10', 'v1.0.0-9a', -1],
    ['v1.0.0-a.b', 'v1.0.0-a', 1],
    ['v1.0.0-a.1', 'v1.0.0-a.b', -1],
    ['v1.0.0-B', 'v1.0.0-a', -1],
    // A hyphen belongs to its identifier: 'a-b' is one identifier, and it sorts after 'a'.
    ['v1.0.0-a-b', 'v1.0.0-a.b', 1],
    ['v12345678901234567890.0.0', 'v12345678901234567891.0.0', -1],
    ['v1.0.0-12345678901234567890', 'v1.0.0-12345678901234567891', -1],
    ['v1.2.3', 'bad', 1],
    ['bad', 'v0.0.0', -1],
    ['bad', 'worse', 0],
    ['', 'v1.2.3.4', 0],
    ['v1.0.0-0.20060102150405-abcdefabcdef', 'v1.0.0-rc.1', -1],
    ['v1.2.4-0.20060102150405-abcdefabcdef', 'v1.2.3', 1],
    ['v1.2.3-pre.0.20060102150405-abcdefabcdef', 'v1.2.3-pre', 1],
    ['v1.2.3-pre.0.20060102150405-abcdefabcdef', 'v1.2.3-pre.1', -1],
  ];
  for (const [a, b, want] of pairs) {
    test(`compare(${JSON.stringify(a)}, ${JSON.stringify(b)}) = ${want}`, () => {
      assert.equal(compare(a, b), want);
      assert.equal(compare(b, a), -want || 0);
    });
  }

  test('the semver.org 2.0.0 precedence example holds link by link', () => {
    const chain = [
      'v1.0.0-alpha',
      'v1.0.0-alpha.1',
      'v1.0.0-alpha.beta',
      'v1.0.0-beta',
      'v1.0.0-beta.2',
      'v1.0.0-beta.11',
      'v1.0.0-rc.1',
      'v1.0.0',
    ];
    for (let i = 1; i < chain.length; i++) {
      assert.equal(compare(chain[i - 1] ?? '', chain[i] ?? ''), -1, `${chain[i - 1]} < ${chain[i]}`);
    }
  });
});

describe('semver: max', () => {
  test('every pair of the ordered table yields the canonical form of the later row', () => {
    ordered.forEach(([v, cv], i) => {
      ordered.forEach(([w, cw], j) => {
        assert.equal(max(v, w), i < j ? cw : cv, `max(${JSON.stringify(v)}, ${JSON.stringify(w)})`);
      });
    });
  });

  const cases: [string, string, string][] = [
    ['v1.2', 'v1.1.9', 'v1.2.0'],
    ['v1.2.3+meta', 'v1.2.3-pre', 'v1.2.3'],
    ['v2.0.0+incompatible', 'v1.0.0', 'v2.0.0'],
    ['bad', 'v0', 'v0.0.0'],
    ['bad', 'worse', ''],
  ];
  for (const [a, b, want] of cases) {
    test(`max(${JSON.stringify(a)}, ${JSON.stringify(b)}) = ${JSON.stringify(want)}`, () => {
      assert.equal(max(a, b), want);
      assert.equal(max(b, a), want);
    });
  }
});

describe('semver: sortVersions', () => {
  test('sorts by precedence, breaking ties by string order, whatever the input order', () => {
    const want = [
      '',
      'bad',
      'v1.2.3.4',
      'v1.0.0-alpha',
      'v1.0.0-alpha.1',
      'v1.0.0-alpha.beta',
      'v1.0.0-beta',
      'v1.0.0-beta.2',
      'v1.0.0-beta.11',
      'v1.0.0-rc.1',
      'v1',
      'v1.0',
      'v1.0.0',
      'v1.0.0+incompatible',
      'v1.0.0+meta',
      'v1.2.4-0.20060102150405-abcdefabcdef',
      'v1.9.0',
      'v1.10.0',
      'v2.0.0+incompatible',
    ];
    const reversed = [...want].reverse();
    const interleaved = want.filter((_, i) => i % 2 === 1).concat(want.filter((_, i) => i % 2 === 0));
    assert.deepEqual(sortVersions(reversed), want);
    assert.deepEqual(sortVersions(interleaved), want);
  });

  test('orders equal-precedence strings by code point, as Go compares UTF-8 bytes', () => {
    // UTF-16 code units would put U+1F600 (a surrogate pair starting 0xD83D) before U+FFFF.
    assert.deepEqual(sortVersions(['\u{1F600}', '\uFFFF']), ['\uFFFF', '\u{1F600}']);
  });

  test('returns a new array and leaves its input alone', () => {
    const input = ['v2.0.0', 'v1.0.0'];
    const sorted = sortVersions(input);
    assert.deepEqual(input, ['v2.0.0', 'v1.0.0']);
    assert.deepEqual(sorted, ['v1.0.0', 'v2.0.0']);
    assert.notEqual(sorted, input);
  });

  test('an empty list sorts to an empty list', () => {
    assert.deepEqual(sortVersions([]), []);
  });
});
