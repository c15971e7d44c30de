import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, cp, mkdir, readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { Header, Pax } from 'tar';
import { volumeName, type BundleEntry, type BundleManifest } from '../../shared/bundle/manifest';
import type { ProgressEvent } from '../../shared/work/progress';
import { BundleVerifyError } from '../../electron/core/bundle/bundleVerifyError';
import { errorRecord } from '../../electron/core/errors/modferryError';
import { verifyBundle, type EntryLander, type SignerCandidate, type VerifyBundleOptions } from '../../electron/core/bundle/verifyBundle';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { serializeManifestSignature, signManifest } from '../../electron/core/keys/manifestSignature';
import { h1Of, hashGoModBytes, hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { zipCheckWorkersRunning } from '../../electron/core/modzip/zipCheckPool';
import type { ErrorProblem } from '../../shared/errorRecord';
import {
  craftTar,
  makeBundleSources,
  makeTempDir,
  moduleZip,
  sha256Hex,
  testSigningKey,
  writeSignedBundle,
  type CraftedTarEntry,
  type CraftedVolume,
} from '../support/bundleSources';

const key = testSigningKey();
let root: string;
let cleanup: () => Promise<void>;
/** A good bundle of several volumes, written once; each test works on its own copy. */
let golden: { bundleDir: string; manifest: BundleManifest };
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('bundle-verify'));
  const files = await makeBundleSources(path.join(root, 'cache'), [
    { path: 'github.com/BurntSushi/toml', version: 'v1.2.0', files: { 'data.bin': randomBytes(1024 * 1024) } },
    { path: 'golang.org/x/text', version: 'v0.3.7' },
    { path: 'golang.org/x/text', version: 'v0.14.0' },
    // Incompressible and several read chunks long, so backpressure and chunked hashing are exercised.
    { path: 'example.com/big', version: 'v1.0.0', files: { 'data.bin': randomBytes(3 * 1024 * 1024 + 17) } },
  ]);
  golden = await writeBundle({ outDir: path.join(root, 'golden'), files, inputs: [], volumeSize: 3.5 * 1024 * 1024, signingKey: key, toolVersion: 'test' });
  assert.ok(golden.manifest.volumes.length >= 2);
});
after(() => cleanup());

async function copyOfGolden(): Promise<{ bundleDir: string; manifest: BundleManifest }> {
  const bundleDir = path.join(freshDir('copy'), golden.manifest.bundleId);
  await cp(golden.bundleDir, bundleDir, { recursive: true });
  return { bundleDir, manifest: golden.manifest };
}

const trustOurKey = (signer: SignerCandidate): boolean => signer.fingerprint === key.fingerprint;

/** verifyBundle with our key trusted, recording every entry handed to the lander. */
async function verifyRecording(bundleDir: string, extra: Partial<VerifyBundleOptions> = {}): Promise<{ landed: string[]; result: Promise<unknown> }> {
  const landed: string[] = [];
  const store = freshDir('store');
  const onEntry: EntryLander = async (entry, data) => {
    landed.push(entry.path);
    const file = path.join(store, ...entry.path.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await pipeline(data, createWriteStream(file));
    return file;
  };
  const result = verifyBundle(bundleDir, { trust: trustOurKey, onEntry, ...extra });
  result.catch(() => undefined);
  return { landed, result };
}

function isVerifyError(check: { volume?: string; entry?: string; message: RegExp | string; problem?: ErrorProblem }): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof BundleVerifyError, `expected a BundleVerifyError, got ${String(error)}`);
    if (check.problem !== undefined) assert.equal(error.problem, check.problem);
    assert.equal(error.volume, check.volume);
    assert.equal(error.entry, check.entry);
    if (typeof check.message === 'string') assert.equal(error.message, check.message);
    else assert.match(error.message, check.message);
    return true;
  };
}

function volumeNamed(manifest: BundleManifest, index: number): string {
  const volume = manifest.volumes[index - 1];
  assert.ok(volume);
  return volume.name;
}

describe('verifyBundle on a good bundle', () => {
  test('lands every entry once, in volume order, as a GOPROXY tree identical to the manifest', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const store = freshDir('store');
    const order: string[] = [];
    const events: ProgressEvent[] = [];
    const result = await verifyBundle(bundleDir, {
      trust: trustOurKey,
      onProgress: (e) => events.push(e),
      onEntry: async (entry, data, volume) => {
        assert.equal(volume.index, entry.volume);
        order.push(entry.path);
        const file = path.join(store, ...entry.path.split('/'));
        await mkdir(path.dirname(file), { recursive: true });
        // A slow consumer: the verifier must wait for it, not buffer the volume.
        for await (const chunk of data) {
          await new Promise((resolve) => setImmediate(resolve));
          await writeFile(file, chunk as Buffer, { flag: 'a' });
        }
        return file;
      },
    });
    assert.equal(result.signer.fingerprint, key.fingerprint);
    assert.deepEqual(order, [...manifest.entries].sort((a, b) => a.volume - b.volume).map((e) => e.path));
    for (const entry of manifest.entries) {
      assert.equal(sha256Hex(await readFile(path.join(store, ...entry.path.split('/')))), entry.sha256);
    }
    assert.ok(events.every((e) => e.stage === 'verify'));
    const last = events.at(-1);
    assert.equal(last?.bytes, manifest.volumes.reduce((sum, v) => sum + v.size, 0));
    assert.equal(last?.bytes, last?.totalBytes);
    assert.equal(last?.files, manifest.entries.length);
    assert.equal(last?.totalFiles, manifest.entries.length);
  });

  test('without onEntry, zips are validated inside the volume: no temp folder is needed', async () => {
    const { bundleDir } = await copyOfGolden();
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = path.join(freshDir('tmp'), 'does-not-exist');
    try {
      await verifyBundle(bundleDir, { trust: trustOurKey });
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
  });

  test('ignores files that are not volumes, and macOS ._ files beside volumes', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    await writeFile(path.join(bundleDir, 'README.txt'), 'hello');
    await writeFile(path.join(bundleDir, `._${volumeNamed(manifest, 1)}`), 'apple double');
    await mkdir(path.join(bundleDir, 'System Volume Information'));
    await verifyBundle(bundleDir, { trust: trustOurKey });
  });
});

