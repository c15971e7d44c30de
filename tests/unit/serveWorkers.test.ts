/**
 * `modferry serve --workers N` for real: worker processes forked from this test process (the
 * primary), sharing one port. Which worker answers a new connection is up to the kernel, so a test
 * that needs one worker to answer stops the other (SIGSTOP): a stopped process accepts nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { serveCommand, serveUsage } from '../../electron/cli/commands/serveCommand';
import { UsageError } from '../../electron/cli/usageError';
import { MAX_RESTARTS, workerExecArgv } from '../../electron/core/serve/proxyCluster';
import { REPORT_INTERVAL_MS } from '../../electron/core/serve/proxyClusterMessages';
import { openStore } from '../../electron/core/store/diskStore';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir } from '../support/bundleSources';

const BIG = { path: 'example.com/big', version: 'v1.0.0', tree: 'example.com/big/@v/v1.0.0.zip', size: 32 * 1024 * 1024 };
/** Longer than a worker takes to report a changed count to the primary and the primary to pass it on. */
const REPORTED = REPORT_INTERVAL_MS + 200;

let root: string;
let storeDir: string;
let cleanup: () => Promise<void>;

/** A store holding one 32 MiB zip (sparse: zeros), big enough that a client that does not read keeps its download in flight. */
before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('serve-workers'));
  storeDir = path.join(root, 'store');
  const store = openStore(storeDir, { mode: 'write' });
  try {
    const file = path.join(storeDir, 'tree', ...BIG.tree.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '');
    await truncate(file, BIG.size);
    store.catalog.recordImport(
      { bundleId: 'mf-20260101-00000000', signer: 'test', createdAt: '2026-01-01T00:00:00Z', importedAt: '2026-01-01T00:00:00Z' },
      [{ path: BIG.tree, modulePath: BIG.path, version: BIG.version, kind: 'zip', size: BIG.size, sha256: createHash('sha256').update(Buffer.alloc(BIG.size)).digest('hex'), h1: `h1:${Buffer.alloc(32).toString('base64')}` }],
    );
  } finally {
    store.close();
  }
});
after(() => cleanup());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function printed(lines: string[], pattern: RegExp): Promise<string> {
  return until(`a line matching ${pattern} in:\n${lines.join('\n')}`, () => lines.find((l) => pattern.test(l)));
}

async function proxyUrlOf(lines: string[]): Promise<string> {
  return (await printed(lines, /^ {2}export GOPROXY=/)).replace(/^ {2}export GOPROXY=/, '');
}

/** A GET on a connection of its own, so the kernel hands it to whichever worker is accepting. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function statsCounts(url: string): Promise<{ requests: number; misses: number }> {
  const { status, body } = await get(`${url}/stats`);
  assert.equal(status, 200, body);
  const { requests, misses } = JSON.parse(body) as { requests: number; misses: number };
  return { requests, misses };
}

/** Resolves once connecting is refused: no worker is left listening (they end moments after the primary). */
async function portClosed(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(Number(port), hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return;
  }
  throw new Error(`${url} still accepts connections`);
}

/** The worker processes of this process's cluster, oldest first. */
function workerPids(): number[] {
  return Object.values(cluster.workers ?? {}).map((worker) => worker!.process.pid!);
}

/** Runs body while the worker is stopped, so every new connection goes to the others. */
async function whileStopped<T>(pid: number, body: () => Promise<T>): Promise<T> {
  process.kill(pid, 'SIGSTOP');
  try {
    return await body();
  } finally {
    process.kill(pid, 'SIGCONT');
    // Let it take in the counts the primary sent while it was stopped.
    await sleep(100);
  }
}

function startServe(extraArgs: string[] = ['--workers', '2']) {
  const output = captureOutput();
  const stop = new AbortController();
  const running = serveCommand(['--store', storeDir, '--listen', '127.0.0.1:0', ...extraArgs], output, { stop: stop.signal, env: {}, platform: 'linux' });
  return { output, stop, running };
}

