import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { inspectModuleZip, type InspectOptions } from '../../electron/core/modzip/inspectModuleZip';
import { ModuleZipError } from '../../electron/core/modzip/moduleZipError';
import os from 'node:os';
import { ZIP_CHECK_WORKER_FILE, ZipCheckPool, zipCheckWorkersFor, zipCheckWorkersRunning } from '../../electron/core/modzip/zipCheckPool';
import { makeTempDir, moduleZip } from '../support/bundleSources';

let dir: string;
let cleanup: () => Promise<void>;
const mod = { path: 'example.com/a', version: 'v1.0.0' };
const goMod = Buffer.from('module example.com/a\n\ngo 1.21\n');
/** A good zip of example.com/a@v1.0.0 and its h1. */
let good: { file: string; h1: string };
/** A zip whose many files take long enough to check that a close lands while it is under way. */
let slow: { file: string; h1: string };

async function writeZip(name: string, zip: Buffer): Promise<{ file: string; h1: string }> {
  const file = path.join(dir, name);
  await writeFile(file, zip);
  return { file, h1: await hashModuleZip(file) };
}

before(async () => {
  ({ dir, cleanup } = await makeTempDir('zip-check-pool'));
  good = await writeZip('good.zip', await moduleZip({ ...mod, files: { 'a.go': 'package a\n', 'data.bin': randomBytes(200_000) } }, goMod));
  const files: Record<string, string> = {};
  for (let i = 0; i < 3000; i++) files[`f${i}.go`] = `package a\n\n// file ${i}\n${'var x = 1\n'.repeat(2000)}`;
  slow = await writeZip('slow.zip', await moduleZip({ ...mod, files }, goMod));
});
after(() => cleanup());

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error, String(error));
    return error;
  }
  assert.fail('expected a rejection');
}

describe('zipCheckWorkersFor', () => {
  const MiB = 1024 * 1024;
  test('none below 8 MiB of zips to overlap, one per 8 MiB above, never more than the cores', () => {
    assert.equal(zipCheckWorkersFor(0), 0);
    assert.equal(zipCheckWorkersFor(8 * MiB - 1), 0);
    assert.equal(zipCheckWorkersFor(8 * MiB), Math.min(1, os.availableParallelism()));
    assert.equal(zipCheckWorkersFor(16 * MiB), Math.min(2, os.availableParallelism()));
    assert.equal(zipCheckWorkersFor(1024 * MiB), os.availableParallelism());
  });
});

