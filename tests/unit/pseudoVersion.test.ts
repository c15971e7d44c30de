import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidPseudoVersionError,
  isIncompatible,
  isPseudoVersion,
  pseudoVersionBase,
  pseudoVersionDate,
  pseudoVersionRev,
  pseudoVersionTime,
} from '../../shared/gomod/pseudoVersion';

/** [pseudo-version, base, timestamp, revision] */
const pseudoVersions: [string, string, string, string][] = [
  // vX.0.0-yyyymmddhhmmss-rev: no earlier tag.
  ['v0.0.0-20060102150405-abcdefabcdef', '', '20060102150405', 'abcdefabcdef'],
  ['v1.0.0-20060102150405-abcdefabcdef', '', '20060102150405', 'abcdefabcdef'],
  ['v2.0.0-20191109021931-daa7c04131f5', '', '20191109021931', 'daa7c04131f5'],
  ['v0.0.0-00010101000000-000000000000', '', '00010101000000', '000000000000'],
  ['v0.0.0-20060102150405-hash', '', '20060102150405', 'hash'],
  // vX.Y.(Z+1)-0.yyyymmddhhmmss-rev: after release vX.Y.Z.
  ['v0.0.1-0.20060102150405-abcdefabcdef', 'v0.0.0', '20060102150405', 'abcdefabcdef'],
  ['v1.2.4-0.20060102150405-abcdefabcdef', 'v1.2.3', '20060102150405', 'abcdefabcdef'],
  ['v1.3.1-0.20060102150405-abcdefabcdef', 'v1.3.0', '20060102150405', 'abcdefabcdef'],
  ['v1.2.10-0.20060102150405-abcdefabcdef', 'v1.2.9', '20060102150405', 'abcdefabcdef'],
  ['v1.2.100-0.20060102150405-abcdefabcdef', 'v1.2.99', '20060102150405', 'abcdefabcdef'],
  [
    'v1.2.100000000000000000-0.20060102150405-abcdefabcdef',
    'v1.2.99999999999999999',
    '20060102150405',
    'abcdefabcdef',
  ],
  ['v1.0.1-0.20060102150405-abcdefabcdef+metadata', 'v1.0.0+metadata', '20060102150405', 'abcdefabcdef'],
  ['v2.0.1-0.20060102150405-abcdefabcdef+incompatible', 'v2.0.0+incompatible', '20060102150405', 'abcdefabcdef'],
  // vX.Y.Z-pre.0.yyyymmddhhmmss-rev: after prerelease vX.Y.Z-pre.
  ['v1.2.3-pre.0.20060102150405-abcdefabcdef', 'v1.2.3-pre', '20060102150405', 'abcdefabcdef'],
  ['v1.3.0-pre.0.20060102150405-abcdefabcdef', 'v1.3.0-pre', '20060102150405', 'abcdefabcdef'],
  ['v1.0.0-rc.1.0.20060102150405-abcdefabcdef', 'v1.0.0-rc.1', '20060102150405', 'abcdefabcdef'],
  ['v1.0.0-alpha.beta.0.20060102150405-abcdefabcdef', 'v1.0.0-alpha.beta', '20060102150405', 'abcdefabcdef'],
  // A pseudo-version's own prerelease '0.' can be the base: v1.2.4-0 → v1.2.4-0.0.….
  ['v1.2.4-0.0.20060102150405-abcdefabcdef', 'v1.2.4-0', '20060102150405', 'abcdefabcdef'],
  ['v0.0.0--.0.20060102150405-abcdefabcdef', 'v0.0.0--', '20060102150405', 'abcdefabcdef'],
  ['v2.3.0-pre.0.20060102150405-abcdefabcdef+incompatible', 'v2.3.0-pre+incompatible', '20060102150405', 'abcdefabcdef'],
];

