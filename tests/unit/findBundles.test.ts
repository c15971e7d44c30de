import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findBundles } from '../../electron/core/bundle/findBundles';
import { errorRecord } from '../../electron/core/errors/modferryError';
import { trustStore } from '../../electron/core/keys/trustStore';
import { makeTempDir, testSigningKey } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

let root: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir: root, cleanup } = await makeTempDir('find-bundles')));
after(async () => cleanup());

const modules = [{ path: 'example.com/a', version: 'v1.0.0' }, { path: 'example.com/b', version: 'v1.2.0' }];

test('the bundles on a drive: id, date, size, signer, trust and volumes; a bad bundle is reported among the good ones', async () => {
  const trusted = testSigningKey();
  const stranger = testSigningKey();
  const trust = trustStore(path.join(root, 'trusted-keys'));
  await trust.trustKey(trusted.publicKey);
  const good = await makeBundle(path.join(root, 'work'), modules, trusted);
  const partial = await makeBundle(path.join(root, 'work'), modules, stranger);
  assert.ok(partial.manifest.volumes.length >= 2, 'the fixture spans volumes');

  const drive = path.join(root, 'drive');
  const goodDir = path.join(drive, good.manifest.bundleId);
  const partialDir = path.join(drive, 'transfers', partial.manifest.bundleId);
  const brokenDir = path.join(drive, 'broken');
  const forgedDir = path.join(drive, 'forged');
  await cp(good.bundleDir, goodDir, { recursive: true });
  await cp(partial.bundleDir, partialDir, { recursive: true });
  const [firstVolume, secondVolume] = partial.manifest.volumes;
  await rm(path.join(partialDir, secondVolume!.name));
  await writeFile(path.join(partialDir, firstVolume!.name), 'cut short');
  await mkdir(brokenDir);
  await writeFile(path.join(brokenDir, 'manifest.json'), '{"format": "modferry-bundle"');
  await cp(good.bundleDir, forgedDir, { recursive: true });
  const manifest = await readFile(path.join(forgedDir, 'manifest.json'), 'utf8');
  await writeFile(path.join(forgedDir, 'manifest.json'), manifest.replace(good.manifest.createdAt, '2020-01-01T00:00:00.000Z'));
  await mkdir(path.join(drive, 'photos', 'deeper', 'still'), { recursive: true });

  const found = await findBundles(drive, trust);
  assert.deepEqual(found.map((b) => b.dir), [brokenDir, forgedDir, goodDir, partialDir]);
  const [broken, forged, goodFound, partialFound] = found;

  const bytes = good.manifest.volumes.reduce((sum, v) => sum + v.size, 0);
  assert.deepEqual(goodFound, {
    dir: goodDir,
    bundleId: good.manifest.bundleId,
    createdAt: good.manifest.createdAt,
    bytes,
    files: good.manifest.entries.length,
    signer: trusted.fingerprint,
    trusted: true,
    volumes: { count: good.manifest.volumes.length, present: good.manifest.volumes.map((v) => v.name), missing: [], problems: [] },
  });

  assert.equal(partialFound!.signer, stranger.fingerprint);
  assert.equal(partialFound!.trusted, false);
  assert.equal(partialFound!.problem, undefined);
  assert.deepEqual(partialFound!.volumes!.missing, [secondVolume!.name]);
  assert.ok(!partialFound!.volumes!.present.includes(firstVolume!.name));
  assert.deepEqual(partialFound!.volumes!.problems.map((p) => p.volume), [firstVolume!.name]);
  assert.match(partialFound!.volumes!.problems[0]!.reason, /truncated or incompletely copied/);

  assert.equal(broken!.bundleId, undefined);
  assert.equal(broken!.trusted, false);
  assert.equal(broken!.problem!.kind, 'bundle');
  assert.equal(broken!.problem!.file, 'manifest.json');

  assert.equal(forged!.bundleId, good.manifest.bundleId);
  assert.equal(forged!.signer, undefined);
  assert.equal(forged!.trusted, false);
  assert.equal(forged!.problem!.file, 'manifest.sig');
  assert.match(forged!.problem!.message, /does not match manifest\.json/);

  assert.deepEqual((await findBundles(goodDir, trust)).map((b) => b.bundleId), [good.manifest.bundleId], 'a bundle folder itself');
  assert.deepEqual(await findBundles(path.join(drive, 'photos'), trust), []);
  const unmounted = path.join(root, 'no-such-drive');
  await assert.rejects(findBundles(unmounted, trust), (error: unknown) => {
    assert.deepEqual(errorRecord(error), { type: 'error', kind: 'bundle', message: `${unmounted}: no such folder (is the drive mounted?)`, problem: 'no-such-folder', file: unmounted });
    return true;
  });
});
