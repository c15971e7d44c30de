import { hostPlatform } from '../../electron/core/export/hostPlatform';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { JobProgressEvent } from '../../shared/ipc/contract';
import type { DriveAnswer } from '../../shared/ipc/drivesChannel';
import type { ExportPlanAnswer, ExportRunResult } from '../../shared/ipc/exportChannel';
import type { ServeEvent } from '../../shared/ipc/serveChannels';
import { createAppSession, type AppSession } from '../../electron/core/appApi/appSession';
import { batchedReports, latestReports } from '../../electron/core/appApi/jobProgress';
import { KEPT_PLANS } from '../../electron/core/appApi/recentPlans';
import type { AppContext } from '../../electron/core/appApi/appContext';
import { makeTempDir, testSigningKey, type SourceModule } from '../support/bundleSources';
import { until } from '../support/until';
import { publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';
import { httpRequest } from '../support/httpRequests';
import { makeBundle } from '../support/storeFixtures';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

function contextIn(dir: string): AppContext {
  return { dirs: { data: path.join(dir, 'data'), cache: path.join(dir, 'cache') }, storeDir: path.join(dir, 'store'), toolVersion: 'test' };
}

function sessionOf(app: AppContext): { session: AppSession; events: JobProgressEvent[]; unexpected: unknown[] } {
  const events: JobProgressEvent[] = [];
  const unexpected: unknown[] = [];
  const session = createAppSession(app, { send: (event) => events.push(event), onUnexpected: (error) => unexpected.push(error) });
  return { session, events, unexpected };
}

async function answer<T>(reply: Promise<{ ok: boolean }>): Promise<T> {
  const settled = await reply;
  assert.ok(settled.ok, JSON.stringify(settled));
  return (settled as { ok: true; value: T }).value;
}

const storeModules: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.0.0', files: { 'a.go': 'package a\n' } },
  { path: 'example.com/b', version: 'v1.2.0', files: { 'b.go': 'package b\n' } },
];

