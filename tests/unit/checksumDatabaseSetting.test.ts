import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checksumDatabaseSetting, matchPrefixPatterns, pathMatch, SUM_GOLANG_ORG_KEY, usesChecksumDatabase } from '../../shared/sumdb/checksumDatabaseSetting';
import { checksumDatabaseFromEnv } from '../../electron/core/upstream/checksumDatabaseDefault';
import { parseVerifierKey } from '../../electron/core/sumdb/verifierKey';
import { ModFerryError } from '../../electron/core/errors/modferryError';

describe('GOSUMDB, GONOSUMDB and GOPRIVATE, as the go command reads them', () => {
  test('unset or empty GOSUMDB is sum.golang.org with its built-in key; sum.golang.google.cn is its mirror; off is none', () => {
    assert.deepEqual(checksumDatabaseSetting({}), { key: SUM_GOLANG_ORG_KEY, noSumdb: '' });
    assert.deepEqual(checksumDatabaseSetting({ GOSUMDB: '' }), { key: SUM_GOLANG_ORG_KEY, noSumdb: '' });
    assert.deepEqual(checksumDatabaseSetting({ GOSUMDB: 'sum.golang.org' }), { key: SUM_GOLANG_ORG_KEY, noSumdb: '' });
    assert.deepEqual(checksumDatabaseSetting({ GOSUMDB: 'sum.golang.google.cn' }), { key: SUM_GOLANG_ORG_KEY, url: 'https://sum.golang.google.cn', noSumdb: '' });
    assert.equal(checksumDatabaseSetting({ GOSUMDB: 'off' }), undefined);
    // The built-in key's hash is the one our note key hash computes: the same algorithm as the go command's.
    assert.equal(parseVerifierKey(SUM_GOLANG_ORG_KEY).name, 'sum.golang.org');
  });

  test('a key and a URL; GONOSUMDB, else GOPRIVATE, names the private modules', () => {
    const key = 'sum.test+5b417f70+AT5BZslA4ZaQhXU7Iqe+/gddD1RllQop6+0OV0cLqLEO';
    assert.deepEqual(checksumDatabaseSetting({ GOSUMDB: `  ${key}   http://127.0.0.1:9/db ` }), { key, url: 'http://127.0.0.1:9/db', noSumdb: '' });
    assert.deepEqual(checksumDatabaseSetting({ GOSUMDB: key, GOPRIVATE: 'corp.example.com' }), { key, noSumdb: 'corp.example.com' });
    assert.deepEqual(checksumDatabaseSetting({ GOSUMDB: key, GOPRIVATE: 'corp.example.com', GONOSUMDB: 'other.example.com' }), { key, noSumdb: 'other.example.com' });
    assert.throws(() => checksumDatabaseSetting({ GOSUMDB: `${key} http://a http://b` }), /too many fields/);
    assert.throws(() => checksumDatabaseSetting({ GOSUMDB: '   ' }), /missing GOSUMDB/);
    const setting = checksumDatabaseSetting({ GOPRIVATE: '*.corp.example.com,example.com/private' })!;
    assert.equal(usesChecksumDatabase(setting, 'git.corp.example.com/team/lib'), false);
    assert.equal(usesChecksumDatabase(setting, 'example.com/private/v2'), false);
    assert.equal(usesChecksumDatabase(setting, 'example.com/public'), true);
    const everything = checksumDatabaseSetting({ GONOSUMDB: '*' })!;
    assert.equal(usesChecksumDatabase(everything, 'example.com/public'), false);
    assert.equal(usesChecksumDatabase(everything, 'golang.org/toolchain'), true, 'the go command checks toolchains whatever GONOSUMDB says');
    assert.equal(usesChecksumDatabase(everything, 'golang.org/toolchainx'), false);
  });

  test('checksumDatabaseFromEnv checks the key at once, as an input error naming it', () => {
    assert.equal(checksumDatabaseFromEnv({ GOSUMDB: 'off' }), undefined);
    assert.equal(checksumDatabaseFromEnv({})!.key, SUM_GOLANG_ORG_KEY);
    assert.throws(() => checksumDatabaseFromEnv({ GOSUMDB: 'sum.test+00000000+AT5BZslA4ZaQhXU7Iqe+/gddD1RllQop6+0OV0cLqLEO' }), (e: unknown) => e instanceof ModFerryError && e.kind === 'input' && /key hash does not match/.test(e.message));
    assert.throws(() => checksumDatabaseFromEnv({ GOSUMDB: 'a b c' }), (e: unknown) => e instanceof ModFerryError && e.kind === 'input');
    assert.throws(() => checksumDatabaseFromEnv({ GOSUMDB: 'sum.example.com' }), /expected <name>\+<8 hex digits>\+<base64 key>/);
  });

  // x/mod's module_test.go TestMatchPrefixPatterns, case for case.
  const cases: Array<[string, string, boolean]> = [
    ['', 'rsc.io/quote', false],
    ['/', 'rsc.io/quote', false],
    ['*/quote', 'rsc.io/quote', true],
    ['*/quo', 'rsc.io/quote', false],
    ['*/quo??', 'rsc.io/quote', true],
    ['*/quo*', 'rsc.io/quote', true],
    ['*quo*', 'rsc.io/quote', false],
    ['rsc.io', 'rsc.io/quote', true],
    ['*.io', 'rsc.io/quote', true],
    ['rsc.io/', 'rsc.io/quote', true],
    ['rsc', 'rsc.io/quote', false],
    ['rsc*', 'rsc.io/quote', true],
    ['rsc.io', 'rsc.io/quote/v3', true],
    ['*/quote', 'rsc.io/quote/v3', true],
    ['*/quote/', 'rsc.io/quote/v3', true],
    ['*/quote/*', 'rsc.io/quote/v3', true],
    ['*/quote/*/', 'rsc.io/quote/v3', true],
    ['*/v3', 'rsc.io/quote/v3', false],
    ['*/*/v3', 'rsc.io/quote/v3', true],
    ['*/*/*', 'rsc.io/quote/v3', true],
    ['*/*/*/', 'rsc.io/quote/v3', true],
    ['*/*/*', 'rsc.io/quote', false],
    ['*/*/*/', 'rsc.io/quote', false],
    ['*/*/*,,', 'rsc.io/quote', false],
    ['*/*/*,,*/quote', 'rsc.io/quote', true],
    [',,*/quote', 'rsc.io/quote', true],
  ];
  for (const [globs, target, want] of cases) {
    test(`matchPrefixPatterns(${JSON.stringify(globs)}, ${JSON.stringify(target)}) is ${want}`, () => assert.equal(matchPrefixPatterns(globs, target), want));
  }

  test('path.Match classes, escapes and bad patterns', () => {
    assert.ok(pathMatch('[a-c]sc.io', 'rsc.io') === false);
    assert.ok(pathMatch('[p-s]sc.io', 'rsc.io'));
    assert.ok(pathMatch('[^a-c]sc.io', 'rsc.io'));
    assert.ok(pathMatch('rsc\\.io', 'rsc.io'));
    assert.ok(!pathMatch('rsc.io', 'rscxio'), 'a dot is a dot');
    assert.ok(!pathMatch('[a-', 'a'), 'a bad pattern matches nothing');
    assert.ok(!pathMatch('[]', 'a'));
    assert.ok(!pathMatch('*', 'a/b'), 'a star stops at a slash');
  });
});
