import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { errorKind } from '../../electron/core/errors/modferryError';
import { GoproxyError } from '../../shared/goproxy/proxyList';
import { NoUpstreamError, upstreamProxyList } from '../../electron/core/upstream/upstreamDefault';
import { makeTempDir } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';

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

test('modferry export without an upstream is a usage mistake, before any work', async () => {
  const saved = process.env.GOPROXY;
  const { dir, cleanup } = await makeTempDir('no-upstream');
  try {
    for (const [value, message] of [
      [undefined, 'modferry export: no upstream: give --upstream URL or set GOPROXY (see modferry export --help)'],
      ['off', 'modferry export: no upstream: give --upstream URL or set GOPROXY to a proxy (it is off) (see modferry export --help)'],
    ] as const) {
      if (value === undefined) delete process.env.GOPROXY;
      else process.env.GOPROXY = value;
      const output = captureOutput();
      assert.equal(await runCli(['export', '--module', 'example.com/a@v1.0.0', '--out', path.join(dir, 'out')], output), 2);
      assert.deepEqual(output.stderr, [message]);
    }
    assert.deepEqual(await readdir(dir), []);
  } finally {
    if (saved === undefined) delete process.env.GOPROXY;
    else process.env.GOPROXY = saved;
    await cleanup();
  }
});
