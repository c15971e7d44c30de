import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isBundleId, parseManifest, type BundleManifest } from '../../shared/bundle/manifest';
import { parseTreePath } from '../../shared/bundle/treePath';
import { tarVolumeBytes } from '../../shared/bundle/tarLayout';
import type { ProgressEvent } from '../../shared/work/progress';
import { BundleVerifyError } from '../../electron/core/bundle/bundleVerifyError';
import { describeShortfall, ensureFreeSpace, freeSpaceShortfall, mountPointOf } from '../../electron/core/fsutil/freeSpace';
import { readBackSeal, readBackVolumes, type ReadBackOptions } from '../../electron/core/bundle/readBack';
import { verifyBundle } from '../../electron/core/bundle/verifyBundle';
import { DEFAULT_VOLUME_SIZE, writeBundle, type BundleSourceFile, type WriteBundleOptions } from '../../electron/core/bundle/writeBundle';
import { makeBundleSources, makeTempDir, sha256Hex, testSigningKey, type SourceModule } from '../support/bundleSources';
import { filesUnder } from '../support/filesUnder';

const longModulePath = `example.com/${Array.from({ length: 12 }, (_, i) => `deeply-nested-element-${i}`).join('/')}`;
const modules: SourceModule[] = [
  { path: 'github.com/BurntSushi/toml', version: 'v1.2.0' },
  { path: 'golang.org/x/text', version: 'v0.3.7', files: { 'doc.go': 'package text\n', 'LICENSE': 'BSD\n' } },
  { path: 'golang.org/x/text', version: 'v0.14.0' },
  { path: 'example.com/big', version: 'v1.0.0', files: { 'data.bin': randomBytes(3 * 1024 * 1024) } },
  { path: longModulePath, version: 'v1.0.0-RC1' },
  { path: 'example.com/old', version: 'v2.0.0+incompatible', goMod: 'module example.com/old\n' },
];

const key = testSigningKey();
let root: string;
let cleanup: () => Promise<void>;
let sources: BundleSourceFile[];
/** Without the 3 MiB module, for tests that want many small volumes. */
let smallSources: BundleSourceFile[];
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('bundle-write'));
  sources = await makeBundleSources(path.join(root, 'cache'), modules);
  smallSources = sources.filter((s) => !s.path.startsWith('example.com/big/'));
});
after(() => cleanup());

function options(outDir: string, extra: Partial<WriteBundleOptions> = {}): WriteBundleOptions {
  return { outDir, files: sources, inputs: [{ kind: 'go.mod', value: '/home/me/app/go.mod' }], signingKey: key, toolVersion: '0.1.0', ...extra };
}

const trustOurKey = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;

