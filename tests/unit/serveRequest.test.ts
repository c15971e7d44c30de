import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProxyRequest, type ProxyRequest } from '../../electron/core/serve/proxyRequest';

describe('parseProxyRequest: the GOPROXY endpoints', () => {
  const cases: Array<[string, ProxyRequest]> = [
    ['/github.com/!burnt!sushi/toml/@v/list', { kind: 'list', modulePath: 'github.com/BurntSushi/toml' }],
    ['/github.com/%21burnt%21sushi/toml/@v/list', { kind: 'list', modulePath: 'github.com/BurntSushi/toml' }],
    ['/github.com/!burnt!sushi/toml/@latest', { kind: 'latest', modulePath: 'github.com/BurntSushi/toml' }],
    ['/golang.org/x/text/@v/v0.14.0.info', { kind: 'version', modulePath: 'golang.org/x/text', version: 'v0.14.0', file: 'info', exact: true }],
    ['/golang.org/x/text/@v/v0.14.0.mod', { kind: 'version', modulePath: 'golang.org/x/text', version: 'v0.14.0', file: 'mod', exact: true }],
    ['/golang.org/x/text/@v/v0.14.0.zip', { kind: 'version', modulePath: 'golang.org/x/text', version: 'v0.14.0', file: 'zip', exact: true }],
    // A version's upper case is escaped like a path's.
    ['/example.com/m/@v/v1.0.0-!r!c1.mod', { kind: 'version', modulePath: 'example.com/m', version: 'v1.0.0-RC1', file: 'mod', exact: true }],
    [
      '/example.com/m/@v/v0.0.0-20200101000000-abcdefabcdef.zip',
      { kind: 'version', modulePath: 'example.com/m', version: 'v0.0.0-20200101000000-abcdefabcdef', file: 'zip', exact: true },
    ],
    ['/example.com/m/@v/v2.0.0+incompatible.mod', { kind: 'version', modulePath: 'example.com/m', version: 'v2.0.0+incompatible', file: 'mod', exact: true }],
    ['/example.com/m/v2/@v/v2.1.0.mod', { kind: 'version', modulePath: 'example.com/m/v2', version: 'v2.1.0', file: 'mod', exact: true }],
    ['/gopkg.in/yaml.v3/@v/v3.0.1.mod', { kind: 'version', modulePath: 'gopkg.in/yaml.v3', version: 'v3.0.1', file: 'mod', exact: true }],
    // Queries the go command sends to .info: well formed, but they name no stored file.
    ['/example.com/m/@v/master.info', { kind: 'version', modulePath: 'example.com/m', version: 'master', file: 'info', exact: false }],
    ['/example.com/m/@v/v1.2.info', { kind: 'version', modulePath: 'example.com/m', version: 'v1.2', file: 'info', exact: false }],
    ['/example.com/m/@v/v1.2.0+meta.info', { kind: 'version', modulePath: 'example.com/m', version: 'v1.2.0+meta', file: 'info', exact: false }],
    // The major-version suffix rules these out (module.CheckPathMajor).
    ['/example.com/m/@v/v2.0.0.mod', { kind: 'version', modulePath: 'example.com/m', version: 'v2.0.0', file: 'mod', exact: false }],
    ['/example.com/m/v2/@v/v1.0.0.mod', { kind: 'version', modulePath: 'example.com/m/v2', version: 'v1.0.0', file: 'mod', exact: false }],
    ['/healthz', { kind: 'healthz' }],
    ['/stats', { kind: 'stats' }],
    ['/sumdb/sum.golang.org/supported', { kind: 'sumdb', name: 'sum.golang.org', request: { kind: 'supported' } }],
    [
      '/sumdb/sum.golang.org/lookup/golang.org/x/text@v0.14.0',
      { kind: 'sumdb', name: 'sum.golang.org', request: { kind: 'lookup', modulePath: 'golang.org/x/text', version: 'v0.14.0' } },
    ],
    ['/sumdb/sum.golang.org/lookup/github.com/%21burnt%21sushi/toml@v1.2.0', {
      kind: 'sumdb', name: 'sum.golang.org', request: { kind: 'lookup', modulePath: 'github.com/BurntSushi/toml', version: 'v1.2.0' },
    }],
    ['/sumdb/sum.golang.org/tile/8/0/x001/234.p/5', { kind: 'sumdb', name: 'sum.golang.org', request: { kind: 'tile', tile: { level: 0, n: 1234, width: 5 } } }],
    ['/sumdb/sum.golang.org/tile/8/1/000', { kind: 'sumdb', name: 'sum.golang.org', request: { kind: 'tile', tile: { level: 1, n: 0, width: 256 } } }],
    // Never asked through a proxy: answered 404.
    ['/sumdb/sum.golang.org/latest', { kind: 'sumdb', name: 'sum.golang.org', request: { kind: 'other' } }],
    ['/sumdb/sum.golang.org/tile/8/data/000', { kind: 'sumdb', name: 'sum.golang.org', request: { kind: 'other' } }],
    ['/sumdb/sum.golang.org/tile/8/0/1234', { kind: 'sumdb', name: 'sum.golang.org', request: { kind: 'other' } }],
    // The protocol has no query parameters; one is ignored rather than read as part of the name.
    ['/example.com/m/@v/list?go-get=1', { kind: 'list', modulePath: 'example.com/m' }],
  ];
  for (const [target, expected] of cases) {
    test(target, () => assert.deepEqual(parseProxyRequest(target), expected));
  }
});