describe('ZipCheckPool', () => {
  test('a pool\'s size is a whole number of workers', () => {
    assert.throws(() => new ZipCheckPool(-1), /a zip check pool's size is a whole number of workers, not -1/);
    assert.throws(() => new ZipCheckPool(1.5), RangeError);
  });

  test('a pool of size 0 checks in this thread and starts no worker', async () => {
    const pool = new ZipCheckPool(0);
    const running = zipCheckWorkersRunning();
    assert.deepEqual(await pool.check(good.file, mod), { h1: good.h1 });
    assert.equal(pool.workerCount, 0);
    assert.equal(zipCheckWorkersRunning(), running);
    await pool.close();
    await assert.rejects(pool.check(good.file, mod), /the zip check pool was closed/);
  });

  test('starts workers with the first checks, never more than its size, and stops them all on close', async () => {
    const pool = new ZipCheckPool(2);
    assert.equal(pool.workerCount, 0);
    const checks = Array.from({ length: 8 }, () => pool.check(good.file, mod));
    assert.equal(pool.workerCount, 2);
    for (const { h1 } of await Promise.all(checks)) assert.equal(h1, good.h1);
    assert.equal(pool.workerCount, 2, 'workers stay for the next checks');
    await pool.close();
    assert.equal(pool.workerCount, 0);
    assert.equal(zipCheckWorkersRunning(), 0);
  });

  test('answers what inspectModuleZip answers: the h1 of a zip file, and of a zip inside a larger file', async () => {
    const pool = new ZipCheckPool(1);
    try {
      assert.deepEqual(await pool.check(good.file, mod, { expectedGoMod: goMod }), { h1: good.h1 });
      const zip = await moduleZip({ ...mod, files: { 'b.go': 'package a\n' } }, goMod);
      const volume = path.join(dir, 'volume.bin');
      await writeFile(volume, Buffer.concat([randomBytes(1536), zip, randomBytes(700)]));
      const { h1 } = await inspectModuleZip(volume, mod, { range: { offset: 1536, length: zip.length } });
      assert.deepEqual(await pool.check(volume, mod, { range: { offset: 1536, length: zip.length } }), { h1 });
    } finally {
      await pool.close();
    }
  });

  test('a .mod that is a small view of a large buffer reaches the worker as its own bytes', async () => {
    const pool = new ZipCheckPool(1);
    try {
      const large = Buffer.alloc(64 << 20);
      goMod.copy(large, 1000);
      assert.deepEqual(await pool.check(good.file, mod, { expectedGoMod: large.subarray(1000, 1000 + goMod.length) }), { h1: good.h1 });
    } finally {
      await pool.close();
    }
  });

  const refusals: Array<[string, () => Promise<[string, InspectOptions?]>]> = [
    ['no such file', async () => [path.join(dir, 'missing.zip')]],
    ['not a zip', async () => {
      const file = path.join(dir, 'not-a-zip.zip');
      await writeFile(file, 'hello, not a zip');
      return [file];
    }],
    ['a file outside the module\'s prefix', async () => [(await writeZip('prefix.zip', await moduleZip({ path: 'example.com/b', version: 'v1.0.0' }, goMod))).file]],
    ['a go.mod that differs from the .mod file', async () => [good.file, { expectedGoMod: Buffer.from('module example.com/a\n\ngo 1.22\n') }]],
    ['a range past the end of the file', async () => [good.file, { range: { offset: 100, length: 10_000_000 } }]],
  ];
  for (const [name, make] of refusals) {
    test(`a refused zip comes back as the same ModuleZipError: ${name}`, async () => {
      const [file, options] = await make();
      const here = await rejection(inspectModuleZip(file, mod, options));
      assert.ok(here instanceof ModuleZipError);
      const pool = new ZipCheckPool(1);
      try {
        const there = await rejection(pool.check(file, mod, options));
        assert.ok(there instanceof ModuleZipError, `expected a ModuleZipError, got ${String(there)}`);
        assert.equal(there.file, here.file);
        assert.equal(there.entry, here.entry);
        assert.equal(there.reason, here.reason);
        assert.equal(there.message, here.message);
      } finally {
        await pool.close();
      }
    });
  }

  test('any other error comes back as an Error with the same message', async () => {
    const options = { range: { offset: -1, length: 10 } };
    const here = await rejection(inspectModuleZip(good.file, mod, options));
    assert.ok(!(here instanceof ModuleZipError));
    const pool = new ZipCheckPool(1);
    try {
      const there = await rejection(pool.check(good.file, mod, options));
      assert.ok(!(there instanceof ModuleZipError));
      assert.equal(there.message, here.message);
    } finally {
      await pool.close();
    }
  });

  test('many checks at once, good and bad, each get their own answer', async () => {
    const zips = await Promise.all(Array.from({ length: 24 }, async (_, i) => {
      const version = `v1.0.${i}`;
      const zip = await moduleZip({ path: 'example.com/many', version, files: { 'a.go': `package many // ${i}\n`, 'r.bin': randomBytes(i * 10_000) } }, Buffer.from('module example.com/many\n'));
      return { ...(await writeZip(`many-${i}.zip`, zip)), version };
    }));
    const pool = new ZipCheckPool(2);
    try {
      // Every third one is checked as another version, whose prefix its files do not have.
      const answers = await Promise.allSettled(zips.map(({ file, version }, i) => pool.check(file, { path: 'example.com/many', version: i % 3 === 0 ? 'v9.9.9' : version })));
      answers.forEach((answer, i) => {
        if (i % 3 === 0) {
          assert.equal(answer.status, 'rejected');
          assert.ok(answer.reason instanceof ModuleZipError && answer.reason.file === zips[i]!.file, String(answer.reason));
        } else {
          assert.deepEqual(answer, { status: 'fulfilled', value: { h1: zips[i]!.h1 } });
        }
      });
    } finally {
      await pool.close();
    }
  });

  test('a worker answers the checks it holds one after another, in the order they were sent', async () => {
    const pool = new ZipCheckPool(1);
    try {
      const answered: string[] = [];
      await Promise.all([slow, good, good].map(({ file }, i) => pool.check(file, mod).then(() => answered.push(`${i}`))));
      assert.deepEqual(answered, ['0', '1', '2']);
    } finally {
      await pool.close();
    }
  });

  test('close rejects the checks waiting and under way, stops every worker, and refuses new checks', async () => {
    const pool = new ZipCheckPool(1);
    assert.deepEqual(await pool.check(good.file, mod), { h1: good.h1 });
    // The first two are under way when the pool closes, the others still wait for the worker.
    const checks = [slow, slow, good, good].map(({ file }) => rejection(pool.check(file, mod)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pool.close();
    for (const error of await Promise.all(checks)) assert.match(error.message, /: not checked: the zip check pool was closed$/);
    assert.equal(pool.workerCount, 0);
    assert.equal(zipCheckWorkersRunning(), 0);
    assert.equal((await rejection(pool.check(good.file, mod))).message, `${good.file}: not checked: the zip check pool was closed`);
  });

  test('a worker that dies rejects the checks it held, and the next check starts a new one', async () => {
    // The real worker, which exits the moment it is sent a zip named die.zip.
    const dying = path.join(dir, 'dying-worker.js');
    await writeFile(dying, [
      "require('node:worker_threads').parentPort.on('message', (request) => { if (request.zipFile.endsWith('die.zip')) process.exit(7); });",
      `require(${JSON.stringify(ZIP_CHECK_WORKER_FILE)});`,
    ].join('\n'));
    const pool = new ZipCheckPool(1, dying);
    try {
      assert.deepEqual(await pool.check(good.file, mod), { h1: good.h1 });
      const die = path.join(dir, 'die.zip');
      const held = await Promise.all([rejection(pool.check(die, mod)), rejection(pool.check(slow.file, mod))]);
      assert.deepEqual(held.map((error) => error.message), [
        `${die}: not checked: its zip check worker stopped (exited with code 7)`,
        `${slow.file}: not checked: its zip check worker stopped (exited with code 7)`,
      ]);
      assert.deepEqual(await pool.check(good.file, mod), { h1: good.h1 });
      assert.equal(pool.workerCount, 1);
    } finally {
      await pool.close();
    }
  });

  test('a worker that cannot start rejects its checks with the reason', async () => {
    const broken = path.join(dir, 'broken-worker.js');
    await writeFile(broken, "throw new Error('the worker could not load');\n");
    const pool = new ZipCheckPool(2, broken);
    try {
      const checks = await Promise.all([1, 2, 3].map(() => rejection(pool.check(good.file, mod))));
      for (const error of checks) assert.equal(error.message, `${good.file}: not checked: its zip check worker stopped (the worker could not load)`);
    } finally {
      await pool.close();
    }
    assert.equal(zipCheckWorkersRunning(), 0);
  });
});
