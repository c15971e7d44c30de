import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errorRecord } from '../../electron/core/errors/modferryError';
import { loadExportInputs } from '../../electron/core/export/exportInputs';
import { makeTempDir } from '../support/bundleSources';
import { planWarningText } from '../../shared/export/planNotesText';

let root: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('export-inputs'));
});
after(() => cleanup());

test('a project or go.mod without go.sum is warned about: nothing is checked against hashes it recorded', async () => {
  const withSum = path.join(root, 'with-sum');
  const withoutSum = path.join(root, 'without-sum');
  for (const dir of [withSum, withoutSum]) {
    await mkdir(dir);
    await writeFile(path.join(dir, 'go.mod'), `module example.com/${path.basename(dir)}\n\ngo 1.19\n\nrequire example.com/a v1.0.0\n`);
  }
  await writeFile(path.join(withSum, 'go.sum'), 'example.com/a v1.0.0/go.mod h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n');
  const inputs = await loadExportInputs({ projectDirs: [withSum, withoutSum], goModFiles: [path.join(withoutSum, 'go.mod')] });
  assert.equal(inputs.goSums.length, 1);
  assert.deepEqual(inputs.warnings.map(planWarningText), [
    `${path.join(withoutSum, 'go.mod')}: no go.sum beside it, so nothing it needs was checked against known hashes (run 'go mod tidy' to record them)`,
  ]);
});

test('bad inputs are refused with their kind and the file at fault as fields', async () => {
  const missing = path.join(root, 'nope');
  const error: unknown = await loadExportInputs({ projectDirs: [missing] }).then(() => undefined, (e: unknown) => e);
  assert.deepEqual(errorRecord(error), { type: 'error', kind: 'input', message: `${missing}: no such project folder`, file: missing });
  const empty = path.join(root, 'empty-request.txt');
  await writeFile(empty, '# modferry request v1\n');
  const none: unknown = await loadExportInputs({ requestFiles: [empty] }).then(() => undefined, (e: unknown) => e);
  assert.deepEqual(errorRecord(none), { type: 'error', kind: 'input', message: `${empty}: the request file asks for no modules`, file: empty });
});
