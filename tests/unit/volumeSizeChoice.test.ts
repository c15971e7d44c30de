import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FAT_MAX_FILE_BYTES } from '../../electron/core/drives/volumeSize';
import { readVolumeSize } from '../../renderer/src/export/volumeSizeChoice';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe('a volume size the operator types', () => {
  const fat = { largestFileBytes: 5 * MiB, maxBytes: FAT_MAX_FILE_BYTES };
  test('reads binary units, with or without a space or "iB"', () => {
    assert.deepEqual(readVolumeSize('700 MiB', fat), { ok: true, bytes: 700 * MiB });
    assert.deepEqual(readVolumeSize('2G', fat), { ok: true, bytes: 2 * GiB });
    assert.deepEqual(readVolumeSize(' 1.5 gib ', fat), { ok: true, bytes: 1.5 * GiB });
  });
  test('refuses what is not a size', () => {
    for (const text of ['', 'big', '2 GB per volume', '-1G']) assert.deepEqual(readVolumeSize(text, fat), { ok: false, problem: 'unreadable' }, text);
  });
  test('is at least 1 MiB, and holds the largest file with its tar header and the end of the archive', () => {
    assert.deepEqual(readVolumeSize('700', fat), { ok: false, problem: 'too-small', minBytes: 5 * MiB + 2048 });
    assert.deepEqual(readVolumeSize('5M', fat), { ok: false, problem: 'too-small', minBytes: 5 * MiB + 2048 });
    assert.deepEqual(readVolumeSize('512K', { largestFileBytes: 10, maxBytes: null }), { ok: false, problem: 'too-small', minBytes: MiB });
    assert.deepEqual(readVolumeSize(String(5 * MiB + 2048), fat), { ok: true, bytes: 5 * MiB + 2048 });
  });
  test('is at most what the file system holds: on FAT, 4 GiB less a byte', () => {
    assert.deepEqual(readVolumeSize('4G', fat), { ok: false, problem: 'too-large', maxBytes: FAT_MAX_FILE_BYTES });
    assert.deepEqual(readVolumeSize(String(FAT_MAX_FILE_BYTES), fat), { ok: true, bytes: FAT_MAX_FILE_BYTES });
    assert.deepEqual(readVolumeSize('8G', { largestFileBytes: 0, maxBytes: null }), { ok: true, bytes: 8 * GiB });
  });
});
