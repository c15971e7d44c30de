import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { JobProgressEvent } from '../../shared/ipc/contract';
import { createAppSession, type AppSession } from '../../electron/core/appApi/appSession';
import { makeTempDir, testSigningKey, type SourceModule } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

const modules: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.0.0', files: { 'a.go': 'package a\n' } },
  { path: 'example.com/b', version: 'v1.2.0', files: { 'b.go': 'package b\n', LICENSE: 'MIT\n' } },
];

async function sessionIn(dir: string): Promise<{ session: AppSession; events: JobProgressEvent[]; unexpected: unknown[] }> {
  const events: JobProgressEvent[] = [];
  const unexpected: unknown[] = [];
  const session = createAppSession(
    { dirs: { data: path.join(dir, 'data'), cache: path.join(dir, 'cache') }, storeDir: path.join(dir, 'store'), toolVersion: 'test' },
    { send: (event) => events.push(event), onUnexpected: (error) => unexpected.push(error) },
  );
  return { session, events, unexpected };
}

describe('jobs through an app session, on real bundles and a real store', () => {
  test('verify and import run as jobs with progress under their job id; an untrusted signer is refused until accepted, then trusted', async (t) => {
    const { dir, cleanup } = await makeTempDir('appjobs');
    t.after(cleanup);
    const key = testSigningKey();
    const bundle = await makeBundle(dir, modules, key);
    const { session, events, unexpected } = await sessionIn(dir);

    const refused = await session.dispatch('verify:run', { bundleDir: bundle.bundleDir }, 'verify-untrusted');
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.error.kind, 'bundle');

    const verified = await session.dispatch('verify:run', { bundleDir: bundle.bundleDir, trustNewKey: true }, 'verify-accepted');
    assert.ok(verified.ok, JSON.stringify(verified));
    assert.deepEqual(verified.value, {
      bundleId: bundle.manifest.bundleId,
      createdAt: bundle.manifest.createdAt,
      files: bundle.manifest.entries.length,
      volumes: bundle.manifest.volumes.length,
      bytes: bundle.manifest.volumes.reduce((sum, v) => sum + v.size, 0),
      signer: key.fingerprint,
      signerTrusted: false,
      signerNewlyTrusted: true,
    });
    const verifyEvents = events.filter((e) => e.jobId === 'verify-accepted');
    assert.ok(verifyEvents.length > 0, 'the verify reported progress');
    assert.ok(verifyEvents.every((e) => e.channel === 'verify:run' && typeof e.progress.stage === 'string' && e.progress.elapsedSeconds >= 0));

    const imported = await session.dispatch('import:run', { bundleDir: bundle.bundleDir, trustNewKey: true }, 'import-first');
    assert.ok(imported.ok, JSON.stringify(imported));
    const first = imported.value as { storeDir: string; added: number; alreadyImported: boolean; signerNewlyTrusted: boolean };
    assert.equal(first.storeDir, path.join(dir, 'store'));
    assert.ok(first.added > 0 && first.added <= bundle.manifest.entries.length, `added ${first.added}`);
    assert.equal(first.signerNewlyTrusted, false, 'the verify the operator accepted it for trusted it');
    const again = await session.dispatch('import:run', { bundleDir: bundle.bundleDir }, 'import-again');
    assert.ok(again.ok && (again.value as { alreadyImported: boolean }).alreadyImported, 'the signer is trusted now, and the bundle is in');
    assert.deepEqual(unexpected, []);
    await session.close();
  });

  test('a job id in use is refused; cancel stops a job, which then fails as interrupted', async (t) => {
    const { dir, cleanup } = await makeTempDir('appjobs-cancel');
    t.after(cleanup);
    const bundle = await makeBundle(dir, modules, testSigningKey());
    const { session, unexpected } = await sessionIn(dir);

    const running = session.dispatch('import:run', { bundleDir: bundle.bundleDir, trustNewKey: true }, 'import-cancelled');
    const twice = await session.dispatch('verify:run', { bundleDir: bundle.bundleDir }, 'import-cancelled');
    assert.deepEqual(twice, { ok: false, error: { kind: 'usage', message: 'verify:run: job import-cancelled is already running' } });
    assert.deepEqual(await session.dispatch('job:cancel', { jobId: 'import-cancelled' }), { ok: true, value: { cancelled: true } });
    const reply = await running;
    assert.equal(reply.ok, false);
    assert.equal(!reply.ok && reply.error.kind, 'interrupted');
    assert.deepEqual(await session.dispatch('job:cancel', { jobId: 'import-cancelled' }), { ok: true, value: { cancelled: false } });
    await session.close();
    const late = await session.dispatch('verify:run', { bundleDir: bundle.bundleDir }, 'verify-late');
    assert.deepEqual(late, { ok: false, error: { kind: 'interrupted', message: 'verify:run: not started: the window or connection is closing' } });
    assert.deepEqual(unexpected, []);
  });
});