describe('export:plan and export:run, on a real upstream', () => {
  test('the plan lists what ships; export:run runs it by id, and only a plan made on the same window', async (t) => {
    const { dir, cleanup } = await makeTempDir('appchannels-export');
    t.after(cleanup);
    const tree = path.join(dir, 'upstream');
    await publishFixtureModule(tree, 'example.com/dep', [{ version: 'v1.0.0', files: { 'dep.go': 'package dep\n' } }]);
    await publishFixtureModule(tree, 'example.com/lib', [{ version: 'v1.1.0', files: { 'lib.go': 'package lib\n' }, goMod: 'module example.com/lib\n\ngo 1.19\n\nrequire example.com/dep v1.0.0\n' }]);
    const upstream = await startFixtureUpstream(tree);
    t.after(() => upstream.close());
    const project = path.join(dir, 'project');
    await mkdir(project);
    await writeFile(path.join(project, 'go.mod'), 'module example.com/app\n\ngo 1.19\n\nrequire (\n\texample.com/lib v1.1.0\n\texample.com/dep v1.0.0\n)\n');
    const outDir = path.join(dir, 'out');
    await mkdir(outDir);
    const app = contextIn(dir);
    const { session, events, unexpected } = sessionOf(app);
    t.after(() => session.close());

    const plan = await answer<ExportPlanAnswer>(session.dispatch('export:plan', { projectDirs: [project], upstream: upstream.url, outDir }, 'plan-00000001'));
    assert.match(plan.id, /^[0-9a-f]{64}$/);
    assert.deepEqual(plan.modules.map((m) => `${m.path}@${m.version} ${m.zip ? 'zip' : 'mod'}`).sort(), ['example.com/dep@v1.0.0 zip', 'example.com/lib@v1.1.0 zip']);
    assert.equal(plan.totals.modules, 2);
    // Each module's files, and the @v/list file of each module the run writes beside them.
    assert.equal(plan.totals.files, plan.modules.flatMap((m) => m.files).length + plan.totals.lists);
    assert.equal(plan.totals.lists, 2);
    assert.ok(plan.totals.bytes > plan.modules.flatMap((m) => m.files).reduce((sum, f) => sum + f.size, 0));
    assert.ok(events.some((e) => e.jobId === 'plan-00000001' && e.channel === 'export:plan'), 'the plan reported progress');
    assert.deepEqual(await readdir(outDir), [], 'planning writes nothing to the destination');

    const other = sessionOf(app);
    const elsewhere = await other.session.dispatch('export:run', { planId: plan.id, outDir, check: false }, 'run-00000001');
    assert.equal(!elsewhere.ok && elsewhere.error.kind, 'usage');
    assert.match(!elsewhere.ok ? elsewhere.error.message : '', /^export:run: plan [0-9a-f]{12} was not made on this window or connection/);
    await other.session.close();

    const result = await answer<ExportRunResult>(session.dispatch('export:run', { planId: plan.id, outDir, check: false }, 'run-00000002'));
    assert.deepEqual(result.check, { status: 'skipped', reason: 'not-asked' });
    assert.equal(result.moduleVersions, 2);
    assert.equal(result.bundleDir, path.join(outDir, (await readdir(outDir))[0]!));
    const manifest = JSON.parse(await readFile(path.join(result.bundleDir, 'manifest.json'), 'utf8')) as { bundleId: string };
    assert.equal(manifest.bundleId, result.bundleId);
    assert.ok(events.some((e) => e.jobId === 'run-00000002' && e.channel === 'export:run'), 'the run reported progress');

    const facts = await answer<{ key: { fingerprint: string; publicKeyFile: string | null } | null }>(session.dispatch('keys:own', {}));
    assert.equal(facts.key?.fingerprint, result.signer.fingerprint);
    const drive = path.join(dir, 'drive');
    await mkdir(drive);
    const written = await answer<{ file: string }>(session.dispatch('keys:writePublic', { destination: drive }));
    assert.equal(written.file, path.join(drive, 'modferry-signing-key.pub.pem'));
    assert.equal(await readFile(written.file, 'utf8'), await readFile(facts.key!.publicKeyFile!, 'utf8'));

    const found = await answer<Array<{ bundleId?: string; signer?: string; trusted: boolean; volumes?: { missing: string[] } }>>(session.dispatch('bundles:find', { dir: outDir }));
    assert.deepEqual(found.map((b) => [b.bundleId, b.signer, b.trusted, b.volumes?.missing]), [[result.bundleId, result.signer.fingerprint, false, []]]);
    assert.deepEqual(unexpected, []);
  });

  test(`only the last ${KEPT_PLANS} plans of a window run`, async (t) => {
    const { dir, cleanup } = await makeTempDir('appchannels-plans');
    t.after(cleanup);
    const tree = path.join(dir, 'upstream');
    await publishFixtureModule(tree, 'example.com/one', [{ version: 'v1.0.0' }]);
    const upstream = await startFixtureUpstream(tree);
    t.after(() => upstream.close());
    const { session } = sessionOf(contextIn(dir));
    t.after(() => session.close());
    const ids: string[] = [];
    for (let i = 0; i <= KEPT_PLANS; i++) {
      // Each plan differs by its upstream list, so each has its own id.
      const list = [upstream.url, ...Array.from({ length: i }, () => upstream.url)].join(',');
      ids.push((await answer<ExportPlanAnswer>(session.dispatch('export:plan', { modules: ['example.com/one@v1.0.0'], upstream: list }, `plan-${i}-0000000`))).id);
    }
    assert.equal(new Set(ids).size, KEPT_PLANS + 1);
    const outDir = path.join(dir, 'out');
    await mkdir(outDir);
    const oldest = await session.dispatch('export:run', { planId: ids[0]!, outDir, check: false }, 'run-oldest-1');
    assert.match(!oldest.ok ? oldest.error.message : 'ran', /older than its last 5: make the plan again$/);
    await answer(session.dispatch('export:run', { planId: ids[1]!, outDir, check: false }, 'run-kept-001'));
  });
});