/** Valid semantic versions, or near misses, that are not pseudo-versions. */
const notPseudoVersions: string[] = [
  '',
  'v0.0.0',
  'v1.2.3',
  'v1.2.3-pre',
  'v1.2.3+incompatible',
  'v1.2.3-20060102150405-abcdefabcdef', // the no-base shape needs vX.0.0
  'v1.2.4-1.20060102150405-abcdefabcdef', // the with-base shapes need a '0' identifier before the time
  'v1.2.3-pre.1.20060102150405-abcdefabcdef',
  'v1.2.3-pre0.20060102150405-abcdefabcdef',
  'v1.0.0-2006010215040-abcdefabcdef', // 13-digit time
  'v1.0.0-200601021504050-abcdefabcdef', // 15-digit time
  'v1.0.0-20060102150405-', // no revision
  'v1.0.0-20060102150405-abc-def', // revision with a hyphen
  'v1.0.0-20060102150405-abcdef.123', // revision with a dot
  'v1.0.0-20060102150405',
  'v1.0.0-0.20060102150405',
  '1.0.0-20060102150405-abcdefabcdef', // no 'v'
  'v1-20060102150405-abcdefabcdef', // shorthands cannot carry a prerelease
  'v1.0-20060102150405-abcdefabcdef',
  'v1.2.3-pre.01.0.20060102150405-abcdefabcdef', // invalid semver: leading zero in a numeric identifier
  'v1.2.4-0.20060102150405-abcdefabcdef+', // empty build metadata
  'v1.2.4-0.20060102150405-abcdefabcdef+in..compatible',
  '---',
];

describe('isPseudoVersion', () => {
  for (const [v] of pseudoVersions) {
    test(`${v} is a pseudo-version`, () => assert.equal(isPseudoVersion(v), true));
  }
  for (const v of notPseudoVersions) {
    test(`${JSON.stringify(v)} is not a pseudo-version`, () => assert.equal(isPseudoVersion(v), false));
  }
});

describe('pseudo-version parts', () => {
  for (const [v, base, time, rev] of pseudoVersions) {
    test(v, () => {
      assert.equal(pseudoVersionBase(v), base, 'base');
      assert.equal(pseudoVersionTime(v), time, 'time');
      assert.equal(pseudoVersionRev(v), rev, 'rev');
    });
  }
});

describe('pseudoVersionBase rejects what module.PseudoVersionBase rejects', () => {
  const cases: [string, string][] = [
    ['v0.0.0', 'pseudo-version "v0.0.0" invalid: syntax error'],
    ['v0.0.0-', 'pseudo-version "v0.0.0-" invalid: syntax error'],
    ['v1.2.3-pre', 'pseudo-version "v1.2.3-pre" invalid: syntax error'],
    // The '-0.' shape claims a release one patch below; there is none below patch 0.
    [
      'v0.0.0-0.20060102150405-abcdefabcdef',
      'pseudo-version "v0.0.0-0.20060102150405-abcdefabcdef" invalid: version before v0.0.0 would have negative patch number',
    ],
    [
      'v0.1.0-0.20060102150405-abcdefabcdef',
      'pseudo-version "v0.1.0-0.20060102150405-abcdefabcdef" invalid: version before v0.1.0 would have negative patch number',
    ],
    [
      'v1.0.0-0.20060102150405-abcdefabcdef+incompatible',
      'pseudo-version "v1.0.0-0.20060102150405-abcdefabcdef+incompatible" invalid: version before v1.0.0 would have negative patch number',
    ],
    // vX.0.0-… has no base, so build metadata describing a base contradicts it.
    [
      'v0.0.0-20060102150405-abcdefabcdef+incompatible',
      'pseudo-version "v0.0.0-20060102150405-abcdefabcdef+incompatible" invalid: lacks base version, but has build metadata "+incompatible"',
    ],
    [
      'v2.0.0-20060102150405-abcdefabcdef+metadata',
      'pseudo-version "v2.0.0-20060102150405-abcdefabcdef+metadata" invalid: lacks base version, but has build metadata "+metadata"',
    ],
  ];
  for (const [v, message] of cases) {
    test(v, () => {
      assert.throws(() => pseudoVersionBase(v), { name: 'InvalidPseudoVersionError', message });
    });
  }
});

