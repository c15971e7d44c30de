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

const goodPlan = { projectDirs: ['/src/app'], upstream: 'http://127.0.0.1:1' };
const goodRun = { planId: 'a'.repeat(64), outDir: '/media/usb', check: false };

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
  'settings:defaults': [{ request: { upstream: 'x' }, names: /^settings:defaults: request: Unrecognized key: "upstream"$/ }],
  'settings:get': [{ request: { file: '/x' }, names: /^settings:get: request: Unrecognized key: "file"$/ }],
  'settings:set': [
    { request: { upstream: ' ' }, names: /^settings:set: upstream: is empty: give a GOPROXY list/ },
    { request: { upstream: 'direct' }, names: /^settings:set: upstream: GOPROXY=direct: "direct" is not supported/ },
    { request: { upstream: 'off' }, names: /^settings:set: upstream: starts with off/ },
    { request: { upstream: 'ftp://mirror.example.com' }, names: /^settings:set: upstream: GOPROXY=ftp:\/\/mirror\.example\.com: entry 1 "ftp:\/\/mirror\.example\.com": invalid proxy URL scheme/ },
    { request: { storeDir: 'store' }, names: /^settings:set: storeDir: must be an absolute path/ },
    { request: { serveListen: { host: '0.0.0.0', port: 65536 } }, names: /^settings:set: serveListen\.port: must be 0 to 65535$/ },
    { request: { serveListen: { host: 'a b', port: 3000 } }, names: /^settings:set: serveListen\.host: must be a host name/ },
    { request: { language: 'fr' }, names: /^settings:set: language: Invalid option: expected one of "system"\|"en"\|"zh-CN"$/ },
    { request: { theme: 'blue' }, names: /^settings:set: theme: Invalid option/ },
    { request: { side: 'both' }, names: /^settings:set: side: Invalid option/ },
    { request: { colour: 'red' }, names: /^settings:set: request: Unrecognized key: "colour"$/ },
  ],
  'activity:recent': [{ request: { limit: 0 }, names: /^activity:recent: limit: must be 1 to 50$/ }],
  'sources:inspect': [
    { request: { goModFiles: ['go.mod'] }, names: /^sources:inspect: goModFiles\.0: must be an absolute path/ },
    { request: { pasted: ['a@v1.0.0'] }, names: /^sources:inspect: pasted: Invalid input: expected string, received array$/ },
  ],
  'export:plan': [
    { request: { ...goodPlan, outDir: 'bundles' }, names: /^export:plan: outDir: must be an absolute path/ },
    { request: { ...goodPlan, projectDirs: ['/ok', 7] }, names: /^export:plan: projectDirs\.1: Invalid input: expected string, received number$/ },
    { request: { ...goodPlan, upstream: '  ' }, names: /^export:plan: upstream: is empty/ },
    { request: { ...goodPlan, projectDirs: [] }, names: /^export:plan: projectDirs: nothing to export/ },
    { request: { ...goodPlan, strict: 1 }, names: /^export:plan: strict: Invalid input: expected boolean, received number$/ },
    { request: { ...goodPlan, check: true }, names: /^export:plan: request: Unrecognized key: "check"$/ },
  ],
  'export:run': [
    { request: { ...goodRun, outDir: 'bundles' }, names: /^export:run: outDir: must be an absolute path/ },
    { request: { ...goodRun, planId: 'plan-1' }, names: /^export:run: planId: must be the id of a plan export:plan answered$/ },
    { request: { ...goodRun, volumeSize: 1.5 }, names: /^export:run: volumeSize: must be a whole number of bytes$/ },
    { request: { ...goodRun, check: 'yes' }, names: /^export:run: check: Invalid input: expected boolean, received string$/ },
    // The plan itself is never taken from the renderer: only main's own plans run.
    { request: { ...goodRun, plan: { id: 'a'.repeat(64), modules: [] } }, names: /^export:run: request: Unrecognized key: "plan"$/ },
    { request: { ...goodRun, keyFile: '/etc/shadow' }, names: /^export:run: request: Unrecognized key: "keyFile"$/ },
  ],
  'verify:run': [
    { request: { bundleDir: 42 }, names: /^verify:run: bundleDir: Invalid input: expected string, received number$/ },
    { request: { bundleDir: '/b', trustSigner: 'yes' }, names: /^verify:run: trustSigner: must be a key fingerprint/ },
  ],
  'import:run': [
    { request: {}, names: /^import:run: bundleDir: Invalid input: expected string, received undefined$/ },
    { request: { bundleDir: 'relative/b' }, names: /^import:run: bundleDir: must be an absolute path/ },
  ],
  'drives:list': [{ request: { all: 'yes' }, names: /^drives:list: all: Invalid input: expected boolean, received string$/ }],
  'drives:watch': [{ request: { intervalMs: 10 }, names: /^drives:watch: request: Unrecognized key: "intervalMs"$/ }],
  'drives:eject': [
    { request: {}, names: /^drives:eject: device: Invalid input: expected string, received undefined$/ },
    { request: { device: '' }, names: /^drives:eject: device: is empty$/ },
  ],
  'destination:check': [
    { request: { dir: 'usb' }, names: /^destination:check: dir: must be an absolute path/ },
    { request: { dir: '/media/usb', planId: 'latest' }, names: /^destination:check: planId: must be the id of a plan export:plan answered$/ },
    { request: { dir: '/media/usb', volumeSize: 10 }, names: /^destination:check: volumeSize: Too small/ },
  ],
  'bundles:find': [{ request: { dir: 'E:' }, names: /^bundles:find: dir: must be an absolute path/ }],
  'keys:own': [{ request: { create: true }, names: /^keys:own: request: Unrecognized key: "create"$/ }],
  'keys:writePublic': [{ request: { destination: './key.pem' }, names: /^keys:writePublic: destination: must be an absolute path/ }],
  'keys:list': [{ request: [], names: /^keys:list: request: Invalid input: expected object, received array$/ }],
  'keys:trustFile': [
    { request: { file: 'key.pem' }, names: /^keys:trustFile: file: must be an absolute path/ },
    { request: { fingerprint: 'SHA256:x' }, names: /^keys:trustFile: (file: Invalid input: expected string, received undefined; request: Unrecognized key: "fingerprint"|request: Unrecognized key: "fingerprint"; file: Invalid input: expected string, received undefined)$/ },
  ],
  'keys:untrust': [
    { request: { fingerprint: 'SHA256:short' }, names: /^keys:untrust: fingerprint: must be a key fingerprint/ },
    { request: { fingerprint: `SHA256:../../${'a'.repeat(37)}` }, names: /^keys:untrust: fingerprint: must be a key fingerprint/ },
  ],
  'serve:run': [
    { request: { listen: { host: '127.0.0.1', port: 70000 } }, names: /^serve:run: listen\.port: must be 0 to 65535$/ },
    { request: { listen: { host: '', port: 3000 } }, names: /^serve:run: listen\.host: is empty$/ },
    { request: { storeDir: '/tmp/other' }, names: /^serve:run: request: Unrecognized key: "storeDir"$/ },
  ],
  'serve:stop': [{ request: { force: true }, names: /^serve:stop: request: Unrecognized key: "force"$/ }],
  'serve:status': [{ request: 'now', names: /^serve:status: request: Invalid input: expected object, received string$/ }],
  'store:facts': [{ request: { dir: '/x' }, names: /^store:facts: request: Unrecognized key: "dir"$/ }],
  'misses:list': [{ request: { since: 'last week' }, names: /^misses:list: since: must be an ISO 8601 time/ }],
  'request:write': [
    { request: { file: 'request.txt' }, names: /^request:write: file: must be an absolute path/ },
    { request: { file: '/r.txt', since: 'yesterday' }, names: /^request:write: since: must be an ISO 8601 time/ },
  ],
  'inventory:write': [{ request: {}, names: /^inventory:write: file: Invalid input: expected string, received undefined$/ }],
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
    assert.equal(parseRequest('export:plan', goodPlan).ok, true);
    assert.equal(parseRequest('export:plan', { projectDirs: ['/src/app'] }).ok, true, 'the upstream may come from the settings');
    assert.equal(parseRequest('settings:set', { upstream: 'https://proxy.example.com|file:///srv/goproxy,direct', side: null, storeDir: 'D:\\store' }).ok, true);
    assert.equal(parseRequest('settings:set', {}).ok, true);
    assert.equal(parseRequest('export:plan', { ...goodPlan, projectDirs: undefined, modules: ['example.com/a@latest'], outDir: 'E:\\' }).ok, true);
    assert.equal(parseRequest('export:run', { ...goodRun, outDir: 'E:\\' }).ok, true);
    assert.equal(parseRequest('request:write', { file: '/r.txt', since: '2026-01-31T12:00:00Z' }).ok, true);
    assert.equal(parseRequest('serve:run', { listen: { host: '0.0.0.0', port: 0 } }).ok, true);
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
    assert.deepEqual(!missing.ok && [missing.error.file, missing.error.problem], [path.join(data, 'no-bundle'), 'no-such-folder'], 'the folder at fault, and what is wrong as a code');
    assert.deepEqual(unexpected, []);
    await session.close();
  });
});
