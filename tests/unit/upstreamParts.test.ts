import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, sleep } from '../../electron/core/upstream/backoff';
import { isImmutableKey, latestKey, listKey, pathEscape, versionFileKey } from '../../electron/core/upstream/proxyKeys';
import { isCanonicalModuleVersion } from '../../shared/gomod/moduleVersion';
import { Semaphore } from '../../electron/core/upstream/semaphore';

describe('proxy keys', () => {
  test('paths and versions are case-escaped as in `go help goproxy`', () => {
    assert.equal(listKey('github.com/BurntSushi/toml'), 'github.com/!burnt!sushi/toml/@v/list');
    assert.equal(latestKey('github.com/Azure/azure-sdk-for-go'), 'github.com/!azure/azure-sdk-for-go/@latest');
    assert.equal(versionFileKey('github.com/BurntSushi/toml', 'v1.2.0', 'zip'), 'github.com/!burnt!sushi/toml/@v/v1.2.0.zip');
    assert.equal(versionFileKey('example.com/m', 'v1.0.0-RC1', 'info'), 'example.com/m/@v/v1.0.0-!r!c1.info');
    assert.equal(versionFileKey('example.com/m', 'master', 'info'), 'example.com/m/@v/master.info');
  });

  test('a malformed module path is refused with the go command message', () => {
    assert.throws(() => listKey('example.com/../x'), /malformed module path "example\.com\/\.\.\/x"/);
    assert.throws(() => versionFileKey('example.com/m', 'v1.0.0/x', 'zip'), /disallowed version string/);
  });

  const canonical: Array<[string, boolean]> = [
    ['v1.2.0', true],
    ['v0.0.0-20240102030405-abcdefabcdef', true],
    ['v2.0.0+incompatible', true],
    ['v1.0.0-rc.1', true],
    ['v1.2', false],
    ['v1', false],
    ['v1.2.0+meta', false],
    ['1.2.0', false],
    ['master', false],
    ['latest', false],
  ];
  for (const [version, expected] of canonical) {
    test(`isCanonicalModuleVersion(${version}) = ${expected}`, () => assert.equal(isCanonicalModuleVersion(version), expected));
  }

  const immutable: Array<[string, boolean]> = [
    ['github.com/!burnt!sushi/toml/@v/v1.2.0.zip', true],
    ['example.com/m/@v/v1.0.0.mod', true],
    ['example.com/m/@v/v1.0.0-!r!c1.info', true],
    ['example.com/m/@v/list', false],
    ['example.com/m/@latest', false],
    ['example.com/m/@v/master.info', false],
    ['example.com/m/@v/v1.0.info', false],
    ['github.com/BurntSushi/toml/@v/v1.2.0.zip', false],
    ['example.com/m/@v/v1.0.0.zip/extra', false],
  ];
  for (const [key, expected] of immutable) {
    test(`isImmutableKey(${key}) = ${expected}`, () => assert.equal(isImmutableKey(key), expected));
  }

  const escapes: Array<[string, string]> = [
    ['github.com/!burnt!sushi/toml/@v/list', 'github.com/%21burnt%21sushi/toml/@v/list'],
    ['example.com/m/@v/v1.0.0+incompatible.zip', 'example.com/m/@v/v1.0.0+incompatible.zip'],
    ['example.com/a~b_c-d.e/@latest', 'example.com/a~b_c-d.e/@latest'],
    ["x/$&:=@,;?#'()* %", "x/$&:=@%2C%3B%3F%23%27%28%29%2A%20%25"],
  ];
  for (const [key, expected] of escapes) {
    test(`pathEscape(${key}) like url.PathEscape`, () => assert.equal(pathEscape(key), expected));
  }
});

describe('backoff', () => {
  test('doubles from the base, with jitter between half and all of it', () => {
    assert.equal(backoffDelay(1, 100, () => 0), 50);
    assert.equal(backoffDelay(1, 100, () => 1), 100);
    assert.equal(backoffDelay(2, 100, () => 1), 200);
    assert.equal(backoffDelay(3, 100, () => 0.5), 300);
  });

  test('is capped at 10 s', () => {
    assert.equal(backoffDelay(30, 250, () => 1), 10_000);
  });

  test('sleep ends early with the abort reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(pending, /stop/);
    assert.ok(Date.now() - started < 1000);
    await assert.rejects(sleep(1, controller.signal), /stop/);
  });
});

describe('Semaphore', () => {
  test('never lets more than the limit through, and serves waiters in order', async () => {
    const semaphore = new Semaphore(2);
    let active = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const release = await semaphore.acquire();
        order.push(i);
        active++;
        most = Math.max(most, active);
        await sleep(5);
        active--;
        release();
        release();
      }),
    );
    assert.equal(most, 2);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test('an aborted waiter leaves the queue without taking a slot', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await assert.rejects(waiting, /cancelled/);
    release();
    const again = await semaphore.acquire();
    again();
  });

  test('a limit below 1 is refused', () => {
    assert.throws(() => new Semaphore(0), /at least 1/);
  });
});
