import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ExportPlanAnswer, PlannedModuleAnswer } from '../../shared/ipc/exportChannel';
import { moduleRow, reviewRows, type ReviewRow } from '../../renderer/src/export/planRows';

function planned(path: string, version: string, size: number, neededBy: string[], files: Partial<PlannedModuleAnswer['files'][number]> = {}): PlannedModuleAnswer {
  const file = (kind: 'info' | 'mod' | 'zip', bytes: number) => ({ kind, size: bytes, sha256: '0'.repeat(64), heldOffline: false, ...files });
  return { path, version, zip: true, reason: { kind: 'selected', root: neededBy[0] ?? '' }, neededBy, files: [file('info', 10), file('mod', 20), file('zip', size)] } as PlannedModuleAnswer;
}

const modules = [
  planned('example.com/b', 'v1.10.0', 500, ['/p/one/go.mod']),
  planned('example.com/a', 'v1.2.0', 100, ['/p/one/go.mod', '/p/two/go.mod'], { exportedIn: 'mf-20260101-0000000a' }),
  planned('example.com/c', 'v1.9.0', 300, ['/p/two/go.mod'], { heldOffline: true }),
];
const plan = {
  inputs: [
    { name: '/p/one/go.mod', input: { kind: 'project', value: '/p/one' } },
    { name: '/p/two/go.mod', input: { kind: 'project', value: '/p/two' } },
  ],
  modules,
} as unknown as ExportPlanAnswer;
const rows = modules.map(moduleRow);
const keys = (shown: ReviewRow[]): string[] => shown.map((row) => (row.kind === 'group' ? `[${row.name}: ${row.count}]` : row.key.split('\n').at(-1)!));

describe('the review rows of a plan', () => {
  test('each module version says what it ships and whether an earlier bundle or the offline store has it', () => {
    assert.deepEqual(rows.map((r) => [r.key, r.bytes, r.status, r.carriedIn]), [
      ['example.com/b@v1.10.0', 530, 'new', undefined],
      ['example.com/a@v1.2.0', 130, 'carried', 'mf-20260101-0000000a'],
      ['example.com/c@v1.9.0', 0, 'held', undefined],
    ]);
  });

  test('sorted by path, semantic version, size or status, either way', () => {
    const view = { query: '', descending: false, grouped: false } as const;
    assert.deepEqual(keys(reviewRows(plan, rows, { ...view, sort: 'path' })), ['example.com/a@v1.2.0', 'example.com/b@v1.10.0', 'example.com/c@v1.9.0']);
    assert.deepEqual(keys(reviewRows(plan, rows, { ...view, sort: 'version' })), ['example.com/a@v1.2.0', 'example.com/c@v1.9.0', 'example.com/b@v1.10.0']);
    assert.deepEqual(keys(reviewRows(plan, rows, { ...view, sort: 'size', descending: true })), ['example.com/b@v1.10.0', 'example.com/a@v1.2.0', 'example.com/c@v1.9.0']);
    assert.deepEqual(keys(reviewRows(plan, rows, { ...view, sort: 'status' })), ['example.com/b@v1.10.0', 'example.com/a@v1.2.0', 'example.com/c@v1.9.0']);
  });

  test('searched by path@version in any case, and grouped under each project that needs them', () => {
    assert.deepEqual(keys(reviewRows(plan, rows, { query: ' A@V1 ', sort: 'path', descending: false, grouped: false })), ['example.com/a@v1.2.0']);
    const grouped = reviewRows(plan, rows, { query: '', sort: 'path', descending: false, grouped: true });
    assert.deepEqual(keys(grouped), ['[/p/one: 2]', 'example.com/a@v1.2.0', 'example.com/b@v1.10.0', '[/p/two: 2]', 'example.com/a@v1.2.0', 'example.com/c@v1.9.0']);
    assert.equal(new Set(grouped.map((row) => row.key)).size, grouped.length, 'a version under two projects has a key per place');
  });
});
