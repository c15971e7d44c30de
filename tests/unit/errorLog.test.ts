import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { appendErrorLog, errorLogFile } from '../../electron/core/appApi/errorLog';

test('an unexpected error is appended to logs/errors.log in the data folder, dated, with where it happened and its stack; earlier records stay', async (t) => {
  const data = await mkdtemp(path.join(os.tmpdir(), 'modferry-errorlog-'));
  t.after(() => rm(data, { recursive: true, force: true }));
  const dirs = { data, cache: path.join(data, 'cache') };

  const first = new TypeError("Cannot read properties of undefined (reading 'size')");
  const file = await appendErrorLog(dirs, 'handling export:plan', first);
  assert.equal(file, path.join(data, 'logs', 'errors.log'));
  assert.equal(errorLogFile(dirs), file);
  await appendErrorLog(dirs, 'answering /ipc', 'a thrown string');

  const lines = (await readFile(file, 'utf8')).split('\n');
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z handling export:plan: TypeError: Cannot read properties of undefined \(reading 'size'\)$/);
  assert.match(lines[1]!, /^ {4}at .*errorLog\.test\.ts/, 'the stack follows, for whoever supports the operator');
  const last = lines.filter(Boolean).at(-1)!;
  assert.match(last, /^\S+Z answering \/ipc: a thrown string$/);
});
