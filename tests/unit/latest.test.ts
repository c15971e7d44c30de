import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isRetracted, latestForProxy, latestFromList, pickLatest, type VersionInterval } from '../../shared/gomod/latest';

const only = (v: string): VersionInterval => ({ low: v, high: v });

describe('isRetracted', () => {
  const cases: { name: string; version: string; retractions: VersionInterval[]; want: boolean }[] = [
    { name: 'no retractions', version: 'v1.0.0', retractions: [], want: false },
    { name: 'a single retracted version', version: 'v1.0.0', retractions: [only('v1.0.0')], want: true },
    { name: 'a neighbour of a single retracted version', version: 'v1.0.1', retractions: [only('v1.0.0')], want: false },
    { name: 'the low bound is included', version: 'v1.1.0', retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }], want: true },
    { name: 'the high bound is included', version: 'v1.3.0', retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }], want: true },
    { name: 'inside the interval', version: 'v1.2.7', retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }], want: true },
    { name: 'below the interval', version: 'v1.0.9', retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }], want: false },
    { name: 'above the interval', version: 'v1.3.1', retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }], want: false },
    // Prereleases of the high bound sort below it, so they are inside; prereleases of the low bound are not.
    { name: 'a prerelease of the high bound', version: 'v1.3.0-rc.1', retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }], want: true },
    { name: 'a prerelease of the low bound', version: 'v1.1.0-rc.1', retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }], want: false },
    {
      name: 'a pseudo-version inside the interval',
      version: 'v1.2.1-0.20200101000000-abcdefabcdef',
      retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }],
      want: true,
    },
    {
      name: 'a retracted pseudo-version',
      version: 'v0.0.0-20210101000000-cccccccccccc',
      retractions: [only('v0.0.0-20210101000000-cccccccccccc')],
      want: true,
    },
    // Build metadata does not count in comparisons, as in go.mod (mod_retract_incompatible.txt).
    { name: '+incompatible matches its bare version', version: 'v2.0.0+incompatible', retractions: [only('v2.0.0+incompatible')], want: true },
    { name: 'a bare bound covers +incompatible', version: 'v2.0.0+incompatible', retractions: [only('v2.0.0')], want: true },
    { name: 'shorthand bounds mean .0', version: 'v1.2.0', retractions: [only('v1.2')], want: true },
    {
      name: 'any of several intervals',
      version: 'v1.5.0',
      retractions: [only('v1.0.0'), { low: 'v1.4.0', high: 'v1.6.0' }, only('v2.0.0+incompatible')],
      want: true,
    },
    { name: 'an invalid version is never retracted', version: 'v1.2', retractions: [only('v1.2.1')], want: false },
    { name: 'an invalid version under valid bounds', version: 'latest', retractions: [{ low: 'v0.0.0', high: 'v9.0.0' }], want: false },
  ];
  for (const { name, version, retractions, want } of cases) {
    test(`${name}: ${version} → ${want}`, () => assert.equal(isRetracted(version, retractions), want));
  }
});

