import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import { parseManifest } from '../../shared/bundle/manifest';
import { formatInventory } from '../../shared/roundtrip/inventory';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import type { AppDirs } from '../../electron/core/appDirs/appDirs';
import { downloadCacheDir } from '../../electron/core/cache/cacheMaintenance';
import { errorKind, errorFields, errorRecord } from '../../electron/core/errors/modferryError';
import { exportBundle, exportPlannedBundle } from '../../electron/core/export/exportBundle';
import type { ExportPlan } from '../../electron/core/export/exportPlan';
import { planExport } from '../../electron/core/export/planExport';
import { thisWriter, WRITER_MARKER_FILE } from '../../electron/core/bundle/writerMarker';
import { captureOutput } from '../support/captureOutput';
import { publishFixtureModule, startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { planWarningText } from '../../shared/export/planNotesText';

// The CLI and the app read GOSUMDB, and unset means sum.golang.org: these tests ask no checksum database.
process.env.GOSUMDB = 'off';

let root: string;
let upstream: FixtureUpstream;
let goModFile: string;
const savedHome = process.env.MODFERRY_HOME;

// Incompressible, so the zip is as large as its file: larger than the 1 MiB destination below.
const BIG_FILE = randomBytes(1200 * 1024).toString('base64');

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'modferry-plan-'));
  const tree = path.join(root, 'proxy');
  await publishFixtureModule(tree, 'example.com/small', [{ version: 'v1.1.0' }, { version: 'v1.2.0', goMod: '// Deprecated: use example.com/smaller instead.\nmodule example.com/small\n\ngo 1.19\n', files: { 'small.go': 'package small\n' } }]);
  await publishFixtureModule(tree, 'example.com/big', [{
    version: 'v1.0.0',
    goMod: 'module example.com/big\n\ngo 1.19\n\nrequire example.com/small v1.1.0\n',
    files: { 'big.go': 'package big\n', 'data.txt': BIG_FILE },
  }]);
  await publishFixtureModule(tree, 'example.com/app', [{
    version: 'v1.0.0',
    goMod: 'module example.com/app\n\ngo 1.19\n\nrequire (\n\texample.com/big v1.0.0\n\texample.com/small v1.2.0\n)\n',
    files: { 'app.go': 'package app\n' },
  }]);
  upstream = await startFixtureUpstream(tree);
  const project = path.join(root, 'project');
  await mkdir(project);
  goModFile = path.join(project, 'go.mod');
  await writeFile(goModFile, 'module example.com/me\n\ngo 1.19\n\nrequire example.com/app v1.0.0\n');
});

after(async () => {
  await upstream?.close();
  process.env.MODFERRY_HOME = savedHome;
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  await rm(root, { recursive: true, force: true });
});

async function freshDirs(name: string): Promise<AppDirs> {
  const home = await mkdtemp(path.join(root, `${name}-`));
  return { data: path.join(home, 'data'), cache: path.join(home, 'cache') };
}

async function emptyFolder(name: string): Promise<string> {
  return mkdtemp(path.join(root, `${name}-`));
}

function plan(dirs: AppDirs, outDir?: string, extra: { sinceInventory?: string } = {}): Promise<ExportPlan> {
  return planExport({ goModFiles: [goModFile], upstream: upstream.url, ...extra }, { dirs, outDir });
}

function run(p: ExportPlan, dirs: AppDirs, outDir: string) {
  return exportPlannedBundle(p, { outDir, dirs, check: false, toolVersion: 'test' });
}

function zipRequests(): number {
  return upstream.requests.filter((r) => r.endsWith('.zip')).length;
}

function treePath(m: { path: string; version: string }, kind: string): string {
  return `${escapePath(m.path)}/@v/${escapeVersion(m.version)}.${kind}`;
}

/** Mounts a 1 MiB tmpfs: a real destination too small for the bundle. */
function smallDrive(dir: string): () => void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  return () => execFileSync('umount', [dir]);
}

