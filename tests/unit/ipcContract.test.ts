import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ipcChannels, type IpcChannel } from '../../shared/ipc/contract';
import { IpcError, unwrapReply, type IpcReply } from '../../shared/ipc/ipcError';
import { parseRequest } from '../../shared/ipc/parseRequest';
import { asRecord, createAppSession } from '../../electron/core/appApi/appSession';
import { BundleVerifyError } from '../../electron/core/bundle/bundleVerifyError';
import { ModFerryError } from '../../electron/core/errors/modferryError';

const goodExport = { projectDirs: ['/src/app'], upstream: 'http://127.0.0.1:1', outDir: '/media/usb', check: false };

/** Per channel: payloads its schema must refuse, and what the refusal must name. A new channel fails here until it has some. */
const badPayloads: Record<IpcChannel, Array<{ request: unknown; names: RegExp }>> = {
  'app:info': [
    { request: { extra: 1 }, names: /^app:info: request: Unrecognized key: "extra"$/ },
    { request: null, names: /^app:info: request: Invalid input: expected object, received null$/ },
  ],
  'job:cancel': [
    { request: {}, names: /^job:cancel: jobId: Invalid input: expected string, received undefined$/ },
    { request: { jobId: 'a b' }, names: /^job:cancel: jobId: must be 8 to 64 letters, digits, - or _$/ },
  ],
  'export:run': [
    { request: { ...goodExport, outDir: 'bundles' }, names: /^export:run: outDir: must be an absolute path/ },
    { request: { ...goodExport, projectDirs: ['/ok', 7] }, names: /^export:run: projectDirs\.1: Invalid input: expected string, received number$/ },
    { request: { ...goodExport, upstream: '  ' }, names: /^export:run: upstream: is empty/ },
    { request: { ...goodExport, volumeSize: 1.5 }, names: /^export:run: volumeSize: must be a whole number of bytes$/ },
    { request: { ...goodExport, check: 'yes' }, names: /^export:run: check: Invalid input: expected boolean, received string$/ },
    { request: { ...goodExport, projectDirs: [] }, names: /^export:run: projectDirs: nothing to export/ },
    { request: { ...goodExport, keyFile: '/etc/shadow' }, names: /^export:run: request: Unrecognized key: "keyFile"$/ },
  ],
  'verify:run': [
    { request: { bundleDir: 42 }, names: /^verify:run: bundleDir: Invalid input: expected string, received number$/ },
    { request: { bundleDir: '/b', trustNewKey: 'yes' }, names: /^verify:run: trustNewKey: Invalid input: expected boolean, received string$/ },
  ],
  'import:run': [
    { request: {}, names: /^import:run: bundleDir: Invalid input: expected string, received undefined$/ },
    { request: { bundleDir: 'relative/b' }, names: /^import:run: bundleDir: must be an absolute path/ },
  ],
};

describe('the IPC contract', () => {
  for (const channel of ipcChannels) {
    test(`${channel} refuses bad payloads with a message naming the field`, () => {
      const cases = badPayloads[channel];
      assert.ok(cases.length > 0, `${channel} has no bad payloads to test`);
      for (const { request, names } of cases) {
        const parsed = parseRequest(channel, request);
        assert.equal(parsed.ok, false, JSON.stringify(request));
        assert.match(parsed.ok ? '' : parsed.message, names);
      }
    });
  }

  test('good payloads pass, with Windows paths as absolute as POSIX ones', () => {
    assert.equal(parseRequest('app:info', {}).ok, true);
    assert.equal(parseRequest('export:run', goodExport).ok, true);
    assert.equal(parseRequest('export:run', { ...goodExport, projectDirs: undefined, modules: ['example.com/a@latest'], outDir: 'E:\\' }).ok, true);
    assert.equal(parseRequest('import:run', { bundleDir: '\\\\server\\share\\bundle' }).ok, true);
  });

  test('an unknown channel is refused by name', () => {
    assert.deepEqual(parseRequest('fs:delete', {}), { ok: false, message: 'unknown channel "fs:delete"' });
    assert.deepEqual(parseRequest('__proto__', {}), { ok: false, message: 'unknown channel "__proto__"' });
  });
});