describe('modferry serve --workers', () => {
  test('two worker processes share the port; /stats counts what both answered; stopping reports the totals', async () => {
    const { output, stop, running } = startServe();
    const url = await proxyUrlOf(output.stdout);
    assert.match(output.stdout[0] ?? '', /\(1 module, 1 version, 32\.0 MiB, 2 worker processes\)$/);
    const pids = workerPids();
    assert.equal(pids.length, 2);
    const [first, second] = pids as [number, number];
    assert.ok(!pids.includes(process.pid));

    await whileStopped(first, async () => {
      assert.equal((await get(`${url}/healthz`)).status, 200);
      assert.equal((await get(`${url}/example.com/second/@v/list`)).status, 404);
      assert.equal((await get(`${url}/healthz`)).status, 200);
      await sleep(REPORTED);
    });
    await whileStopped(second, async () => {
      assert.equal((await get(`${url}/healthz`)).status, 200);
      assert.equal((await get(`${url}/example.com/first/@v/v1.0.0.info`)).status, 404);
      assert.equal((await get(`${url}/healthz`)).status, 200);
      // The first worker's own 4 (this request included) and the 3 the second reported.
      assert.deepEqual(await statsCounts(url), { requests: 7, misses: 2 });
      await sleep(REPORTED);
    });
    await whileStopped(first, async () => {
      // The second worker's own 4 and the 4 the first reported while the second was stopped.
      assert.deepEqual(await statsCounts(url), { requests: 8, misses: 2 });
    });

    // Each worker's request log reaches this process's output.
    await printed(output.stdout, /Z GET \/example\.com\/second\/@v\/list 404 \d+B \d+ms/);
    await printed(output.stdout, /Z GET \/example\.com\/first\/@v\/v1\.0\.0\.info 404 \d+B \d+ms/);
    stop.abort();
    assert.equal(await running, 0);
    assert.match(output.stdout.at(-1) ?? '', /stopped after 8 request\(s\), 2 recorded as misses$/);
    assert.deepEqual(output.stderr, []);
    assert.deepEqual(workerPids(), [], 'every worker has ended');
    await assert.rejects(get(`${url}/healthz`), { code: 'ECONNREFUSED' });
    const store = openStore(storeDir, { mode: 'write' });
    try {
      assert.deepEqual(store.misses().map((m) => `${m.path} ${m.query}`).sort(), ['example.com/first v1.0.0', 'example.com/second list']);
    } finally {
      store.close();
    }
  });

  test('every worker writes its misses to the catalog while serving, each counted once', async () => {
    const { output, stop, running } = startServe();
    const url = await proxyUrlOf(output.stdout);
    const paths = Array.from({ length: 40 }, (_, i) => `example.com/workers-${i}`);
    for (const modulePath of paths) assert.equal((await get(`${url}/${modulePath}/@v/v1.0.0.mod`)).status, 404);
    for (const modulePath of paths.slice(0, 10)) assert.equal((await get(`${url}/${modulePath}/@v/v1.0.0.mod`)).status, 404);
    const written = (): string[] => {
      const db = new Database(path.join(storeDir, 'catalog.db'), { readonly: true });
      try {
        return db.prepare<[], { path: string; count: number }>("SELECT path, count FROM misses WHERE path LIKE 'example.com/workers-%' ORDER BY path").all()
          .map((row) => `${row.path} ${row.count}`);
      } finally {
        db.close();
      }
    };
    const expected = paths.map((p, i) => `${p} ${i < 10 ? 2 : 1}`).sort();
    // Written by the workers' own batches, before anything stops them.
    await until('the workers to write their misses', () => (written().length === expected.length ? true : undefined));
    assert.deepEqual(written(), expected);
    stop.abort();
    assert.equal(await running, 0);
    assert.deepEqual(written(), expected, 'stopping writes nothing twice');
  });

  test('a worker that dies is reported and replaced; what it counted stays in the totals', async () => {
    const { output, stop, running } = startServe();
    const url = await proxyUrlOf(output.stdout);
    const [doomed, survivor] = workerPids() as [number, number];
    await whileStopped(survivor, async () => {
      assert.equal((await get(`${url}/healthz`)).status, 200);
      assert.equal((await get(`${url}/example.com/gone/@latest`)).status, 404);
      assert.equal((await get(`${url}/healthz`)).status, 200);
      await sleep(REPORTED);
    });
    process.kill(doomed, 'SIGKILL');
    const notice = await printed(output.stderr, /^modferry serve: worker \d+ \(pid \d+\) was killed by SIGKILL; started worker \d+ in its place \(1 of at most 5 restarts a minute\)$/);
    assert.ok(notice.includes(`(pid ${doomed})`), notice);
    const replacement = await until('the replacement worker', () => workerPids().find((pid) => pid !== survivor && pid !== doomed));
    await whileStopped(survivor, async () => {
      // Queued until the replacement listens; it answers with the dead worker's counts added.
      assert.deepEqual(await statsCounts(url), { requests: 4, misses: 1 });
    });
    assert.deepEqual(workerPids().sort(), [survivor, replacement].sort());
    stop.abort();
    assert.equal(await running, 0);
    assert.match(output.stdout.at(-1) ?? '', /stopped after 4 request\(s\), 1 recorded as misses$/);
  });

  test(`workers that keep dying (more than ${MAX_RESTARTS} a minute) stop serve with one clear error`, { timeout: 60_000 }, async () => {
    const signalHandlers = process.listenerCount('SIGINT');
    const { output, running } = startServe();
    await proxyUrlOf(output.stdout);
    const killed: number[] = [];
    for (let restarts = 1; restarts <= MAX_RESTARTS + 1; restarts++) {
      const victim = await until('a live worker', () => workerPids().find((pid) => !killed.includes(pid)));
      killed.push(victim);
      process.kill(victim, 'SIGKILL');
      if (restarts <= MAX_RESTARTS) await printed(output.stderr, new RegExp(`\\(${restarts} of at most ${MAX_RESTARTS} restarts a minute\\)$`));
    }
    await assert.rejects(running, {
      message: new RegExp(`^workers keep dying \\(${MAX_RESTARTS + 1} within a minute; the latest: worker \\d+ \\(pid ${killed.at(-1)}\\) was killed by SIGKILL\\); stopped serving$`),
    });
    assert.deepEqual(workerPids(), []);
    assert.equal(process.listenerCount('SIGINT'), signalHandlers, 'no signal handler is left behind');
  });

  test('a port in use is the same one clear error, and no worker is left behind', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as net.AddressInfo;
    try {
      await assert.rejects(serveCommand(['--store', storeDir, '--listen', `127.0.0.1:${port}`, '--workers', '3'], captureOutput()), {
        message: `cannot listen on 127.0.0.1:${port}: the port is in use (stop the other server, or pick another with --listen HOST:PORT)`,
      });
    } finally {
      blocker.close();
    }
    await until('the workers to end', () => (workerPids().length === 0 ? true : undefined));
  });

  test('--workers 1 serves from this process alone', async () => {
    const { output, stop, running } = startServe(['--workers', '1']);
    const url = await proxyUrlOf(output.stdout);
    assert.equal((await get(`${url}/healthz`)).status, 200);
    assert.deepEqual(workerPids(), []);
    assert.doesNotMatch(output.stdout[0] ?? '', /worker processes/);
    stop.abort();
    assert.equal(await running, 0);
  });

  test('--workers must be a whole number from 1 to 16', async () => {
    for (const value of ['0', '17', 'two', '1.5', '-1', '', ' 2', '0x2', '1e1']) {
      await assert.rejects(serveCommand(['--store', storeDir, `--workers=${value}`], captureOutput()), (error: Error) => {
        assert.ok(error instanceof UsageError, value);
        assert.equal(error.message, `--workers: "${value}" is not a whole number from 1 to 16`);
        return true;
      });
    }
    assert.match(serveUsage, /^modferry serve \[--store DIR\] \[--listen HOST:PORT\] \[--workers N\]/);
    assert.match(serveUsage, /--workers N +processes answering requests, 1 to 16 \(default 1: this process alone\)/);
  });
});

