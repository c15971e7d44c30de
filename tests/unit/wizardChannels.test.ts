/**
 * The channels the wizards and settings screens stand on, through an app session as a window uses
 * it, against real components: a fixture upstream on loopback, real bundles, a real store and proxy.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { IpcChannel, IpcResponse, JobProgressEvent } from '../../shared/ipc/contract';
import type { IpcErrorRecord } from '../../shared/ipc/ipcError';
import type { ServeEvent } from '../../shared/ipc/serveChannels';
import { parseRequestFile } from '../../shared/roundtrip/requestFile';
import { DEFAULT_SETTINGS } from '../../shared/settings/appSettings';
import { runCli } from '../../electron/cli/main';
import { createAppSession, type AppSession } from '../../electron/core/appApi/appSession';
import type { AppContext } from '../../electron/core/appApi/appContext';
import { FAT_MAX_FILE_BYTES } from '../../electron/core/drives/volumeSize';
import { captureOutput } from '../support/captureOutput';
import { until } from '../support/until';
import { makeTempDir, readManifestFile, testSigningKey, type SourceModule } from '../support/bundleSources';
import { publishFixtureModule, startFixtureUpstream } from '../support/fixtureUpstream';
import { httpRequest } from '../support/httpRequests';
import { makeBundle } from '../support/storeFixtures';
import { planWarningText } from '../../shared/export/planNotesText';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

function appIn(dir: string, name: string, storeDir?: string): AppContext {
  return { dirs: { data: path.join(dir, name, 'data'), cache: path.join(dir, name, 'cache') }, toolVersion: 'test', ...(storeDir === undefined ? {} : { storeDir }) };
}

function sessionOf(app: AppContext): { session: AppSession; events: JobProgressEvent[]; unexpected: unknown[] } {
  const events: JobProgressEvent[] = [];
  const unexpected: unknown[] = [];
  const session = createAppSession(app, { send: (event) => events.push(event), onUnexpected: (error) => unexpected.push(error) });
  return { session, events, unexpected };
}

let jobs = 0;
async function ask<C extends IpcChannel>(session: AppSession, channel: C, request: unknown, job = false): Promise<IpcResponse<C>> {
  const reply = await session.dispatch(channel, request, job ? `job-${String(++jobs).padStart(8, '0')}` : undefined);
  assert.ok(reply.ok, `${channel}: ${JSON.stringify(reply)}`);
  return reply.value as IpcResponse<C>;
}

async function refusal(session: AppSession, channel: IpcChannel, request: unknown, job = false): Promise<IpcErrorRecord> {
  const reply = await session.dispatch(channel, request, job ? `job-${String(++jobs).padStart(8, '0')}` : undefined);
  assert.ok(!reply.ok, `${channel} answered ${JSON.stringify(reply)}`);
  return reply.error;
}

const storeModules: SourceModule[] = [
  { path: 'example.com/a', version: 'v1.0.0', files: { 'a.go': 'package a\n' } },
  { path: 'example.com/b', version: 'v1.2.0', files: { 'b.go': 'package b\n' } },
];

describe('settings drive the app', () => {
  test('the upstream, store folder and listen address saved are what export, import, serve, store facts and recent activity use', async (t) => {
    const { dir, cleanup } = await makeTempDir('wizard-settings');
    t.after(cleanup);
    const tree = path.join(dir, 'upstream');
    await publishFixtureModule(tree, 'example.com/one', [{ version: 'v1.0.0', files: { 'one.go': 'package one\n' } }]);
    const upstream = await startFixtureUpstream(tree);
    t.after(() => upstream.close());

    // The online machine: settings name the upstream; its export is then imported on the offline one.
    const online = sessionOf(appIn(dir, 'online'));
    t.after(() => online.session.close());
    assert.deepEqual(await ask(online.session, 'activity:recent', {}), { exports: [], imports: [] });
    const fresh = await ask(online.session, 'settings:get', {});
    assert.deepEqual(fresh, { file: path.join(dir, 'online', 'data', 'settings.json'), settings: DEFAULT_SETTINGS, listensBeyondLoopback: false, problem: null });
    const onlineSettings = await ask(online.session, 'settings:set', { side: 'online', upstream: upstream.url });
    assert.deepEqual(onlineSettings.settings, { ...DEFAULT_SETTINGS, side: 'online', upstream: upstream.url });
    const plan = await ask(online.session, 'export:plan', { modules: ['example.com/one@v1.0.0'] }, true);
    assert.equal(plan.upstream, upstream.url);
    const outDir = path.join(dir, 'drive');
    await mkdir(outDir);
    const exported = await ask(online.session, 'export:run', { planId: plan.id, outDir, check: false }, true);
    const recentExport = await ask(online.session, 'activity:recent', {});
    assert.deepEqual(recentExport.imports, []);
    assert.deepEqual(recentExport.exports.map((e) => [e.bundleId, e.outDir, e.modules, e.files, e.bytes]), [[exported.bundleId, outDir, 1, exported.files, exported.bytes]]);
    const keyFile = (await ask(online.session, 'keys:writePublic', { destination: outDir })).file;

    // The offline machine: its store folder and listen address come from its settings.
    const offlineApp = appIn(dir, 'offline');
    const offline = sessionOf(offlineApp);
    t.after(() => offline.session.close());
    const storeDir = path.join(dir, 'store-from-settings');
    const saved = await ask(offline.session, 'settings:set', { side: 'offline', storeDir, serveListen: { host: '0.0.0.0', port: 0 } });
    assert.equal(saved.listensBeyondLoopback, true, 'every interface is flagged for the warning');
    await ask(offline.session, 'settings:set', { serveListen: { host: '127.0.0.1', port: 0 } });
    assert.deepEqual(await ask(offline.session, 'store:facts', {}), { dir: storeDir, exists: false });
    assert.deepEqual(await ask(offline.session, 'activity:recent', {}), { exports: [], imports: [] }, 'a store not made yet has no imports');

    const trusted = await ask(offline.session, 'keys:trustFile', { file: keyFile });
    assert.deepEqual([trusted.fingerprint, trusted.added], [exported.signer.fingerprint, true]);
    assert.equal((await ask(offline.session, 'keys:trustFile', { file: keyFile })).added, false);
    const imported = await ask(offline.session, 'import:run', { bundleDir: exported.bundleDir }, true);
    assert.deepEqual([imported.storeDir, imported.signerNewlyTrusted, imported.added], [storeDir, false, 3], '.info, .mod and .zip');
    const facts = await ask(offline.session, 'store:facts', {});
    assert.deepEqual([facts.dir, facts.exists && facts.versions], [storeDir, 1]);
    const recentImport = await ask(offline.session, 'activity:recent', { limit: 3 });
    assert.deepEqual(recentImport.exports, []);
    assert.equal(recentImport.imports.length, 1);
    const [row] = recentImport.imports;
    assert.deepEqual([row?.bundleId, row?.signer, row?.files], [exported.bundleId, exported.signer.fingerprint, imported.added]);
    assert.equal(row?.bytes, imported.addedBytes);
    assert.ok(!Number.isNaN(Date.parse(row?.importedAt ?? '')));

    const serving = offline.session.dispatch('serve:run', {}, 'serve-settings-1');
    const listening = (): Extract<ServeEvent, { type: 'listening' }> | undefined =>
      offline.events.filter((e) => e.jobId === 'serve-settings-1').flatMap((e) => e.progress as ServeEvent[]).find((e) => e.type === 'listening') as Extract<ServeEvent, { type: 'listening' }> | undefined;
    await until('the proxy listens', () => listening() !== undefined);
    assert.equal(listening()?.storeDir, storeDir);
    assert.match(listening()?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(new URL(listening()?.url ?? '').port, '3000', 'port 0 from the settings: a free port');
    assert.equal((await httpRequest(listening()!.url, '/example.com/one/@v/list')).status, 200);
    await ask(offline.session, 'serve:stop', {});
    assert.equal((await serving).ok, true);

    // `modferry ui --store` wins over the settings.
    const given = path.join(dir, 'given-store');
    const pinned = sessionOf({ ...offlineApp, storeDir: given });
    t.after(() => pinned.session.close());
    assert.deepEqual(await ask(pinned.session, 'store:facts', {}), { dir: given, exists: false });
    assert.deepEqual([online.unexpected, offline.unexpected, pinned.unexpected], [[], [], []]);
  });

  test('without an upstream in the request or the settings, export:plan says GOPROXY is not set', async (t) => {
    const { dir, cleanup } = await makeTempDir('wizard-noupstream');
    t.after(cleanup);
    const saved = process.env.GOPROXY;
    t.after(() => {
      if (saved === undefined) delete process.env.GOPROXY;
      else process.env.GOPROXY = saved;
    });
    delete process.env.GOPROXY;
    const { session } = sessionOf(appIn(dir, 'app'));
    t.after(() => session.close());
    const error = await refusal(session, 'export:plan', { modules: ['example.com/one@v1.0.0'] }, true);
    assert.equal(error.kind, 'input');
    assert.match(error.message, /^no upstream: GOPROXY is not set/);
  });

  test('a settings file edited by hand is reported over the channel naming the file and field', async (t) => {
    const { dir, cleanup } = await makeTempDir('wizard-badsettings');
    t.after(cleanup);
    const app = appIn(dir, 'app');
    await mkdir(app.dirs.data, { recursive: true });
    const file = path.join(app.dirs.data, 'settings.json');
    await writeFile(file, '{"language": "de"}');
    const { session } = sessionOf(app);
    t.after(() => session.close());
    const answer = await ask(session, 'settings:get', {});
    assert.deepEqual(answer.settings, DEFAULT_SETTINGS);
    assert.deepEqual(answer.problem, { file, field: 'language', reason: 'Invalid option: expected one of "system"|"en"|"zh-CN"', coded: { code: 'not-one-of', values: ['system', 'en', 'zh-CN'] } });
    const after = await ask(session, 'settings:set', { language: 'zh-CN' });
    assert.equal(after.settings.language, 'zh-CN');
    assert.equal(await readFile(after.problem?.keptAs ?? '', 'utf8'), '{"language": "de"}');
  });
});

describe('sources:inspect', () => {
  test('each source with what it asks for, or its file, line and reason', async (t) => {
    const { dir, cleanup } = await makeTempDir('wizard-sources');
    t.after(cleanup);
    const project = path.join(dir, 'project');
    await mkdir(project);
    await writeFile(path.join(project, 'go.mod'), 'module example.com/app\n\ngo 1.19\n\nrequire (\n\texample.com/lib v1.1.0\n\texample.com/dep v1.0.0 // indirect\n)\n');
    const broken = path.join(dir, 'broken', 'go.mod');
    await mkdir(path.dirname(broken));
    await writeFile(broken, 'module example.com/broken\n\ngo 1.19\n\nrequire example.com/lib v1.1\n');
    const noModule = path.join(dir, 'nomodule.mod');
    await writeFile(noModule, 'go 1.19\n');
    const requestFile = path.join(dir, 'request.txt');
    await writeFile(requestFile, '# modferry request v1\nexample.com/x@v1.0.0  # 2 requests\nexample.com/y@latest\n');
    const badRequest = path.join(dir, 'bad-request.txt');
    await writeFile(badRequest, '# modferry request v1\nexample.com/x@1.0\n');
    const { session } = sessionOf(appIn(dir, 'app'));
    t.after(() => session.close());

    const answers = await ask(session, 'sources:inspect', {
      goModFiles: [broken, noModule, path.join(dir, 'missing.mod')],
      projectDirs: [project, dir],
      requestFiles: [requestFile, badRequest],
      pasted: 'example.com/p@v1.2.3\n\n# a comment\nExample.com/Bad@v1.0.0\nexample.com/q@v1\nexample.com/r@latest\n',
    });
    assert.deepEqual(answers, [
      { kind: 'goMod', source: broken, file: broken, problem: { file: broken, line: 5, reason: 'require example.com/lib: version "v1.1" invalid: must be of the form v1.2.3', message: `${broken}:5: require example.com/lib: version "v1.1" invalid: must be of the form v1.2.3`, coded: { code: 'invalid-version', directive: 'require', module: 'example.com/lib', version: 'v1.1' } } },
      { kind: 'goMod', source: noModule, file: noModule, problem: { file: noModule, reason: 'no module statement: is this a go.mod file?', message: `${noModule}: no module statement: is this a go.mod file?`, coded: { code: 'no-module' } } },
      { kind: 'goMod', source: path.join(dir, 'missing.mod'), file: path.join(dir, 'missing.mod'), problem: { file: path.join(dir, 'missing.mod'), reason: 'no such file', message: `${path.join(dir, 'missing.mod')}: no such file`, coded: { code: 'missing' } } },
      {
        kind: 'project',
        source: project,
        file: path.join(project, 'go.mod'),
        asks: { module: 'example.com/app', go: '1.19', requires: [{ path: 'example.com/lib', version: 'v1.1.0', indirect: false }, { path: 'example.com/dep', version: 'v1.0.0', indirect: true }] },
      },
      { kind: 'project', source: dir, file: path.join(dir, 'go.mod'), problem: { file: path.join(dir, 'go.mod'), reason: "no go.mod in this folder: is it a Go module's folder?", message: `${path.join(dir, 'go.mod')}: no go.mod in this folder: is it a Go module's folder?`, coded: { code: 'no-go-mod' } } },
      { kind: 'requestFile', source: requestFile, file: requestFile, requests: [{ path: 'example.com/x', version: 'v1.0.0', line: 2 }, { path: 'example.com/y', version: 'latest', line: 3 }] },
      { kind: 'requestFile', source: badRequest, file: badRequest, problem: { file: badRequest, line: 2, reason: 'example.com/x@1.0: version must be canonical, like v1.2.3, or "latest"', message: `${badRequest}:2: example.com/x@1.0: version must be canonical, like v1.2.3, or "latest"`, coded: { code: 'request-version', path: 'example.com/x', version: '1.0' } } },
      { kind: 'pasted', source: 'example.com/p@v1.2.3', line: 1, path: 'example.com/p', version: 'v1.2.3' },
      { kind: 'pasted', source: 'Example.com/Bad@v1.0.0', line: 4, problem: { line: 4, reason: `malformed module path "Example.com/Bad": invalid char 'E' in first path element`, message: `line 4: malformed module path "Example.com/Bad": invalid char 'E' in first path element` } },
      { kind: 'pasted', source: 'example.com/q@v1', line: 5, problem: { line: 5, reason: 'example.com/q@v1: version must be canonical, like v1.2.3, or "latest"', message: 'line 5: example.com/q@v1: version must be canonical, like v1.2.3, or "latest"' } },
      { kind: 'pasted', source: 'example.com/r@latest', line: 6, path: 'example.com/r', version: 'latest' },
    ]);
  });
});

describe('keys and the trust prompt', () => {
  test('keys:trustFile refuses what is not a public key, naming the file', async (t) => {
    const { dir, cleanup } = await makeTempDir('wizard-trustfile');
    t.after(cleanup);
    const { session } = sessionOf(appIn(dir, 'app'));
    t.after(() => session.close());
    const garbled = path.join(dir, 'garbled.pub.pem');
    await writeFile(garbled, '-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n');
    const bad = await refusal(session, 'keys:trustFile', { file: garbled });
    assert.equal(bad.file, garbled);
    assert.ok(bad.message.startsWith(garbled), bad.message);
    const privateFile = path.join(dir, 'modferry-signing-key.pem');
    await writeFile(privateFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const secret = await refusal(session, 'keys:trustFile', { file: privateFile });
    assert.deepEqual([secret.kind, secret.file], ['keys', privateFile]);
    assert.match(secret.message, /this is a private key/);
    const missing = await refusal(session, 'keys:trustFile', { file: path.join(dir, 'none.pem') });
    assert.equal(missing.file, path.join(dir, 'none.pem'));
    assert.deepEqual(await ask(session, 'keys:list', {}), [], 'nothing was trusted');
  });

  test('verify:run names an unknown signer by fingerprint and trusts it only when asked; a flipped byte names volume and entry, and imports nothing', async (t) => {
    const { dir, cleanup } = await makeTempDir('wizard-verify');
    t.after(cleanup);
    const key = testSigningKey();
    const bundle = await makeBundle(dir, storeModules, key);
    const { session, unexpected } = sessionOf(appIn(dir, 'offline', path.join(dir, 'store')));
    t.after(() => session.close());

    const unknown = await refusal(session, 'verify:run', { bundleDir: bundle.bundleDir }, true);
    assert.deepEqual([unknown.kind, unknown.file, unknown.fingerprint], ['bundle', 'manifest.sig', key.fingerprint]);
    assert.deepEqual(await ask(session, 'keys:list', {}), [], 'nothing is trusted silently');
    const found = await ask(session, 'bundles:find', { dir: path.dirname(bundle.bundleDir) });
    assert.deepEqual(found.map((b) => [b.signer, b.trusted]), [[key.fingerprint, false]]);

    // The operator compared the fingerprint and said yes.
    const verified = await ask(session, 'verify:run', { bundleDir: bundle.bundleDir, trustSigner: key.fingerprint }, true);
    assert.deepEqual([verified.signer, verified.signerTrusted, verified.signerNewlyTrusted], [key.fingerprint, false, true]);
    assert.deepEqual((await ask(session, 'keys:list', {})).map((k) => k.fingerprint), [key.fingerprint]);
    const again = await ask(session, 'verify:run', { bundleDir: bundle.bundleDir }, true);
    assert.deepEqual([again.signerTrusted, again.signerNewlyTrusted], [true, false]);

    // The same bundle with one byte of a module file flipped.
    const { volume, entry } = await flipByteOfGoMod(bundle.bundleDir, 'example.com/b', 'v1.2.0');
    const damaged = await refusal(session, 'verify:run', { bundleDir: bundle.bundleDir }, true);
    assert.deepEqual([damaged.kind, damaged.volume, damaged.entry], ['bundle', volume, entry]);
    assert.match(damaged.message, new RegExp(`^${volume.replace(/\./g, '\\.')}: ${entry.replace(/\./g, '\\.')}: `));
    const refused = await refusal(session, 'import:run', { bundleDir: bundle.bundleDir }, true);
    assert.deepEqual([refused.volume, refused.entry], [volume, entry]);
    const facts = await ask(session, 'store:facts', {});
    assert.equal(facts.exists ? facts.versions : 0, 0, 'nothing was imported');
    assert.deepEqual(await ask(session, 'activity:recent', {}), { exports: [], imports: [] });

    // A new signer accepted for a bundle that then fails is not trusted.
    const stranger = testSigningKey();
    const strangers = await makeBundle(dir, storeModules, stranger);
    await flipByteOfGoMod(strangers.bundleDir, 'example.com/a', 'v1.0.0');
    const failed = await refusal(session, 'verify:run', { bundleDir: strangers.bundleDir, trustSigner: stranger.fingerprint }, true);
    assert.equal(failed.entry, 'example.com/a/@v/v1.0.0.mod');
    assert.deepEqual((await ask(session, 'keys:list', {})).map((k) => k.fingerprint), [key.fingerprint]);
    assert.deepEqual(unexpected, []);
  });
});

/** Flips one byte of a module's go.mod where it lies in its volume; answers the volume and entry. */
async function flipByteOfGoMod(bundleDir: string, modulePath: string, version: string): Promise<{ volume: string; entry: string }> {
  const manifest = await readManifestFile(bundleDir);
  const entry = manifest.entries.find((e) => e.path === `${modulePath}/@v/${version}.mod`) ?? assert.fail(`no .mod entry for ${modulePath}`);
  const volume = manifest.volumes[entry.volume - 1]?.name ?? assert.fail('no volume');
  const volumeFile = path.join(bundleDir, volume);
  const bytes = await readFile(volumeFile);
  const at = bytes.indexOf(`module ${modulePath}`);
  assert.ok(at > 0);
  bytes[at + 8] = (bytes[at + 8] ?? 0) ^ 0x20;
  await writeFile(volumeFile, bytes);
  return { volume, entry: entry.path };
}

