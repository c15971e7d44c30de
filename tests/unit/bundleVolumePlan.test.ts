import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { needsPaxHeader, TAR_END_OF_ARCHIVE_BYTES, tarEntryBytes, tarVolumeBytes } from '../../shared/bundle/tarLayout';
import { MIN_VOLUME_BYTES, planVolumes, VolumePlanError, type PlannedFile } from '../../shared/bundle/volumePlan';
import { tarEndOfArchive, tarEntryHeader, tarPadding } from '../../electron/core/bundle/tarEntryHeader';
import { makeTempDir } from '../support/bundleSources';

const mtime = new Date('2026-11-25T13:05:00Z');

/** A tree-shaped path of exactly `length` characters, its middle made of elements of `elementLength`. */
function pathOfLength(length: number, elementLength: number, file = 'v1.0.0.zip'): string {
  const head = 'example.com';
  const tail = `@v/${file}`;
  let middle = '';
  let budget = length - head.length - tail.length - 2;
  while (budget > 0) {
    const take = Math.min(elementLength, budget - (middle === '' ? 0 : 1));
    if (take <= 0) break;
    middle += `${middle === '' ? '' : '/'}${'m'.repeat(take)}`;
    budget = length - head.length - tail.length - 2 - middle.length;
  }
  const p = middle === '' ? `${head}/${tail}` : `${head}/${middle}/${tail}`;
  return p.length === length ? p : `${p.slice(0, head.length + 1)}${'x'.repeat(length - p.length)}${p.slice(head.length + 1)}`;
}

describe('tar layout', () => {
  test('pathOfLength builds paths of the asked length', () => {
    for (const length of [40, 99, 100, 101, 155, 256, 257, 700]) {
      for (const element of [1, 7, 60, 120]) assert.equal(pathOfLength(length, element).length, length);
    }
  });

  test('tarEntryBytes matches the bytes the writer encodes, for every path length from 30 to 1100', () => {
    for (let length = 30; length <= 1100; length++) {
      for (const element of [5, 40, 99, 100, 101, 160]) {
        const p = pathOfLength(length, element);
        for (const size of [0, 513]) {
          const encoded = tarEntryHeader(p, size, mtime).length + tarPadding(size).length + size;
          assert.equal(tarEntryBytes(p, size), encoded, `${p} (${p.length} chars), ${size} bytes`);
        }
      }
    }
  });

  test('the ustar split follows the tar package at its edges', () => {
    const cases: Array<[string, boolean]> = [
      ['a/'.repeat(49) + 'b', false], // 99 bytes: name field alone
      ['a/'.repeat(49) + 'bc', false], // 100 bytes: split into prefix and name
      [`${'p'.repeat(155)}/${'n'.repeat(100)}`, false], // both fields exactly full
      [`${'p'.repeat(156)}/${'n'.repeat(100)}`, true], // prefix one too long, nothing else to move
      [`${'p'.repeat(155)}/${'n'.repeat(101)}`, true], // name one too long
      [`${'p'.repeat(100)}/${'q'.repeat(54)}/${'n'.repeat(45)}`, false], // moving one element into the name fits
      ['n'.repeat(100), false],
      ['n'.repeat(101), true],
      ['example.com/caf\u00e9/@v/list', true], // non-ASCII always takes a PAX header
    ];
    for (const [p, pax] of cases) {
      assert.equal(needsPaxHeader(p, 1), pax, `${p.length} chars`);
      assert.equal(tarEntryHeader(p, 1, mtime).length, pax ? tarEntryBytes(p, 1) - 512 : 512);
    }
  });

  test('sizes past the ustar limit get a PAX size record, counted exactly', () => {
    const big = 9 * 1024 ** 3;
    assert.equal(needsPaxHeader('example.com/m/@v/v1.0.0.zip', big), true);
    assert.equal(needsPaxHeader('example.com/m/@v/v1.0.0.zip', 0o77777777777), false);
    for (const p of ['example.com/m/@v/v1.0.0.zip', pathOfLength(600, 50)]) {
      assert.equal(tarEntryHeader(p, big, mtime).length + big + tarPadding(big).length, tarEntryBytes(p, big));
    }
  });

  test('GNU tar and the tar package read back every long path the writer encodes', async () => {
    const { dir, cleanup } = await makeTempDir('tarlayout');
    try {
      const paths = [50, 99, 100, 150, 255, 256, 300, 490, 500, 511, 520, 1000].map((length, i) => pathOfLength(length, [30, 100, 7][i % 3] ?? 30));
      const parts: Buffer[] = [];
      for (const [i, p] of paths.entries()) {
        const content = Buffer.from(`file ${i}\n`);
        parts.push(tarEntryHeader(p, content.length, mtime), content, tarPadding(content.length));
      }
      parts.push(tarEndOfArchive());
      const volume = Buffer.concat(parts);
      assert.equal(volume.length, tarVolumeBytes(paths.map((p, i) => ({ path: p, size: `file ${i}\n`.length }))));
      const file = path.join(dir, 'v.tar');
      await writeFile(file, volume);
      assert.deepEqual(execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trimEnd().split('\n'), paths);

      const seen: string[] = [];
      const parser = new Parser({ strict: true });
      parser.on('entry', (entry: ReadEntry) => {
        seen.push(entry.path);
        entry.resume();
      });
      await new Promise<void>((resolve, reject) => {
        parser.on('error', reject);
        parser.on('end', resolve);
        parser.end(volume);
      });
      assert.deepEqual(seen, paths);
    } finally {
      await cleanup();
    }
  });
});

