import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, open, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BundleVerifyError } from '../../electron/core/bundle/bundleVerifyError';
import { MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES } from '../../electron/core/bundle/readBundleFile';
import { verifyBundle } from '../../electron/core/bundle/verifyBundle';
import { serializeManifestSignature, signManifest } from '../../electron/core/keys/manifestSignature';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { makeTempDir, testSigningKey } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

const key = testSigningKey();
const trustOurKey = (signer: { fingerprint: string }): boolean => signer.fingerprint === key.fingerprint;
/** Far more than reading a small manifest takes, far less than reading a device or waiting on a FIFO would. */
const QUICK_MS = 10_000;

let root: string;
let cleanup: () => Promise<void>;
let bundle: WrittenBundle;
let counter = 0;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('manifest-file'));
  bundle = await makeBundle(root, [{ path: 'example.com/a', version: 'v1.0.0' }], key);
});
after(() => cleanup());

async function copyOfBundle(): Promise<string> {
  const dir = path.join(root, `copy-${++counter}`, bundle.manifest.bundleId);
  await cp(bundle.bundleDir, dir, { recursive: true });
  return dir;
}

type Hostile = [string, (file: string) => Promise<void>, RegExp];
const capOf = (file: string): number => (path.basename(file) === 'manifest.json' ? MAX_MANIFEST_BYTES : MAX_SIGNATURE_BYTES);
const hostile: Hostile[] = [
  ['a symbolic link to /dev/zero', async (file) => symlink('/dev/zero', file), /a symbolic link, not a regular file/],
  ['a symbolic link to a good manifest', async (file) => symlink(path.join(bundle.bundleDir, path.basename(file)), file), /a symbolic link, not a regular file/],
  ['a FIFO', async (file) => void execFileSync('mkfifo', [file]), /a FIFO, not a regular file/],
  ['a file one byte over the cap', async (file) => {
    const handle = await open(file, 'w');
    await handle.truncate(capOf(file) + 1);
    await handle.close();
  }, /over the limit of \d+ bytes for a bundle's manifest\.(json|sig): refused/],
];

function refusesQuickly(name: string, check: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof BundleVerifyError, `expected a BundleVerifyError, got ${String(error)}`);
    assert.equal(error.file, name);
    assert.match(error.message, new RegExp(`^${name.replace('.', '\\.')}: `));
    assert.match(error.reason, check);
    return true;
  };
}

for (const name of ['manifest.json', 'manifest.sig']) {
  describe(`${name} is read as an untrusted regular file`, () => {
    for (const [what, make, reason] of hostile) {
      // A bound of its own: a reader that waits on the FIFO would otherwise hang the run, not fail.
      test(`${what} is refused quickly, by verify and by import`, { timeout: 3 * QUICK_MS }, async () => {
        const bundleDir = await copyOfBundle();
        const file = path.join(bundleDir, name);
        await unlink(file);
        await make(file);
        const started = Date.now();
        await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), refusesQuickly(name, reason));
        const store = openStore(path.join(root, `store-${++counter}`), { mode: 'write' });
        try {
          await assert.rejects(importBundle(bundleDir, { store, trust: trustOurKey }), refusesQuickly(name, reason));
        } finally {
          store.close();
        }
        assert.ok(Date.now() - started < QUICK_MS, `refused in ${Date.now() - started} ms`);
      });
    }
  });
}

test('the cap fits two hundred thousand entries, far below what a hostile file needs to exhaust memory', () => {
  const entry = {
    path: 'github.com/some-organisation/some-module-name/v2/@v/v1.22.333.zip',
    size: 123456789, sha256: 'a'.repeat(64), h1: `h1:${'A'.repeat(43)}=`, volume: 123,
  };
  const perEntry = JSON.stringify({ entries: [entry] }, null, 2).length;
  assert.ok(MAX_MANIFEST_BYTES >= 200_000 * perEntry, `${perEntry} bytes per entry`);
  assert.ok(MAX_MANIFEST_BYTES <= 64 * 1024 * 1024);
});

test('a signed manifest that does not parse is reported after the signature checked, by the field at fault', async () => {
  const bundleDir = await copyOfBundle();
  const bytes = Buffer.from(JSON.stringify({ ...bundle.manifest, formatVersion: 7 }));
  await writeFile(path.join(bundleDir, 'manifest.json'), bytes);
  await assert.rejects(verifyBundle(bundleDir, { trust: trustOurKey }), (error: unknown) =>
    error instanceof BundleVerifyError && /^manifest\.sig: the signature by .* does not match manifest\.json/.test(error.message));
  await writeFile(path.join(bundleDir, 'manifest.sig'), serializeManifestSignature(signManifest(bytes, key)));
  let asked = 0;
  await assert.rejects(verifyBundle(bundleDir, { trust: (s) => (asked++, trustOurKey(s)) }), (error: unknown) =>
    error instanceof BundleVerifyError && error.file === 'manifest.json' && /^manifest\.json: formatVersion: this bundle uses format 7/.test(error.message));
  assert.equal(asked, 1, 'the signer is asked about before the manifest is parsed');
});
