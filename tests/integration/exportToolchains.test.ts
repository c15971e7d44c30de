import { after, before, describe, test } from 'node:test';
import { shipReasonText } from '../../shared/export/planNotesText';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { createAppSession } from '../../electron/core/appApi/appSession';
import type { ExportPlanAnswer } from '../../shared/ipc/exportChannel';
import { serveCommand } from '../../electron/cli/commands/serveCommand';
import { updateSettings } from '../../electron/core/settings/settingsFile';
import { appDirs } from '../../electron/core/appDirs/appDirs';
import { hostPlatform } from '../../electron/core/export/hostPlatform';
import { planExport } from '../../electron/core/export/planExport';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { parseManifest } from '../../shared/bundle/manifest';
import type { ExportPlan } from '../../shared/export/exportPlan';
import { makeTempDir, testSigningKey } from '../support/bundleSources';
import { captureOutput } from '../support/captureOutput';
import { publishedGoSumLines, startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { goModDownload, offlineGoEnv, requireGo, scratchGoWorkspace } from '../support/goCommand';
import { writeTestSumdb } from '../support/testSumdb';
import { makeBundle } from '../support/storeFixtures';
import { publishToolchains } from '../support/toolchainModules';

const TOOLCHAIN = 'golang.org/toolchain';
let root: string;
let tree: string;
let cleanup: () => Promise<void>;
let upstream: FixtureUpstream;
const savedHome = process.env.MODFERRY_HOME;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('toolchains'));
  process.env.MODFERRY_HOME = path.join(root, 'home');
  tree = path.join(root, 'upstream');
  // go1.22.4 only for linux/amd64: a go.mod asking for it on other platforms cannot be met.
  await publishToolchains(tree, [
    { name: 'go1.22.3', platforms: ['linux/amd64', 'windows/amd64', 'darwin/arm64'] },
    { name: 'go1.22.4', platforms: ['linux/amd64'] },
  ]);
  upstream = await startFixtureUpstream(tree);
});