describe('pseudoVersionTime and pseudoVersionDate', () => {
  /** [pseudo-version, the same instant in ISO 8601] */
  const valid: [string, string][] = [
    ['v0.0.0-20060102150405-abcdefabcdef', '2006-01-02T15:04:05.000Z'],
    ['v1.2.4-0.20191231235959-abcdefabcdef', '2019-12-31T23:59:59.000Z'],
    ['v1.2.3-pre.0.20200101000000-abcdefabcdef+incompatible', '2020-01-01T00:00:00.000Z'],
    ['v0.0.0-20000229120000-abcdefabcdef', '2000-02-29T12:00:00.000Z'], // divisible by 400: leap
    ['v0.0.0-20040229000000-abcdefabcdef', '2004-02-29T00:00:00.000Z'], // divisible by 4: leap
    ['v0.0.0-20210430000000-abcdefabcdef', '2021-04-30T00:00:00.000Z'],
    ['v0.0.0-99991231235959-abcdefabcdef', '9999-12-31T23:59:59.000Z'],
    // Two-digit years are not 19xx: year 0042 stays 0042.
    ['v0.0.0-00420615000000-abcdefabcdef', '0042-06-15T00:00:00.000Z'],
    ['v0.0.0-00010101000000-000000000000', '0001-01-01T00:00:00.000Z'],
  ];
  for (const [v, iso] of valid) {
    test(`${v} was made at ${iso}`, () => {
      assert.equal(pseudoVersionDate(v).toISOString(), iso);
      assert.equal(pseudoVersionTime(v), iso.replace(/[-T:Z]|\.000/g, ''));
    });
  }

  /** Timestamps Go's time.Parse refuses; a Date would silently roll them over. */
  const impossible: [string, string][] = [
    ['v0.0.0-20061302150405-abcdefabcdef', '20061302150405'], // month 13
    ['v0.0.0-20060002150405-abcdefabcdef', '20060002150405'], // month 0
    ['v0.0.0-20060100150405-abcdefabcdef', '20060100150405'], // day 0
    ['v0.0.0-20060132150405-abcdefabcdef', '20060132150405'], // 32 January
    ['v0.0.0-20210431000000-abcdefabcdef', '20210431000000'], // 31 April
    ['v0.0.0-20210229000000-abcdefabcdef', '20210229000000'], // not a leap year
    ['v0.0.0-19000229000000-abcdefabcdef', '19000229000000'], // divisible by 100 but not 400: not leap
    ['v1.2.4-0.20060102240000-abcdefabcdef', '20060102240000'], // hour 24
    ['v1.2.4-0.20060102156000-abcdefabcdef', '20060102156000'], // minute 60
    ['v1.2.3-pre.0.20060102150460-abcdefabcdef', '20060102150460'], // second 60: Go has no leap seconds
  ];
  for (const [v, stamp] of impossible) {
    test(`${v} has an impossible time`, () => {
      const expected = { name: 'InvalidPseudoVersionError', message: `pseudo-version "${v}" invalid: malformed time "${stamp}"` };
      assert.throws(() => pseudoVersionTime(v), expected);
      assert.throws(() => pseudoVersionDate(v), expected);
    });
  }

  test('an impossible time does not stop reading the base or revision', () => {
    assert.equal(pseudoVersionBase('v1.2.4-0.20061302150405-abcdefabcdef'), 'v1.2.3');
    assert.equal(pseudoVersionRev('v1.2.4-0.20061302150405-abcdefabcdef'), 'abcdefabcdef');
  });
});

describe('non-pseudo-versions are refused by every accessor', () => {
  for (const v of notPseudoVersions) {
    test(JSON.stringify(v), () => {
      const expected = { name: 'InvalidPseudoVersionError', message: `pseudo-version ${JSON.stringify(v)} invalid: syntax error` };
      assert.throws(() => pseudoVersionBase(v), expected);
      assert.throws(() => pseudoVersionTime(v), expected);
      assert.throws(() => pseudoVersionDate(v), expected);
      assert.throws(() => pseudoVersionRev(v), expected);
    });
  }

  test('the error carries the version and reason for callers to report', () => {
    try {
      pseudoVersionRev('v1.2.3');
      assert.fail('expected a throw');
    } catch (err) {
      assert.ok(err instanceof InvalidPseudoVersionError);
      assert.ok(err instanceof Error);
      assert.equal(err.version, 'v1.2.3');
      assert.equal(err.reason, 'syntax error');
    }
  });
});

describe('isIncompatible', () => {
  const cases: [string, boolean][] = [
    ['v2.0.0+incompatible', true],
    ['v2.0.0-rc.1+incompatible', true],
    ['v2.0.1-0.20060102150405-abcdefabcdef+incompatible', true],
    ['v2.3.0-pre.0.20060102150405-abcdefabcdef+incompatible', true],
    ['v2.0.0', false],
    ['v1.0.0-incompatible', false], // a prerelease named 'incompatible' is not the build suffix
    ['v2.0.0+incompatible.1', false],
    ['v2.0.0+meta.incompatible', false],
    ['v2.0.0+Incompatible', false],
    ['v2+incompatible', false], // shorthands cannot carry build metadata, so this is not a version
    ['2.0.0+incompatible', false],
    ['', false],
  ];
  for (const [v, want] of cases) {
    test(`${JSON.stringify(v)} → ${want}`, () => assert.equal(isIncompatible(v), want));
  }
});