describe('pickLatest', () => {
  const cases: { name: string; versions: string[]; retractions?: VersionInterval[]; want: string | undefined }[] = [
    { name: 'no versions', versions: [], want: undefined },
    { name: 'a single release', versions: ['v1.0.0'], want: 'v1.0.0' },
    { name: 'the highest release by precedence, not by string', versions: ['v1.9.0', 'v1.10.0', 'v1.2.0'], want: 'v1.10.0' },
    { name: 'a release beats a higher prerelease', versions: ['v1.0.0', 'v1.1.0-rc.1', 'v2.0.0-alpha'], want: 'v1.0.0' },
    { name: 'a release beats a higher pseudo-version', versions: ['v1.0.0', 'v1.0.1-0.20200101000000-abcdefabcdef'], want: 'v1.0.0' },
    { name: 'the highest prerelease when there is no release', versions: ['v1.0.0-beta.2', 'v1.0.0-beta.11', 'v1.0.0-alpha'], want: 'v1.0.0-beta.11' },
    {
      name: 'go: a prerelease tag beats a higher pseudo-version',
      versions: ['v1.0.0-rc.1', 'v1.5.1-0.20200101000000-aaaaaaaaaaaa'],
      want: 'v1.0.0-rc.1',
    },
    {
      name: 'go: the newest pseudo-version, not the highest, when nothing is tagged',
      versions: ['v0.0.0-20200101000000-aaaaaaaaaaaa', 'v1.2.4-0.20190101000000-bbbbbbbbbbbb'],
      want: 'v0.0.0-20200101000000-aaaaaaaaaaaa',
    },
    {
      name: 'pseudo-versions of every shape compete on time',
      versions: [
        'v1.2.3-pre.0.20200303000000-cccccccccccc',
        'v1.2.4-0.20200202000000-bbbbbbbbbbbb',
        'v0.0.0-20200101000000-aaaaaaaaaaaa',
        'v2.0.1-0.20200404000000-dddddddddddd+incompatible',
      ],
      want: 'v2.0.1-0.20200404000000-dddddddddddd+incompatible',
    },
    {
      name: 'pseudo-versions made in the same second go to the higher precedence',
      versions: ['v1.2.4-0.20200101000000-bbbbbbbbbbbb', 'v0.0.0-20200101000000-aaaaaaaaaaaa'],
      want: 'v1.2.4-0.20200101000000-bbbbbbbbbbbb',
    },
    {
      name: 'go: a pseudo-version with an impossible time is skipped',
      versions: ['v0.0.0-20201301000000-aaaaaaaaaaaa', 'v0.0.0-20190101000000-bbbbbbbbbbbb'],
      want: 'v0.0.0-20190101000000-bbbbbbbbbbbb',
    },
    { name: 'go: the zero pseudo-version placeholder is skipped', versions: ['v0.0.0-00010101000000-000000000000'], want: undefined },
    {
      name: 'go: one second after the zero time is a real commit',
      versions: ['v0.0.0-00010101000000-000000000000', 'v0.0.0-00010101000001-000000000001'],
      want: 'v0.0.0-00010101000001-000000000001',
    },
    { name: 'invalid entries are ignored', versions: ['latest', 'v1.2.3.4', '1.5.0', 'v1.02.0', 'v1.0.0', ''], want: 'v1.0.0' },
    { name: 'nothing valid', versions: ['master', 'v1.2.3-01', 'vv1'], want: undefined },
    {
      name: 'equal-precedence spellings resolve like semver.Sort, last in string order',
      versions: ['v1.2.0+meta', 'v1.2', 'v1.2.0'],
      want: 'v1.2.0+meta',
    },
    { name: '+incompatible versions are candidates', versions: ['v1.0.0', 'v2.0.0+incompatible', 'v2.1.0+incompatible'], want: 'v2.1.0+incompatible' },

    // Retractions, after cmd/go's testdata script mod_list_retract.txt.
    {
      name: 'go: a self-retracted latest falls back to the previous release',
      versions: ['v1.0.0-bad', 'v1.1.0', 'v1.9.0'],
      retractions: [only('v1.0.0-bad'), only('v1.9.0')],
      want: 'v1.1.0',
    },
    {
      name: 'go: a prerelease when every release is retracted',
      versions: ['v1.0.0', 'v1.9.0', 'v1.9.1-pre'],
      retractions: [only('v1.0.0'), only('v1.9.0')],
      want: 'v1.9.1-pre',
    },
    {
      name: 'go: nothing when every version is retracted; no fallback to retracted versions',
      versions: ['v1.9.0'],
      retractions: [only('v1.9.0')],
      want: undefined,
    },
    {
      name: 'nothing when an interval covers every version',
      versions: ['v1.0.0', 'v1.1.0-rc.1', 'v1.2.0', 'v1.2.1-0.20200101000000-abcdefabcdef'],
      retractions: [{ low: 'v0.0.0', high: 'v1.999.0' }],
      want: undefined,
    },
    {
      name: 'go: an interval retracts everything inside it',
      versions: ['v1.0.0', 'v1.1.0', 'v1.2.0', 'v1.3.0'],
      retractions: [{ low: 'v1.1.0', high: 'v1.3.0' }],
      want: 'v1.0.0',
    },
    {
      name: 'a pseudo-version when every tag is retracted',
      versions: ['v1.0.0', 'v1.0.1-0.20200101000000-abcdefabcdef'],
      retractions: [only('v1.0.0')],
      want: 'v1.0.1-0.20200101000000-abcdefabcdef',
    },
    {
      name: 'a retracted newest pseudo-version gives way to an older one',
      versions: ['v0.0.0-20200101000000-aaaaaaaaaaaa', 'v0.0.0-20210101000000-cccccccccccc'],
      retractions: [only('v0.0.0-20210101000000-cccccccccccc')],
      want: 'v0.0.0-20200101000000-aaaaaaaaaaaa',
    },
    {
      name: 'retracting v2.0.0+incompatible leaves the compatible release',
      versions: ['v1.0.0', 'v2.0.0+incompatible'],
      retractions: [only('v2.0.0+incompatible')],
      want: 'v1.0.0',
    },
    {
      name: 'retractions that match nothing change nothing',
      versions: ['v1.0.0', 'v1.1.0'],
      retractions: [only('v0.9.0'), { low: 'v1.2.0', high: 'v1.5.0' }],
      want: 'v1.1.0',
    },
  ];
  for (const { name, versions, retractions, want } of cases) {
    test(`${name} → ${want ?? 'undefined'}`, () => {
      assert.equal(pickLatest(versions, retractions), want);
      assert.equal(pickLatest([...versions].reverse(), retractions), want, 'the order of the list must not matter');
    });
  }

  test('retractions default to none', () => {
    assert.equal(pickLatest(['v1.0.0', 'v1.9.0']), 'v1.9.0');
  });

  test('the input list is left alone', () => {
    const versions = ['v2.0.0', 'v1.0.0'];
    pickLatest(versions);
    assert.deepEqual(versions, ['v2.0.0', 'v1.0.0']);
  });
});

