import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { goClientEnvironment, shellAssignment } from '../../electron/core/serve/goClientEnvironment';
import { etagMatches } from '../../electron/core/serve/httpReplies';
import { isWildcardHost, parseListenAddress, urlHost } from '../../electron/core/serve/listenAddress';
import { isLoopbackHostHeader, isLoopbackName } from '../../electron/core/serve/loopbackHost';
import { requestLogLine, timestamped } from '../../electron/core/serve/requestLogLine';

describe('parseListenAddress', () => {
  const good: Array<[string, { host: string; port: number }]> = [
    ['127.0.0.1:3000', { host: '127.0.0.1', port: 3000 }],
    ['0.0.0.0:8080', { host: '0.0.0.0', port: 8080 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
    ['proxy.lan:65535', { host: 'proxy.lan', port: 65535 }],
    ['[::1]:3000', { host: '::1', port: 3000 }],
    ['[::]:3000', { host: '::', port: 3000 }],
    ['4000', { host: '127.0.0.1', port: 4000 }],
  ];
  for (const [text, expected] of good) test(text, () => assert.deepEqual(parseListenAddress(text), expected));

  const bad: Array<[string, RegExp]> = [
    ['127.0.0.1', /is not HOST:PORT/],
    [':3000', /is not HOST:PORT/],
    ['::1:3000', /is not HOST:PORT/],
    ['127.0.0.1:', /is not HOST:PORT/],
    ['127.0.0.1:http', /is not HOST:PORT/],
    ['127.0.0.1:65536', /port 65536 is not between 0 and 65535/],
    ['99999', /port 99999 is not between 0 and 65535/],
    ['[127.0.0.1]:3000', /is not an IPv6 address/],
    ['exa mple:3000', /is not a host name or IPv4 address/],
    ['http://127.0.0.1:3000', /is not HOST:PORT/],
  ];
  for (const [text, message] of bad) test(`${text} is refused`, () => assert.throws(() => parseListenAddress(text), message));

  test('IPv6 hosts go in brackets in a URL', () => {
    assert.equal(urlHost('::1'), '[::1]');
    assert.equal(urlHost('127.0.0.1'), '127.0.0.1');
    assert.equal(urlHost('localhost'), 'localhost');
  });

  test('wildcard hosts', () => {
    assert.deepEqual(['0.0.0.0', '::', '127.0.0.1', '::1'].map(isWildcardHost), [true, true, false, false]);
  });
});

describe('goClientEnvironment', () => {
  const values = (env: NodeJS.ProcessEnv): Record<string, string> =>
    Object.fromEntries(goClientEnvironment('http://127.0.0.1:3000', env).map((s) => [s.name, s.value]));

  test('the proxy, no checksum database, -mod=mod', () => {
    assert.deepEqual(values({}), { GOPROXY: 'http://127.0.0.1:3000', GOSUMDB: 'off', GOFLAGS: '-mod=mod' });
  });

  test('GOPRIVATE or GONOPROXY would bypass the proxy: GONOPROXY=none, saying which', () => {
    for (const env of [{ GOPRIVATE: 'corp.example.com' }, { GONOPROXY: 'corp.example.com/*' }, { GOPRIVATE: 'a.example', GONOPROXY: 'b.example' }]) {
      const settings = goClientEnvironment('http://127.0.0.1:3000', env);
      const gonoproxy = settings.find((s) => s.name === 'GONOPROXY');
      assert.equal(gonoproxy?.value, 'none', JSON.stringify(env));
      for (const name of Object.keys(env)) assert.ok(gonoproxy?.why.includes(name), gonoproxy?.why);
      assert.match(gonoproxy?.why ?? '', /unreachable offline/);
    }
    assert.equal(values({ GOPRIVATE: '' }).GONOPROXY, undefined);
    assert.equal(values({ GONOPROXY: 'none' }).GONOPROXY, undefined);
  });

  test('other GOFLAGS are kept, any other -mod replaced', () => {
    assert.equal(values({ GOFLAGS: '-trimpath -mod=vendor' }).GOFLAGS, '-trimpath -mod=mod');
    assert.equal(values({ GOFLAGS: '  --mod=readonly   -v ' }).GOFLAGS, '-v -mod=mod');
  });

  test('each setting says why', () => {
    for (const setting of goClientEnvironment('http://127.0.0.1:3000', { GOPRIVATE: 'x' })) assert.ok(setting.why.length > 10, setting.name);
    const gosumdb = goClientEnvironment('http://127.0.0.1:3000', {}).find((s) => s.name === 'GOSUMDB');
    assert.match(gosumdb?.why ?? '', /checksum database.*unreachable offline/);
  });
});

describe('shellAssignment', () => {
  const cases: Array<[string, NodeJS.Platform, string]> = [
    ['http://127.0.0.1:3000', 'linux', 'export GOPROXY=http://127.0.0.1:3000'],
    ['http://[::1]:3000', 'darwin', "export GOPROXY='http://[::1]:3000'"],
    ['-trimpath -mod=mod', 'linux', "export GOPROXY='-trimpath -mod=mod'"],
    ["it's", 'linux', `export GOPROXY='it'\\''s'`],
    ['http://127.0.0.1:3000', 'win32', '$env:GOPROXY = "http://127.0.0.1:3000"'],
    ['a"b$c`d', 'win32', '$env:GOPROXY = "a`"b`$c``d"'],
  ];
  for (const [value, platform, expected] of cases) {
    test(`${platform}: ${value}`, () => assert.equal(shellAssignment({ name: 'GOPROXY', value }, platform), expected));
  }
});

describe('requestLogLine', () => {
  test('method, target, status, bytes, milliseconds', () => {
    assert.equal(
      requestLogLine({ method: 'GET', target: '/github.com/!burnt!sushi/toml/@v/list', status: 200, bytes: 42, ms: 3.4 }),
      'GET /github.com/!burnt!sushi/toml/@v/list 200 42B 3ms',
    );
  });

  test('a note goes in parentheses, on the same line', () => {
    assert.equal(requestLogLine({ method: 'GET', target: '/x', status: 500, bytes: 0, ms: 1, note: 'disk\nfailed' }), 'GET /x 500 0B 1ms (disk failed)');
  });

  test('client input cannot break or forge a line', () => {
    const line = requestLogLine({ method: 'GET', target: '/a b\r\nGET /forged 200 0B 0ms\u0000é', status: 400, bytes: 0, ms: 0 });
    assert.equal(line, 'GET /a%20b%0D%0AGET%20/forged%20200%200B%200ms%00%E9 400 0B 0ms');
  });

  test('a long target is cut', () => {
    const line = requestLogLine({ method: 'GET', target: `/${'a'.repeat(5000)}`, status: 404, bytes: 0, ms: 0 });
    assert.ok(line.length < 400, String(line.length));
    assert.match(line, /\.\.\. 404 0B 0ms$/);
  });
});

describe('etagMatches (If-None-Match, weak comparison)', () => {
  const etag = '"abc"';
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, false],
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x","abc"', true],
    ['*', true],
    ['"abcd"', false],
    ['abc', false],
    ['', false],
  ];
  for (const [header, expected] of cases) test(`${String(header)} → ${expected}`, () => assert.equal(etagMatches(header, etag), expected));
});

