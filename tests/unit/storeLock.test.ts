import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { lockStore, StoreLockedError, tryLockStore } from '../../electron/core/store/storeLock';
import { makeTempDir } from '../support/bundleSources';

const projectRoot = path.resolve(__dirname, '..', '..');
const RACERS = 16;
const ROUNDS = 12;

let root: string;
let cleanup: () => Promise<void>;
let counter = 0;
const freshDir = async (name: string): Promise<string> => {
  const dir = path.join(root, `${name}-${++counter}`);
  await mkdir(dir, { recursive: true });
  return dir;
};

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-lock'));
});
after(() => cleanup());

/**
 * Each racer takes the lock ROUNDS times (retrying while it is taken) and, while holding it,
 * creates a sentinel file exclusively, records when it held the lock (the system-wide monotonic
 * clock), and removes the sentinel: two holders at once would trip over the sentinel.
 */
const racerScript = `
  import { openSync, closeSync, unlinkSync, appendFileSync } from 'node:fs';
  import { tryLockStore } from ${JSON.stringify(path.join(projectRoot, 'electron/core/store/storeLock'))};
  const [lockFile, sentinel, log, rounds] = process.argv.slice(2);
  const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  for (let round = 0; round < Number(rounds); round++) {
    let lock;
    while ((lock = tryLockStore(lockFile)) === undefined) pause(1);
    const start = process.hrtime.bigint();
    closeSync(openSync(sentinel, 'wx'));
    pause(2);
    unlinkSync(sentinel);
    const end = process.hrtime.bigint();
    lock.release();
    appendFileSync(log, process.pid + ' ' + start + ' ' + end + '\\n');
  }
`;

const holderScript = `
  import { tryLockStore } from ${JSON.stringify(path.join(projectRoot, 'electron/core/store/storeLock'))};
  const lock = tryLockStore(process.argv[2]);
  process.stdout.write(lock === undefined ? 'busy\\n' : 'held\\n');
  setInterval(() => {}, 1000);
`;

async function writeScript(dir: string, name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function exitOf(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal };
}

/** Starts a process that takes the lock and keeps it; resolves once it says it holds it. */
async function startHolder(dir: string, lockFile: string): Promise<ReturnType<typeof spawn>> {
  const script = await writeScript(dir, 'holder.mts', holderScript);
  const child = spawn(process.execPath, ['--import', 'tsx', script, lockFile], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(line.toString().trim(), 'held');
  return child;
}

describe('store lock', () => {
  test(`${RACERS} processes racing ${ROUNDS} times each never hold it together, even right after a holder was killed`, async () => {
    const dir = await freshDir('race');
    const lockFile = path.join(dir, 'store.lock');
    // A lock left by a killed holder: the moment the file-based lock let two takers judge it dead.
    const killed = await startHolder(dir, lockFile);
    killed.kill('SIGKILL');
    await exitOf(killed);

    const script = await writeScript(dir, 'racer.mts', racerScript);
    const log = path.join(dir, 'holds.log');
    const sentinel = path.join(dir, 'held-by-one');
    const racers = Array.from({ length: RACERS }, () =>
      spawn(process.execPath, ['--import', 'tsx', script, lockFile, sentinel, log, String(ROUNDS)], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'] }),
    );
    const errors = racers.map((child) => {
      let text = '';
      child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
      return () => text;
    });
    const exits = await Promise.all(racers.map(exitOf));
    exits.forEach((exit, i) => assert.deepEqual(exit, { code: 0, signal: null }, `racer ${i} failed: ${errors[i]!()}`));

    const holds = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([pid, start, end]) => ({ pid: Number(pid), start: BigInt(start!), end: BigInt(end!) }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    assert.equal(holds.length, RACERS * ROUNDS);
    assert.equal(new Set(holds.map((hold) => hold.pid)).size, RACERS);
    for (let i = 1; i < holds.length; i++) {
      const [previous, next] = [holds[i - 1]!, holds[i]!];
      assert.ok(previous.end <= next.start, `process ${previous.pid} and process ${next.pid} held the lock at the same time`);
    }
  });

  test('a holder killed with SIGKILL frees the lock at once; a refused taker is told who holds it', async () => {
    const dir = await freshDir('kill');
    const lockFile = path.join(dir, 'store.lock');
    const holder = await startHolder(dir, lockFile);
    try {
      assert.equal(tryLockStore(lockFile), undefined, 'held by the other process');
      assert.throws(() => lockStore(lockFile, dir), (error: unknown) => {
        assert.ok(error instanceof StoreLockedError);
        assert.equal(error.holder?.pid, holder.pid);
        assert.match(error.message, new RegExp(`: process ${holder.pid} on .* is importing into or repairing this store; wait for it to finish and try again$`));
        return true;
      });
    } finally {
      holder.kill('SIGKILL');
    }
    await exitOf(holder);
    const lock = tryLockStore(lockFile);
    assert.ok(lock, 'taken right after the holder died');
    lock.release();
  });

  test('a holder that keeps no reference to its lock still holds it after the garbage collector runs', async () => {
    const dir = await freshDir('collected');
    const lockFile = path.join(dir, 'store.lock');
    const script = await writeScript(
      dir,
      'forgetful.mts',
      `
      import { tryLockStore } from ${JSON.stringify(path.join(projectRoot, 'electron/core/store/storeLock'))};
      process.stdout.write(tryLockStore(process.argv[2]) === undefined ? 'busy\\n' : 'held\\n');
      process.stdin.once('data', () => { globalThis.gc(); process.stdout.write('collected\\n'); });
      `,
    );
    const holder = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, lockFile], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const lines = holder.stdout!.setEncoding('utf8');
      assert.equal(String((await once(lines, 'data'))[0]).trim(), 'held');
      holder.stdin!.write('\n');
      assert.equal(String((await once(lines, 'data'))[0]).trim(), 'collected');
      assert.equal(tryLockStore(lockFile), undefined, 'still held by the other process');
    } finally {
      holder.kill('SIGKILL');
    }
    await exitOf(holder);
  });

  test('two connections of one process: the second is refused until the first releases', async () => {
    const lockFile = path.join(await freshDir('same-process'), 'store.lock');
    const first = tryLockStore(lockFile);
    assert.ok(first);
    assert.equal(tryLockStore(lockFile), undefined);
    first.release();
    first.release();
    const second = tryLockStore(lockFile);
    assert.ok(second);
    second.release();
  });
});