describe('misses and the request file', () => {
  test('misses:list shows what the proxy could not answer; request:write writes a file that export plans from', async (t) => {
    const { dir, cleanup } = await makeTempDir('wizard-misses');
    t.after(cleanup);
    const { session, events, unexpected } = sessionOf(appIn(dir, 'offline', path.join(dir, 'store')));
    t.after(() => session.close());
    assert.deepEqual(await ask(session, 'misses:list', {}), { misses: [], dropped: [] }, 'no store yet: nothing missed');
    const signer = testSigningKey();
    const bundle = await makeBundle(dir, storeModules, signer);
    await ask(session, 'import:run', { bundleDir: bundle.bundleDir, trustSigner: signer.fingerprint }, true);

    const serving = session.dispatch('serve:run', { listen: { host: '127.0.0.1', port: 0 } }, 'serve-misses-1');
    const listening = (): Extract<ServeEvent, { type: 'listening' }> | undefined =>
      events.filter((e) => e.jobId === 'serve-misses-1').flatMap((e) => e.progress as ServeEvent[]).find((e) => e.type === 'listening') as Extract<ServeEvent, { type: 'listening' }> | undefined;
    await until('the proxy listens', () => listening() !== undefined);
    const url = listening()!.url;
    for (const target of ['/example.com/new/@v/v1.0.0.info', '/example.com/new/@v/v1.0.0.mod', '/example.com/newer/@latest']) {
      assert.equal((await httpRequest(url, target)).status, 404, target);
    }
    await ask(session, 'serve:stop', {});
    assert.equal((await serving).ok, true);

    const { misses, dropped } = await ask(session, 'misses:list', {});
    assert.deepEqual(dropped, []);
    assert.deepEqual(misses.map((m) => [m.module, m.version, m.count]).sort(), [['example.com/new', 'v1.0.0', 2], ['example.com/newer', 'latest', 1]]);
    for (const miss of misses) assert.ok(miss.firstSeen <= miss.lastSeen && !Number.isNaN(Date.parse(miss.lastSeen)));
    assert.deepEqual((await ask(session, 'misses:list', { since: '2999-01-01T00:00:00Z' })).misses, []);

    const drive = path.join(dir, 'drive');
    await mkdir(drive);
    // Written to the drive the operator picked, under a name of its own.
    const written = await ask(session, 'request:write', { file: drive });
    assert.equal(written.written, true);
    assert.equal(path.dirname(written.file), drive);
    assert.match(path.basename(written.file), /^modferry-request-\d{8}-\d{6}Z\.txt$/);
    const requestFile = written.file;
    assert.deepEqual(parseRequestFile(await readFile(requestFile, 'utf8'), requestFile).map((r) => `${r.path}@${r.version}`).sort(), ['example.com/new@v1.0.0', 'example.com/newer@latest']);

    // On the online side, export plans from that very file.
    const tree = path.join(dir, 'upstream');
    await publishFixtureModule(tree, 'example.com/new', [{ version: 'v1.0.0' }]);
    await publishFixtureModule(tree, 'example.com/newer', [{ version: 'v0.3.0' }, { version: 'v0.4.0' }]);
    const upstream = await startFixtureUpstream(tree);
    t.after(() => upstream.close());
    const online = sessionOf(appIn(dir, 'online'));
    t.after(() => online.session.close());
    const plan = await ask(online.session, 'export:plan', { requestFiles: [requestFile], upstream: upstream.url }, true);
    assert.deepEqual(plan.unmet, []);
    assert.deepEqual(plan.modules.map((m) => `${m.path}@${m.version}`).sort(), ['example.com/new@v1.0.0', 'example.com/newer@v0.4.0']);
    // And the CLI's `export --plan --request FILE` takes it too.
    const savedHome = process.env.MODFERRY_HOME;
    process.env.MODFERRY_HOME = path.join(dir, 'cli-home');
    const output = captureOutput();
    try {
      assert.equal(await runCli(['export', '--plan', '--json', '--request', requestFile, '--upstream', upstream.url], output), 0, output.stderr.join('\n'));
    } finally {
      if (savedHome === undefined) delete process.env.MODFERRY_HOME;
      else process.env.MODFERRY_HOME = savedHome;
    }
    const cliPlan = output.stdout.map((line) => JSON.parse(line) as { type: string; modules?: Array<{ path: string; version: string }> }).find((line) => line.type === 'plan');
    assert.deepEqual(cliPlan?.modules?.map((m) => `${m.path}@${m.version}`).sort(), ['example.com/new@v1.0.0', 'example.com/newer@v0.4.0']);

    const inventory = await ask(session, 'inventory:write', { file: drive });
    assert.match(path.basename(inventory.file), /^modferry-inventory-\d{8}-\d{6}Z\.json$/);
    assert.equal(inventory.versions, 2);
    assert.deepEqual([unexpected, online.unexpected], [[], []]);
  });
});