describe('the folder given', () => {
  test('a file given instead of the bundle folder is named as such', async () => {
    const file = path.join(freshDir('not-a-folder'), 'inventory.json');
    await mkdir(path.dirname(file));
    await writeFile(file, '{}\n');
    await assert.rejects(verifyBundle(file, { trust: trustOurKey }), (error: unknown) => {
      assert.deepEqual(errorRecord(error), {
        type: 'error',
        kind: 'bundle',
        message: `${file}: not a folder: give the bundle's folder (it holds manifest.json and the volumes)`,
        file,
      });
      return true;
    });
  });
  test('a folder that does not exist (a drive not mounted) is named as such', async () => {
    const missing = path.join(freshDir('unmounted'), 'media', 'usb', 'modferry-bundle');
    await assert.rejects(verifyBundle(missing, { trust: trustOurKey }), (error: unknown) => {
      assert.deepEqual(errorRecord(error), { type: 'error', kind: 'bundle', message: `${missing}: no such folder (is the drive mounted?)`, problem: 'no-such-folder', file: missing });
      return true;
    });
  });
});

describe('signature and trust', () => {
  test('an unknown signer is refused, naming its fingerprint, before any volume is read', async () => {
    const { bundleDir } = await copyOfGolden();
    const asked: string[] = [];
    const { landed, result } = await verifyRecording(bundleDir, { trust: (s) => (asked.push(s.fingerprint), false) });
    await assert.rejects(result, isVerifyError({ message: `manifest.sig: signed by ${key.fingerprint}, which is not a trusted signer; check this fingerprint with whoever made the bundle, then trust their key with 'modferry keys trust FILE' (the bundle carries a copy as signer.pub.pem) or pass --trust-new-key` }));
    assert.deepEqual(asked, [key.fingerprint]);
    assert.deepEqual(landed, []);
  });

  test('an unknown signer is accepted with trust-new and reported as newly trusted', async () => {
    const { bundleDir } = await copyOfGolden();
    const result = await verifyBundle(bundleDir, { trust: async () => 'trust-new' as const });
    assert.equal(result.signer.newlyTrusted, true);
    assert.equal(result.signer.fingerprint, key.fingerprint);
    assert.equal(result.signer.publicKey.asymmetricKeyType, 'ed25519');
  });

  test('a byte changed in the manifest breaks the signature; trust is not even asked', async () => {
    const { bundleDir } = await copyOfGolden();
    const file = path.join(bundleDir, 'manifest.json');
    const text = await readFile(file, 'utf8');
    const entry = golden.manifest.entries[0];
    assert.ok(entry);
    await writeFile(file, text.replace(entry.sha256, entry.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'))));
    let asked = false;
    const { landed, result } = await verifyRecording(bundleDir, { trust: () => (asked = true) });
    await assert.rejects(result, isVerifyError({ message: new RegExp(`^manifest.sig: the signature by ${key.fingerprint} does not match manifest.json: the manifest was changed after it was signed`) }));
    assert.equal(asked, false);
    assert.deepEqual(landed, []);
  });

  test('a signature from another bundle, or by another key claiming ours, is refused', async () => {
    const { bundleDir } = await copyOfGolden();
    const sigFile = path.join(bundleDir, 'manifest.sig');
    await writeFile(sigFile, serializeManifestSignature(signManifest(Buffer.from('another manifest'), key)));
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ message: /^manifest.sig: the signature by .* does not match manifest.json/ }));

    const impostor = testSigningKey();
    const manifestBytes = await readFile(path.join(bundleDir, 'manifest.json'));
    const forged = { ...signManifest(manifestBytes, impostor), fingerprint: key.fingerprint };
    await writeFile(sigFile, serializeManifestSignature(forged));
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ message: new RegExp(`^manifest.sig: the fingerprint ${key.fingerprint} is not that of the public key it comes with`) }));
  });

  test('a missing manifest, a missing signature and a malformed one are named', async () => {
    const { bundleDir } = await copyOfGolden();
    await writeFile(path.join(bundleDir, 'manifest.sig'), '{"algorithm":"ed25519"}');
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ message: 'manifest.sig: publicKey: expected a string' }));
    await unlink(path.join(bundleDir, 'manifest.sig'));
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ message: `${bundleDir}: no manifest.sig: the bundle is not signed` }));
    await unlink(path.join(bundleDir, 'manifest.json'));
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ message: `${bundleDir}: no manifest.json: not a ModFerry bundle folder, or the bundle was not completely written` }));
  });
});

describe('the folder of volumes is checked before any entry is read', () => {
  test('a missing volume', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const second = volumeNamed(manifest, 2);
    await unlink(path.join(bundleDir, second));
    const { landed, result } = await verifyRecording(bundleDir);
    await assert.rejects(result, isVerifyError({ volume: second, message: `${second}: missing (volume 2 of ${manifest.volumes.length})` }));
    assert.deepEqual(landed, []);
  });

  test('several missing volumes are all named', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    for (const volume of manifest.volumes) await unlink(path.join(bundleDir, volume.name));
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({
      volume: volumeNamed(manifest, 1),
      message: new RegExp(`missing \\(volume 1 of ${manifest.volumes.length}\\) \\(and ${manifest.volumes.length - 1} more: ${volumeNamed(manifest, 2)}`),
    }));
  });

  test('a truncated volume', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const last = manifest.volumes.at(-1);
    assert.ok(last);
    await truncate(path.join(bundleDir, last.name), last.size - 512);
    const { landed, result } = await verifyRecording(bundleDir);
    await assert.rejects(result, isVerifyError({ volume: last.name, message: `${last.name}: ${last.size - 512} bytes, the manifest says ${last.size} (truncated or incompletely copied)` }));
    assert.deepEqual(landed, []);
  });

  test('a volume longer than written', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const first = volumeNamed(manifest, 1);
    await writeFile(path.join(bundleDir, first), Buffer.alloc(512), { flag: 'a' });
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ volume: first, message: /longer than written/ }));
  });

  test('a duplicate: a second file claiming the same place', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const first = volumeNamed(manifest, 1);
    const copy = first.replace('.tar', ' (1).tar');
    await copyFile(path.join(bundleDir, first), path.join(bundleDir, copy));
    const { landed, result } = await verifyRecording(bundleDir);
    await assert.rejects(result, isVerifyError({ volume: copy, message: `${copy}: a second file claiming to be volume 1 of ${manifest.volumes.length}, which is ${first}; remove the extra copy` }));
    assert.deepEqual(landed, []);
  });

  const foreign: Array<[string, (m: BundleManifest) => string, RegExp]> = [
    ['a volume of another bundle', () => volumeName('mf-20261124-deadbeef', 1, 3), /belongs to another bundle \(mf-20261124-deadbeef\); keep each bundle in its own folder$/],
    ['an index beyond the bundle', (m) => volumeName(m.bundleId, m.volumes.length + 1, m.volumes.length + 1), /claims to be volume \d+ of \d+, but bundle mf-\d{8}-[0-9a-f]{8} has \d+ volume\(s\); move it out/],
    ['a volume numbered for a different count', (m) => volumeName(m.bundleId, 1, m.volumes.length + 2), /claims to be volume 1 of \d+, but bundle .* has \d+ volume\(s\)/],
    ['an unrelated tar', () => 'backup.tar', /not a volume of bundle mf-\d{8}-[0-9a-f]{8}; move it out of the bundle folder$/],
    ['an unfinished volume left by a crashed write', (m) => `${volumeNamed(m, 1)}.partial`, /a second file claiming to be volume 1 of \d+, .* \(left by a write that did not finish\); remove the extra copy$/],
    ['a tar whose extension is in upper case', () => 'OTHER.TAR', /not a volume of bundle/],
  ];
  for (const [name, fileName, message] of foreign) {
    test(`a foreign volume: ${name}`, async () => {
      const { bundleDir, manifest } = await copyOfGolden();
      const intruder = fileName(manifest);
      await writeFile(path.join(bundleDir, intruder), craftTar([{ path: 'example.com/x/@v/list', content: 'v1.0.0\n' }]));
      const { landed, result } = await verifyRecording(bundleDir);
      await assert.rejects(result, isVerifyError({ volume: intruder, message }));
      assert.deepEqual(landed, []);
    });
  }
});