describe('parseProxyRequest: well-formed targets outside the protocol are unknown (404)', () => {
  const targets = [
    '/',
    '/favicon.ico',
    '/example.com/m',
    '/example.com/m/@v',
    '/example.com/m/@v/v1.0.0.txt',
    '/example.com/m/@v/list/x',
    '/example.com/m/@latest/x',
    '/example.com/m/@x/list',
    '/@v/list',
    '/healthz/x',
  ];
  for (const target of targets) {
    test(target, () => assert.deepEqual(parseProxyRequest(target), { kind: 'unknown' }));
  }
});

describe('parseProxyRequest: crafted targets are malformed (400)', () => {
  const cases: Array<[string, RegExp]> = [
    ['/..%2f..%2fetc/passwd', /"\.\." path element|encoded slash/],
    ['/%2e%2e/', /"\.\." path element/],
    ['/%2E%2e/catalog.db', /"\.\." path element/],
    ['/./example.com/m/@v/list', /"\." path element/],
    ['/example.com/m/@v/..%2F..%2Fcatalog.db', /encoded slash/],
    ['/example.com%2fm/@v/list', /encoded slash/],
    ['/example.com/m/@v/..\\..\\catalog.db', /backslash/],
    ['/example.com/m/@v/%5c..%5ccatalog.db', /backslash/],
    ['/example.com/m/@v/v1.0.0.mod%00', /control character/],
    ['/example.com/m/@v/v1.0.0%0a.mod', /control character/],
    ['/example.com//m/@v/list', /empty path element/],
    ['/example.com/m/@v/', /empty path element/],
    ['//etc/passwd', /empty path element/],
    ['/example.com/m/@v/%c0%ae%c0%ae.mod', /percent-encoding/],
    ['/example.com/m/@v/%zz.mod', /percent-encoding/],
    ['http://example.com/m/@v/list', /not an absolute path/],
    ['*', /not an absolute path/],
    // Module paths and versions by the go command's rules.
    ['/github.com/BurntSushi/toml/@v/list', /invalid escaped module path/],
    ['/github.com/!!burnt/toml/@v/list', /invalid escaped module path/],
    ['/nodot/m/@v/list', /missing dot in first path element/],
    ['/example.com/.hidden/@v/list', /leading dot/],
    ['/example.com/m%252e/@v/list', /invalid char/],
    ['/example.com/m/@v/%2e%2e.mod', /invalid escaped version/],
    ['/example.com/m/@v/v1.0.0!.mod', /invalid escaped version/],
    ['/example.com/m/@v/V1.0.0.mod', /invalid escaped version/],
  ];
  for (const [target, reason] of cases) {
    test(target, () => {
      const parsed = parseProxyRequest(target);
      assert.equal(parsed.kind, 'malformed', JSON.stringify(parsed));
      assert.match(parsed.kind === 'malformed' ? parsed.reason : '', reason);
    });
  }
});
