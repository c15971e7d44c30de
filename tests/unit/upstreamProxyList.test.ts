import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_GOPROXY, GoproxyError, parseGoproxy, redactUrl, type ProxyEntry } from '../../shared/goproxy/proxyList';

/** Entries as short strings: `https://a ,` (falls back only on not-found) or `https://a |` (on any error), `off`, `direct`. */
function summary(value: string): string[] {
  return parseGoproxy(value).entries.map((e: ProxyEntry) => (e.kind === 'proxy' ? `${e.base} ${e.fallBackOnError ? '|' : ','}` : e.kind));
}

function directReason(value: string): string {
  const last = parseGoproxy(value).entries.at(-1);
  assert.ok(last?.kind === 'direct');
  return last.reason;
}

describe('parseGoproxy: lists as the go command reads them', () => {
  const cases: Array<[string, string[]]> = [
    ['https://proxy.golang.org', ['https://proxy.golang.org ,']],
    ['https://a,https://b', ['https://a ,', 'https://b ,']],
    ['https://a|https://b', ['https://a |', 'https://b ,']],
    ['https://a|https://b,https://c|https://d', ['https://a |', 'https://b ,', 'https://c |', 'https://d ,']],
    // The separator after an entry decides; a trailing one changes nothing for the last entry but `|`.
    ['https://a|', ['https://a |']],
    ['https://a,', ['https://a ,']],
    // Blanks around entries are trimmed, empty entries skipped.
    ['  https://a , ,| https://b  ', ['https://a ,', 'https://b ,']],
    ['https://a,,https://b', ['https://a ,', 'https://b ,']],
    // `off` ends the list; what follows is ignored, never validated.
    ['off', ['off']],
    ['https://a,off', ['https://a ,', 'off']],
    ['https://a|off,ftp://ignored', ['https://a |', 'off']],
    // A bare host (with `.`, `:` or `/`, not a URL, not an absolute path) means https.
    ['proxy.example.com', ['https://proxy.example.com ,']],
    ['localhost:3000', ['https://localhost:3000 ,']],
    ['goproxy.example/sub/', ['https://goproxy.example/sub ,']],
    // Trailing slashes are dropped, paths kept; scheme case does not matter.
    ['https://goproxy.example/a/b/', ['https://goproxy.example/a/b ,']],
    ['HTTPS://Proxy.Example', ['https://proxy.example ,']],
    ['http://127.0.0.1:8080', ['http://127.0.0.1:8080 ,']],
    ['file:///srv/goproxy', ['file:///srv/goproxy ,']],
    ['file:///srv/goproxy/', ['file:///srv/goproxy ,']],
    ['file:///C:/goproxy', ['file:///C:/goproxy ,']],
    ['file:///srv/goproxy|https://b', ['file:///srv/goproxy |', 'https://b ,']],
  ];
  for (const [value, expected] of cases) {
    test(JSON.stringify(value), () => assert.deepEqual(summary(value), expected));
  }

  test('an empty value is the go command default, whose direct ends the list and says why it cannot be used', () => {
    assert.deepEqual(summary(''), ['https://proxy.golang.org ,', 'direct']);
    assert.equal(DEFAULT_GOPROXY, 'https://proxy.golang.org,direct');
    assert.equal(
      directReason(''),
      'GOPROXY ends in direct, which an export cannot use: modules not on https://proxy.golang.org cannot be fetched from version control',
    );
  });

  test('credentials in a URL are kept apart from the base and hidden from messages', () => {
    const [entry] = parseGoproxy('https://user:s%40cret@goproxy.example/x').entries;
    assert.ok(entry?.kind === 'proxy');
    assert.equal(entry.base, 'https://goproxy.example/x');
    assert.deepEqual(entry.userInfo, { login: 'user', password: 's@cret' });
    assert.equal(entry.scheme, 'https');
  });
});

describe('parseGoproxy: direct', () => {
  test('after proxies: kept as the end of the list, its reason naming them; entries after it ignored as the go command ignores them', () => {
    assert.deepEqual(summary('https://a,https://b,direct,https://c'), ['https://a ,', 'https://b ,', 'direct']);
    const reason = directReason('https://a,https://b,direct,https://c');
    assert.match(reason, /^GOPROXY ends in direct, which an export cannot use: modules not on https:\/\/a or https:\/\/b cannot be fetched/);
    assert.match(reason, /entries after it \(https:\/\/c\) are ignored/);
  });

  test('alone or first: an error saying what to set', () => {
    for (const value of ['direct', ' direct ', 'direct,https://a', ',direct']) {
      assert.throws(() => parseGoproxy(value), (err: Error) => {
        assert.ok(err instanceof GoproxyError);
        assert.match(err.message, /"direct" is not supported/);
        assert.match(err.message, /set GOPROXY to a proxy URL, e\.g\. https:\/\/proxy\.golang\.org/);
        return true;
      });
    }
    assert.throws(() => parseGoproxy('direct,https://a'), /entries after it \(https:\/\/a\) are ignored/);
  });

});

describe('parseGoproxy: errors name the value and the entry, in the go command words', () => {
  const cases: Array<[string, RegExp]> = [
    [',', /GOPROXY=,: the list is not the empty string, but contains no entries/],
    [' ', /contains no entries/],
    [' , | ', /contains no entries/],
    ['ftp://x', /entry 1 "ftp:\/\/x": invalid proxy URL scheme \(must be https, http, file\)/],
    ['https://a,proxy', /entry 2 "proxy": invalid proxy URL missing scheme$/],
    ['noproxy', /invalid proxy URL missing scheme/],
    ['/srv/goproxy', /missing scheme \(write a directory as a file URL, e\.g\. file:\/\/\/srv\/goproxy\)/],
    ['C:\\goproxy', /missing scheme \(write a directory as a file URL, e\.g\. file:\/\/\/C:\/goproxy\)/],
    ['file://host/x', /invalid file:\/\/ proxy URL with non-path elements/],
    ['file:/abs', /invalid file:\/\/ proxy URL with non-path elements/],
    ['file:///tmp/x?y', /invalid file:\/\/ proxy URL with non-path elements/],
    ['file:///tmp/x#y', /invalid file:\/\/ proxy URL with non-path elements/],
    ['https://a b', /invalid proxy URL$/],
    ['https://a/?token=1', /cannot have a query/],
    ['file:rel', /entry 1 "file:rel": invalid proxy URL/],
  ];
  for (const [value, message] of cases) {
    test(JSON.stringify(value), () => {
      assert.throws(() => parseGoproxy(value), (err: Error) => err instanceof GoproxyError && message.test(err.message));
    });
  }

  test('a bad entry after off or direct is never looked at', () => {
    assert.doesNotThrow(() => parseGoproxy('off,ftp://x'));
    assert.doesNotThrow(() => parseGoproxy('https://a,direct,ftp://x'));
  });

  test('passwords never appear in messages', () => {
    assert.throws(() => parseGoproxy('https://u:hunter2@a,ftp://u:hunter2@b'), (err: Error) => !err.message.includes('hunter2') && err.message.includes('u:xxxxx@'));
  });
});

describe('redactUrl', () => {
  const cases: Array<[string, string]> = [
    ['https://u:p@host/x', 'https://u:xxxxx@host/x'],
    ['https://u@host/x', 'https://u@host/x'],
    ['https://host/x', 'https://host/x'],
    ['https://u:p@a,https://v:q@b', 'https://u:xxxxx@a,https://v:xxxxx@b'],
  ];
  for (const [input, expected] of cases) test(input, () => assert.equal(redactUrl(input), expected));
});
