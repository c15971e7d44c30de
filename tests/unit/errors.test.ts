import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleVerifyError } from '../../electron/core/bundle/bundleVerifyError';
import { readTarVolume, TarFormatError } from '../../electron/core/bundle/tarVolumeReader';
import { errorKind, errorRecord, ModFerryError } from '../../electron/core/errors/modferryError';
import { openStore } from '../../electron/core/store/diskStore';
import { UpstreamError } from '../../electron/core/upstream/errors';
import { planVolumes } from '../../shared/bundle/volumePlan';
import { asError, errorMessage } from '../../shared/errorMessage';
import { craftTar, makeTempDir } from '../support/bundleSources';

test('an error keeps its kind and where it lies as fields; the message is composed from them once', () => {
  const error = new ModFerryError('input', 'unknown directive', { file: 'go.mod', line: 3, module: 'example.com/a', version: 'v1.0.0' });
  assert.equal(error.message, 'go.mod:3: example.com/a@v1.0.0: unknown directive');
  const full = new ModFerryError('destination', 'no space left', { drive: '/media/usb', volume: 'mf-1-001-of-002.tar' });
  assert.equal(full.message, '/media/usb: mf-1-001-of-002.tar: no space left');
  assert.deepEqual(errorRecord(full), { type: 'error', kind: 'destination', message: full.message, drive: '/media/usb', volume: 'mf-1-001-of-002.tar' });
  assert.deepEqual(errorRecord(error), { type: 'error', kind: 'input', message: error.message, file: 'go.mod', line: 3, module: 'example.com/a', version: 'v1.0.0' });
});

test('errors from before the module and those they wrap report their kind and fields', () => {
  const refused = new BundleVerifyError('sha256 mismatch', { volume: 'v-001.tar', entry: 'example.com/a/@v/v1.0.0.zip', module: 'example.com/a', version: 'v1.0.0' });
  const wrapped = new Error(`bundle refused: ${refused.message}`, { cause: refused });
  assert.deepEqual(errorRecord(wrapped), {
    type: 'error', kind: 'internal', message: wrapped.message,
    volume: 'v-001.tar', entry: 'example.com/a/@v/v1.0.0.zip', module: 'example.com/a', version: 'v1.0.0',
  });
  assert.equal(errorKind(refused), 'bundle');
  const upstream = new UpstreamError('example.com/a', 'v1.0.0', 'http://127.0.0.1:1/example.com/a/@v/v1.0.0.zip', '500 Internal Server Error', 3);
  assert.deepEqual(errorRecord(upstream), { type: 'error', kind: 'upstream', message: upstream.message, module: 'example.com/a', version: 'v1.0.0', url: upstream.url });
  const missing = Object.assign(new Error("ENOENT: no such file or directory, open '/x/y'"), { code: 'ENOENT', syscall: 'open', path: '/x/y' });
  assert.deepEqual(errorRecord(missing), { type: 'error', kind: 'input', message: missing.message, file: '/x/y' });
  assert.deepEqual(errorRecord('a string'), { type: 'error', kind: 'internal', message: 'a string' });
  // A volume size too small for a file is the operator's choice to change, naming the file as its bundle entry.
  assert.throws(() => planVolumes([{ path: 'example.com/a/@v/v1.0.0.zip', size: 10_000 }], 8192), (error: unknown) => {
    assert.deepEqual(errorRecord(error), { type: 'error', kind: 'input', message: (error as Error).message, entry: 'example.com/a/@v/v1.0.0.zip' });
    return true;
  });
  assert.equal(errorMessage(42), '42');
  assert.equal(asError('x').message, 'x');
});

test("a bad tar's fault keeps node-tar's reason apart from its code", async () => {
  const { dir, cleanup } = await makeTempDir('tar-fault');
  try {
    const tar = craftTar([{ path: 'a.txt', content: Buffer.from('hello') }, { path: 'b.txt', content: Buffer.from('world') }]);
    tar.writeUInt8(tar.readUInt8(1172) ^ 0x01, 1172); // the second header's checksum field
    const file = path.join(dir, 'v.tar');
    await writeFile(file, tar);
    const error: unknown = await readTarVolume(file, tar.length, { onEntry: async (entry) => void (await entry.concat()) }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TarFormatError, String(error));
    assert.equal(error.reason, 'checksum failure');
    assert.equal(error.message, 'checksum failure (in the first entries)');
    assert.deepEqual(errorRecord(error), { type: 'error', kind: 'bundle', message: error.message, volume: 'v.tar' });
    // A problem code is carried as the record's, from the error or the first cause that has one.
    const changed = new BundleVerifyError('sha256 mismatch', { volume: 'v.tar', entry: 'a/@v/v1.0.0.info' }, { problem: 'content-changed' });
    const wrappedChange = new ModFerryError('bundle', changed.reason, changed.fields, { cause: changed });
    assert.deepEqual(errorRecord(wrappedChange), { type: 'error', kind: 'bundle', message: wrappedChange.message, problem: 'content-changed', volume: 'v.tar', entry: 'a/@v/v1.0.0.info' });

    // A volume cut inside an entry's data: the fault names that entry, and the one read whole before it.
    const cutFile = path.join(dir, 'cut.tar');
    const longer = craftTar([{ path: 'a.txt', content: Buffer.from('hello') }, { path: 'big.bin', content: Buffer.alloc(4096, 1) }]);
    const truncated = Buffer.concat([longer.subarray(0, 512 * 4), Buffer.alloc(1024)]);
    await writeFile(cutFile, truncated);
    const cutError: unknown = await readTarVolume(cutFile, truncated.length, { onEntry: async (entry) => void (await entry.concat()) }).then(() => undefined, (e: unknown) => e);
    assert.ok(cutError instanceof TarFormatError, String(cutError));
    assert.equal(cutError.kind, 'bundle');
    assert.deepEqual(cutError.fields, { volume: 'cut.tar', entry: 'big.bin' });
    assert.equal(cutError.after, 'a.txt');
    assert.doesNotMatch(cutError.reason, /^TAR_/);
    assert.deepEqual((await readdir(dir)).sort(), ['cut.tar', 'v.tar']);
  } finally {
    await cleanup();
  }
});

test('a folder refused as a store is named as the file at fault in the record', async () => {
  const { dir, cleanup } = await makeTempDir('errors-store');
  try {
    await writeFile(path.join(dir, 'notes.txt'), 'not a store\n');
    assert.throws(() => openStore(dir, { mode: 'write' }), (error: unknown) => {
      const record = errorRecord(error);
      assert.deepEqual([record.kind, record.file], ['store', dir]);
      assert.match(record.message, /not a ModFerry store/);
      return true;
    });
  } finally {
    await cleanup();
  }
});
