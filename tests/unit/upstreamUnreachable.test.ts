import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { UnreachableError, createUpstreamClient, type UpstreamClient, type UpstreamClientOptions } from '../../electron/core/upstream/upstreamClient';
import { captureOutput } from '../support/captureOutput';
import { startFixtureUpstream } from '../support/fixtureUpstream';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

const MODULES = Array.from({ length: 12 }, (_, i) => `example.com/m${i}`);

let work: string;
const cleanups: Array<() => Promise<void> | void> = [];

/** Counts TCP client sockets this process opens while the test runs: the connection attempts. */
let sockets = 0;
const countSocket = (): void => {
  sockets++;
};

beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'modferry-unreachable-'));
  sockets = 0;
  diagnosticsChannel.subscribe('net.client.socket', countSocket);
});

afterEach(async () => {
  diagnosticsChannel.unsubscribe('net.client.socket', countSocket);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(work, { recursive: true, force: true });
});

/** A loopback port nothing listens on: bound once, then let go. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function client(goproxy: string, options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  const created = createUpstreamClient({
    goproxy,
    cacheDir: path.join(work, 'cache'),
    retryBaseDelayMs: 5,
    timeoutMs: 5000,
    netrcFile: path.join(work, 'no-netrc'),
    ...options,
  });
  cleanups.push(() => created.close());
  return created;
}

/** Asks for the version lists and go.mod files of many modules at once, as the resolver does. */
async function askMany(c: UpstreamClient): Promise<unknown[]> {
  const settled = await Promise.allSettled(MODULES.flatMap((m) => [c.list(m), c.fetch(m, 'v1.0.0', 'mod')]));
  return settled.map((s) => (s.status === 'rejected' ? s.reason : s.value));
}

describe('an upstream that cannot be reached', () => {
  test('a refused connection is one error naming the URL and reason, after one connection attempt', async () => {
    const port = await closedPort();
    const errors = await askMany(client(`http://127.0.0.1:${port}/sub`, { concurrency: 16, retries: 3 }));
    const [first] = errors;
    assert.ok(first instanceof UnreachableError, String(first));
    assert.equal(first.message, `cannot reach http://127.0.0.1:${port} (connection refused)`);
    assert.deepEqual([first.url, first.host, first.reason, first.code], [`http://127.0.0.1:${port}`, '127.0.0.1', 'connection refused', 'ECONNREFUSED']);
    for (const err of errors) assert.equal(err, first);
    assert.equal(sockets, 1);
  });

  test('a name that does not resolve is one error, after one attempt, with no retries', async () => {
    const errors = await askMany(client('http://nonexistent.invalid', { concurrency: 16, retries: 3, retryBaseDelayMs: 60_000 }));
    const [first] = errors;
    assert.ok(first instanceof UnreachableError, String(first));
    assert.equal(first.message, 'cannot reach http://nonexistent.invalid (no such host)');
    for (const err of errors) assert.equal(err, first);
    assert.equal(sockets, 1);
  });

  test('after "|" the next proxy is asked; the unreachable one is not tried again', async () => {
    const port = await closedPort();
    const tree = path.join(work, 'tree');
    await mkdir(path.join(tree, 'example.com', 'm0', '@v'), { recursive: true });
    await writeFile(path.join(tree, 'example.com', 'm0', '@v', 'list'), 'v1.0.0\n');
    const c = client(`http://127.0.0.1:${port}|file://${tree}`);
    assert.deepEqual(await c.list('example.com/m0'), ['v1.0.0']);
    assert.deepEqual(await c.list('example.com/m0'), ['v1.0.0']);
    assert.equal(sockets, 1);
  });

  test('an export against it fails with that one line, and no module list', async () => {
    const port = await closedPort();
    const project = path.join(work, 'project');
    await mkdir(project);
    const requires = MODULES.map((m) => `\t${m} v1.0.0\n`).join('');
    await writeFile(path.join(project, 'go.mod'), `module example.com/app\n\ngo 1.19\n\nrequire (\n${requires})\n`);
    await writeFile(path.join(project, 'main.go'), 'package main\n\nfunc main() {}\n');
    const out = path.join(work, 'out');
    await mkdir(out);
    const savedHome = process.env.MODFERRY_HOME;
    process.env.MODFERRY_HOME = path.join(work, 'home');
    cleanups.push(() => {
      if (savedHome === undefined) delete process.env.MODFERRY_HOME;
      else process.env.MODFERRY_HOME = savedHome;
    });
    const output = captureOutput();
    const code = await runCli(['export', '--upstream', `http://127.0.0.1:${port}`, '--project', project, '--out', out, '--no-check'], output);
    assert.equal(code, 1);
    // Progress lines and warnings about the test's own project and folders (no go.sum, not a removable drive) are not what is tested here.
    const incidental = /^\[\w+\] |^warning: /;
    assert.deepEqual(output.stderr.filter((line) => !incidental.test(line)), [`modferry export: cannot reach http://127.0.0.1:${port} (connection refused)`]);
    assert.equal(sockets, 1);
  });
});

describe('an upstream that can be reached', () => {
  test('the other requests go once the first connection is accepted, without waiting for its answer', async () => {
    const tree = path.join(work, 'tree');
    for (const m of ['slow', 'quick']) {
      await mkdir(path.join(tree, 'example.com', m, '@v'), { recursive: true });
      await writeFile(path.join(tree, 'example.com', m, '@v', 'v1.0.0.mod'), `module example.com/${m}\n`);
    }
    const upstream = await startFixtureUpstream(tree, { hangFor: (urlPath) => urlPath.startsWith('/example.com/slow/') });
    cleanups.push(() => upstream.close());
    const c = client(upstream.url, { retries: 0 });
    let slowSettled = false;
    const slow = c.fetch('example.com/slow', 'v1.0.0', 'mod').finally(() => {
      slowSettled = true;
    });
    slow.catch(() => undefined);
    while (!upstream.requests.includes('/example.com/slow/@v/v1.0.0.mod')) await new Promise((resolve) => setTimeout(resolve, 5));
    const quick = await c.fetch('example.com/quick', 'v1.0.0', 'mod');
    assert.equal(quick.size, 'module example.com/quick\n'.length);
    assert.equal(slowSettled, false, 'the first request is still unanswered');
  });
});
