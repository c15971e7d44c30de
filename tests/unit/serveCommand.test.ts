import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { serveCommand, serveUsage } from '../../electron/cli/commands/serveCommand';
import { UsageError } from '../../electron/cli/usageError';
import { openStore } from '../../electron/core/store/diskStore';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir } from '../support/bundleSources';

let root: string;
let storeDir: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('serve-command'));
  storeDir = path.join(root, 'store');
  openStore(storeDir, { mode: 'write' }).close();
});
after(() => cleanup());

/** Waits until the command has printed a line matching pattern, and returns it. */
async function printed(lines: string[], pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = lines.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`nothing printed matches ${pattern}; printed:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function proxyUrlOf(lines: string[]): Promise<string> {
  return (await printed(lines, /^ {2}export GOPROXY=/)).replace(/^ {2}export GOPROXY=/, '');
}

describe('modferry serve', () => {
  test('serves the store, prints the environment to paste, logs requests and stops when asked', async () => {
    const output = captureOutput();
    const stop = new AbortController();
    const running = serveCommand(['--store', storeDir, '--listen', '127.0.0.1:0'], output, {
      stop: stop.signal,
      platform: 'linux',
      env: { GOPRIVATE: 'corp.example.com' },
    });
    const url = await proxyUrlOf(output.stdout);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/example.com/missing/@v/list`)).status, 404);
    await printed(output.stdout, /GET \/example\.com\/missing\/@v\/list 404 \d+B \d+ms$/);
    stop.abort();
    assert.equal(await running, 0);

    const text = output.stdout.join('\n');
    assert.ok(output.stdout[0]?.startsWith(`modferry serve: ${storeDir} (0 modules, 0 versions, 0 bytes)`), text);
    for (const line of ['  export GOSUMDB=off', '  export GOFLAGS=-mod=mod', '  export GONOPROXY=none']) assert.ok(output.stdout.includes(line), text);
    assert.match(text, /GOSUMDB +the checksum database .* unreachable offline/);
    assert.match(text, /GONOPROXY +GOPRIVATE would send matching modules straight to their origin, which is unreachable offline/);
    assert.match(output.stdout.at(-1) ?? '', /stopped after 2 request\(s\), 1 recorded as misses$/);
    assert.deepEqual(output.stderr, []);
    await assert.rejects(fetch(`${url}/healthz`), 'the server is closed');
  });

  test('without GOPRIVATE there is no GONOPROXY line; on Windows the lines are PowerShell', async () => {
    const output = captureOutput();
    const stop = new AbortController();
    const running = serveCommand(['--store', storeDir, '--listen', '127.0.0.1:0'], output, { stop: stop.signal, platform: 'win32', env: {} });
    await printed(output.stdout, /^Stop with Ctrl\+C\.$/);
    stop.abort();
    assert.equal(await running, 0);
    assert.ok(output.stdout.some((l) => /^ {2}\$env:GOPROXY = "http:\/\/127\.0\.0\.1:\d+"$/.test(l)), output.stdout.join('\n'));
    assert.ok(output.stdout.includes('  $env:GOSUMDB = "off"'));
    assert.ok(!output.stdout.some((l) => l.includes('GONOPROXY')));
  });

  test('SIGTERM stops it and leaves no signal handler behind', async () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    const output = captureOutput();
    const running = serveCommand(['--store', storeDir, '--listen', '127.0.0.1:0'], output, { env: {} });
    await proxyUrlOf(output.stdout);
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(await running, 0);
    assert.match(output.stdout.join('\n'), /modferry serve: SIGTERM: stopping/);
    assert.deepEqual({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }, before);
  });

  test('0.0.0.0 serves every interface and GOPROXY names an address other machines can use', async () => {
    const output = captureOutput();
    const stop = new AbortController();
    const running = serveCommand(['--store', storeDir, '--listen', '0.0.0.0:0'], output, { stop: stop.signal, env: {}, platform: 'linux' });
    const url = await proxyUrlOf(output.stdout);
    assert.doesNotMatch(url, /0\.0\.0\.0/);
    assert.match(await printed(output.stdout, /^Serving the GOPROXY protocol on /), /on every interface \(.*http:\/\/127\.0\.0\.1:\d+\)$/);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    stop.abort();
    assert.equal(await running, 0);
  });

  test('a port in use is one clear error', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await assert.rejects(serveCommand(['--store', storeDir, '--listen', `127.0.0.1:${port}`], captureOutput()), {
        message: `cannot listen on 127.0.0.1:${port}: the port is in use (stop the other server, or pick another with --listen HOST:PORT)`,
      });
    } finally {
      blocker.close();
    }
  });

  test('a store folder that holds no store is refused, not created', async () => {
    const missing = path.join(root, 'no-store-here');
    await assert.rejects(serveCommand(['--store', missing], captureOutput()), /no-store-here: no store there/);
  });

  test('a bad --listen is a usage error', async () => {
    await assert.rejects(serveCommand(['--store', storeDir, '--listen', 'localhost'], captureOutput()), (error: Error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /^--listen: listen address "localhost" is not HOST:PORT/);
      return true;
    });
  });

  test('an unknown option or an argument is refused by parseArgs', async () => {
    await assert.rejects(serveCommand(['--port', '3000'], captureOutput()), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
    await assert.rejects(serveCommand(['somewhere'], captureOutput()), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' });
  });

  test('the usage names the options and the loopback default', () => {
    assert.match(serveUsage, /^modferry serve \[--store DIR\] \[--listen HOST:PORT\]/);
    assert.match(serveUsage, /default 127\.0\.0\.1:3000, this machine only/);
  });
});