describe('destination:check', () => {
  test('a folder: its drive, file system, free space, the volume size that implies, and whether the plan fits', async (t) => {
    const { dir, cleanup } = await makeTempDir('wizard-destination');
    t.after(cleanup);
    const tree = path.join(dir, 'upstream');
    await publishFixtureModule(tree, 'example.com/one', [{ version: 'v1.0.0', files: { 'one.go': `package one\n// ${'x'.repeat(20000)}\n` } }]);
    const upstream = await startFixtureUpstream(tree);
    t.after(() => upstream.close());
    const { session } = sessionOf(appIn(dir, 'online'));
    t.after(() => session.close());
    const outDir = path.join(dir, 'out');
    await mkdir(outDir);

    const bare = await ask(session, 'destination:check', { dir: outDir });
    const [fileSystem, target] = execFileSync('findmnt', ['-n', '-o', 'FSTYPE,TARGET', '--target', outDir], { encoding: 'utf8' }).trim().split(/\s+/);
    assert.deepEqual([bare.dir, bare.drive, bare.fileSystem], [outDir, target, fileSystem]);
    assert.deepEqual([bare.neededBytes, bare.fits], [null, null]);
    assert.equal(bare.warning?.kind, 'not-removable');
    assert.match(bare.warning === null ? '' : planWarningText(bare.warning), new RegExp(`^${outDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not on a removable drive`), 'a temporary folder is on no stick');
    assert.ok(bare.freeBytes !== null && bare.totalBytes !== null && bare.freeBytes <= bare.totalBytes);
    const dfFree = Number(execFileSync('df', ['-B1', '--output=avail', outDir], { encoding: 'utf8' }).trim().split('\n')[1]);
    assert.ok(Math.abs(dfFree - bare.freeBytes) < 64 * 1024 ** 2, `df says ${dfFree} free, the check ${bare.freeBytes}`);
    assert.deepEqual(
      bare.volumeSize,
      fileSystem === 'vfat'
        ? { bytes: FAT_MAX_FILE_BYTES, why: 'vfat (FAT) holds no file of 4 GiB or more', maxBytes: FAT_MAX_FILE_BYTES, defaultBytes: FAT_MAX_FILE_BYTES }
        : { bytes: Number.MAX_SAFE_INTEGER, why: `${fileSystem} holds the bundle as one volume`, maxBytes: null, defaultBytes: Number.MAX_SAFE_INTEGER },
    );

    const plan = await ask(session, 'export:plan', { modules: ['example.com/one@v1.0.0'], upstream: upstream.url }, true);
    const checked = await ask(session, 'destination:check', { dir: outDir, planId: plan.id, volumeSize: 1024 * 1024 });
    assert.ok(checked.neededBytes !== null && checked.neededBytes > plan.totals.bytes, `${checked.neededBytes} needed for ${plan.totals.bytes} of files`);
    assert.equal(checked.fits, true);
    assert.deepEqual(checked.volumeSize, { bytes: 1024 * 1024, why: 'the volume size given', maxBytes: fileSystem === 'vfat' ? FAT_MAX_FILE_BYTES : null, defaultBytes: bare.volumeSize.defaultBytes });

    // What the check said fits, the run writes in about that room.
    const result = await ask(session, 'export:run', { planId: plan.id, outDir, check: false }, true);
    const written = Number(execFileSync('du', ['-s', '-B1', '--apparent-size', result.bundleDir], { encoding: 'utf8' }).split(/\s/)[0]);
    assert.ok(written <= checked.neededBytes, `the bundle takes ${written} bytes, ${checked.neededBytes} were asked for`);

    const elsewhere = sessionOf(appIn(dir, 'online'));
    t.after(() => elsewhere.session.close());
    const foreign = await refusal(elsewhere.session, 'destination:check', { dir: outDir, planId: plan.id });
    assert.equal(foreign.kind, 'usage');
    const missing = await refusal(session, 'destination:check', { dir: path.join(dir, 'unplugged') });
    assert.equal(missing.kind, 'destination');
    assert.match(missing.message, /^no such folder .*unplugged \(is the drive mounted\?\)$/);
  });
});