describe('serve through the app, on a real store', () => {
  test('serve:run reports listening and each request; one at a time; serve:stop closes the port and answers the counts', async (t) => {
    const { dir, cleanup } = await makeTempDir('appchannels-serve');
    t.after(cleanup);
    const app = contextIn(dir);
    const signer = testSigningKey();
    const bundle = await makeBundle(dir, storeModules, signer);
    const { session, events, unexpected } = sessionOf(app);
    t.after(() => session.close());
    await answer(session.dispatch('import:run', { bundleDir: bundle.bundleDir, trustSigner: signer.fingerprint }, 'import-00001'));
    const store = await answer<{ exists: boolean; versions?: number }>(session.dispatch('store:facts', {}));
    assert.deepEqual([store.exists, store.versions], [true, 2]);

    const serving = session.dispatch('serve:run', { listen: { host: '127.0.0.1', port: 0 } }, 'serve-00001');
    const served = (): ServeEvent[] => events.filter((e) => e.jobId === 'serve-00001').flatMap((e) => e.progress as ServeEvent[]);
    await until('the proxy listens', () => served().some((e) => e.type === 'listening'));
    const listening = served().find((e) => e.type === 'listening') as Extract<ServeEvent, { type: 'listening' }>;
    assert.equal(listening.storeDir, path.join(dir, 'store'));
    assert.ok(listening.facts.envLines.posix.some((line) => line.includes(listening.url)), listening.facts.envLines.posix.join('\n'));

    const second = sessionOf(app);
    const refused = await second.session.dispatch('serve:run', {}, 'serve-00002');
    assert.match(!refused.ok ? refused.error.message : 'served', /^serve:run: the proxy is already running at http:\/\/127\.0\.0\.1:\d+/);
    const status = await answer<{ running: { url: string; counts: { requests: number } } | null }>(second.session.dispatch('serve:status', {}));
    assert.equal(status.running?.url, listening.url);

    // More requests than one interval's worth: none may be dropped, however they are batched.
    const targets = [...Array.from({ length: 12 }, () => '/example.com/a/@v/v1.0.0.mod'), '/example.com/b/@v/list', '/example.com/nope/@v/list'];
    const replies = await Promise.all(targets.map((target) => httpRequest(listening.url, target)));
    assert.deepEqual(replies.map((r) => r.status), [...Array.from({ length: 13 }, () => 200), 404]);
    await until('every request is reported', () => served().filter((e) => e.type === 'request').length === targets.length);
    const requests = served().filter((e) => e.type === 'request');
    assert.deepEqual(requests.map((r) => r.target).sort(), [...targets].sort());
    const a = requests.find((r) => r.target.endsWith('.mod'));
    assert.deepEqual([a?.module, a?.version, a?.method, a?.status], ['example.com/a', 'v1.0.0', 'GET', 200]);

    const port = Number(new URL(listening.url).port);
    assert.deepEqual(await answer(second.session.dispatch('serve:stop', {})), { stopped: true });
    assert.equal(await connects(port), false, 'the port is closed once serve:stop answers');
    const counts = await answer<{ requests: number; misses: number }>(serving);
    assert.equal(counts.requests, targets.length);
    assert.equal(counts.misses, 1);
    assert.deepEqual(await answer(second.session.dispatch('serve:status', {})), { running: null });
    assert.deepEqual(await answer(second.session.dispatch('serve:stop', {})), { stopped: false });
    await second.session.close();

    // Closing the window or socket that started it stops it too.
    const again = session.dispatch('serve:run', { listen: { host: '127.0.0.1', port: 0 } }, 'serve-00003');
    await until('the proxy listens again', () => events.some((e) => e.jobId === 'serve-00003'));
    await session.close();
    assert.equal((await again).ok, true);
    assert.deepEqual(await answer(sessionOf(app).session.dispatch('serve:status', {})), { running: null });
    assert.deepEqual(unexpected, []);
  });

  test('keys, request and inventory files, and defaults, from the same store and data folder', async (t) => {
    const { dir, cleanup } = await makeTempDir('appchannels-keys');
    t.after(cleanup);
    const app = contextIn(dir);
    const key = testSigningKey();
    const bundle = await makeBundle(dir, storeModules, key);
    const { session, unexpected } = sessionOf(app);
    t.after(() => session.close());
    assert.deepEqual(await answer(session.dispatch('keys:own', {})), { key: null });
    await stat(path.join(dir, 'data', 'keys')).then(() => assert.fail('keys:own made a key folder'), () => undefined);
    assert.deepEqual(await answer(session.dispatch('keys:list', {})), []);

    await answer(session.dispatch('import:run', { bundleDir: bundle.bundleDir, trustSigner: key.fingerprint }, 'import-00001'));
    const trusted = await answer<Array<{ fingerprint: string; file: string }>>(session.dispatch('keys:list', {}));
    assert.deepEqual(trusted.map((k) => k.fingerprint), [key.fingerprint]);
    const found = await answer<Array<{ trusted: boolean }>>(session.dispatch('bundles:find', { dir: path.dirname(bundle.bundleDir) }));
    assert.deepEqual(found.map((b) => b.trusted), [true]);

    const inventoryFile = path.join(dir, 'inventory.json');
    assert.deepEqual(await answer(session.dispatch('inventory:write', { file: inventoryFile })), { file: inventoryFile, versions: 2, paths: 2 });
    assert.match(await readFile(inventoryFile, 'utf8'), /example\.com\/b/);
    const requestFile = path.join(dir, 'request.txt');
    const request = await answer<{ written: boolean; requests: unknown[] }>(session.dispatch('request:write', { file: requestFile }));
    assert.deepEqual([request.written, request.requests], [false, []]);
    await stat(requestFile).then(() => assert.fail('a request file with nothing to ask for was written'), () => undefined);

    const untrusted = await answer<{ fingerprint: string }>(session.dispatch('keys:untrust', { fingerprint: key.fingerprint }));
    assert.equal(untrusted.fingerprint, key.fingerprint);
    assert.deepEqual(await answer(session.dispatch('keys:list', {})), []);
    const again = await session.dispatch('keys:untrust', { fingerprint: key.fingerprint });
    assert.equal(!again.ok && again.error.kind, 'not-found');

    const saved = process.env.GOPROXY;
    t.after(() => {
      if (saved === undefined) delete process.env.GOPROXY;
      else process.env.GOPROXY = saved;
    });
    process.env.GOPROXY = 'http://127.0.0.1:9/goproxy';
    assert.deepEqual(await answer(session.dispatch('settings:defaults', {})), {
      upstream: 'http://127.0.0.1:9/goproxy',
      upstreamProblem: null,
      dataDir: path.join(dir, 'data'),
      cacheDir: path.join(dir, 'cache'),
      storeDir: path.join(dir, 'store'),
      toolchainPlatform: hostPlatform(),
    });
    process.env.GOPROXY = 'off';
    const off = await answer<{ upstream: string | null; upstreamProblem: string | null }>(session.dispatch('settings:defaults', {}));
    assert.equal(off.upstream, null);
    assert.match(off.upstreamProblem ?? '', /GOPROXY=off/);
    assert.deepEqual(unexpected, []);
  });
});

