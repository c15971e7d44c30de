import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BundleManifest } from '../../shared/bundle/manifest';
import { findVolumeProblems } from '../../electron/core/bundle/volumeFolder';
import { volumeProblemWords } from '../../renderer/src/importWizard/volumeProblemWords';
import { formatters } from '../../renderer/src/i18n/format';
import { translator } from '../../renderer/src/i18n/catalog';

const id = 'mf-20261203-0a1b2c3d';
const manifest = {
  bundleId: id,
  volumes: [1, 2, 3].map((index) => ({ index, name: `${id}-00${index}-of-003.tar`, size: 10240, sha256: '0'.repeat(64) })),
} as unknown as BundleManifest;

test('each volume problem has a code with its figures, and the import wizard words it in Chinese', () => {
  const problems = findVolumeProblems(manifest, [
    { name: `${id}-001-of-003.tar`, size: 4096 },
    { name: `${id}-003-of-003.tar`, size: 10240 },
    { name: `${id}-003-of-003.tar.partial`, size: 512 },
    { name: 'mf-20250101-deadbeef-001-of-001.tar', size: 10240 },
    { name: 'notes.tar', size: 1 },
  ]);
  assert.deepEqual(problems.map((p) => [p.volume, p.code, p.unfinished ?? false]), [
    [`${id}-001-of-003.tar`, { kind: 'size-differs', size: 4096, expected: 10240 }, false],
    [`${id}-002-of-003.tar`, { kind: 'missing' }, false],
    ['mf-20250101-deadbeef-001-of-001.tar', { kind: 'other-bundle', bundleId: 'mf-20250101-deadbeef' }, false],
    [`${id}-003-of-003.tar.partial`, { kind: 'duplicate', of: `${id}-003-of-003.tar` }, true],
    ['notes.tar', { kind: 'stray' }, false],
  ]);
  assert.match(problems[0]!.reason, /truncated or incompletely copied/);
  const t = translator('zh-CN');
  const { size } = formatters('zh-CN', t);
  assert.equal(volumeProblemWords(problems[0]!, t, size), `比写入时短（${size(4096)}，应为 ${size(10240)}）：被截断或没有完整复制。请重新复制。`);
  assert.equal(volumeProblemWords(problems[3]!, t, size), `是 ${id}-003-of-003.tar 的第二份副本。请删除多余的副本。 这是一次未完成的写入留下的。`);
  for (const problem of problems) assert.doesNotMatch(volumeProblemWords(problem, t, size), /\{\w+\}/);
});