describe('export plan', { timeout: 120_000 }, () => {
  test('the plan lists what the run ships, survives JSON, and the run downloads nothing again', async (t) => {
    const dirs = await freshDirs('ships');
    const made = await plan(dirs);
    const roundTripped = JSON.parse(JSON.stringify(made)) as ExportPlan;
    assert.deepEqual(roundTripped, made);
    assert.deepEqual(made.modules.map((m) => `${m.path}@${m.version}${m.zip ? '' : ' (mod only)'}`), [
      'example.com/app@v1.0.0',
      'example.com/big@v1.0.0',
      'example.com/small@v1.1.0 (mod only)',
      'example.com/small@v1.2.0',
    ]);
    const big = made.modules.find((m) => m.path === 'example.com/big')!;
    assert.deepEqual(big.neededBy, [goModFile]);
    assert.deepEqual(big.reason, { kind: 'selected', root: goModFile, by: 'example.com/app@v1.0.0' }, 'who needs it: the module requiring the version selected');
    assert.ok(big.files.find((f) => f.kind === 'zip')!.size > 900 * 1024);
    const moduleFileBytes = made.modules.flatMap((m) => m.files).reduce((s, f) => s + f.size, 0);
    // Each module's @v/list ships too: example.com/app, big and small.
    assert.deepEqual({ ...made.totals, bytes: undefined }, { modules: 4, zips: 3, files: 14, lists: 3, bytes: undefined });
    assert.ok(made.totals.bytes > moduleFileBytes);
    assert.deepEqual(made.alreadyCarried.exportedBefore, { modules: 0, files: 0, bytes: 0, bundles: [] });
    assert.ok(made.warnings.some((w) => w.kind === 'no-go-sum' && w.file === goModFile), JSON.stringify(made.warnings));
    assert.equal(made.modules.find((m) => m.path === 'example.com/small' && m.version === 'v1.2.0')!.deprecated, 'use example.com/smaller instead.');
    assert.ok(made.warnings.map(planWarningText).includes('example.com/small@v1.2.0: its go.mod says the module is deprecated: use example.com/smaller instead.'), JSON.stringify(made.warnings));

    const requestsAfterPlan = upstream.requests.length;
    const out = await emptyFolder('ships-out');
    const result = await run(roundTripped, dirs, out);
    assert.equal(upstream.requests.length, requestsAfterPlan, `the run asked the upstream again: ${upstream.requests.slice(requestsAfterPlan).join(', ')}`);
    const manifest = parseManifest(await readFile(path.join(result.bundleDir, 'manifest.json'), 'utf8'), 'manifest.json');
    const shipped = manifest.entries.filter((e) => !e.path.endsWith('/list')).map((e) => `${e.path} ${e.size} ${e.sha256}`).sort();
    const planned = made.modules.flatMap((m) => m.files.map((f) => `${treePath(m, f.kind)} ${f.size} ${f.sha256}`)).sort();
    assert.deepEqual(shipped, planned);

    // The next plan says what this export carried.
    const again = await plan(dirs);
    assert.deepEqual(again.alreadyCarried.exportedBefore, { modules: 4, files: 11, bytes: moduleFileBytes, bundles: [result.bundleId] });
    assert.ok(again.modules.every((m) => m.files.every((f) => f.exportedIn === result.bundleId)));

    // With an inventory, what the offline store holds is left out and counted.
    const inventory = path.join(root, 'inventory.json');
    t.after(() => rm(inventory, { force: true }));
    await writeFile(inventory, formatInventory([{ path: 'example.com/big', version: 'v1.0.0', files: ['info', 'mod', 'zip'] }], { createdAt: 'x', tool: 't' }));
    const since = await plan(dirs, undefined, { sinceInventory: inventory });
    assert.deepEqual({ ...since.alreadyCarried.heldOffline }, { modules: 1, files: 3, bytes: big.files.reduce((s, f) => s + f.size, 0) });
    // big's @v/list still ships: it names the version the offline store holds.
    assert.deepEqual(since.totals, { modules: 3, zips: 2, files: 11, lists: 3, bytes: made.totals.bytes - since.alreadyCarried.heldOffline.bytes });
  });

  test('the plan counts the files and bytes the run writes, @v/list files included, also when the inventory holds everything', async (t) => {
    const dirs = await freshDirs('totals');
    const inventory = path.join(root, 'inventory-all.json');
    t.after(() => rm(inventory, { force: true }));
    for (const sinceInventory of [undefined, inventory]) {
      const made = await plan(dirs, undefined, sinceInventory === undefined ? {} : { sinceInventory });
      const result = await run(made, dirs, await emptyFolder('totals-out'));
      const manifest = parseManifest(await readFile(path.join(result.bundleDir, 'manifest.json'), 'utf8'), 'manifest.json');
      const written = { files: manifest.entries.length, bytes: manifest.entries.reduce((s, e) => s + e.size, 0) };
      assert.deepEqual({ files: made.totals.files, bytes: made.totals.bytes }, written, sinceInventory === undefined ? 'without --since' : 'with --since');
      assert.equal(made.totals.lists, manifest.entries.filter((e) => e.path.endsWith('/@v/list')).length);
      if (sinceInventory === undefined) {
        const held = made.modules.map((m) => ({ path: m.path, version: m.version, files: m.files.map((f) => f.kind) }));
        await writeFile(inventory, formatInventory(held, { createdAt: 'x', tool: 't' }));
      }
    }
  });

  test('a volume size smaller than a file that ships is refused by the plan, naming the file', async () => {
    const dirs = await freshDirs('volumes');
    const out = await emptyFolder('volumes-out');
    await assert.rejects(planExport({ goModFiles: [goModFile], upstream: upstream.url }, { dirs, outDir: out, volumeSize: 800 * 1024 }), (error: unknown) => {
      assert.match((error as Error).message, /^example\.com\/big\/@v\/v1\.0\.0\.zip: [0-9.]+ MiB does not fit in a volume of 800\.0 KiB .*choose a larger volume size$/);
      return true;
    });
    assert.deepEqual(readdirSync(out), []);
  });

  test('a go.mod that requires no module is nothing to export, said by the plan, with no bundle written', async () => {
    const dirs = await freshDirs('stdlib-only');
    const out = await emptyFolder('stdlib-only-out');
    const stdlibOnly = path.join(await emptyFolder('stdlib-only-project'), 'go.mod');
    await writeFile(stdlibOnly, 'module example.com/stdlibonly\n\ngo 1.19\n');
    await assert.rejects(planExport({ goModFiles: [stdlibOnly], upstream: upstream.url }, { dirs, outDir: out }), (error: unknown) => {
      assert.equal(errorKind(error), 'input');
      assert.equal((error as Error).message, `nothing to export: ${stdlibOnly} requires no module; a program of the standard library alone needs nothing carried`);
      return true;
    });
    assert.deepEqual(readdirSync(out), []);
  });

  test('a --key that cannot be read stops the export before anything is downloaded', async () => {
    const dirs = await freshDirs('key');
    const out = await emptyFolder('key-out');
    const keyFile = path.join(root, 'no-such-key.pem');
    const asked = upstream.requests.length;
    await assert.rejects(exportBundle({ goModFiles: [goModFile], upstream: upstream.url, outDir: out, keyFile, dirs, check: false, toolVersion: 'test' }), (error: unknown) => {
      assert.equal(errorKind(error), 'keys');
      assert.equal(errorFields(error).file, keyFile);
      return true;
    });
    assert.equal(upstream.requests.length, asked, `asked the upstream: ${upstream.requests.slice(asked).join(', ')}`);
    assert.deepEqual(readdirSync(out), []);
  });

  test('an inventory that is missing, a folder or not an inventory is refused naming it, before anything is downloaded', async () => {
    const dirs = await freshDirs('since');
    const notJson = path.join(root, 'not-an-inventory.txt');
    await writeFile(notJson, '# modferry request v1\n');
    const asked = upstream.requests.length;
    const cases: Array<[string, RegExp]> = [
      [path.join(root, 'no-inventory.json'), /^.*no-inventory\.json: no such file$/],
      [root, /: cannot read \(EISDIR\)$/],
      [notJson, /not-an-inventory\.txt: not JSON: /],
    ];
    for (const [sinceInventory, message] of cases) {
      await assert.rejects(plan(dirs, undefined, { sinceInventory }), (error: unknown) => {
        const record = errorRecord(error);
        assert.equal(record.kind, 'input');
        assert.equal(record.file, sinceInventory);
        assert.match(record.message, message);
        return true;
      });
    }
    assert.equal(upstream.requests.length, asked);
  });

  test('a volume size too small for any volume is a usage mistake, told before anything is downloaded', async () => {
    const home = await mkdtemp(path.join(root, 'tiny-volume-'));
    process.env.MODFERRY_HOME = home;
    const asked = upstream.requests.length;
    const output = captureOutput();
    const code = await runCli(['export', '--json', '--upstream', upstream.url, '--go-mod', goModFile, '--out', await emptyFolder('tiny-out'), '--volume-size', '100'], output);
    assert.equal(code, 2, output.stdout.join('\n'));
    assert.deepEqual(JSON.parse(output.stdout.at(-1)!), { type: 'error', kind: 'usage', message: '--volume-size 100: a volume holds at least 1536 bytes (one tar header and the end-of-archive blocks)' });
    assert.equal(upstream.requests.length, asked);
  });

  test('a plan counts the space an abandoned bundle holds as free, since the run removes it first', async (t) => {
    await publishFixtureModule(path.join(root, 'proxy'), 'example.com/medium', [{ version: 'v1.0.0', files: { 'medium.go': 'package medium\n', 'data.txt': randomBytes(300 * 1024).toString('base64') } }]);
    const dirs = await freshDirs('debris');
    const drive = await emptyFolder('debris-drive');
    t.after(smallDrive(drive));
    // What an export killed mid-write leaves: its marker names a process that is gone.
    const abandoned = path.join(drive, 'mf-20261203-0000000a');
    await mkdir(abandoned);
    await writeFile(path.join(abandoned, WRITER_MARKER_FILE), JSON.stringify({ ...thisWriter('mf-20261203-0000000a'), pid: 2 ** 22 + 12345 }));
    await writeFile(path.join(abandoned, 'mf-20261203-0000000a-001-of-002.tar'), Buffer.alloc(800 * 1024));
    const made = await planExport({ modules: ['example.com/medium@v1.0.0'], upstream: upstream.url }, { dirs, outDir: drive });
    const result = await run(made, dirs, drive);
    assert.deepEqual(readdirSync(drive), [path.basename(result.bundleDir)]);
  });

  test('runExport refuses a plan changed since it was made, or whose inputs changed; a file the cache lost is fetched again', async () => {
    const dirs = await freshDirs('refuse');
    const made = await plan(dirs);
    const out = await emptyFolder('refuse-out');

    const tampered: ExportPlan = { ...made, modules: made.modules.filter((m) => m.path !== 'example.com/small') };
    await assert.rejects(run(tampered, dirs, out), (error: unknown) => errorKind(error) === 'input' && /changed after it was made/.test((error as Error).message));
    await assert.rejects(run({ ...made, upstream: 'http://127.0.0.1:9' }, dirs, out), /changed after it was made/);
    assert.deepEqual(readdirSync(out), []);

    // The download cache loses big's zip: the run fetches it again and checks it against the plan.
    const zip = made.modules.find((m) => m.path === 'example.com/big')!.files.find((f) => f.kind === 'zip')!;
    await rm(path.join(downloadCacheDir(dirs), 'blobs', 'sha256', zip.sha256));
    const before = zipRequests();
    const result = await run(made, dirs, out);
    assert.equal(zipRequests(), before + 1);
    assert.ok(existsSync(result.bundleDir));

    const original = await readFile(goModFile, 'utf8');
    try {
      await appendFile(goModFile, '\nrequire example.com/small v1.2.0\n');
      await assert.rejects(run(made, dirs, await emptyFolder('refuse-out2')), (error: unknown) =>
        errorKind(error) === 'input' && errorFields(error).file === goModFile && /changed since the export was planned/.test((error as Error).message));
    } finally {
      await writeFile(goModFile, original);
    }
  });

  test('modferry export --plan prints the plan (as one JSON line with --json) and writes nothing', async () => {
    const home = await emptyFolder('cli');
    process.env.MODFERRY_HOME = home;
    const out = await emptyFolder('cli-out');
    const json = captureOutput();
    assert.equal(await runCli(['export', '--plan', '--json', '--upstream', upstream.url, '--go-mod', goModFile, '--out', out], json), 0, json.stderr.join('\n'));
    assert.equal(json.stdout.filter((l) => !l.includes('"type":"progress"')).length, 1);
    const printed = JSON.parse(json.stdout.at(-1)!) as ExportPlan & { type: string };
    assert.equal(printed.type, 'plan');
    assert.equal(printed.totals.modules, 4);
    assert.equal(printed.modules.length, 4);
    assert.deepEqual(readdirSync(out), []);

    const text = captureOutput();
    assert.equal(await runCli(['export', '--plan', '--upstream', upstream.url, '--go-mod', goModFile], text), 0, text.stderr.join('\n'));
    const shown = text.stdout.join('\n');
    assert.match(shown, /^Would ship 4 module versions \(3 with source zips\): 14 files, /m);
    assert.match(shown, /^ {2}example\.com\/small@v1\.1\.0 \(go\.mod only\) /m);
    assert.match(shown, /^Nothing written \(--plan\)/m);
    assert.match(text.stderr.join('\n'), /^warning: .*no go\.sum beside it/m);
  });

  test('a destination too small is refused before downloading what the cache lacks, and again before writing', async (t) => {
    const dirs = await freshDirs('space');
    const drive = await emptyFolder('drive');
    const unmount = smallDrive(drive);
    t.after(unmount);

    // Cold cache: the zips' sizes are known only once downloaded, and the plan stops then.
    await assert.rejects(plan(dirs, drive), (error: unknown) => {
      assert.equal(errorKind(error), 'destination');
      assert.equal(errorFields(error).file, drive);
      // The record a UI gets names the drive and offers to try again once space is freed.
      assert.equal(errorRecord(error).drive, drive);
      assert.equal(errorRecord(error).retryable, true);
      assert.equal(errorRecord(error).problem, 'not-enough-space');
      assert.match((error as Error).message, new RegExp(`^not enough free space on ${drive}: the bundle needs \\d.* is free, .* short`));
      return true;
    });
    // Warm cache: the sizes are known before any zip is asked for, and none is.
    const before = zipRequests();
    await assert.rejects(plan(dirs, drive), (error: unknown) => errorKind(error) === 'destination');
    assert.equal(zipRequests(), before);

    // A plan that fits, then the drive fills up before the run: refused before writing, nothing left behind.
    const small = await planExport({ modules: ['example.com/small@v1.2.0'], upstream: upstream.url }, { dirs, outDir: drive });
    await writeFile(path.join(drive, 'filler'), Buffer.alloc(1024 * 1024 - 8 * 1024));
    await assert.rejects(run(small, dirs, drive), (error: unknown) => errorKind(error) === 'destination' && errorFields(error).file === drive);
    assert.deepEqual(readdirSync(drive), ['filler']);
  });
});