describe('latestForProxy', () => {
  const P1 = 'v0.0.0-20200101000000-aaaaaaaaaaaa';
  const P2 = 'v0.0.0-20210101000000-bbbbbbbbbbbb';
  const P3 = 'v0.0.0-20220101000000-cccccccccccc';
  const PAFTER = 'v1.0.1-0.20220101000000-dddddddddddd';
  const cases: Array<{ name: string; versions: string[]; goMods: Record<string, VersionInterval[]>; want: string | undefined }> = [
    { name: 'no retractions: pickLatest', versions: ['v1.0.0', 'v1.1.0', PAFTER], goMods: {}, want: 'v1.1.0' },
    { name: 'tags: the highest tag\'s go.mod decides', versions: ['v1.0.0', 'v1.1.0'], goMods: { 'v1.1.0': [only('v1.1.0')] }, want: 'v1.0.0' },
    {
      name: 'tags: a lower tag\'s go.mod is not read, as the go command does not read it',
      versions: ['v1.0.0', 'v1.1.0'],
      goMods: { 'v1.0.0': [only('v1.1.0')] },
      want: 'v1.1.0',
    },
    { name: 'every tag retracted: a pseudo-version the highest tag\'s go.mod allows', versions: ['v1.0.0', PAFTER], goMods: { 'v1.0.0': [only('v1.0.0')] }, want: PAFTER },
    { name: 'pseudo-versions only: the newest', versions: [P1, P2, P3], goMods: {}, want: P3 },
    { name: 'pseudo-versions only: the newest retracts itself, the next answers', versions: [P1, P2, P3], goMods: { [P3]: [only(P3)] }, want: P2 },
    { name: 'pseudo-versions only: what the newest retracts is never answered', versions: [P1, P2, P3], goMods: { [P3]: [only(P3), only(P2)] }, want: P1 },
    { name: 'pseudo-versions only: one its own go.mod retracts is skipped', versions: [P1, P2, P3], goMods: { [P3]: [only(P3)], [P2]: [only(P2)] }, want: P1 },
    { name: 'pseudo-versions only: all retracted, nothing', versions: [P1, P2], goMods: { [P2]: [{ low: 'v0.0.0-0', high: P2 }] }, want: undefined },
    { name: 'nothing held', versions: [], goMods: {}, want: undefined },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.want ?? 'undefined'}`, () => {
      const read: string[] = [];
      const answer = latestForProxy(c.versions, (version) => {
        read.push(version);
        return c.goMods[version] ?? [];
      });
      assert.equal(answer, c.want);
      assert.ok(read.length <= c.versions.length, `go.mod files read: ${read.join(' ')}`);
    });
  }
});

describe('latestFromList', () => {
  test('stands in for a missing @latest as the go command does: newest pseudo-version or timed line, first of equals', () => {
    const older = 'v0.0.0-20200101000000-aaaaaaaaaaaa';
    const newer = 'v0.0.0-20210101000000-bbbbbbbbbbbb';
    const sameTime = 'v0.1.0-0.20210101000000-cccccccccccc';
    assert.equal(latestFromList(['v1.0.0', older, newer, 'v2.0.0']), newer, 'tags without a time are never picked');
    assert.equal(latestFromList([newer, sameTime]), newer);
    assert.equal(latestFromList([sameTime, newer]), sameTime);
    assert.equal(latestFromList([`${newer}`, 'v1.0.0 2022-01-01T00:00:00Z']), 'v1.0.0', 'a time on the line counts, for tags too');
    assert.equal(latestFromList(['v1.0.0 not-a-time', 'v1.1.0', '']), undefined);
    assert.equal(latestFromList(['v0.0.0-20201301000000-dddddddddddd']), undefined, 'month 13 is no time');
  });
});
