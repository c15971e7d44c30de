import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../electron/cli/main';
import { parseManifest } from '../../shared/bundle/manifest';
import { formatInventory } from '../../shared/roundtrip/inventory';
import { formatRequestFile } from '../../shared/roundtrip/requestFile';
import { captureOutput } from '../support/captureOutput';
import { debianGoproxyFixture, type GoproxyFixture } from '../support/debianFixture';
import { startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { installedGo, offlineGoEnv, runGo, scratchGoWorkspace } from '../support/goCommand';
import { goProgram } from '../support/goProgramFixture';
import { writeSingleVersionProxy } from '../support/goproxyTree';
import { moduleZip } from '../support/bundleSources';
import { writeSyntheticModules } from '../../scripts/bench/syntheticModules';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

let fixture: GoproxyFixture;
let upstream: FixtureUpstream;
let home: string;
const savedHome = process.env.MODFERRY_HOME;

before(async () => {
  if (!installedGo() && process.env.MODFERRY_REQUIRE_GO === '1') throw new Error('MODFERRY_REQUIRE_GO=1 but no go command');
  fixture = await debianGoproxyFixture();
  // Every distinct URL first answers 500 once: the export must retry through it.
  upstream = await startFixtureUpstream(fixture.dir, { latencyMs: 2, failFirst: 1 });
  home = await mkdtemp(path.join(os.tmpdir(), 'modferry-home-'));
  process.env.MODFERRY_HOME = home;
});

after(async () => {
  await upstream?.close();
  process.env.MODFERRY_HOME = savedHome;
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  await rm(home, { recursive: true, force: true });
});

async function exportTo(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const output = captureOutput();
  const code = await runCli(['export', '--upstream', upstream.url, ...args], output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function bundleDirsIn(out: string): string[] {
  return existsSync(out) ? readdirSync(out).map((d) => path.join(out, d)) : [];
}

/** Extracts each volume on its own with the system tar into one tree, as a machine without ModFerry would. */
function extractVolumes(bundleDir: string, tree: string): string[] {
  const volumes = readdirSync(bundleDir).filter((f) => f.endsWith('.tar')).sort();
  for (const volume of volumes) execFileSync('tar', ['-xf', path.join(bundleDir, volume), '-C', tree]);
  return volumes;
}

describe('modferry export', { timeout: 900_000 }, () => {
  test('a project exported through a flaky upstream builds and tests offline from the extracted volumes alone', async (t) => {
    const project = await goProgram(fixture, home);
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-usb-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    const result = await exportTo(['--project', project, '--out', out, '--volume-size', '2M']);
    assert.equal(result.code, 0, result.stderr.join('\n'));
    const [bundleDir] = bundleDirsIn(out);
    assert.ok(bundleDir);
    const manifest = parseManifest(await readFile(path.join(bundleDir, 'manifest.json'), 'utf8'), 'manifest.json');
    assert.ok(manifest.volumes.length > 1, 'a 1 MiB volume size splits this bundle');
    assert.match(result.stdout.join('\n'), /Checked: the offline go command resolves every project/);
    assert.match(result.stdout.join('\n'), /read back and verified/);

    const tree = await mkdtemp(path.join(os.tmpdir(), 'modferry-tree-'));
    t.after(() => rm(tree, { recursive: true, force: true }));
    const volumes = extractVolumes(bundleDir, tree);
    assert.equal(volumes.length, manifest.volumes.length);
    for (const v of manifest.volumes) assert.match(v.name, new RegExp(`^${manifest.bundleId}-\\d{3}-of-\\d{3}\\.tar$`));

    if (!installedGo()) return t.skip('no go command to build with');
    const workspace = await scratchGoWorkspace('export-build');
    t.after(() => workspace.cleanup());
    const env = offlineGoEnv(pathToFileURL(tree).href, workspace.modCache);
    await runGo(['build', './...'], { cwd: project, env });
    const tested = await runGo(['test', './...'], { cwd: project, env });
    assert.match(tested.stdout, /^ok\s+example\.com\/basic/m);
    await runGo(['mod', 'download', 'all'], { cwd: project, env });
    const all = await runGo(['list', '-m', 'all'], { cwd: project, env });
    assert.ok(all.stdout.includes('github.com/BurntSushi/toml'));
  });

  test('a second export downloads nothing again, and --since leaves out what the store holds', async (t) => {
    const project = await goProgram(fixture, home);
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-usb-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    await mkdir(path.join(out, 'a'));
    await mkdir(path.join(out, 'b'));
    assert.equal((await exportTo(['--project', project, '--out', path.join(out, 'a'), '--no-check'])).code, 0);
    const before = upstream.requests.filter((r) => r.endsWith('.zip')).length;
    const first = parseManifest(await readFile(path.join(bundleDirsIn(path.join(out, 'a'))[0]!, 'manifest.json'), 'utf8'), 'm');

    const inventoryFile = path.join(out, 'inventory.json');
    const toml = fixture.modules.find((m) => m.path === 'github.com/BurntSushi/toml')!;
    await writeFile(inventoryFile, formatInventory([{ path: toml.path, version: toml.version, files: ['info', 'mod', 'zip'] }], { createdAt: 'x', tool: 't' }));
    const second = await exportTo(['--project', project, '--out', path.join(out, 'b'), '--no-check', '--since', inventoryFile]);
    assert.equal(second.code, 0, second.stderr.join('\n'));
    assert.equal(upstream.requests.filter((r) => r.endsWith('.zip')).length, before, 'zips come from the download cache');
    const delta = parseManifest(await readFile(path.join(bundleDirsIn(path.join(out, 'b'))[0]!, 'manifest.json'), 'utf8'), 'm');
    assert.equal(delta.entries.length, first.entries.length - 3);
    assert.ok(!delta.entries.some((e) => e.path.startsWith('github.com/!burnt!sushi/toml/@v/v')));
    assert.match(second.stdout.join('\n'), /Left out 3 files/);
  });

  test('--module path@latest and a request file resolve online', async (t) => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-usb-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    const requestFile = path.join(out, 'request.txt');
    const yaml = fixture.modules.find((m) => m.path === 'gopkg.in/yaml.v3')!;
    // The go command asks for every prefix of an import path it cannot place; the offline proxy records each.
    const prefixMiss = { path: 'github.com/spf13', version: 'latest', count: 1, firstSeen: 'a', lastSeen: 'b' };
    await writeFile(requestFile, formatRequestFile([{ path: yaml.path, version: yaml.version, count: 1, firstSeen: 'a', lastSeen: 'b' }, prefixMiss], { createdAt: 'x', tool: 't' }));
    await mkdir(path.join(out, 'b'));
    const result = await exportTo(['--module', 'github.com/pkg/errors@latest', '--request', requestFile, '--out', path.join(out, 'b'), '--json']);
    assert.equal(result.code, 0, result.stderr.join('\n'));
    const final = JSON.parse(result.stdout.at(-1)!) as { type: string; modules: Array<{ path: string; version: string }>; unmet: Array<{ path: string; version: string; reason: string }> };
    assert.equal(final.type, 'result');
    assert.deepEqual(final.unmet.map((u) => `${u.path}@${u.version}`), ['github.com/spf13@latest']);
    assert.match(final.unmet[0]!.reason, /^github\.com\/spf13@latest: not found/);
    const errors = fixture.modules.find((m) => m.path === 'github.com/pkg/errors')!;
    assert.ok(final.modules.some((m) => m.path === errors.path && m.version === errors.version));
    assert.ok(final.modules.some((m) => m.path === yaml.path && m.version === yaml.version));
    const progress = result.stdout.slice(0, -1).map((line) => JSON.parse(line) as { type: string; stage: string });
    assert.ok(progress.every((event) => event.type === 'progress'));
    // The go check runs while the volumes are written: its events name it, never the write's stage.
    assert.ok(progress.some((event) => event.stage === 'prove'), progress.map((e) => e.stage).join(' '));
    assert.ok(!progress.some((event) => event.stage === 'check'));
  });

  test('a go.sum that disagrees with the upstream stops the export naming the module and both hashes', async (t) => {
    const project = await goProgram(fixture, home);
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-usb-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    const toml = fixture.modules.find((m) => m.path === 'github.com/BurntSushi/toml')!;
    await writeFile(path.join(project, 'go.sum'), `${toml.path} ${toml.version} h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n`);
    // From an empty download cache, the upstream's answer disagrees.
    assert.equal(await runCli(['cache', 'clean'], captureOutput()), 0);
    const result = await exportTo(['--project', project, '--out', out, '--no-check']);
    assert.equal(result.code, 1);
    assert.match(result.stderr.join('\n'), new RegExp(`${toml.path}@${toml.version}: module zip hash mismatch: .*go\\.sum:1 records h1:AAAA.*, the upstream served h1:`));
    assert.deepEqual(bundleDirsIn(out), [], 'nothing that looks like a bundle is left');
    // Now the download cache holds the zip: the error says it answered, and how to ask the upstream afresh.
    const again = await exportTo(['--project', project, '--out', out, '--no-check']);
    assert.equal(again.code, 1);
    assert.match(again.stderr.at(-1) ?? '', new RegExp(`${toml.path}@${toml.version}: module zip hash mismatch: .*go\\.sum:1 records h1:AAAA.*, the download cache answered h1:\\S+ \\(downloaded earlier\\); if go\\.sum is right, clear the cache with 'modferry cache clean' and export again`));
  });

  test('an unknown module and an unreachable upstream fail with a clear message and no bundle', async (t) => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-usb-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    const unknown = await exportTo(['--module', 'example.com/does/not/exist@v1.0.0', '--out', out]);
    assert.equal(unknown.code, 1, unknown.stdout.join('\n'));
    assert.match(unknown.stderr.join('\n'), /example\.com\/does\/not\/exist@v1\.0\.0: not found/);
    // A module no earlier test fetched, so the download cache cannot answer for the upstream.
    const output = captureOutput();
    const unreachable = await runCli(['export', '--upstream', 'http://127.0.0.1:9', '--module', 'example.com/never/fetched@v1.0.0', '--out', out], output);
    assert.equal(unreachable, 1);
    assert.match(output.stderr.join('\n'), /^modferry export: cannot reach http:\/\/127\.0\.0\.1:9 \(connection refused\)$/m);
    assert.deepEqual(bundleDirsIn(out), []);
  });

  test('a project the bundle cannot build offline fails the go check, and nothing is sealed', async (t) => {
    if (!installedGo()) return t.skip('no go command to check with');
    // main.go imports github.com/google/uuid, which this go.mod does not require: offline, nothing can supply it.
    const project = await goProgram(fixture, home, 'uuid', ['github.com/pkg/errors']);
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-usb-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    const result = await exportTo(['--project', project, '--out', out, '--json']);
    assert.equal(result.code, 1);
    const failure = JSON.parse(result.stdout.find((l) => l.startsWith('{"type":"error"')) ?? '{}') as { kind?: string; problem?: string; file?: string; message?: string };
    assert.deepEqual([failure.kind, failure.problem, failure.file], ['go-check', 'go-mod-not-tidy', path.join(project, 'go.mod')]);
    assert.match(failure.message ?? '', /not tidy: no module in this go\.mod's requirements provides\n {2}github\.com\/google\/uuid \(imported by main\.go\)\n[\s\S]*go mod tidy/);
    for (const dir of bundleDirsIn(out)) assert.ok(!existsSync(path.join(dir, 'manifest.json')));
    assert.deepEqual(bundleDirsIn(out), [], 'what was written is removed');
  });

  test('a go.mod the go command rewrites offline is proven as rewritten: the check fails naming go mod tidy instead of sealing a bundle `go mod download all` then fails on', async (t) => {
    if (!installedGo()) return t.skip('no go command to check with');
    // Only viper is required: building with -mod=mod adds the modules its packages come from, and their
    // requirements join the pruned graph, so `go mod download all` after a build needs zips the
    // untouched go.mod never asked for.
    const project = await goProgram(fixture, home, 'viper', ['github.com/spf13/viper']);
    const original = await readFile(path.join(project, 'go.mod'), 'utf8');
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-usb-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    const result = await exportTo(['--project', project, '--out', out, '--json']);
    assert.equal(result.code, 1, result.stdout.join('\n'));
    // As the app gets it: the file at fault and the problem as a code its screens word.
    const failure = JSON.parse(result.stdout.find((l) => l.startsWith('{"type":"error"')) ?? '{}') as { kind?: string; problem?: string; file?: string; message?: string };
    assert.deepEqual([failure.kind, failure.problem, failure.file], ['go-check', 'go-mod-not-tidy', path.join(project, 'go.mod')]);
    const stderr = failure.message ?? '';
    assert.match(stderr, new RegExp(`^${escapeRegExp(path.join(project, 'go.mod'))}: not tidy`));
    assert.match(stderr, /github\.com\/spf13\/afero v1\.9\.3 \/\/ indirect/, 'names the requirements the go command adds');
    assert.match(stderr, /go mod tidy/);
    assert.match(stderr, /golang\.org\/x\/mod@v0\.7\.0/, 'names what the rewritten go.mod needs that the bundle lacks');
    assert.deepEqual(bundleDirsIn(out), [], 'nothing is sealed');
    assert.equal(await readFile(path.join(project, 'go.mod'), 'utf8'), original, "the user's go.mod is left as it was");

    // Tidied, as the message asks, the same project exports, and offline the go command builds it and then downloads all.
    const tidied = await goProgram(fixture, home, 'viper', ['github.com/spf13/viper']);
    const workspace = await scratchGoWorkspace('export-untidy');
    t.after(() => workspace.cleanup());
    await runGo(['mod', 'tidy', '-e'], { cwd: tidied, env: offlineGoEnv(upstream.url, workspace.modCache) });
    const again = await exportTo(['--project', tidied, '--out', out]);
    assert.equal(again.code, 0, again.stderr.join('\n'));
    const [bundleDir] = bundleDirsIn(out);
    assert.ok(bundleDir);
    const tree = await mkdtemp(path.join(os.tmpdir(), 'modferry-tree-'));
    t.after(() => rm(tree, { recursive: true, force: true }));
    extractVolumes(bundleDir, tree);
    const offline = await scratchGoWorkspace('export-untidy-offline');
    t.after(() => offline.cleanup());
    const env = offlineGoEnv(pathToFileURL(tree).href, offline.modCache);
    await runGo(['build', './...'], { cwd: tidied, env });
    await runGo(['mod', 'download', 'all'], { cwd: tidied, env });
  });

  test('a project asking for a newer Go than the go command here is exported unproven, saying so, while the others are proven', async (t) => {
    if (!installedGo()) return t.skip('no go command to check with');
    // Newer than any go command: one before 1.21 cannot parse the line, a later one refuses it with GOTOOLCHAIN=local.
    const modern = await goProgram(fixture, home, 'uuid', ['github.com/google/uuid', 'github.com/pkg/errors']);
    const goMod = path.join(modern, 'go.mod');
    await writeFile(goMod, (await readFile(goMod, 'utf8')).replace('go 1.19', 'go 1.99.0'));
    const basic = await goProgram(fixture, home);
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-usb-'));
    t.after(() => rm(out, { recursive: true, force: true }));
    const version = /go version go(\S+)/.exec(execFileSync('go', ['version'], { encoding: 'utf8' }))?.[1];

    const both = await exportTo(['--project', basic, '--project', modern, '--out', out]);
    assert.equal(both.code, 0, both.stderr.join('\n'));
    assert.ok(both.stderr.join('\n').includes(`warning: ${goMod} asks for Go 1.99.0, and this machine's go command is go${version}, too old to read it: that project was not proven with the go command (install Go 1.99.0 or later here to prove it)`), both.stderr.join('\n'));
    assert.match(both.stdout.join('\n'), /Checked: the offline go command resolves every project/);

    const alone = await exportTo(['--project', modern, '--out', out, '--json']);
    assert.equal(alone.code, 0, alone.stderr.join('\n'));
    const result = JSON.parse(alone.stdout.find((l) => l.startsWith('{"type":"result"')) ?? '{}') as { check?: unknown; warnings?: string[] };
    assert.deepEqual(result.check, { status: 'skipped', reason: "this machine's go command is too old for every project's go.mod (see the warnings)" });
    assert.ok(result.warnings?.some((w) => w.startsWith(`${goMod} asks for Go 1.99.0`)), JSON.stringify(result.warnings));
    assert.equal(bundleDirsIn(out).length, 2, 'both bundles are written');
  });

  test('a missing --out is refused before anything is downloaded, and a folder not on a removable drive is warned about', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-nodrive-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const unmounted = path.join(dir, 'media', 'USB-STICK');
    const asked = upstream.requests.length;
    const result = await exportTo(['--module', 'github.com/pkg/errors@latest', '--out', unmounted, '--no-check']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.at(-1), `modferry export: no such folder ${unmounted} (is the drive mounted?)`);
    assert.equal(upstream.requests.length, asked, 'nothing was downloaded');
    assert.ok(!existsSync(unmounted), 'the mount point is not created on the local disk');
    await writeFile(path.join(dir, 'file'), '');
    assert.equal((await exportTo(['--module', 'github.com/pkg/errors@latest', '--out', path.join(dir, 'file'), '--no-check'])).stderr.at(-1), `modferry export: not a folder: ${path.join(dir, 'file')}`);

    // The temporary folder is on this machine's system drive: the export goes ahead and says so at once.
    const local = await exportTo(['--module', 'github.com/pkg/errors@latest', '--out', dir, '--no-check']);
    assert.equal(local.code, 0, local.stderr.join('\n'));
    assert.match(local.stderr.find((line) => line.startsWith('warning:')) ?? local.stderr.join('\n'), new RegExp(`^warning: ${escapeRegExp(await realpath(dir))} is not on a removable drive \\(`));
  });

  test('bad input names the file and line', async (t) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'modferry-bad-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(path.join(dir, 'p'));
    await mkdir(path.join(dir, 'out'));
    await writeFile(path.join(dir, 'p', 'go.mod'), 'module example.com/p\n\ngo 1.19\n\nrequire github.com/x/y 1.2\n');
    const result = await exportTo(['--project', path.join(dir, 'p'), '--out', path.join(dir, 'out')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr.join('\n'), /go\.mod:5: .*github\.com\/x\/y/);
    const missing = await exportTo(['--project', path.join(dir, 'nope'), '--out', path.join(dir, 'out')]);
    assert.match(missing.stderr.join('\n'), /nope: no such project folder/);
  });
});

describe('an export killed mid-write', { timeout: 300_000 }, () => {
  test('leaves nothing that looks like a bundle, and the next export cleans up and completes', async (t) => {
    const tree = await mkdtemp(path.join(os.tmpdir(), 'modferry-killed-tree-'));
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-killed-usb-'));
    t.after(() => Promise.all([rm(tree, { recursive: true, force: true }), rm(out, { recursive: true, force: true })]));
    await writeSyntheticModules(tree, [{ path: 'example.com/large', bytes: 48 * 1024 * 1024 }, { path: 'example.com/larger', bytes: 48 * 1024 * 1024 }]);
    const slow = await startFixtureUpstream(tree);
    t.after(() => slow.close());
    const args = ['export', '--module', 'example.com/large@v1.0.0', '--module', 'example.com/larger@v1.0.0', '--upstream', slow.url, '--out', out, '--no-check', '--volume-size', '64M', '--json'];
    const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'modferry.js'), ...args], {
      env: { ...process.env, MODFERRY_HOME: home },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    // Killed the moment a volume is being written: the worst time, with part of a bundle on the drive.
    const writing = () => bundleDirsIn(out).some((dir) => readdirSync(dir).some((f) => f.endsWith('.tar.partial')));
    while (!writing() && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
    child.kill('SIGKILL');
    const [code, signal] = (await exited) as [number | null, string | null];
    assert.equal(signal, 'SIGKILL', `the export ended by itself (code ${code}) before it could be killed mid-write: ${stderr}`);
    const leftovers = readdirSync(path.join(home, 'cache')).filter((name) => name.startsWith(`staging-${child.pid}-`));
    assert.equal(leftovers.length, 1, `the killed export (pid ${child.pid}) leaves its staging folder behind: ${readdirSync(path.join(home, 'cache')).join(', ')}`);
    for (const dir of bundleDirsIn(out)) assert.ok(!existsSync(path.join(dir, 'manifest.json')), `${dir} must not look like a bundle`);

    const [dead] = bundleDirsIn(out);
    assert.ok(dead !== undefined && readdirSync(dead).some((f) => f.endsWith('.tar.partial')), 'the killed export left its unfinished bundle on the drive');

    const rerunOutput = captureOutput();
    const rerun = await runCli(args.slice(0, -1), rerunOutput);
    assert.equal(rerun, 0, rerunOutput.stderr.join('\n'));
    assert.ok(!existsSync(path.join(home, 'cache', leftovers[0]!)), 'the next export removes the dead one\'s staging folder');
    assert.ok(!existsSync(dead), 'the next export to the drive removes the dead one\'s unfinished bundle');
    assert.ok(
      rerunOutput.stderr.includes(`warning: removed the unfinished bundle ${dead} left by an export that did not complete (written by pid ${child.pid}, which is no longer running)`),
      rerunOutput.stderr.join('\n'),
    );
    const [finished, ...others] = bundleDirsIn(out);
    assert.deepEqual(others, []);
    assert.deepEqual(readdirSync(finished!).filter((f) => !f.endsWith('.tar')).sort(), ['manifest.json', 'manifest.sig', 'signer.pub.pem'], 'a finished bundle keeps no marker');
  });
});

describe('a request file is a wish list', { timeout: 300_000 }, () => {
  test('every line whose whole graph resolves ships; each unmet line is reported with its reason and missing module, and recorded in the manifest; --strict fails', async (t) => {
    const tree = await mkdtemp(path.join(os.tmpdir(), 'modferry-wish-tree-'));
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-wish-usb-'));
    t.after(() => Promise.all([rm(tree, { recursive: true, force: true }), rm(out, { recursive: true, force: true })]));
    const mod = (modPath: string, requires = ''): string => `module ${modPath}\n\ngo 1.19\n${requires}`;
    const modules = [
      // The requested module resolves, but its go.mod needs a version of a dependency the upstream lacks.
      { path: 'example.com/wanted', mod: mod('example.com/wanted', '\nrequire example.com/sys v1.2.0\n') },
      { path: 'example.com/sys', mod: mod('example.com/sys') },
      { path: 'example.com/fine', mod: mod('example.com/fine') },
    ];
    await writeSingleVersionProxy(tree, await Promise.all(modules.map(async (m) => ({ ...m, zip: await moduleZip({ path: m.path, version: 'v1.0.0' }, Buffer.from(m.mod)) }))));
    const wishes = await startFixtureUpstream(tree);
    t.after(() => wishes.close());
    const requestFile = path.join(out, 'request.txt');
    const line = (modPath: string, version: string) => ({ path: modPath, version, count: 1, firstSeen: 'a', lastSeen: 'b' });
    await writeFile(requestFile, formatRequestFile([line('example.com/wanted', 'v1.0.0'), line('example.com/fine', 'latest'), line('example.com/nowhere', 'latest')], { createdAt: 'x', tool: 't' }));
    const drive = path.join(out, 'drive');
    await mkdir(drive);

    const output = captureOutput();
    const code = await runCli(['export', '--upstream', wishes.url, '--request', requestFile, '--out', drive, '--no-check', '--json'], output);
    assert.equal(code, 0, output.stderr.join('\n'));
    const result = JSON.parse(output.stdout.at(-1)!) as { modules: Array<{ path: string }>; unmet: Array<{ path: string; version: string; reason: string; missing?: string }> };
    assert.deepEqual(result.modules.map((m) => m.path), ['example.com/fine']);
    assert.deepEqual(result.unmet.map(({ path: p, version, missing }) => ({ path: p, version, missing })), [
      { path: 'example.com/nowhere', version: 'latest', missing: 'example.com/nowhere@latest' },
      { path: 'example.com/wanted', version: 'v1.0.0', missing: 'example.com/sys@v1.2.0' },
    ]);
    assert.match(result.unmet[1]!.reason, /example\.com\/sys@v1\.2\.0.*: not found/);
    const [bundleDir] = bundleDirsIn(drive);
    const manifest = parseManifest(await readFile(path.join(bundleDir!, 'manifest.json'), 'utf8'), 'manifest.json');
    assert.deepEqual(manifest.unmet, result.unmet);
    assert.ok(manifest.entries.every((e) => e.path.startsWith('example.com/fine/')));

    const human = captureOutput();
    assert.equal(await runCli(['export', '--upstream', wishes.url, '--request', requestFile, '--out', drive, '--no-check'], human), 0, human.stderr.join('\n'));
    assert.ok(human.stdout.includes('Could not meet 2 requests (left out; the offline side is told):'), human.stdout.join('\n'));
    assert.ok(human.stdout.some((l) => l.startsWith('  example.com/wanted@v1.0.0 (needs example.com/sys@v1.2.0, which the upstream lacks: ')), human.stdout.join('\n'));
    // The per-module list is for --verbose; counts of one are singular.
    assert.ok(human.stdout.includes('Resolved 1 module version (1 with a source zip)'), human.stdout.join('\n'));
    assert.ok(!human.stdout.some((l) => l.startsWith('  example.com/fine@')), human.stdout.join('\n'));
    const verbose = captureOutput();
    assert.equal(await runCli(['export', '--upstream', wishes.url, '--request', requestFile, '--out', drive, '--no-check', '--verbose'], verbose), 0);
    assert.ok(verbose.stdout.some((l) => l.startsWith('  example.com/fine@v1.0.0  <- ')), verbose.stdout.join('\n'));

    const strict = captureOutput();
    const before = bundleDirsIn(drive).length;
    assert.equal(await runCli(['export', '--upstream', wishes.url, '--request', requestFile, '--out', drive, '--no-check', '--strict'], strict), 1);
    assert.match(strict.stderr.at(-1) ?? '', /^modferry export: --strict: 2 requested modules cannot be met: example\.com\/nowhere@latest \(.*\); example\.com\/wanted@v1\.0\.0 \(needs example\.com\/sys@v1\.2\.0/);
    assert.equal(bundleDirsIn(drive).length, before, '--strict writes no bundle');
    const strictJson = captureOutput();
    assert.equal(await runCli(['export', '--upstream', wishes.url, '--request', requestFile, '--out', drive, '--no-check', '--strict', '--json'], strictJson), 1);
    const failure = JSON.parse(strictJson.stdout.at(-1)!) as { type: string; kind: string; message: string };
    assert.deepEqual([failure.type, failure.kind], ['error', 'input']);
    assert.match(failure.message, /^--strict: 2 requested modules cannot be met/);
    assert.deepEqual(strictJson.stderr, []);
  });
});

describe('an export stopped with Ctrl-C', { timeout: 300_000 }, () => {
  test('exits 130 and says what it removed; nothing is left on the drive', async (t) => {
    const tree = await mkdtemp(path.join(os.tmpdir(), 'modferry-int-tree-'));
    const out = await mkdtemp(path.join(os.tmpdir(), 'modferry-int-usb-'));
    t.after(() => Promise.all([rm(tree, { recursive: true, force: true }), rm(out, { recursive: true, force: true })]));
    await writeSyntheticModules(tree, [{ path: 'example.com/large', bytes: 48 * 1024 * 1024 }, { path: 'example.com/larger', bytes: 48 * 1024 * 1024 }]);
    const slow = await startFixtureUpstream(tree);
    t.after(() => slow.close());
    const args = ['export', '--module', 'example.com/large@v1.0.0', '--module', 'example.com/larger@v1.0.0', '--upstream', slow.url, '--out', out, '--no-check', '--volume-size', '64M'];
    const child = spawn(process.execPath, [path.join(__dirname, '..', '..', 'bin', 'modferry.js'), ...args], {
      env: { ...process.env, MODFERRY_HOME: home },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    const writing = () => bundleDirsIn(out).find((dir) => readdirSync(dir).some((f) => f.endsWith('.tar.partial')));
    let bundleDir: string | undefined;
    while ((bundleDir = writing()) === undefined && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 2));
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null, string | null];
    assert.equal(code, 130, stderr);
    const last = stderr.trim().split('\n').at(-1) ?? '';
    assert.match(last, new RegExp(`^modferry export: interrupted; removed ${escapeRegExp(bundleDir!)} and ${escapeRegExp(path.join(home, 'cache'))}/staging-${child.pid}-\\w+$`));
    assert.deepEqual(bundleDirsIn(out), []);
  });
});