describe('planVolumes', () => {
  const version = (module: string, v: string, sizes: [number, number, number]): PlannedFile[] => [
    { path: `${module}/@v/${v}.info`, size: sizes[0] },
    { path: `${module}/@v/${v}.mod`, size: sizes[1] },
    { path: `${module}/@v/${v}.zip`, size: sizes[2] },
  ];
  const files: PlannedFile[] = [
    { path: 'example.com/a/@v/list', size: 14 },
    ...version('example.com/a', 'v1.0.0', [50, 30, 3000]),
    ...version('example.com/a', 'v1.1.0', [50, 30, 3000]),
    { path: 'example.com/b/@v/list', size: 7 },
    ...version('example.com/b', 'v0.1.0', [50, 30, 100]),
  ];

  test('everything in one volume when it fits, exactly at the limit', () => {
    const exact = tarVolumeBytes(files);
    assert.deepEqual(planVolumes(files, exact), [files.map((_, i) => i)]);
    assert.deepEqual(planVolumes(files, 4 * 1024 ** 3 - 1), [files.map((_, i) => i)]);
    assert.ok(planVolumes(files, exact - 1).length > 1);
  });

  test('keeps a version\'s .info, .mod and .zip in one volume when they fit one', () => {
    // Room for the list and one version (512+512 + 3*512 + 512+3072 = 6144) plus the end blocks.
    const plan = planVolumes(files, 6144 + TAR_END_OF_ARCHIVE_BYTES + 512);
    assert.deepEqual(plan, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]);
    for (const volume of plan) {
      assert.ok(tarVolumeBytes(volume.map((i) => files[i] ?? { path: '', size: 0 })) <= 6144 + TAR_END_OF_ARCHIVE_BYTES + 512);
    }
  });

  test('splits a version across volumes only when it cannot fit one', () => {
    const big = [...version('example.com/a', 'v1.0.0', [50, 30, 3000])];
    const volumeSize = 512 + 3072 + TAR_END_OF_ARCHIVE_BYTES; // the zip alone
    assert.deepEqual(planVolumes(big, volumeSize), [[0, 1], [2]]);
  });

  test('keeps the order given and never exceeds the volume size', () => {
    const many: PlannedFile[] = [];
    for (let i = 0; i < 40; i++) many.push(...version(`example.com/m${i}`, 'v1.0.0', [40 + i, 30 + i * 7, (i * 997) % 5000]));
    for (const volumeSize of [MIN_VOLUME_BYTES + 5120, 8192, 20000, 65536]) {
      const plan = planVolumes(many, volumeSize);
      assert.deepEqual(plan.flat(), many.map((_, i) => i));
      for (const volume of plan) {
        assert.ok(volume.length > 0);
        assert.ok(tarVolumeBytes(volume.map((i) => many[i] ?? { path: '', size: 0 })) <= volumeSize);
      }
    }
  });

  test('names the file that does not fit in a volume on its own', () => {
    const oversized = [{ path: 'example.com/a/@v/list', size: 5 }, { path: 'example.com/a/@v/v1.0.0.zip', size: 10_000 }];
    assert.throws(
      () => planVolumes(oversized, 8192),
      (error: unknown) =>
        error instanceof VolumePlanError &&
        error.entry === 'example.com/a/@v/v1.0.0.zip' &&
        error.message === 'example.com/a/@v/v1.0.0.zip: 9.8 KiB does not fit in a volume of 8.0 KiB (a volume holding it alone takes 11776 bytes); choose a larger volume size',
    );
  });

  test('refuses a volume size too small for any file, and bad sizes or paths', () => {
    assert.throws(() => planVolumes(files, MIN_VOLUME_BYTES - 1), /volume size must be a whole number of bytes, at least 1536; got 1535/);
    assert.throws(() => planVolumes(files, 1e4 + 0.5), /volume size must be a whole number of bytes/);
    assert.deepEqual(planVolumes([{ path: 'example.com/a/@v/list', size: 0 }], MIN_VOLUME_BYTES), [[0]]);
    assert.throws(() => planVolumes([{ path: 'example.com/a/@v/list', size: -1 }], 8192), /example.com\/a\/@v\/list: size must be a whole number of bytes, got -1/);
    assert.throws(() => planVolumes([{ path: '../x/@v/list', size: 1 }], 8192), (error: unknown) => error instanceof VolumePlanError && error.entry === '../x/@v/list');
  });

  test('an empty list plans no volume', () => {
    assert.deepEqual(planVolumes([], 8192), []);
  });
});
