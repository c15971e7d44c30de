import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseRequestFile } from '../../shared/roundtrip/requestFile';
import { missesCommand } from '../../electron/cli/commands/missesCommand';
import { requestCommand } from '../../electron/cli/commands/requestCommand';
import { runCli } from '../../electron/cli/main';
import { parseTimeOption } from '../../electron/cli/timeOption';
import { UsageError } from '../../electron/cli/usageError';
import { openStore } from '../../electron/core/store/diskStore';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir } from '../support/bundleSources';

let root: string;
let cleanup: () => Promise<void>;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('misses-cli'));
});
after(() => cleanup());

async function run(command: (args: string[], output: ReturnType<typeof captureOutput>) => Promise<number>, args: string[]) {
  const output = captureOutput();
  const code = await command(args, output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

const day = (n: number): Date => new Date(Date.UTC(2026, 2, n, 10));

/** A store with misses of an old trip (day 1), of this one (day 5), and requests dropped on both. */
function storeWithMisses(): string {
  const dir = freshDir('store');
  const store = openStore(dir, { mode: 'write' });
  store.recordMiss('example.com/junk', 'v1.0.0', day(1));
  store.recordMiss('example.com/wanted', 'v1.2.0', day(1));
  store.recordMiss('example.com/wanted', 'v1.2.0', day(5));
  store.recordMiss('golang.org/x/text', 'list', day(5));
  store.recordMiss('example.com/../x', 'v1.0.0', day(1));
  store.recordMiss(`example.com/${'y'.repeat(400)}`, 'latest', day(5));
  store.close();
  return dir;
}

describe('modferry request --since and the dropped count', () => {
  test('without --since every miss is asked for, and the file says how many requests were dropped', async () => {
    const dir = storeWithMisses();
    const out = path.join(freshDir('request'), 'request.txt');
    // The folder must exist, as a mounted drive's does.
    mkdirSync(path.dirname(out));
    const { code, stdout } = await run(requestCommand, ['--store', dir, '--out', out]);
    assert.equal(code, 0);
    assert.equal(stdout.at(-1), 'Note: 2 requests were answered but not recorded (2 not a module path and version)');
    const text = await readFile(out, 'utf8');
    assert.match(text, /^# dropped: 2 requests were answered but not recorded, so not named here \(2 not a module path and version\), first 2026-03-01T10:00:00\.000Z, last 2026-03-05T10:00:00\.000Z$/m);
    assert.deepEqual(parseRequestFile(text, out).map((r) => `${r.path}@${r.version}`), [
      'example.com/junk@v1.0.0',
      'example.com/wanted@v1.2.0',
      'golang.org/x/text@latest',
    ]);
  });

  test('--since leaves out misses last seen before it, and drops too', async () => {
    const dir = storeWithMisses();
    const out = path.join(freshDir('request'), 'request.txt');
    // The folder must exist, as a mounted drive's does.
    mkdirSync(path.dirname(out));
    const { code } = await run(requestCommand, ['--store', dir, '--out', out, '--since', '2026-03-04']);
    assert.equal(code, 0);
    const text = await readFile(out, 'utf8');
    assert.match(text, /^# requests seen since 2026-03-04T00:00:00\.000Z$/m);
    // A drop count covers all time, and says over which.
    assert.match(text, /^# dropped: 2 requests were answered but not recorded, so not named here \(2 not a module path and version\), first 2026-03-01T10:00:00\.000Z, last 2026-03-05T10:00:00\.000Z$/m);
    assert.deepEqual(parseRequestFile(text, out).map((r) => `${r.path}@${r.version}`), ['example.com/wanted@v1.2.0', 'golang.org/x/text@latest']);
    assert.match(text, /^example\.com\/wanted@v1\.2\.0 {2}# 2 requests, first 2026-03-01T10:00:00\.000Z, last 2026-03-05T10:00:00\.000Z$/m);
  });

  test('a --since that is not a time is a usage error naming the option', async () => {
    const dir = storeWithMisses();
    await assert.rejects(run(requestCommand, ['--store', dir, '--out', path.join(root, 'x.txt'), '--since', 'yesterday']), {
      name: 'UsageError',
      message: /^--since: "yesterday" is not an ISO 8601 date or time/,
    });
  });
});

describe('modferry misses', () => {
  test('lists the recorded misses and the dropped counts', async () => {
    const dir = storeWithMisses();
    const { code, stdout } = await run(missesCommand, ['--store', dir]);
    assert.equal(code, 0);
    assert.deepEqual(stdout, [
      'example.com/junk@v1.0.0  1 request, first 2026-03-01T10:00:00.000Z, last 2026-03-01T10:00:00.000Z',
      'example.com/wanted@v1.2.0  2 requests, first 2026-03-01T10:00:00.000Z, last 2026-03-05T10:00:00.000Z',
      'golang.org/x/text@list  1 request, first 2026-03-05T10:00:00.000Z, last 2026-03-05T10:00:00.000Z',
      'dropped: 2 requests not a module path and version, first 2026-03-01T10:00:00.000Z, last 2026-03-05T10:00:00.000Z',
    ]);
    const since = await run(missesCommand, ['list', '--store', dir, '--since', '2026-03-04T00:00:00Z', '--json']);
    const parsed = JSON.parse(since.stdout.join('\n')) as { misses: Array<{ path: string }>; dropped: Array<{ reason: string; count: number }> };
    assert.deepEqual(parsed.misses.map((m) => m.path), ['example.com/wanted', 'golang.org/x/text']);
    assert.deepEqual(parsed.dropped.map((d) => `${d.reason} ${d.count}`), ['invalid 2']);
  });

  test('clear --before forgets what was last seen before it; clear forgets the rest', async () => {
    const dir = storeWithMisses();
    assert.deepEqual((await run(missesCommand, ['clear', '--store', dir, '--before', '2026-03-04'])).stdout, [
      'Cleared 1 recorded miss last seen before 2026-03-04T00:00:00.000Z',
    ]);
    assert.deepEqual((await run(missesCommand, ['--store', dir, '--json'])).stdout.map((line) => (JSON.parse(line) as { misses: Array<{ path: string }> }).misses.map((m) => m.path)), [
      ['example.com/wanted', 'golang.org/x/text'],
    ]);
    assert.deepEqual((await run(missesCommand, ['clear', '--store', dir])).stdout, ['Cleared 2 recorded misses, and the counts of requests dropped']);
    assert.deepEqual((await run(missesCommand, ['--store', dir])).stdout, ['No recorded misses']);
    const out = path.join(freshDir('request'), 'request.txt');
    // The folder must exist, as a mounted drive's does.
    mkdirSync(path.dirname(out));
    assert.match((await run(requestCommand, ['--store', dir, '--out', out])).stdout[0] ?? '', /^Nothing to request/);
  });

  test('wrong use is a usage error', async () => {
    const dir = storeWithMisses();
    for (const args of [['forget'], ['list', 'extra'], ['clear', '--since', '1d'], ['list', '--before', '1d'], ['clear', '--before', 'soon']]) {
      await assert.rejects(run(missesCommand, ['--store', dir, ...args]), UsageError, args.join(' '));
    }
  });

  test('is a command of modferry', async () => {
    const output = captureOutput();
    assert.equal(await runCli(['misses', '--help'], output), 0);
    assert.match(output.stdout.join('\n'), /^modferry misses \[list\]/);
  });
});

describe('time options', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  for (const [text, want] of [
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T10:30:00Z', '2026-03-01T10:30:00.000Z'],
    ['2026-03-01T10:30:00+02:00', '2026-03-01T08:30:00.000Z'],
    ['90m', '2026-03-10T10:30:00.000Z'],
    ['36h', '2026-03-09T00:00:00.000Z'],
    ['7d', '2026-03-03T12:00:00.000Z'],
  ] as const) {
    test(`${text} is ${want}`, () => assert.equal(parseTimeOption('--since', text, now).toISOString(), want));
  }
  for (const text of ['', 'yesterday', '2026-13-01', '2026-03-01T25:00', '7w', '-1d', '2026/03/01']) {
    test(`${JSON.stringify(text)} is refused`, () => assert.throws(() => parseTimeOption('--since', text, now), UsageError));
  }
});
