import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorKind } from '../../electron/core/errors/modferryError';
import { GoproxyError } from '../../electron/core/upstream/proxyList';
import { NoUpstreamError, upstreamProxyList } from '../../electron/core/upstream/upstreamDefault';

test('the upstream is the list given, else GOPROXY; unset, empty, off and direct alone are typed refusals', () => {
  assert.equal(upstreamProxyList('http://127.0.0.1:9/a', { GOPROXY: 'http://127.0.0.1:9/b' }), 'http://127.0.0.1:9/a');
  assert.equal(upstreamProxyList(undefined, { GOPROXY: 'http://127.0.0.1:9/b,direct' }), 'http://127.0.0.1:9/b,direct');
  for (const [given, env, setting] of [
    [undefined, {}, 'unset'],
    [undefined, { GOPROXY: ' ' }, 'unset'],
    ['', { GOPROXY: 'http://127.0.0.1:9/b' }, 'unset'],
    [undefined, { GOPROXY: 'off' }, 'off'],
    [undefined, { GOPROXY: 'off,http://127.0.0.1:9/b' }, 'off'],
  ] as const) {
    assert.throws(() => upstreamProxyList(given, env), (error: unknown) => {
      assert.ok(error instanceof NoUpstreamError, String(error));
      assert.equal(error.setting, setting);
      assert.equal(errorKind(error), 'input');
      return true;
    });
  }
  assert.throws(() => upstreamProxyList(undefined, { GOPROXY: 'direct' }), (error: unknown) => error instanceof GoproxyError && errorKind(error) === 'input');
});