describe('drives through the app, on this machine', () => {
  test('drives:list answers the offered drives, or all with why each is held back; drives:watch reports within 2 s and ends on cancel', async (t) => {
    const { dir, cleanup } = await makeTempDir('appchannels-drives');
    t.after(cleanup);
    const { session, events } = sessionOf(contextIn(dir));
    t.after(() => session.close());
    const all = await answer<DriveAnswer[]>(session.dispatch('drives:list', { all: true }));
    const offered = await answer<DriveAnswer[]>(session.dispatch('drives:list', {}));
    assert.ok(offered.every((d) => d.offered && d.heldBack === undefined));
    assert.deepEqual(offered.map((d) => d.device), all.filter((d) => d.offered).map((d) => d.device));
    for (const drive of all.filter((d) => !d.offered)) assert.ok(drive.heldBack !== undefined, drive.device);
    for (const zram of all.filter((d) => d.device.includes('zram'))) assert.equal(zram.heldBack, 'virtual');

    const started = Date.now();
    const watching = session.dispatch('drives:watch', { all: true }, 'drives-00001');
    await until('the first drive list', () => events.some((e) => e.jobId === 'drives-00001'), 2000);
    assert.ok(Date.now() - started < 2000);
    const first = events.find((e) => e.jobId === 'drives-00001')!.progress as DriveAnswer[];
    assert.deepEqual(first.map((d) => d.device).sort(), all.map((d) => d.device).sort());
    assert.deepEqual(await answer(session.dispatch('job:cancel', { jobId: 'drives-00001' })), { cancelled: true });
    assert.deepEqual(await answer(watching), {});
  });
});

describe('progress that is not work under way', () => {
  test('batches drop nothing and the latest state wins, at most one send per 100 ms, the rest sent on stop', async () => {
    const batches: number[][] = [];
    const batched = batchedReports<number>((items) => batches.push([...items]));
    for (let i = 0; i < 50; i++) batched.report(i);
    await until('the held batch goes on the timer', () => batches.flat().length === 50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 50; i < 60; i++) batched.report(i);
    batched.stop();
    assert.deepEqual(batches.flat(), Array.from({ length: 60 }, (_, i) => i));
    assert.deepEqual(batches[0], [0], 'the first goes at once');
    assert.ok(batches.length <= 4, `${batches.length} sends`);

    const states: string[] = [];
    const latest = latestReports<string>((state) => states.push(state));
    for (const state of ['a', 'b', 'c']) latest.report(state);
    await until('the held state goes on the timer', () => states.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    latest.report('d');
    latest.report('e');
    latest.stop();
    assert.deepEqual(states, ['a', 'c', 'd', 'e']);
  });
});

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