describe('damaged volumes', () => {
  async function flipByteAt(file: string, find: (bytes: Buffer) => number): Promise<void> {
    const bytes = await readFile(file);
    const at = find(bytes);
    assert.ok(at >= 0 && at < bytes.length);
    bytes[at] = (bytes[at] ?? 0) ^ 0x20;
    await writeFile(file, bytes);
  }

  test('a byte flipped in a file\'s content: named by volume and entry, with both hashes', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const entry = manifest.entries.find((e) => e.path === 'golang.org/x/text/@v/v0.14.0.info');
    assert.ok(entry);
    const volume = volumeNamed(manifest, entry.volume);
    await flipByteAt(path.join(bundleDir, volume), (bytes) => bytes.indexOf('"Version":"v0.14.0"') + 3);
    const { landed, result } = await verifyRecording(bundleDir);
    await assert.rejects(result, isVerifyError({
      volume,
      entry: entry.path,
      message: new RegExp(`^${volume}: ${entry.path}: sha256 mismatch \\(manifest ${entry.sha256.slice(0, 12)}…, read [0-9a-f]{12}…\\)$`),
      problem: 'content-changed',
    }));
    assert.ok(landed.includes(entry.path), 'the damage is found in the same pass that lands the entry');
  });

  test('a byte flipped deep inside a large zip', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const entry = manifest.entries.find((e) => e.path === 'example.com/big/@v/v1.0.0.zip');
    assert.ok(entry);
    const volume = volumeNamed(manifest, entry.volume);
    await flipByteAt(path.join(bundleDir, volume), (bytes) => bytes.indexOf('PK\x03\x04') + 2 * 1024 * 1024);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ volume, entry: entry.path, message: /sha256 mismatch/ }));
  });

  test('a byte flipped in a tar header', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const volume = volumeNamed(manifest, 1);
    await flipByteAt(path.join(bundleDir, volume), () => 5);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ volume, message: /^.*: not a valid tar volume: checksum failure \(in the first entries\)$/ }));
  });

  test('a byte flipped where no entry looks (padding): the volume hash catches it', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const entry = manifest.entries.find((e) => e.path.endsWith('.info'));
    assert.ok(entry);
    const volume = volumeNamed(manifest, entry.volume);
    await flipByteAt(path.join(bundleDir, volume), (bytes) => bytes.indexOf('"Time":"2024-01-02T03:04:05.000Z"}') + '"Time":"2024-01-02T03:04:05.000Z"}'.length);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({
      volume,
      message: new RegExp(`^${volume}: sha256 mismatch \\(manifest [0-9a-f]{12}…, read [0-9a-f]{12}…\\): the volume changed after it was written$`),
    }));
  });

  test('volumes swapped between their names', async () => {
    const { bundleDir, manifest } = await copyOfGolden();
    const [a, b] = [volumeNamed(manifest, 1), volumeNamed(manifest, 2)];
    const bytesA = await readFile(path.join(bundleDir, a));
    const bytesB = await readFile(path.join(bundleDir, b));
    const size = Math.min(bytesA.length, bytesB.length);
    // Same sizes are needed to get past the folder check: cut both to the shorter length.
    await writeFile(path.join(bundleDir, a), bytesB.subarray(0, size));
    await writeFile(path.join(bundleDir, b), bytesA.subarray(0, size));
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) => error instanceof BundleVerifyError && error.volume !== undefined);
  });
});