describe('Ctrl+C with workers (serve in a process of its own, signalled as a terminal does: the whole process group)', () => {
  const cliMain = path.join(__dirname, '..', '..', 'electron', 'cli', 'main');

  async function serveProcess() {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(cliMain)}).runCli(process.argv.slice(1)).then((code) => { process.exitCode = code; })`, 'serve', '--store', storeDir, '--listen', '127.0.0.1:0', '--workers', '2'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => stdout.push(line));
    createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const url = await Promise.race([proxyUrlOf(stdout), exited.then(() => Promise.reject(new Error(`serve ended early:\n${stderr.join('\n')}`)))]);
    return { child, url, stdout, stderr, exited, ctrlC: () => process.kill(-child.pid!, 'SIGINT') };
  }

  /**
   * Starts downloading the big zip and stops reading once some bytes are in, so the download stays
   * in flight until read() reads the rest; resolves with the bytes received once the connection closes.
   */
  async function stalledDownload(url: string): Promise<{ read(): Promise<number> }> {
    const res = await new Promise<IncomingMessage>((resolve, reject) => http.get(`${url}/${BIG.tree}`, { agent: false }, resolve).on('error', reject));
    let stalled = true;
    let bytes = 0;
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (stalled) res.pause();
    });
    // A download cut short ends in an 'aborted' error; the byte count tells.
    res.on('error', () => {});
    const closed = new Promise<number>((resolve) => res.on('close', () => resolve(bytes)));
    await until('the first bytes', () => (bytes > 0 ? true : undefined));
    return {
      read() {
        stalled = false;
        res.resume();
        return closed;
      },
    };
  }

  test('once: the workers ignore it, the primary lets the download finish, then everything ends', async () => {
    const serve = await serveProcess();
    try {
      const download = await stalledDownload(serve.url);
      await sleep(REPORTED);
      serve.ctrlC();
      await printed(serve.stdout, /^modferry serve: SIGINT: stopping, letting 1 download\(s\) in flight finish \(Ctrl\+C again to stop at once\)$/);
      assert.equal(await download.read(), BIG.size);
      assert.deepEqual(await serve.exited, [0, null]);
      assert.match(serve.stdout.at(-1) ?? '', /^modferry serve: stopped after 1 request\(s\), 0 recorded as misses$/);
      assert.deepEqual(serve.stderr, []);
      await portClosed(serve.url);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  });

  test('twice: it ends at once, cutting the download in flight', async () => {
    const serve = await serveProcess();
    try {
      const download = await stalledDownload(serve.url);
      await sleep(REPORTED);
      serve.ctrlC();
      await printed(serve.stdout, /stopping, letting 1 download\(s\) in flight finish/);
      const secondAt = Date.now();
      serve.ctrlC();
      const [code, signal] = await serve.exited;
      assert.ok(Date.now() - secondAt < 2000, 'well before the 5 s grace period');
      assert.deepEqual([code, signal], [null, 'SIGINT']);
      const received = await download.read();
      assert.ok(received < BIG.size, `${received} bytes`);
      await portClosed(serve.url);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
  });
});

describe('workerExecArgv', () => {
  const cases: Array<[string[], string[]]> = [
    [['--import', 'tsx'], ['--import', 'tsx']],
    [['--import', 'tsx', '-e', 'code'], ['--import', 'tsx']],
    [['--eval', 'code', '--max-old-space-size=100'], ['--max-old-space-size=100']],
    [['--eval=code', '--trace-warnings'], ['--trace-warnings']],
    [['-p', '1+1'], []],
    [['--print=1', '-pe', '2'], []],
    [[], []],
  ];
  for (const [given, kept] of cases) {
    test(`${JSON.stringify(given)} -> ${JSON.stringify(kept)}`, () => assert.deepEqual(workerExecArgv(given), kept));
  }
});