describe('errors across IPC', () => {
  const roundTrip = (error: unknown): IpcError => {
    const reply: IpcReply<never> = JSON.parse(JSON.stringify({ ok: false, error: asRecord(error) }));
    try {
      unwrapReply(reply);
    } catch (thrown) {
      assert.ok(thrown instanceof IpcError);
      return thrown;
    }
    assert.fail('unwrapReply returned for a failure');
  };

  test('keep their kind, message and fields', () => {
    const error = roundTrip(new BundleVerifyError('sha256 mismatch', { volume: 'mf-1-001-of-002.tar', entry: 'example.com/a/@v/v1.0.0.zip', module: 'example.com/a', version: 'v1.0.0' }));
    assert.equal(error.kind, 'bundle');
    assert.equal(error.message, 'mf-1-001-of-002.tar: example.com/a/@v/v1.0.0.zip: sha256 mismatch');
    assert.deepEqual(error.fields, { volume: 'mf-1-001-of-002.tar', entry: 'example.com/a/@v/v1.0.0.zip', module: 'example.com/a', version: 'v1.0.0' });

    const withLine = roundTrip(new ModFerryError('input', 'unknown directive', { file: '/src/app/go.mod', line: 7 }));
    assert.equal(withLine.kind, 'input');
    assert.deepEqual(withLine.fields, { file: '/src/app/go.mod', line: 7 });
  });

  test('a file-system error names its file; anything else thrown is internal', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x/manifest.json'"), { code: 'ENOENT', syscall: 'open', path: '/x/manifest.json' });
    assert.deepEqual(roundTrip(enoent).fields, { file: '/x/manifest.json' });
    const odd = roundTrip('a string was thrown');
    assert.equal(odd.kind, 'internal');
    assert.equal(odd.message, 'a string was thrown');
  });
});

describe('an app session', () => {
  test('refuses a bad request and a job without a job id, runs calls, and reports a real failure with its fields', async (t) => {
    const data = await mkdtemp(path.join(os.tmpdir(), 'modferry-session-'));
    t.after(() => rm(data, { recursive: true, force: true }));
    const unexpected: unknown[] = [];
    const session = createAppSession({ dirs: { data, cache: path.join(data, 'cache') }, toolVersion: '9.9.9' }, {
      send: () => undefined,
      onUnexpected: (error) => unexpected.push(error),
    });
    assert.deepEqual(await session.dispatch('app:info', {}), { ok: true, value: { name: 'ModFerry', version: '9.9.9', platform: process.platform } });
    assert.deepEqual(await session.dispatch('job:cancel', { jobId: 'nosuchjob' }), { ok: true, value: { cancelled: false } });

    const bad = await session.dispatch('verify:run', { bundleDir: 5 }, 'job-00000001');
    assert.deepEqual(bad, { ok: false, error: { kind: 'usage', message: 'verify:run: bundleDir: Invalid input: expected string, received number' } });
    const noJobId = await session.dispatch('verify:run', { bundleDir: data });
    assert.deepEqual(noJobId, { ok: false, error: { kind: 'usage', message: 'verify:run: jobId: a job channel needs one' } });

    const missing = await session.dispatch('verify:run', { bundleDir: path.join(data, 'no-bundle') }, 'job-00000002');
    assert.equal(missing.ok, false);
    assert.ok(!missing.ok && missing.error.kind === 'bundle', JSON.stringify(missing));
    assert.equal(!missing.ok && missing.error.file, path.join(data, 'no-bundle', 'manifest.json'));
    assert.deepEqual(unexpected, []);
    await session.close();
  });
});