describe('hand-crafted volumes, signed so that only the entry checks can refuse them', () => {
  const goMod = Buffer.from('module example.com/a\n\ngo 1.21\n');
  const listed = (p: string, content: Buffer | string, h1?: string): Omit<BundleEntry, 'volume'> => {
    const bytes = Buffer.from(content);
    return { path: p, size: bytes.length, sha256: sha256Hex(bytes), ...(h1 === undefined ? {} : { h1 }) };
  };
  const modEntry = listed('example.com/a/@v/v1.0.0.mod', goMod, hashGoModBytes(goMod));
  const infoText = '{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}';
  const infoEntry = listed('example.com/a/@v/v1.0.0.info', infoText);

  async function crafted(volumes: CraftedVolume[]): Promise<{ bundleDir: string; manifest: BundleManifest }> {
    return writeSignedBundle(freshDir('crafted'), volumes, key);
  }

  const refusals: Array<[string, CraftedTarEntry, RegExp]> = [
    ['a ../ entry', { path: '../escape', content: 'x' }, /^refused: path climbs out of the bundle \(".."\)$/],
    ['a nested ../ entry', { path: 'example.com/a/@v/../../../../etc/cron.d/x', content: 'x' }, /^refused: path climbs out of the bundle/],
    ['an absolute path', { path: '/etc/passwd', content: 'x' }, /^refused: absolute path$/],
    ['a symbolic link', { path: 'example.com/a/@v/v1.0.0.info', type: 'SymbolicLink', linkpath: '/etc/passwd' }, /^refused: a symbolic link \(to "\/etc\/passwd"\); a bundle volume holds regular files only$/],
    ['a hard link', { path: 'example.com/a/@v/v1.0.0.info', type: 'Link', linkpath: 'example.com/a/@v/v1.0.0.mod' }, /^refused: a hard link \(to "example.com\/a\/@v\/v1.0.0.mod"\)/],
    ['a directory', { path: 'example.com/a/@v/', type: 'Directory' }, /^refused: a directory entry; a bundle volume holds regular files only$/],
    ['a tape volume header', { path: 'example.com/a/@v/v1.0.0.info', type: 'TapeVolumeHeader' }, /^refused: a TapeVolumeHeader entry; a bundle volume holds regular files only$/],
    ['a symbolic link climbing out', { path: '../../x', type: 'SymbolicLink', linkpath: '/' }, /^refused: a symbolic link \(to "\/"\)/],
    ['a FIFO', { path: 'example.com/a/@v/v1.0.0.info', type: 'FIFO' }, /^refused: a FIFO/],
    ['a device', { path: 'example.com/a/@v/v1.0.0.info', type: 'CharacterDevice' }, /^refused: a device file/],
    ['an unlisted file', { path: 'example.com/a/@v/v9.9.9.info', content: '{}' }, /^not listed in the manifest: refused$/],
    ['an unlisted file outside the layout', { path: 'README', content: 'hi' }, /^not listed in the manifest: refused$/],
  ];
  for (const [name, intruder, reason] of refusals) {
    test(`${name} is refused before its data is landed`, async () => {
      const bytes = craftTar([{ path: modEntry.path, content: goMod }, intruder]);
      const { bundleDir, manifest } = await crafted([{ bytes, entries: [modEntry] }]);
      const { landed, result } = await verifyRecording(bundleDir);
      await assert.rejects(result, (error: unknown) => {
        assert.ok(error instanceof BundleVerifyError, String(error));
        assert.equal(error.volume, volumeNamed(manifest, 1));
        assert.equal(error.entry, intruder.path);
        assert.match(error.reason, reason);
        assert.equal(error.message, `${volumeNamed(manifest, 1)}: ${intruder.path}: ${error.reason}`);
        return true;
      });
      assert.deepEqual(landed, [modEntry.path], 'only the listed entry before it was landed');
    });
  }

  test('an entry of an unknown tar type is refused', async () => {
    const bytes = craftTar([{ path: modEntry.path, content: goMod }, { path: infoEntry.path, content: 'x' }]);
    const second = bytes.indexOf(Buffer.from(infoEntry.path));
    bytes[second + 156] = 'Z'.charCodeAt(0);
    fixChecksum(bytes, second);
    const { bundleDir } = await crafted([{ bytes, entries: [modEntry, infoEntry] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) =>
      error instanceof BundleVerifyError && /refused: an entry of a type tar does not know; a bundle volume holds regular files only/.test(error.message));
  });

  test('an entry under a global PAX header is refused', async () => {
    const globalHeader = new Pax({ comment: 'hello' }, true).encode();
    const plain = craftTar([{ path: modEntry.path, content: goMod }]);
    const { bundleDir } = await crafted([{ bytes: Buffer.concat([globalHeader, plain]), entries: [modEntry] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({ volume: volumeName('mf-20261125-0badc0de', 1, 1), entry: modEntry.path, message: /refused: a global PAX header applies to it/ }));
  });

  test('an entry listed for another volume', async () => {
    const volume1 = craftTar([{ path: modEntry.path, content: goMod }, { path: infoEntry.path, content: infoText }]);
    const volume2 = craftTar([{ path: infoEntry.path, content: infoText }]);
    const { bundleDir, manifest } = await crafted([{ bytes: volume1, entries: [modEntry] }, { bytes: volume2, entries: [infoEntry] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({
      volume: volumeNamed(manifest, 1),
      entry: infoEntry.path,
      message: `${volumeNamed(manifest, 1)}: ${infoEntry.path}: listed in the manifest for ${volumeNamed(manifest, 2)}, not this volume`,
    }));
  });

  test('an entry twice in a volume', async () => {
    const bytes = craftTar([{ path: modEntry.path, content: goMod }, { path: modEntry.path, content: goMod }]);
    const { bundleDir } = await crafted([{ bytes, entries: [modEntry] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) =>
      error instanceof BundleVerifyError && error.entry === modEntry.path && error.reason === 'appears twice in this volume');
  });

  test('a listed entry missing from its volume', async () => {
    const bytes = craftTar([{ path: modEntry.path, content: goMod }]);
    const { bundleDir, manifest } = await crafted([{ bytes, entries: [modEntry, infoEntry] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({
      volume: volumeNamed(manifest, 1),
      entry: infoEntry.path,
      message: `${volumeNamed(manifest, 1)}: ${infoEntry.path}: listed in the manifest for this volume, but not in it`,
    }));
  });

  test('a size in the tar header that differs from the manifest', async () => {
    const bytes = craftTar([{ path: modEntry.path, content: goMod }]);
    const { bundleDir } = await crafted([{ bytes, entries: [{ ...modEntry, size: modEntry.size + 1 }] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) =>
      error instanceof BundleVerifyError && error.reason === `size mismatch (manifest ${goMod.length + 1} bytes, tar header ${goMod.length})`);
  });

  test('a .mod whose h1 does not match its content', async () => {
    const other = hashGoModBytes(Buffer.from('module example.com/other\n'));
    const bytes = craftTar([{ path: modEntry.path, content: goMod }]);
    const { bundleDir } = await crafted([{ bytes, entries: [{ ...modEntry, h1: other }] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) =>
      error instanceof BundleVerifyError && error.entry === modEntry.path && error.reason === `h1 mismatch (manifest ${other}, read ${modEntry.h1})`);
  });

  test('a zip that breaks the go command\'s rules, and one whose go.mod differs from the .mod', async () => {
    const badZip = await moduleZip({ path: 'example.com/wrong', version: 'v1.0.0' }, goMod);
    const zipEntry = (zip: Buffer): Omit<BundleEntry, 'volume'> => listed('example.com/a/@v/v1.0.0.zip', zip, hashGoModBytes(goMod));
    const first = await crafted([{ bytes: craftTar([{ path: 'example.com/a/@v/v1.0.0.zip', content: badZip }]), entries: [zipEntry(badZip)] }]);
    await assert.rejects(verifyBundle(first.bundleDir, { trust: trustOurKey }), (error: unknown) =>
      error instanceof BundleVerifyError && /^not a valid module zip: example.com\/wrong@v1.0.0\/go.mod: path does not have prefix "example.com\/a@v1.0.0\/"$/.test(error.reason));

    const otherGoMod = await moduleZip({ path: 'example.com/a', version: 'v1.0.0' }, Buffer.from('module example.com/a\n\ngo 1.22\n'));
    const second = await crafted([{
      bytes: craftTar([{ path: modEntry.path, content: goMod }, { path: 'example.com/a/@v/v1.0.0.zip', content: otherGoMod }]),
      entries: [modEntry, zipEntry(otherGoMod)],
    }]);
    await assert.rejects(verifyBundle(second.bundleDir, { trust: trustOurKey }), (error: unknown) =>
      error instanceof BundleVerifyError && error.entry === 'example.com/a/@v/v1.0.0.zip' &&
      error.reason === 'not a valid module zip: example.com/a@v1.0.0/go.mod: differs from the module\'s .mod file (first difference on line 3)');
  });

  test('a zip whose h1 is not the manifest\'s', async () => {
    const zip = await moduleZip({ path: 'example.com/a', version: 'v1.0.0' }, goMod);
    const wrongH1 = hashGoModBytes(goMod);
    const { bundleDir } = await crafted([{ bytes: craftTar([{ path: 'example.com/a/@v/v1.0.0.zip', content: zip }]), entries: [listed('example.com/a/@v/v1.0.0.zip', zip, wrongH1)] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) =>
      error instanceof BundleVerifyError && error.reason.startsWith(`h1 mismatch (manifest ${wrongH1}, read h1:`));
  });

  describe('every .info is what the go command expects', () => {
    const bad: Array<[string, string, RegExp]> = [
      ['names another version', '{"Version":"v1.0.1","Time":"2024-01-02T03:04:05Z"}', /^not a valid \.info file: Version is "v1\.0\.1", the file is for v1\.0\.0$/],
      ['holds HTML', '<html><body>502 Bad Gateway</body></html>', /^not a valid \.info file: not JSON/],
      ['is empty', '', /^not a valid \.info file: not JSON/],
      ['is a JSON array', '["v1.0.0"]', /^not a valid \.info file: not a JSON object$/],
      ['has no Version', '{"Time":"2024-01-02T03:04:05Z"}', /^not a valid \.info file: Version is missing$/],
      ['has no Time', '{"Version":"v1.0.0"}', /^not a valid \.info file: Time is missing$/],
      ['has a Time that is not RFC 3339', '{"Version":"v1.0.0","Time":"Jan 2 2024"}', /^not a valid \.info file: Time "Jan 2 2024" is not an RFC 3339 time$/],
      ['has a Time out of range', '{"Version":"v1.0.0","Time":"2024-02-30T03:04:05Z"}', /^not a valid \.info file: Time "2024-02-30T03:04:05Z" is not an RFC 3339 time$/],
    ];
    for (const [name, content, reason] of bad) {
      test(`one that ${name} is refused, naming volume, entry, module and version`, async () => {
        const entry = listed(infoEntry.path, content);
        const { bundleDir, manifest } = await crafted([{ bytes: craftTar([{ path: modEntry.path, content: goMod }, { path: entry.path, content }]), entries: [modEntry, entry] }]);
        await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) => {
          assert.ok(error instanceof BundleVerifyError, String(error));
          assert.equal(error.volume, volumeNamed(manifest, 1));
          assert.equal(error.entry, entry.path);
          assert.equal(error.module, 'example.com/a');
          assert.equal(error.version, 'v1.0.0');
          assert.match(error.reason, reason);
          return true;
        });
      });
    }

    test('one with extra fields, another layout and a time zone or nanoseconds is accepted', async () => {
      const content = '{\n  "Time": "2024-01-02T05:04:05.123456789+02:00",\n  "Version": "v1.0.0",\n  "Origin": {"VCS": "git"}\n}\n';
      const entry = listed(infoEntry.path, content);
      const { bundleDir } = await crafted([{ bytes: craftTar([{ path: entry.path, content }]), entries: [entry] }]);
      await verifyBundle(bundleDir, { trust: trustOurKey });
    });
  });

  describe('read as GNU tar reads it: nothing after the first zero block', () => {
    const zeroBlock = Buffer.alloc(512);
    /** craftTar's volume without its two closing zero blocks. */
    const open = (entries: CraftedTarEntry[]): Buffer => craftTar(entries).subarray(0, -1024);
    const info = '{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}';
    const infoListed = listed(infoEntry.path, info);
    const gnuTarList = (file: string): string[] => execFileSync('tar', ['-tf', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().split('\n').filter(Boolean);

    const cases: Array<[string, Buffer, Array<Omit<BundleEntry, 'volume'>>, number]> = [
      ['an entry after a lone zero block, listed in the manifest', Buffer.concat([open([{ path: modEntry.path, content: goMod }]), zeroBlock, craftTar([{ path: infoEntry.path, content: info }])]), [modEntry, infoListed], 1024],
      ['an entry after the end marker, not listed', Buffer.concat([craftTar([{ path: modEntry.path, content: goMod }]), craftTar([{ path: infoEntry.path, content: info }])]), [modEntry], 1024],
      ['a stray byte in the zero padding after the end marker', (() => {
        const bytes = Buffer.concat([craftTar([{ path: modEntry.path, content: goMod }]), Buffer.alloc(2048)]);
        bytes[bytes.length - 700] = 1;
        return bytes;
      })(), [modEntry], 1024],
    ];
    for (const [name, bytes, entries, endsAt] of cases) {
      test(`${name} is refused, as GNU tar would not extract it`, async () => {
        const { bundleDir, manifest } = await crafted([{ bytes, entries }]);
        const volume = volumeNamed(manifest, 1);
        assert.deepEqual(gnuTarList(path.join(bundleDir, volume)), [modEntry.path], 'GNU tar sees only the first entry');
        const { landed, result } = await verifyRecording(bundleDir);
        await assert.rejects(result, isVerifyError({
          volume,
          message: new RegExp(`^${volume}: not a valid tar volume: data at byte \\d+, after the end of the archive at byte ${endsAt} \\(tar stops at the first zero block`),
        }));
        assert.ok(!landed.includes(infoEntry.path));
      });
    }

    test('zero blocks inside an entry\'s data are data, not an end', async () => {
      const zeros = Buffer.alloc(3 * 1024 * 1024);
      const zerosEntry = listed('example.com/a/@v/v1.0.0.info', zeros);
      const bytes = craftTar([{ path: zerosEntry.path, content: zeros }, { path: modEntry.path, content: goMod }]);
      const { bundleDir } = await crafted([{ bytes, entries: [zerosEntry, modEntry] }]);
      await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) =>
        error instanceof BundleVerifyError && error.entry === zerosEntry.path && /too large for a \.info file/.test(error.reason));
      const asMod = { ...listed('example.com/z/@v/v1.0.0.zip', zeros), h1: modEntry.h1 };
      const zipBytes = craftTar([{ path: asMod.path, content: zeros }, { path: modEntry.path, content: goMod }]);
      const second = await crafted([{ bytes: zipBytes, entries: [asMod, modEntry] }]);
      await assert.rejects(verifyBundle(second.bundleDir, { trust: trustOurKey }), (error: unknown) =>
        error instanceof BundleVerifyError && error.entry === asMod.path && /^not a valid module zip/.test(error.reason));
    });

    test('zero padding after the end marker, as tar writes to fill a record, is accepted', async () => {
      const bytes = Buffer.concat([craftTar([{ path: modEntry.path, content: goMod }]), Buffer.alloc(8192)]);
      const { bundleDir } = await crafted([{ bytes, entries: [modEntry] }]);
      await verifyBundle(bundleDir, { trust: trustOurKey });
    });
  });

  test('a compressed volume is refused as not plain tar', async () => {
    const bytes = gzipSync(craftTar([{ path: modEntry.path, content: goMod }]));
    const padded = Buffer.concat([bytes, Buffer.alloc(2048 - (bytes.length % 512))]);
    const { bundleDir, manifest } = await crafted([{ bytes: padded, entries: [modEntry] }]);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({
      volume: volumeNamed(manifest, 1),
      message: `${volumeNamed(manifest, 1)}: not a valid tar volume: not a plain tar file (no ustar header at the start; compressed, or another format?)`,
    }));
  });

  test('the importer\'s hook: validated from its landed copy, its failures passed on, its contract enforced', async () => {
    const zip = await moduleZip({ path: 'example.com/a', version: 'v1.0.0' }, goMod);
    const { bundleDir } = await crafted([{
      bytes: craftTar([{ path: modEntry.path, content: goMod }, { path: 'example.com/a/@v/v1.0.0.zip', content: zip }]),
      entries: [modEntry, listed('example.com/a/@v/v1.0.0.zip', zip, h1Of([
        { name: 'example.com/a@v1.0.0/go.mod', sha256Hex: sha256Hex(goMod) },
        { name: 'example.com/a@v1.0.0/main.go', sha256Hex: sha256Hex('package a\n') },
      ]))],
    }]);
    await verifyBundle(bundleDir, { trust: trustOurKey });

    const store = freshDir('hook');
    await mkdir(store);
    const land = async (name: string, data: NodeJS.ReadableStream): Promise<string> => {
      const file = path.join(store, name);
      await pipeline(data, createWriteStream(file));
      return file;
    };

    // The zip is checked from the file the hook says it wrote: damage there is found.
    await assert.rejects(
      verifyBundle(bundleDir, {
        trust: trustOurKey,
        onEntry: async (entry, data) => {
          const file = await land(`${counter++}`, data);
          if (entry.path.endsWith('.zip')) await writeFile(file, 'not a zip');
          return file;
        },
      }),
      (error: unknown) => error instanceof BundleVerifyError && error.reason.startsWith('not a valid module zip'),
    );

    const hookFailure = new Error('disk full in the store');
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey, onEntry: async () => { throw hookFailure; } }), (error: unknown) => error === hookFailure);

    await assert.rejects(
      verifyBundle(bundleDir, { trust: trustOurKey, onEntry: async () => undefined }),
      /onEntry resolved before reading example.com\/a\/@v\/v1.0.0.mod to its end/,
    );
    await assert.rejects(
      verifyBundle(bundleDir, { trust: trustOurKey, onEntry: async (entry, data) => { data.resume(); await new Promise((r) => data.on('end', r)); return entry.path.endsWith('.zip') ? undefined : 'x'; } }),
      /onEntry did not say where it landed example.com\/a\/@v\/v1.0.0.zip/,
    );
  });
});

describe('zips validated where they lie in the volume', () => {
  const mtime = new Date('2024-01-02T03:04:05Z');
  const header = (tarPath: string, size: number, type: 'File' | 'NextFileHasLongPath' = 'File'): Buffer => {
    const encoded = new Header({ path: tarPath, size, type, mode: 0o644, mtime });
    encoded.encode();
    assert.ok(encoded.block);
    return encoded.block;
  };
  const padded = (content: Buffer): Buffer[] => [content, Buffer.alloc((512 - (content.length % 512)) % 512)];

  /** The ways tar lets headers precede a file's data; the zip's bytes must be found after all of them. */
  const layouts: Array<[string, (tarPath: string, content: Buffer) => Buffer[]]> = [
    ['a plain ustar header', (tarPath, content) => [header(tarPath, content.length), ...padded(content)]],
    ['a PAX header of several blocks', (tarPath, content) => [
      new Pax({ path: tarPath, comment: 'c'.repeat(1500) }).encode(),
      header('placeholder', content.length),
      ...padded(content),
    ]],
    ['a GNU long name header', (tarPath, content) => {
      const name = Buffer.from(`${tarPath}\0`);
      return [header('././@LongLink', name.length, 'NextFileHasLongPath'), ...padded(name), header('placeholder', content.length), ...padded(content)];
    }],
  ];

  async function zipOf(modulePath: string): Promise<{ zip: Buffer; h1: string; tarPath: string }> {
    const zip = await moduleZip({ path: modulePath, version: 'v1.0.0', files: { 'data.bin': randomBytes(3000), 'a.go': 'package a\n'.repeat(400) } }, Buffer.from(`module ${modulePath}\n`));
    const file = path.join(freshDir('zip'), 'module.zip');
    await mkdir(path.dirname(file));
    await writeFile(file, zip);
    return { zip, h1: await hashModuleZip(file), tarPath: `${modulePath}/@v/v1.0.0.zip` };
  }

  for (const [layout, entryBlocks] of layouts) {
    test(`after ${layout}`, async () => {
      // A long module path: the writer would give it a PAX header; here each layout decides.
      const first = await zipOf(`example.com/${'long'.repeat(30)}`);
      const second = await zipOf('example.com/short');
      // A volume starts with a plain header, whatever follows.
      const info = Buffer.from('{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}');
      const infoPath = 'example.com/short/@v/v1.0.0.info';
      const bytes = Buffer.concat([
        header(infoPath, info.length),
        ...padded(info),
        ...entryBlocks(first.tarPath, first.zip),
        ...entryBlocks(second.tarPath, second.zip),
        Buffer.alloc(1024),
      ]);
      const listed = (z: { zip: Buffer; h1: string; tarPath: string }): Omit<BundleEntry, 'volume'> =>
        ({ path: z.tarPath, size: z.zip.length, sha256: sha256Hex(z.zip), h1: z.h1 });
      const infoEntry = { path: infoPath, size: info.length, sha256: sha256Hex(info) };
      const { bundleDir } = await writeSignedBundle(freshDir('layout'), [{ bytes, entries: [infoEntry, listed(first), listed(second)] }], key);
      await verifyBundle(bundleDir, { trust: trustOurKey });

      // A wrong h1 in the manifest is reported with the h1 of the bytes found: the zip's own.
      const { bundleDir: wrong } = await writeSignedBundle(freshDir('layout'), [{ bytes, entries: [infoEntry, listed(first), { ...listed(second), h1: first.h1 }] }], key);
      await assert.rejects(verifyBundle(wrong, { trust: trustOurKey }), (error: unknown) =>
        error instanceof BundleVerifyError && error.entry === second.tarPath && error.reason === `h1 mismatch (manifest ${first.h1}, read ${second.h1})`);
    });
  }

  test('nothing past the entry\'s bytes is read: a zip completed by the padding after it is refused, as from a landed copy', async () => {
    const goMod = Buffer.from('module example.com/a\n');
    // The end record (22 bytes) is cut off and hidden in the tar padding that follows the entry.
    let zip = await moduleZip({ path: 'example.com/a', version: 'v1.0.0' }, goMod);
    for (let filler = 1; (512 - ((zip.length - 22) % 512)) % 512 < 22; filler++) {
      zip = await moduleZip({ path: 'example.com/a', version: 'v1.0.0', files: { 'a.go': `package a\n${' '.repeat(filler)}` } }, goMod);
    }
    const cut = zip.subarray(0, zip.length - 22);
    const dataBlocks = Buffer.alloc(Math.ceil(cut.length / 512) * 512);
    zip.copy(dataBlocks);
    const bytes = Buffer.concat([header('example.com/a/@v/v1.0.0.zip', cut.length), dataBlocks, Buffer.alloc(1024)]);
    const { bundleDir } = await writeSignedBundle(freshDir('confined'), [{
      bytes,
      entries: [{ path: 'example.com/a/@v/v1.0.0.zip', size: cut.length, sha256: sha256Hex(cut), h1: hashGoModBytes(goMod) }],
    }], key);
    const refusal = isVerifyError({
      volume: volumeName('mf-20261125-0badc0de', 1, 1),
      entry: 'example.com/a/@v/v1.0.0.zip',
      message: /: not a valid module zip: not a valid zip file: no end of central directory record \(not a zip, or cut short\)$/,
    });
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), refusal);
    const { result } = await verifyRecording(bundleDir);
    await assert.rejects(result, refusal);
  });
});

describe('abort and clean-up', () => {
  test('an abort during verification rejects with AbortError', async () => {
    const { bundleDir } = await copyOfGolden();
    const controller = new AbortController();
    await assert.rejects(
      verifyBundle(bundleDir, {
        trust: trustOurKey,
        signal: controller.signal,
        onProgress: (event) => {
          if ((event.bytes ?? 0) > 1024 * 1024) controller.abort();
        },
      }),
      { name: 'AbortError' },
    );
  });

  test('an abort while the hook is still landing an entry reaches the hook, and verify waits for it', async () => {
    const { bundleDir } = await copyOfGolden();
    const controller = new AbortController();
    let hookSettled = false;
    await assert.rejects(
      verifyBundle(bundleDir, {
        trust: trustOurKey,
        signal: controller.signal,
        onEntry: async (entry, data) => {
          try {
            for await (const chunk of data) {
              if (entry.path.endsWith('big/@v/v1.0.0.zip')) controller.abort();
              void chunk;
            }
            return 'landed';
          } finally {
            hookSettled = true;
          }
        },
      }),
      { name: 'AbortError' },
    );
    assert.equal(hookSettled, true);
  });
});

describe('zips checked on worker threads while the volume is read on', () => {
  const info = Buffer.from('{"Version":"v1.0.0","Time":"2024-01-02T03:04:05Z"}');

  interface ListedZip {
    zip: Buffer;
    /** The h1 the manifest lists: that of the files given. */
    h1: string;
    /** The h1 of the zip's files, which differ from those given where `changed` says. */
    zipH1: string;
    tarPath: string;
  }

  /** A module zip of the files given, except that `changed` replaces some in the zip only: a zip whose h1 is not the one listed. */
  async function zipListedAs(modulePath: string, files: Record<string, string | Buffer>, changed: Record<string, string> = {}): Promise<ListedZip> {
    const goMod = Buffer.from(`module ${modulePath}\n`);
    const h1OfFiles = (contents: Record<string, string | Buffer>): string =>
      h1Of(Object.entries({ 'go.mod': goMod, ...contents }).map(([name, content]) => ({ name: `${modulePath}@v1.0.0/${name}`, sha256Hex: sha256Hex(content) })));
    const zip = await moduleZip({ path: modulePath, version: 'v1.0.0', files: { ...files, ...changed } }, goMod);
    return { zip, h1: h1OfFiles(files), zipH1: h1OfFiles({ ...files, ...changed }), tarPath: `${modulePath}/@v/v1.0.0.zip` };
  }

  const listedZip = ({ zip, h1, tarPath }: ListedZip): Omit<BundleEntry, 'volume'> => ({ path: tarPath, size: zip.length, sha256: sha256Hex(zip), h1 });

  /**
   * 300 MB of zeros: a zip of a few hundred KB that takes a worker a few hundred milliseconds to
   * inflate and hash. Its slow.go is not the one its listed h1 was made from.
   */
  let slow: ListedZip;
  before(async () => {
    const zeros = Buffer.alloc(150 * 1024 * 1024);
    slow = await zipListedAs('example.com/slow', { 'a.bin': zeros, 'b.bin': zeros, 'slow.go': 'package slow\n' }, { 'slow.go': 'package slow // changed\n' });
  });

  test('a bundle of many zips over several volumes verifies, in place and through the importer\'s hook, and leaves no worker running', async () => {
    const modules = Array.from({ length: 60 }, (_, i) => ({
      path: `example.com/many${i}`,
      version: `v1.${i % 3}.0`,
      files: { 'a.go': `package many${i}\n`, 'data.bin': randomBytes(20_000 + i * 1000), 'text.go': `// ${i}\n${'var v = 1\n'.repeat(3000)}` },
    }));
    const files = await makeBundleSources(path.join(freshDir('many'), 'cache'), modules);
    const { bundleDir, manifest } = await writeBundle({ outDir: freshDir('many'), files, inputs: [], volumeSize: 1024 * 1024, signingKey: key, toolVersion: 'test' });
    assert.ok(manifest.volumes.length >= 3);
    const events: ProgressEvent[] = [];
    await verifyBundle(bundleDir, { trust: trustOurKey, onProgress: (event) => events.push(event) });
    assert.equal(events.at(-1)?.files, manifest.entries.length, 'every zip counted once its check is done');
    assert.equal(zipCheckWorkersRunning(), 0);
    const { landed, result } = await verifyRecording(bundleDir);
    await result;
    assert.equal(landed.length, manifest.entries.length);
    assert.equal(zipCheckWorkersRunning(), 0);
  });

  test('a bundle with enough zips to overlap starts workers for them, and none outlive the verify', async () => {
    // Above zipCheckWorkersFor's threshold once the largest zip is left out: 3 x 12 MiB.
    const modules = Array.from({ length: 4 }, (_, i) => ({ path: `example.com/big${i}`, version: 'v1.0.0', files: { 'data.bin': randomBytes(12 * 1024 * 1024) } }));
    const files = await makeBundleSources(path.join(freshDir('workers'), 'cache'), modules);
    const { bundleDir, manifest } = await writeBundle({ outDir: freshDir('workers'), files, inputs: [], signingKey: key, toolVersion: 'test' });
    let mostWorkers = 0;
    await verifyBundle(bundleDir, { trust: trustOurKey, onProgress: () => (mostWorkers = Math.max(mostWorkers, zipCheckWorkersRunning())) });
    assert.ok(mostWorkers >= 1, 'zip checks ran on worker threads');
    assert.equal(zipCheckWorkersRunning(), 0);
    const { landed, result } = await verifyRecording(bundleDir);
    await result;
    assert.equal(landed.length, manifest.entries.length);
  });

  test('when two zips are faulty, the first in the volume is reported, though it takes far longer to check than the second', async () => {
    const fast = await zipListedAs('example.com/fast', { 'fast.go': 'package fast\n' }, { 'fast.go': 'package fast // changed\n' });
    const infoEntry = { path: 'example.com/fast/@v/v1.0.0.info', size: info.length, sha256: sha256Hex(info) };
    const bytes = craftTar([{ path: slow.tarPath, content: slow.zip }, { path: fast.tarPath, content: fast.zip }, { path: infoEntry.path, content: info }]);
    const { bundleDir, manifest } = await writeSignedBundle(freshDir('two-faulty'), [{ bytes, entries: [listedZip(slow), listedZip(fast), infoEntry] }], key);
    const refusal = isVerifyError({
      volume: volumeNamed(manifest, 1),
      entry: slow.tarPath,
      message: `${volumeNamed(manifest, 1)}: ${slow.tarPath}: h1 mismatch (manifest ${slow.h1}, read ${slow.zipH1})`,
    });
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), refusal);
    const { landed, result } = await verifyRecording(bundleDir);
    await assert.rejects(result, refusal);
    assert.ok(landed.includes(fast.tarPath), 'the second zip was read, and its check started, before the first was found faulty');
    assert.equal(zipCheckWorkersRunning(), 0);
  });

  test('a faulty zip is reported before a fault the reader finds later in the same volume', async () => {
    const infoEntry = { path: 'example.com/slow/@v/v1.0.0.info', size: info.length, sha256: sha256Hex('{"Version":"v9.9.9"}') };
    const bytes = craftTar([{ path: slow.tarPath, content: slow.zip }, { path: infoEntry.path, content: info }]);
    const { bundleDir, manifest } = await writeSignedBundle(freshDir('zip-then-info'), [{ bytes, entries: [listedZip(slow), infoEntry] }], key);
    await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), isVerifyError({
      volume: volumeNamed(manifest, 1),
      entry: slow.tarPath,
      message: `${volumeNamed(manifest, 1)}: ${slow.tarPath}: h1 mismatch (manifest ${slow.h1}, read ${slow.zipH1})`,
    }));
  });

  for (const where of ['in place', 'through the importer\'s hook']) {
    test(`an abort while a zip is checked ${where} rejects at once and leaves no worker running`, async () => {
      const infoEntry = { path: 'example.com/slow/@v/v1.0.0.info', size: info.length, sha256: sha256Hex(info) };
      const bytes = craftTar([{ path: slow.tarPath, content: slow.zip }, { path: infoEntry.path, content: info }]);
      const { bundleDir } = await writeSignedBundle(freshDir('abort'), [{ bytes, entries: [listedZip({ ...slow, h1: slow.zipH1 }), infoEntry] }], key);
      const started = performance.now();
      await verifyBundle(bundleDir, { trust: trustOurKey });
      const whole = performance.now() - started;

      const controller = new AbortController();
      let abortedAt = 0;
      const abort = (): void => {
        abortedAt = performance.now();
        controller.abort();
      };
      const options: VerifyBundleOptions = { trust: trustOurKey, signal: controller.signal };
      if (where === 'in place') {
        // The zip is read in a few milliseconds and checked for hundreds: 25 ms in, its check is under way
        // (were the read slower, the abort would stop the read, and the assertions below hold the same).
        const timer = setTimeout(abort, 25);
        await assert.rejects(verifyBundle(bundleDir, options).finally(() => clearTimeout(timer)), { name: 'AbortError' });
      } else {
        const store = freshDir('abort-store');
        await mkdir(store);
        options.onEntry = async (entry, data) => {
          const file = path.join(store, path.basename(entry.path));
          await pipeline(data, createWriteStream(file));
          // The zip before this entry is being checked now.
          if (entry.path === infoEntry.path) abort();
          return file;
        };
        await assert.rejects(verifyBundle(bundleDir, options), { name: 'AbortError' });
      }
      const afterAbort = performance.now() - abortedAt;
      assert.ok(abortedAt > 0, 'the abort came while verifying');
      assert.ok(afterAbort < whole / 2, `rejected ${afterAbort.toFixed(0)} ms after the abort; a whole verify takes ${whole.toFixed(0)} ms`);
      assert.equal(zipCheckWorkersRunning(), 0);
    });
  }
});

/** Recomputes a ustar header's checksum after a test edited the header. */
function fixChecksum(bytes: Buffer, headerStart: number): void {
  bytes.fill(0x20, headerStart + 148, headerStart + 156);
  let sum = 0;
  for (let i = headerStart; i < headerStart + 512; i++) sum += bytes[i] ?? 0;
  bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, headerStart + 148, 8, 'latin1');
}