describe('writeBundle', () => {
  test('round trip: writes a signed bundle that verifies, with a manifest describing every file', async () => {
    const outDir = freshDir('out');
    const events: ProgressEvent[] = [];
    const { bundleDir, manifest } = await writeBundle(options(outDir, { onProgress: (e) => events.push(e) }));

    assert.equal(path.dirname(bundleDir), outDir);
    assert.equal(path.basename(bundleDir), manifest.bundleId);
    assert.ok(isBundleId(manifest.bundleId));
    assert.match(manifest.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.deepEqual(manifest.tool, { name: 'modferry', version: '0.1.0' });
    assert.deepEqual(manifest.inputs, [{ kind: 'go.mod', value: '/home/me/app/go.mod' }]);
    assert.equal(manifest.volumes.length, 1);
    assert.deepEqual(manifest.entries.map((e) => e.path), sources.map((s) => s.path).sort());
    for (const entry of manifest.entries) {
      const source = sources.find((s) => s.path === entry.path);
      assert.ok(source);
      assert.equal(entry.sha256, source.sha256);
      assert.equal(entry.size, source.size);
      assert.equal(entry.h1, source.h1);
    }

    const volume = manifest.volumes[0];
    assert.ok(volume);
    assert.deepEqual(await readdir(bundleDir).then((names) => names.sort()), ['manifest.json', 'manifest.sig', 'signer.pub.pem', volume.name].sort());
    const volumeBytes = await readFile(path.join(bundleDir, volume.name));
    assert.equal(volumeBytes.length, volume.size);
    assert.equal(sha256Hex(volumeBytes), volume.sha256);
    assert.equal(volume.size, tarVolumeBytes(manifest.entries));
    assert.deepEqual(parseManifest(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8'), 'manifest.json'), manifest);

    const verified = await verifyBundle(bundleDir, { trust: trustOurKey });
    assert.deepEqual(verified.manifest, manifest);
    assert.equal(verified.signer.fingerprint, key.fingerprint);
    assert.equal(verified.signer.newlyTrusted, false);

    assert.ok(events.length >= 2);
    assert.ok(events.every((e) => e.stage === 'write' && e.totalFiles === sources.length));
    const totalBytes = sources.reduce((sum, s) => sum + s.size, 0);
    assert.deepEqual(events.at(-1), { stage: 'write', message: `wrote ${manifest.bundleId}`, subject: manifest.bundleId, files: sources.length, totalFiles: sources.length, bytes: totalBytes, totalBytes });
    for (let i = 1; i < events.length; i++) assert.ok((events[i]?.bytes ?? 0) >= (events[i - 1]?.bytes ?? 0), 'progress never goes back');
  });

  test('multiple volumes: each extracts alone with tar -xf into a GOPROXY tree of whole files', async () => {
    const volumeSize = 12 * 1024;
    const { bundleDir, manifest } = await writeBundle(options(freshDir('multi'), { files: smallSources, volumeSize }));
    assert.ok(manifest.volumes.length >= 3, `expected several volumes, got ${manifest.volumes.length}`);

    for (const volume of manifest.volumes) {
      const file = path.join(bundleDir, volume.name);
      assert.ok((await stat(file)).size <= volumeSize || manifest.entries.some((e) => e.volume === volume.index && e.size > volumeSize));
      const tree = freshDir(`extract-${volume.index}`);
      await mkdir(tree);
      execFileSync('tar', ['-xf', file, '-C', tree]);
      const expected = manifest.entries.filter((e) => e.volume === volume.index);
      assert.deepEqual(await filesUnder(tree), expected.map((e) => e.path).sort(), `${volume.name} holds exactly its entries`);
      for (const entry of expected) {
        assert.equal(sha256Hex(await readFile(path.join(tree, ...entry.path.split('/')))), entry.sha256, `${entry.path} extracted whole`);
      }
    }

    // A version's .info, .mod and .zip travel together, so any one volume serves whole versions.
    const volumesOfVersion = new Map<string, Set<number>>();
    for (const entry of manifest.entries) {
      const tree = parseTreePath(entry.path);
      if (tree.version === undefined) continue;
      const key = `${tree.modulePath}@${tree.version}`;
      volumesOfVersion.set(key, new Set([...(volumesOfVersion.get(key) ?? []), entry.volume]));
    }
    for (const [version, volumes] of volumesOfVersion) assert.equal(volumes.size, 1, `${version} is in one volume`);

    await verifyBundle(bundleDir, { trust: trustOurKey });
  });

  test('volumes are written as .partial and renamed when complete; manifest.json appears last', async () => {
    const outDir = freshDir('partial');
    const snapshots: string[][] = [];
    await writeBundle(
      options(outDir, {
        files: smallSources,
        volumeSize: 12 * 1024,
        onProgress: (event) => {
          if (event.message?.startsWith('writing')) {
            const [bundleId] = readdirSync(outDir);
            snapshots.push(readdirSync(path.join(outDir, bundleId ?? '')));
          }
        },
      }),
    );
    assert.ok(snapshots.length > 1);
    for (const names of snapshots) {
      assert.ok(!names.includes('manifest.json') && !names.includes('manifest.sig'), `no manifest while writing: ${names.join(', ')}`);
      assert.equal(names.filter((n) => n.endsWith('.tar.partial')).length, 1, `exactly one volume being written: ${names.join(', ')}`);
    }
    assert.ok(snapshots.some((names) => names.some((n) => n.endsWith('.tar'))), 'finished volumes get their final name while later ones are written');
  });

  test('paths longer than ustar allows take PAX headers and round-trip through GNU tar', async () => {
    const { bundleDir, manifest } = await writeBundle(options(freshDir('long')));
    const long = manifest.entries.filter((e) => e.path.length > 255);
    assert.ok(long.length >= 3, 'the fixture must have paths longer than ustar can hold');
    const volume = manifest.volumes[0];
    assert.ok(volume);
    const listed = execFileSync('tar', ['-tf', path.join(bundleDir, volume.name)], { encoding: 'utf8' }).trimEnd().split('\n');
    assert.deepEqual(listed, manifest.entries.map((e) => e.path));
  });

  test('an abort mid-write removes everything written, and nothing looks like a bundle', async () => {
    const parent = freshDir('abort');
    await mkdir(parent);
    await writeFile(path.join(parent, 'keep.txt'), 'not ours');
    const outDir = path.join(parent, 'new', 'nested');
    const controller = new AbortController();
    let sawPartialState = false;
    const writing = writeBundle(
      options(outDir, {
        files: smallSources,
        volumeSize: 12 * 1024,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.message?.startsWith('writing mf-') && event.message.includes('-002-of-') && !controller.signal.aborted) {
            sawPartialState = readdirSync(outDir, { recursive: true }).some((name) => String(name).endsWith('.tar'));
            controller.abort();
          }
        },
      }),
    );
    await assert.rejects(writing, (error: unknown) => error instanceof Error && error.name === 'AbortError');
    assert.ok(sawPartialState, 'the abort came after files were written');
    assert.deepEqual(await readdir(parent), ['keep.txt'], 'the folders it created are gone, other files stay');
  });

  test('an abort before starting writes nothing', async () => {
    const outDir = freshDir('abort-early');
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(writeBundle(options(outDir, { signal: controller.signal })), { name: 'AbortError' });
    await assert.rejects(stat(outDir), { code: 'ENOENT' });
  });

  test('a source whose content changed since it was downloaded is an error naming it; nothing is left', async () => {
    const cache = freshDir('changed-cache');
    const changed = await makeBundleSources(cache, [{ path: 'example.com/a', version: 'v1.0.0' }, { path: 'example.com/b', version: 'v1.0.0' }]);
    const victim = changed.find((s) => s.path === 'example.com/b/@v/v1.0.0.mod');
    assert.ok(victim);
    const original = await readFile(victim.source);
    await writeFile(victim.source, Buffer.concat([original.subarray(0, original.length - 1), Buffer.from('X')]));
    const outDir = freshDir('changed');
    await mkdir(outDir);
    await assert.rejects(
      writeBundle(options(outDir, { files: changed })),
      new RegExp(`^Error: example.com/b/@v/v1.0.0.mod: ${escapeRegExp(victim.source)} has sha256 [0-9a-f]{12}…, expected ${victim.sha256.slice(0, 12)}…; the download cache changed while the bundle was written, run the export again$`),
    );
    assert.deepEqual(await readdir(outDir), []);

    await writeFile(victim.source, Buffer.concat([original, Buffer.from('\n')]));
    await assert.rejects(writeBundle(options(outDir, { files: changed })), new RegExp(`${escapeRegExp(victim.source)} is ${original.length + 1} bytes, expected ${original.length}`));
    await writeFile(victim.source, original);
    await writeBundle(options(outDir, { files: changed }));
  });

  test('a missing source is an error naming it', async () => {
    const files = [...sources, { path: 'example.com/gone/@v/list', source: path.join(root, 'no-such-file'), size: 3, sha256: 'a'.repeat(64) }];
    const outDir = freshDir('missing');
    await assert.rejects(writeBundle(options(outDir, { files })), /example.com\/gone\/@v\/list: cannot read .*no-such-file \(ENOENT\)/);
    await assert.rejects(stat(outDir), { code: 'ENOENT' });
  });

  test('a file too large for one volume is named before anything is written', async () => {
    const outDir = freshDir('oversized');
    await assert.rejects(writeBundle(options(outDir, { volumeSize: 1024 * 1024 })), (error: unknown) =>
      error instanceof Error && error.message.startsWith('example.com/big/@v/v1.0.0.zip: 3.0 MiB does not fit in a volume of 1.0 MiB'));
    await assert.rejects(stat(outDir), { code: 'ENOENT' });
  });

  test('refuses a bad list of files before writing, naming the file', async () => {
    const zip = sources.find((s) => s.path.endsWith('.zip'));
    const info = sources.find((s) => s.path.endsWith('.info'));
    assert.ok(zip && info);
    const cases: Array<[BundleSourceFile[], RegExp]> = [
      [[], /nothing to bundle/],
      [[zip, zip], new RegExp(`${escapeRegExp(zip.path)}: listed twice`)],
      [[{ ...zip, h1: undefined }], /a .zip file needs its h1 hash \(h1:<base64>\), got null/],
      [[{ ...zip, h1: 'h1:nope' }], /a .zip file needs its h1 hash/],
      [[{ ...info, h1: zip.h1 }], /only .mod and .zip files have an h1 hash/],
      [[{ ...info, sha256: 'ABC' }], /sha256 must be 64 lower-case hex digits, got "ABC"/],
      [[{ ...info, size: 1.5 }], /size must be a whole number of bytes, got 1.5/],
      [[{ ...info, path: 'example.com/../etc/@v/list' }], /cannot bundle "example.com\/..\/etc\/@v\/list": path climbs out of the bundle/],
      [[{ ...info, path: 'Example.com/m/@v/list' }], /cannot bundle "Example.com\/m\/@v\/list": invalid escaped module path/],
    ];
    for (const [files, message] of cases) {
      const outDir = freshDir('bad-list');
      await assert.rejects(writeBundle(options(outDir, { files })), message);
      await assert.rejects(stat(outDir), { code: 'ENOENT' });
    }
    await assert.rejects(writeBundle(options(freshDir('bad-input'), { inputs: [{ kind: 'module', value: '' }] })), /manifest.json: inputs\[0\].value: must not be empty/);
  });

  test('the default volume size stays under the FAT32 file size limit', () => {
    assert.equal(DEFAULT_VOLUME_SIZE, 4 * 1024 ** 3 - 1);
  });
});

/** Both read-backs on a sealed bundle, as an export makes them (the volumes while the go command proves them). */
async function readBackBundle(bundleDir: string, options: ReadBackOptions): Promise<BundleManifest> {
  await readBackVolumes(bundleDir, options.expectedManifest, options);
  return readBackSeal(bundleDir, options);
}

describe('read-back', () => {
  test('accepts the bundle just written and refuses other signers or another manifest', async () => {
    const { bundleDir, manifest } = await writeBundle(options(freshDir('readback')));
    const events: ProgressEvent[] = [];
    const read = await readBackBundle(bundleDir, { signerFingerprint: key.fingerprint, expectedManifest: manifest, onProgress: (e) => events.push(e) });
    assert.deepEqual(read, manifest);
    assert.ok(events.length > 0 && events.every((e) => e.stage === 'read-back'));
    assert.deepEqual(events.at(-1)?.bytes, events.at(-1)?.totalBytes);

    await assert.rejects(readBackBundle(bundleDir, { signerFingerprint: testSigningKey().fingerprint, expectedManifest: manifest }), (error: unknown) =>
      error instanceof BundleVerifyError && error.message.includes(`signed by ${key.fingerprint}, which is not a trusted signer`));
    const other: BundleManifest = { ...manifest, bundleId: 'mf-20200101-00000000' };
    await assert.rejects(readBackBundle(bundleDir, { signerFingerprint: key.fingerprint, expectedManifest: other }), /the manifest on the drive is not the one just written/);
  });

  test('finds a volume damaged after writing', async () => {
    const { bundleDir, manifest } = await writeBundle(options(freshDir('readback-bad')));
    const volume = manifest.volumes[0];
    assert.ok(volume);
    const file = path.join(bundleDir, volume.name);
    const bytes = await readFile(file);
    bytes[bytes.length - 1] = 1;
    await writeFile(file, bytes);
    await assert.rejects(readBackBundle(bundleDir, { signerFingerprint: key.fingerprint, expectedManifest: manifest }), (error: unknown) =>
      error instanceof BundleVerifyError && error.volume === volume.name && /not a valid tar volume: data at byte \d+, after the end of the archive/.test(error.message));
  });
});

describe('free space', () => {
  test('freeSpaceShortfall rounds every file up to whole blocks', () => {
    assert.deepEqual(freeSpaceShortfall({ fileSizes: [1, 4096, 4097], blockSize: 4096, availableBytes: 20_000 }), { neededBytes: 4096 * 4, shortfallBytes: 0 });
    assert.deepEqual(freeSpaceShortfall({ fileSizes: [1, 4096, 4097], blockSize: 4096, availableBytes: 16_383 }), { neededBytes: 16_384, shortfallBytes: 1 });
    assert.deepEqual(freeSpaceShortfall({ fileSizes: [0], blockSize: 32_768, availableBytes: 0 }), { neededBytes: 0, shortfallBytes: 0 });
    assert.deepEqual(freeSpaceShortfall({ fileSizes: [4 * 1024 ** 3 - 512, 2 * 1024 ** 3], blockSize: 32_768, availableBytes: 5 * 1024 ** 3 }), {
      neededBytes: 6 * 1024 ** 3,
      shortfallBytes: 1024 ** 3,
    });
    assert.deepEqual(freeSpaceShortfall({ fileSizes: [10], blockSize: 0, availableBytes: 5 }), { neededBytes: 10, shortfallBytes: 5 });
  });

  test('the message names the drive, the need, what is free and the shortfall', () => {
    assert.equal(
      describeShortfall('/media/usb', '/media/usb/bundles', 6 * 1024 ** 3, 5 * 1024 ** 3),
      'not enough free space on /media/usb (for /media/usb/bundles): the bundle needs 6.0 GiB, 5.0 GiB is free, 1.0 GiB short; free some space, use a larger drive, or bundle fewer modules',
    );
    assert.match(describeShortfall('/media/usb', '/media/usb', 2048, 1024), /^not enough free space on \/media\/usb: /);
  });

  test('ensureFreeSpace refuses more than the real disk holds, naming its mount point', async () => {
    const dir = freshDir('space');
    await mkdir(dir);
    const mount = await mountPointOf(dir);
    assert.ok(dir.startsWith(mount) || mount === path.parse(dir).root);
    await ensureFreeSpace(dir, [1024]);
    await assert.rejects(ensureFreeSpace(dir, [2 ** 52]), (error: unknown) =>
      error instanceof Error && error.message.startsWith(`not enough free space on ${mount}`) && / short; /.test(error.message));
  });

  test('mountPointOf finds the root of the file system', async () => {
    assert.equal(await mountPointOf('/'), '/');
    const tmpMount = await mountPointOf(os.tmpdir());
    assert.equal((await stat(tmpMount)).dev, (await stat(os.tmpdir())).dev);
    if (tmpMount !== '/') assert.notEqual((await stat(path.dirname(tmpMount))).dev, (await stat(tmpMount)).dev);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