describe('timestamped', () => {
  test('prefixes the line with the time in UTC, to the millisecond', () => {
    const at = Date.parse('2026-11-25T10:20:30.456Z');
    assert.equal(timestamped('GET / 200 3B 0ms', at), '2026-11-25T10:20:30.456Z GET / 200 3B 0ms');
    assert.equal(timestamped('next', at), '2026-11-25T10:20:30.456Z next');
    assert.equal(timestamped('later', at + 1), '2026-11-25T10:20:30.457Z later');
    assert.equal(timestamped('earlier', at - 60_000), '2026-11-25T10:19:30.456Z earlier');
  });
});

describe('loopback names and Host headers', () => {
  const names: Array<[string, boolean]> = [
    ['localhost', true],
    ['LocalHost.', true],
    ['modproxy.localhost', true],
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['localhost.example', false],
    ['notlocalhost', false],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['::2', false],
    ['127.0.0.1.nip.io', false],
  ];
  for (const [name, expected] of names) test(`name ${name} → ${expected}`, () => assert.equal(isLoopbackName(name), expected));

  const headers: Array<[string | undefined, boolean]> = [
    [undefined, true],
    ['127.0.0.1:3000', true],
    ['localhost', true],
    ['[::1]:3000', true],
    ['[::1]', true],
    ['::1', false],
    ['evil.example:3000', false],
    ['127.0.0.1:3000, evil.example', false],
    ['127.0.0.1:abc', false],
    ['', false],
  ];
  for (const [header, expected] of headers) test(`Host ${JSON.stringify(header)} → ${expected}`, () => assert.equal(isLoopbackHostHeader(header), expected));
});