after(async () => {
  await upstream?.close();
  process.env.MODFERRY_HOME = savedHome;
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  await cleanup?.();
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  Object.assign(process.env, env);
  const output = captureOutput();
  try {
    const code = await runCli(args, output);
    return { code, stdout: output.stdout, stderr: output.stderr };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The checksum-database variables of an export that asks the test database `vkey` about every module. */
function sumdbOn(vkey: string): Record<string, string> {
  return { GOSUMDB: vkey, GONOSUMDB: '', GOPRIVATE: '' };
}

// Records after the toolchains' so the test database's tree has level-1 tiles, as every real one has.
const FILLER = Array.from({ length: 300 }, (_, i) => `example.com/filler${i} v1.0.0 h1:${Buffer.alloc(32, i).toString('base64')}`);

/** A project whose go.mod asks for Go 1.22.3 and, as its toolchain, go1.22.4. */
async function newerGoProject(name: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'go.mod'), 'module example.com/newer\n\ngo 1.22.3\n\ntoolchain go1.22.4\n');
  await writeFile(path.join(dir, 'main.go'), 'package main\n\nfunc main() {}\n');
  return dir;
}

function toolchainModules(plan: Pick<ExportPlan, 'modules'>): Array<{ version: string; reason: string; neededBy: string[]; kinds: string; bytes: number }> {
  return plan.modules
    .filter((m) => m.path === TOOLCHAIN)
    .map((m) => ({ version: m.version, reason: typeof m.reason === 'string' ? m.reason : shipReasonText(m.reason), neededBy: m.neededBy, kinds: m.files.map((f) => f.kind).join(','), bytes: m.files.reduce((sum, f) => sum + f.size, 0) }));
}

describe('Go toolchains across the air gap', { timeout: 300_000 }, () => {
  test('--toolchain with --platform plans each golang.org/toolchain version, with its reason and sizes', async () => {
    const result = await cli(['export', '--upstream', upstream.url, '--plan', '--json', '--toolchain', 'go1.22.3', '--platform', 'linux/amd64,windows/amd64,darwin/arm64']);
    assert.equal(result.code, 0, result.stderr.join('\n') + result.stdout.join('\n'));
    const plan = JSON.parse(result.stdout.at(-1)!) as ExportPlan & { type: string };
    assert.equal(plan.type, 'plan');
    const toolchains = toolchainModules(plan);
    assert.deepEqual(toolchains.map((t) => [t.version, t.reason, t.neededBy, t.kinds]), [
      ['v0.0.1-go1.22.3.darwin-arm64', 'toolchain asked for with --toolchain go1.22.3, darwin/arm64', ['--toolchain'], 'info,mod,zip'],
      ['v0.0.1-go1.22.3.linux-amd64', 'toolchain asked for with --toolchain go1.22.3, linux/amd64', ['--toolchain'], 'info,mod,zip'],
      ['v0.0.1-go1.22.3.windows-amd64', 'toolchain asked for with --toolchain go1.22.3, windows/amd64', ['--toolchain'], 'info,mod,zip'],
    ]);
    assert.ok(toolchains.every((t) => t.bytes > 500), 'sizes are known');
    assert.equal(plan.totals.modules, 3);
    assert.equal(plan.totals.zips, 3);
    assert.equal(plan.totals.lists, 1, 'one @v/list for golang.org/toolchain');
    assert.deepEqual(plan.unmet, []);
    assert.deepEqual(plan.inputs, ['linux-amd64', 'windows-amd64', 'darwin-arm64'].map((p) => ({
      name: `--toolchain go1.22.3 ${p.replace('-', '/')}`,
      input: { kind: 'module', value: `${TOOLCHAIN}@v0.0.1-go1.22.3.${p}` },
    })));
  });

  test('a toolchain alone is an export: written, read back and named', async () => {
    const out = path.join(root, 'toolchain-only');
    await mkdir(out, { recursive: true });
    const result = await cli(['export', '--upstream', upstream.url, '--out', out, '--toolchain', 'go1.22.3', '--toolchain', 'go1.22.4', '--platform', 'linux/amd64']);
    assert.equal(result.code, 0, result.stderr.join('\n'));
    assert.ok(result.stdout.includes('Go toolchains: go1.22.3 (linux/amd64); go1.22.4 (linux/amd64)'), result.stdout.join('\n'));
    assert.match(result.stdout.join('\n'), /read back and verified/);
  });

  test("a go.mod's go and toolchain lines add the toolchain they switch to, per platform; one the upstream lacks is an unmet line, and fails --strict", async () => {
    const project = await newerGoProject('newer');
    const dirs = appDirs();
    const plan = await planExport({ projectDirs: [project], upstream: upstream.url, toolchainPlatforms: ['linux/amd64', 'windows/amd64'] }, { dirs });
    const goMod = path.join(project, 'go.mod');
    assert.deepEqual(toolchainModules(plan).map((t) => [t.version, t.reason, t.neededBy]), [
      ['v0.0.1-go1.22.4.linux-amd64', "toolchain for go.mod's `toolchain go1.22.4`, linux/amd64", [goMod]],
    ]);
    assert.deepEqual(plan.unmet.map((u) => [u.path, u.version, u.missing]), [[TOOLCHAIN, 'v0.0.1-go1.22.4.windows-amd64', `${TOOLCHAIN}@v0.0.1-go1.22.4.windows-amd64`]]);
    assert.match(plan.unmet[0]!.reason, new RegExp(`^${goMod.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: toolchain for go\\.mod's \`toolchain go1\\.22\\.4\`, windows/amd64: .*not found`));

    const strict = await cli(['export', '--upstream', upstream.url, '--plan', '--strict', '--project', project, '--platform', 'linux/amd64,windows/amd64']);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr.join('\n'), /--strict: 1 requested module cannot be met: golang\.org\/toolchain@v0\.0\.1-go1\.22\.4\.windows-amd64 \(.*go\.mod:5: toolchain for go\.mod's `toolchain go1\.22\.4`, windows\/amd64/);

    // Without --platform: the toolchainPlatforms setting, else this machine's platform.
    const fromHost = await planExport({ projectDirs: [project], upstream: upstream.url }, { dirs });
    assert.deepEqual([...toolchainModules(fromHost).map((t) => t.version), ...fromHost.unmet.map((u) => u.version)], [`v0.0.1-go1.22.4.${hostPlatform().replace('/', '-')}`]);
    await updateSettings(dirs, { toolchainPlatforms: ['darwin/arm64'] });
    const fromSetting = await planExport({ projectDirs: [project], upstream: upstream.url, toolchains: ['go1.22.3'] }, { dirs });
    assert.deepEqual(toolchainModules(fromSetting).map((t) => t.version), ['v0.0.1-go1.22.3.darwin-arm64']);
    assert.deepEqual(fromSetting.unmet.map((u) => u.version), ['v0.0.1-go1.22.4.darwin-arm64']);
    await updateSettings(dirs, { toolchainPlatforms: null });
  });

  test("the app's export:plan carries the platforms it is given, and refuses an unknown one naming it", async () => {
    const project = await newerGoProject('app');
    const session = createAppSession({ dirs: appDirs(), toolVersion: 'test' }, { send: () => undefined, onUnexpected: (error) => assert.fail(String(error)) });
    const reply = await session.dispatch('export:plan', { projectDirs: [project], upstream: upstream.url, toolchainPlatforms: ['linux/amd64', 'darwin/arm64'] }, 'plan-toolchain-1');
    assert.ok(reply.ok, JSON.stringify(reply));
    const plan = (reply as { ok: true; value: ExportPlanAnswer }).value;
    assert.deepEqual(plan.modules.filter((m) => m.path === TOOLCHAIN).map((m) => [m.version, shipReasonText(m.reason)]), [['v0.0.1-go1.22.4.linux-amd64', "toolchain for go.mod's `toolchain go1.22.4`, linux/amd64"]]);
    assert.deepEqual(plan.unmet.map((u) => u.version), ['v0.0.1-go1.22.4.darwin-arm64']);
    const refused = await session.dispatch('export:plan', { projectDirs: [project], upstream: upstream.url, toolchainPlatforms: ['linux/amd64', 'linux/x86_64'] }, 'plan-toolchain-2');
    assert.equal(refused.ok, false);
    assert.match(JSON.stringify(refused), /toolchainPlatforms\.1.*linux\/x86_64: not a goarch the go command builds for linux/);
  });

  test('exported with their checksum-database proofs, imported and served, the real go command downloads and verifies the toolchain through modferry serve with the database on', async (t) => {
    if (!requireGo(t)) return;
    const versions = ['v0.0.1-go1.22.3.darwin-arm64', 'v0.0.1-go1.22.3.linux-amd64', 'v0.0.1-go1.22.3.windows-amd64', 'v0.0.1-go1.22.4.linux-amd64'];
    const sumdbDir = path.join(tree, 'sumdb', 'sum.test');
    const db = await writeTestSumdb(sumdbDir, [...(await publishedGoSumLines(tree, versions.map((v) => [TOOLCHAIN, v] as const))), ...FILLER], { name: 'sum.test', seed: 'toolchains' });
    t.after(() => rm(sumdbDir, { recursive: true, force: true }));
    const project = await newerGoProject('served');
    const out = path.join(root, 'usb');
    await mkdir(out, { recursive: true });
    // --no-check: go 1.19 cannot read a go.mod with a toolchain line, the toolchains are proved below.
    // GONOSUMDB=* spares no toolchain its record: the go command checks toolchains whatever GONOSUMDB says.
    const exported = await cli(['export', '--upstream', upstream.url, '--out', out, '--no-check', '--project', project, '--toolchain', 'go1.22.3', '--platform', 'linux/amd64,windows/amd64,darwin/arm64', '--json'], { ...sumdbOn(db.vkey), GONOSUMDB: '*' });
    assert.equal(exported.code, 0, exported.stderr.join('\n') + exported.stdout.join('\n'));
    const result = JSON.parse(exported.stdout.at(-1)!) as { type: string; bundleDir: string; unmet: Array<{ version: string }> };
    assert.equal(result.type, 'result');
    assert.deepEqual(result.unmet.map((u) => u.version).sort(), ['v0.0.1-go1.22.4.darwin-arm64', 'v0.0.1-go1.22.4.windows-amd64']);
    const manifest = parseManifest(await readFile(path.join(result.bundleDir, 'manifest.json'), 'utf8'), 'manifest.json');
    const shipped = manifest.entries.map((e) => e.path).filter((p) => p.startsWith(`${TOOLCHAIN}/`)).sort();
    assert.deepEqual(shipped, [...versions.flatMap((v) => ['info', 'mod', 'zip'].map((k) => `${TOOLCHAIN}/@v/${v}.${k}`)), `${TOOLCHAIN}/@v/list`].sort());
    assert.equal(manifest.formatVersion, 3);
    const lookups = manifest.entries.map((e) => e.path).filter((p) => p.startsWith('sumdb/sum.test/lookup/')).sort();
    assert.deepEqual(lookups, versions.map((v) => `sumdb/sum.test/lookup/${TOOLCHAIN}@${v}`), 'every toolchain shipped carries its record');
    assert.ok(manifest.entries.some((e) => e.path === 'sumdb/sum.test/latest'));

    const storeDir = path.join(root, 'store');
    const imported = await cli(['import', result.bundleDir, '--store', storeDir, '--trust-new-key']);
    assert.equal(imported.code, 0, imported.stderr.join('\n'));

    const output = captureOutput();
    const stop = new AbortController();
    const serving = serveCommand(['--store', storeDir, '--listen', '127.0.0.1:0'], output, { stop: stop.signal, platform: 'linux', env: { GOSUMDB: db.vkey } });
    t.after(async () => {
      stop.abort();
      await serving;
    });
    const proxyUrl = await printedProxyUrl(output.stdout);
    assert.deepEqual(output.stdout.filter((line) => line.startsWith('  export ')), [`  export GOPROXY=${proxyUrl}`], 'proofs for every version: GOPROXY alone');
    assert.ok(
      output.stdout.includes('Go toolchains for GOTOOLCHAIN=auto: go1.22.3 (darwin/arm64, linux/amd64, windows/amd64); go1.22.4 (linux/amd64)'),
      output.stdout.join('\n'),
    );

    const workspace = await scratchGoWorkspace('toolchain-download');
    t.after(() => workspace.cleanup());
    const env = offlineGoEnv(proxyUrl, workspace.modCache, { GOSUMDB: db.vkey, GONOSUMDB: '', GONOSUMCHECK: '' });
    const [download] = await goModDownload([`${TOOLCHAIN}@v0.0.1-go1.22.3.linux-amd64`], workspace.dir, env);
    assert.ok(download);
    assert.equal(download.Error, undefined, download.Error);
    assert.equal(await readFile(path.join(workspace.modCache, '..', 'gopath', 'pkg', 'sumdb', 'sum.test', 'latest'), 'utf8'), await readFile(path.join(sumdbDir, 'latest'), 'utf8'), 'the go command checked the download against the database through modferry serve');
    const planned = JSON.parse((await cli(['export', '--upstream', upstream.url, '--plan', '--json', '--toolchain', 'go1.22.3', '--platform', 'linux/amd64'], sumdbOn(db.vkey))).stdout.at(-1)!) as ExportPlan;
    const files = planned.modules.find((m) => m.version === 'v0.0.1-go1.22.3.linux-amd64')!.files;
    assert.equal(download.Sum, files.find((f) => f.kind === 'zip')!.h1, 'the go command hashes the zip as the export verified it');
    assert.equal(download.GoModSum, files.find((f) => f.kind === 'mod')!.h1);
    const dir = (download as { Dir?: string }).Dir!;
    assert.equal(await readFile(path.join(dir, 'VERSION'), 'utf8'), 'go1.22.3\ntime 2024-05-07T17:41:57Z\n');
    assert.ok(existsSync(path.join(dir, 'bin', 'go')) && existsSync(path.join(dir, 'pkg', 'tool', 'linux_amd64', 'compile')));
    assert.ok(existsSync(path.join(dir, 'src', '_go.mod')) && !existsSync(path.join(dir, 'go.mod')));
    const listed = await fetch(`${proxyUrl}/${TOOLCHAIN}/@v/list`);
    assert.deepEqual((await listed.text()).trim().split('\n').sort(), versions);
    stop.abort();
    await serving;

    // A module imported without proofs: the database is no longer asked about modules, but GONOSUMDB=*
    // (not GOSUMDB=off, under which Go 1.21+ refuses every toolchain) keeps the toolchains checked.
    const plain = await makeBundle(path.join(root, 'plain'), [{ path: 'example.com/plain', version: 'v1.0.0' }], testSigningKey());
    const store = openStore(storeDir, { mode: 'write' });
    try {
      await importBundle(plain.bundleDir, { store, trust: () => true });
    } finally {
      store.close();
    }
    const again = captureOutput();
    const stopAgain = new AbortController();
    const servingAgain = serveCommand(['--store', storeDir, '--listen', '127.0.0.1:0'], again, { stop: stopAgain.signal, platform: 'linux', env: { GOSUMDB: db.vkey } });
    t.after(async () => {
      stopAgain.abort();
      await servingAgain;
    });
    const urlAgain = await printedProxyUrl(again.stdout);
    assert.deepEqual(again.stdout.filter((line) => line.startsWith('  export ')), [`  export GOPROXY=${urlAgain}`, "  export GONOSUMDB='*'", '  export GOFLAGS=-mod=mod']);
    assert.ok(again.stdout.some((line) => /^ {2}GONOSUMDB +.*1 module version\(s\) in the store have no proof from it \(example\.com\/plain@v1\.0\.0\).*Go toolchains are still checked against the sum\.test proofs/.test(line)), again.stdout.join('\n'));
    const plainWorkspace = await scratchGoWorkspace('toolchain-plain');
    t.after(() => plainWorkspace.cleanup());
    const [plainDownload] = await goModDownload(['example.com/plain@v1.0.0'], plainWorkspace.dir, offlineGoEnv(urlAgain, plainWorkspace.modCache, { GOSUMDB: db.vkey, GONOSUMDB: '*', GONOSUMCHECK: '' }));
    assert.equal(plainDownload?.Error, undefined, JSON.stringify(plainDownload));
  });

  test("a toolchain zip whose checksum-database record disagrees fails the export, naming the toolchain", async (t) => {
    if (!requireGo(t)) return;
    const liedTree = path.join(root, 'lied-upstream');
    const [version = ''] = await publishToolchains(liedTree, [{ name: 'go1.22.5', platforms: ['linux/amd64'] }]);
    const lines = await publishedGoSumLines(liedTree, [[TOOLCHAIN, version]]);
    const lied = lines.map((line) => (line.includes('/go.mod ') ? line : `${TOOLCHAIN} ${version} h1:${Buffer.alloc(32, 7).toString('base64')}`));
    // A database of its own name: the download cache keeps the tiles of sum.test, as the go command keeps them, by name.
    const db = await writeTestSumdb(path.join(liedTree, 'sumdb', 'sum.lied'), [...lied, ...FILLER], { name: 'sum.lied', seed: 'lied-toolchain' });
    const liedUpstream = await startFixtureUpstream(liedTree);
    t.after(() => liedUpstream.close());
    const out = path.join(root, 'lied-out');
    await mkdir(out, { recursive: true });
    const result = await cli(['export', '--upstream', liedUpstream.url, '--out', out, '--toolchain', 'go1.22.5', '--platform', 'linux/amd64'], sumdbOn(db.vkey));
    assert.equal(result.code, 1, result.stdout.join('\n'));
    assert.match(result.stderr.join('\n'), /golang\.org\/toolchain@v0\.0\.1-go1\.22\.5\.linux-amd64: checksum database sum\.lied records h1:BwcH[^ ]* for the zip, but the upstream's zip hashes to h1:/);
    assert.deepEqual(await readdir(out), [], 'no bundle is left');
  });

  test('a store with no toolchains says so when serving, and recommends GOTOOLCHAIN=local', async (t) => {
    const storeDir = path.join(root, 'empty-store');
    openStore(storeDir, { mode: 'write' }).close();
    const output = captureOutput();
    const stop = new AbortController();
    const serving = serveCommand(['--store', storeDir, '--listen', '127.0.0.1:0'], output, { stop: stop.signal, platform: 'linux', env: {} });
    t.after(async () => {
      stop.abort();
      await serving;
    });
    await printedProxyUrl(output.stdout);
    assert.ok(output.stdout.some((line) => /^Go toolchains: this store holds none, .* set GOTOOLCHAIN=local there/.test(line)), output.stdout.join('\n'));
  });

  test('a bad --toolchain or --platform is refused naming the flag and the value', async () => {
    const tries: Array<[string[], RegExp]> = [
      [['--toolchain', 'go1.22'], /--toolchain go1\.22: go1\.22 is a language version, not a release: its first release is go1\.22\.0/],
      [['--toolchain', '1.22.3'], /--toolchain 1\.22\.3: expected a Go release name such as go1\.22\.3/],
      [['--toolchain', 'go1.20.5'], /--toolchain go1\.20\.5: toolchains are published as modules from go1\.21\.0 on/],
      [['--toolchain', 'go1.22.3', '--platform', 'linux/amd64,windows/x64'], /--platform windows\/x64: not a goarch the go command builds for windows \(windows\/386, windows\/amd64/],
      [['--toolchain', 'go1.22.3', '--platform', 'macos/arm64'], /--platform macos\/arm64: not a goos the go command knows/],
    ];
    for (const [args, message] of tries) {
      const result = await cli(['export', '--upstream', upstream.url, '--plan', ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr.join('\n'), message);
    }
    const missing = await cli(['export', '--upstream', upstream.url, '--plan', '--toolchain', 'go1.23.0', '--platform', 'linux/amd64']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr.join('\n'), /golang\.org\/toolchain@v0\.0\.1-go1\.23\.0\.linux-amd64: the upstream has no such toolchain \(toolchain asked for with --toolchain go1\.23\.0, linux\/amd64\)/);
  });
});

async function printedProxyUrl(lines: string[]): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = lines.find((l) => l.startsWith('  export GOPROXY='));
    if (line !== undefined) {
      while (!lines.includes('Stop with Ctrl+C.')) await new Promise((resolve) => setTimeout(resolve, 10));
      return line.slice('  export GOPROXY='.length);
    }
    if (Date.now() > deadline) throw new Error(`serve printed no GOPROXY line:\n${lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
