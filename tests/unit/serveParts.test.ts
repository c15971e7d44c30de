import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { goClientEnvironment, proofCoverage, shellAssignment } from '../../electron/core/serve/goClientEnvironment';
import {
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_CONNECTIONS_PER_CLIENT,
  REQUEST_TIMEOUT_MS,
  connectionLimits,
  processOpenFileLimit,
} from '../../electron/core/serve/connectionLimits';
import { decideAnswer, etagMatches, parseRange } from '../../electron/core/serve/httpConditions';
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

describe('goClientEnvironment with checksum-database proofs in the store', () => {
  const url = 'http://127.0.0.1:3000';
  const covering = { databases: [{ name: 'sum.golang.org', size: 4242 }], withProof: 12, withoutProof: 0, firstWithout: [] };
  const names = (env: NodeJS.ProcessEnv, proofs: Parameters<typeof goClientEnvironment>[2]): string[] => goClientEnvironment(url, env, proofs).map((s) => s.name);

  test('proofs for every version, of the database the go command checks against: GOPROXY alone', () => {
    assert.deepEqual(names({}, covering), ['GOPROXY']);
    assert.deepEqual(names({ GOSUMDB: 'sum.test+750a8375+AQ' }, { ...covering, databases: [{ name: 'sum.test', size: 3 }] }), ['GOPROXY']);
    assert.match(goClientEnvironment(url, {}, covering)[0]?.why ?? '', /sum\.golang\.org proofs/);
  });

  test('a bypass is still overridden: GONOPROXY is not about the checksum database', () => {
    assert.deepEqual(names({ GOPRIVATE: 'corp.example' }, covering), ['GOPROXY', 'GONOPROXY']);
  });

  test('versions without proofs: today\'s advice, naming how many and the first of them', () => {
    const some = { ...covering, withProof: 10, withoutProof: 7, firstWithout: ['example.com/a@v1.0.0', 'example.com/b@v0.1.0'] };
    const settings = goClientEnvironment(url, {}, some);
    assert.deepEqual(settings.map((s) => s.name), ['GOPROXY', 'GOSUMDB', 'GOFLAGS']);
    assert.match(settings[1]?.why ?? '', /7 module version\(s\) in the store have no proof from it \(example\.com\/a@v1\.0\.0, example\.com\/b@v0\.1\.0, …\)/);
  });

  test('versions without proofs but every toolchain proven: GONOSUMDB=*, not GOSUMDB=off, which stops Go 1.21+ downloading toolchains', () => {
    const some = { ...covering, withProof: 10, withoutProof: 7, firstWithout: ['example.com/a@v1.0.0'] };
    const settings = goClientEnvironment(url, {}, some, ['sum.golang.org']);
    assert.deepEqual(settings.map((s) => [s.name, s.value]), [['GOPROXY', url], ['GONOSUMDB', '*'], ['GOFLAGS', '-mod=mod']]);
    assert.match(settings[1]?.why ?? '', /7 module version\(s\) in the store have no proof from it .*Go toolchains are still checked against the sum\.golang\.org proofs/);
    assert.deepEqual(names({ GOSUMDB: 'sum.test+750a8375+AQ' }, some).slice(1, 2), ['GOSUMDB'], 'toolchains proven by no database GOSUMDB names');
    assert.deepEqual(goClientEnvironment(url, { GOSUMDB: 'sum.test+750a8375+AQ' }, some, ['sum.golang.org']).map((s) => s.name), ['GOPROXY', 'GOSUMDB', 'GOFLAGS']);
    assert.deepEqual(goClientEnvironment(url, {}, covering, ['sum.golang.org']).map((s) => s.name), ['GOPROXY'], 'all proven: GOPROXY alone still');
  });

  test('proofs of another database than GOSUMDB names, or GOSUMDB=off: today\'s advice', () => {
    const other = { ...covering, databases: [{ name: 'sum.test', size: 3 }] };
    const settings = goClientEnvironment(url, {}, other);
    assert.deepEqual(settings.map((s) => s.name), ['GOPROXY', 'GOSUMDB', 'GOFLAGS']);
    assert.match(settings[1]?.why ?? '', /sum\.golang\.org.*the store holds proofs of sum\.test only/);
    assert.deepEqual(names({ GOSUMDB: 'off' }, covering), ['GOPROXY', 'GOSUMDB', 'GOFLAGS']);
  });

  test('proofCoverage, for a screen to word, says what the lines above decided', () => {
    assert.deepEqual(proofCoverage({}, covering), { database: 'sum.golang.org', proven: true, toolchainsProven: false });
    assert.deepEqual(proofCoverage({ GOSUMDB: 'sum.test+750a8375+AQ' }, covering), { database: 'sum.test', proven: false, toolchainsProven: false });
    assert.deepEqual(proofCoverage({}, { ...covering, withoutProof: 1, firstWithout: ['example.com/a@v1.0.0'] }), { database: 'sum.golang.org', proven: false, toolchainsProven: false });
    // Every toolchain served has its record though a module lacks one: GONOSUMDB=* rather than GOSUMDB=off.
    assert.deepEqual(proofCoverage({}, { ...covering, withoutProof: 1, firstWithout: ['example.com/a@v1.0.0'] }, ['sum.golang.org']), { database: 'sum.golang.org', proven: false, toolchainsProven: true });
    assert.deepEqual(proofCoverage({}, covering, ['sum.golang.org']), { database: 'sum.golang.org', proven: true, toolchainsProven: false });
    assert.deepEqual(proofCoverage({ GOSUMDB: 'off' }, covering, ['sum.golang.org']), { database: null, proven: false, toolchainsProven: false });
    assert.deepEqual(proofCoverage({}), { database: 'sum.golang.org', proven: false, toolchainsProven: false });
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

describe('parseRange', () => {
  const size = 100;
  const cases: Array<[string, ReturnType<typeof parseRange>]> = [
    ['bytes=0-9', { kind: 'range', first: 0, last: 9 }],
    ['bytes=90-', { kind: 'range', first: 90, last: 99 }],
    ['bytes=-10', { kind: 'range', first: 90, last: 99 }],
    ['bytes=-1000', { kind: 'range', first: 0, last: 99 }],
    ['bytes=50-5000', { kind: 'range', first: 50, last: 99 }],
    ['BYTES = 1 - 2', { kind: 'range', first: 1, last: 2 }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=100-200', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=5-4', { kind: 'whole' }],
    ['bytes=0-1,3-4', { kind: 'whole' }],
    ['bytes=-', { kind: 'whole' }],
    ['bytes=x-1', { kind: 'whole' }],
    ['lines=1-2', { kind: 'whole' }],
  ];
  for (const [header, expected] of cases) test(header, () => assert.deepEqual(parseRange(header, size), expected));

  test('any range of an empty file is unsatisfiable', () => {
    assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-5', 0), { kind: 'unsatisfiable' });
  });
});

describe('decideAnswer', () => {
  const validators = { etag: '"abc"', lastModified: { seconds: Date.parse('2024-01-02T03:04:05Z') / 1000, text: 'Tue, 02 Jan 2024 03:04:05 GMT' } };
  const cases: Array<[string, Parameters<typeof decideAnswer>[0], ReturnType<typeof decideAnswer>]> = [
    ['no conditions', undefined, { kind: 'whole' }],
    ['If-None-Match matching', { ifNoneMatch: '"abc"' }, { kind: 'not-modified' }],
    ['If-None-Match not matching, with a later If-Modified-Since', { ifNoneMatch: '"x"', ifModifiedSince: 'Wed, 03 Jan 2024 00:00:00 GMT' }, { kind: 'whole' }],
    ['If-Modified-Since the same second', { ifModifiedSince: validators.lastModified.text }, { kind: 'not-modified' }],
    ['If-Modified-Since a second before', { ifModifiedSince: 'Tue, 02 Jan 2024 03:04:04 GMT' }, { kind: 'whole' }],
    ['If-Modified-Since not a date', { ifModifiedSince: 'soon' }, { kind: 'whole' }],
    ['Range', { range: 'bytes=1-2' }, { kind: 'range', first: 1, last: 2 }],
    ['Range with If-Range the ETag', { range: 'bytes=1-2', ifRange: '"abc"' }, { kind: 'range', first: 1, last: 2 }],
    ['Range with If-Range the weak ETag', { range: 'bytes=1-2', ifRange: 'W/"abc"' }, { kind: 'whole' }],
    ['Range with If-Range the date', { range: 'bytes=1-2', ifRange: validators.lastModified.text }, { kind: 'range', first: 1, last: 2 }],
    ['Range with If-Range another date', { range: 'bytes=1-2', ifRange: 'Tue, 02 Jan 2024 03:04:06 GMT' }, { kind: 'whole' }],
    ['Range with a matching If-None-Match', { range: 'bytes=1-2', ifNoneMatch: '*' }, { kind: 'not-modified' }],
  ];
  for (const [name, conditions, expected] of cases) test(name, () => assert.deepEqual(decideAnswer(conditions, validators, 10), expected));
});

describe('connectionLimits', () => {
  test('the defaults, where open files are plenty', () => {
    assert.deepEqual(connectionLimits({}, 1_048_576), {
      maxConnections: MAX_CONNECTIONS,
      maxConnectionsPerClient: MAX_CONNECTIONS_PER_CLIENT,
      headersTimeoutMs: HEADERS_TIMEOUT_MS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    });
  });

  test('under a low limit of open files, two descriptors a connection and a reserve', () => {
    assert.equal(connectionLimits({}, 1024).maxConnections, 480);
    assert.equal(connectionLimits({ maxConnections: 100 }, 1024).maxConnections, 100);
  });

  test('the request timeout is never below the header timeout (Node refuses that)', () => {
    assert.equal(connectionLimits({ headersTimeoutMs: 60_000 }, undefined).requestTimeoutMs, 60_000);
  });

  test('this process\'s limit of open files is read where the system tells it (Linux)', () => {
    const limit = processOpenFileLimit();
    if (process.platform === 'linux') assert.ok(limit !== undefined && limit > 0, String(limit));
    else assert.equal(limit, undefined);
  });
});
