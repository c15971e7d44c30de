/**
 * A plan warns about the retracted and deprecated versions it ships as `go list -m -u -retracted all`
 * reports them: from the go.mod of each module's latest version, whichever version ships, with the
 * go command as the judge over the same loopback GOPROXY.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../electron/cli/main';
import type { AppDirs } from '../../electron/core/appDirs/appDirs';
import { planExport } from '../../electron/core/export/planExport';
import type { ExportPlan } from '../../electron/core/export/exportPlan';
import type { PlanWarning } from '../../shared/export/planNotes';
import { planWarningText } from '../../shared/export/planNotesText';
import { captureOutput } from '../support/captureOutput';
import { publishFixtureModule, startFixtureUpstream, type FixtureUpstream } from '../support/fixtureUpstream';
import { offlineGoEnv, parseJsonStream, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';
import { useModferryHome } from '../support/modferryHome';
import { runBuiltCli } from '../support/builtCli';

// The plan asks no checksum database here; the go command is told the same.
process.env.GOSUMDB = 'off';

const REQUIRED = {
  'example.com/old': 'v1.0.0',
  'example.com/ranged': 'v1.0.1',
  'example.com/selfretract': 'v1.0.0',
  'example.com/nowdeprecated': 'v1.0.0',
  'example.com/wasdeprecated': 'v1.0.0',
  'example.com/unlisted': 'v1.0.0',
  'example.com/fine': 'v1.0.0',
};

let root: string;
let upstream: FixtureUpstream;
let project: string;
let goModFile: string;
let made: ExportPlan;

const goMod = (modulePath: string, lines = '', comment = ''): string => `${comment}module ${modulePath}\n\ngo 1.19\n${lines}`;

before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'modferry-notices-'));
  const tree = path.join(root, 'proxy');
  const files = (name: string): Record<string, string> => ({ [`${name}.go`]: `package ${name}\n` });
  // (a) A single version retracted by the latest go.mod, a range, and a latest version that retracts itself too, leaving nothing.
  await publishFixtureModule(tree, 'example.com/old', [
    { version: 'v1.0.0', files: files('old') },
    { version: 'v1.1.0', files: files('old') },
    { version: 'v1.2.0', goMod: goMod('example.com/old', '\nretract v1.0.0 // broken\n'), files: files('old') },
  ]);
  await publishFixtureModule(tree, 'example.com/ranged', [
    { version: 'v1.0.0', files: files('ranged') },
    { version: 'v1.0.1', files: files('ranged') },
    { version: 'v1.0.2', files: files('ranged') },
    { version: 'v1.1.0', goMod: goMod('example.com/ranged', '\nretract [v1.0.0, v1.0.2] // loses data on restart\n'), files: files('ranged') },
  ]);
  await publishFixtureModule(tree, 'example.com/selfretract', [
    { version: 'v1.0.0', files: files('selfretract') },
    { version: 'v1.1.0', goMod: goMod('example.com/selfretract', '\nretract (\n\tv1.1.0 // published by mistake\n\tv1.0.0\n)\n'), files: files('selfretract') },
  ]);
  // (b) Deprecated in the latest go.mod only; (c) in the shipped one only, which the go command does not read.
  await publishFixtureModule(tree, 'example.com/nowdeprecated', [
    { version: 'v1.0.0', files: files('nowdeprecated') },
    { version: 'v1.1.0', goMod: goMod('example.com/nowdeprecated', '', '// Deprecated: use example.com/fine instead.\n'), files: files('nowdeprecated') },
  ]);
  await publishFixtureModule(tree, 'example.com/wasdeprecated', [
    { version: 'v1.0.0', goMod: goMod('example.com/wasdeprecated', '', '// Deprecated: this line was taken back.\n'), files: files('wasdeprecated') },
    { version: 'v1.1.0', files: files('wasdeprecated') },
  ]);
  // (d) An upstream that answers 404 for the list and @latest: no word from the author, and the export goes on.
  await publishFixtureModule(tree, 'example.com/unlisted', [{ version: 'v1.0.0', goMod: goMod('example.com/unlisted', '\nretract v1.0.0\n'), files: files('unlisted') }]);
  await publishFixtureModule(tree, 'example.com/fine', [{ version: 'v1.0.0', files: files('fine') }]);
  upstream = await startFixtureUpstream(tree, {
    status: (urlPath) => (urlPath === '/example.com/unlisted/@v/list' || urlPath === '/example.com/unlisted/@latest' ? 404 : undefined),
  });
  project = path.join(root, 'project');
  await mkdir(project);
  goModFile = path.join(project, 'go.mod');
  const requires = Object.entries(REQUIRED).map(([p, v]) => `\t${p} ${v}\n`).join('');
  await writeFile(goModFile, `module example.com/me\n\ngo 1.19\n\nrequire (\n${requires})\n`);
  const dirs: AppDirs = { data: path.join(root, 'home', 'data'), cache: path.join(root, 'home', 'cache') };
  made = await planExport({ goModFiles: [goModFile], upstream: upstream.url }, { dirs });
});

after(async () => {
  await upstream?.close();
  await rm(root, { recursive: true, force: true });
});

/** The plan's notices as `path@version` → what they say, the go command's words for a retraction without a reason. */
function noticesOf(warnings: readonly PlanWarning[]): { retracted: Record<string, string>; deprecated: Record<string, string> } {
  const retracted: Record<string, string> = {};
  const deprecated: Record<string, string> = {};
  for (const w of warnings) {
    if (w.kind === 'retracted') retracted[`${w.module}@${w.version}`] = w.rationale ?? 'retracted by module author';
    if (w.kind === 'deprecated') deprecated[`${w.module}@${w.version}`] = w.notice;
  }
  return { retracted, deprecated };
}

describe('retractions and deprecations in a plan', { timeout: 120_000 }, () => {
  test('are read from the go.mod of each module\'s latest version, not the one that ships', () => {
    assert.deepEqual(noticesOf(made.warnings), {
      retracted: {
        'example.com/old@v1.0.0': 'broken',
        'example.com/ranged@v1.0.1': 'loses data on restart',
        'example.com/selfretract@v1.0.0': 'retracted by module author',
      },
      deprecated: { 'example.com/nowdeprecated@v1.0.0': 'use example.com/fine instead.' },
    });
    const retracted = made.warnings.filter((w) => w.kind === 'retracted');
    assert.deepEqual(retracted.map((w) => w.latest), ['v1.2.0', 'v1.1.0', undefined]);
    assert.equal(made.modules.find((m) => m.path === 'example.com/nowdeprecated')!.deprecated, 'use example.com/fine instead.');
    assert.equal(made.modules.find((m) => m.path === 'example.com/wasdeprecated')!.deprecated, undefined);
    // What ships is what the project builds with: the latest go.mod files read only for the notices stay out.
    assert.deepEqual(made.modules.map((m) => `${m.path}@${m.version}`).sort(), Object.entries(REQUIRED).map(([p, v]) => `${p}@${v}`).sort());
    assert.ok(made.modules.every((m) => m.zip));
  });

  test('a module the upstream lists no versions of gets no warning, and still ships', () => {
    assert.ok(upstream.requests.includes('/example.com/unlisted/@v/list'), upstream.requests.join('\n'));
    assert.ok(!made.warnings.some((w) => 'module' in w && w.module === 'example.com/unlisted'), JSON.stringify(made.warnings));
    assert.ok(made.modules.some((m) => m.path === 'example.com/unlisted' && m.files.some((f) => f.kind === 'zip')));
  });

  test('a module whose list the upstream never answers gets no warning, and holds the plan up only a few seconds', async (t) => {
    const tree = path.join(root, 'proxy');
    const hanging = await startFixtureUpstream(tree, { hangFor: (urlPath) => urlPath === '/example.com/old/@v/list' });
    t.after(() => hanging.close());
    const started = performance.now();
    const plan = await planExport({ goModFiles: [goModFile], upstream: hanging.url }, { dirs: { data: path.join(root, 'hang', 'data'), cache: path.join(root, 'hang', 'cache') } });
    const seconds = (performance.now() - started) / 1000;
    assert.ok(hanging.requests.includes('/example.com/old/@v/list'));
    // The upstream client waits 30 s for an answer, and tries again: the plan must not wait for it.
    assert.ok(seconds < 20, `planned in ${seconds.toFixed(1)} s`);
    const { retracted } = noticesOf(plan.warnings);
    assert.ok(!('example.com/old@v1.0.0' in retracted), JSON.stringify(retracted));
    assert.equal(retracted['example.com/ranged@v1.0.1'], 'loses data on restart', 'the lookups answered still warn');
    assert.ok(plan.modules.some((m) => m.path === 'example.com/old'));

    // Nor does the lookup left waiting keep the command's process alive once the plan is printed.
    const cliStarted = performance.now();
    const run = await runBuiltCli(['export', '--plan', '--go-mod', goModFile, '--upstream', hanging.url], { ...process.env, MODFERRY_HOME: path.join(root, 'hang-cli') }, 60_000);
    const cliSeconds = (performance.now() - cliStarted) / 1000;
    assert.equal(run.code, 0, run.stderr);
    assert.ok(cliSeconds < 20, `modferry export --plan exited after ${cliSeconds.toFixed(1)} s`);
  });

  test('a version that is its module\'s latest costs one list request and no second go.mod download', () => {
    assert.equal(upstream.requests.filter((r) => r === '/example.com/fine/@v/list').length, 1);
    assert.equal(upstream.requests.filter((r) => r === '/example.com/fine/@v/v1.0.0.mod').length, 1);
  });

  test('agree with go list -m -u -retracted over the same upstream', async (t) => {
    if (!requireGo(t)) return;
    const work = await scratchGoWorkspace('notices-go');
    t.after(work.cleanup);
    const dir = path.join(work.dir, 'project');
    await mkdir(dir);
    await writeFile(path.join(dir, 'go.mod'), await readFile(goModFile, 'utf8'));
    const { stdout } = await runGo(['list', '-m', '-u', '-retracted', '-e', '-json', 'all'], { cwd: dir, env: offlineGoEnv(upstream.url, work.modCache) });
    interface Listed { Path: string; Version?: string; Main?: boolean; Retracted?: string[]; Deprecated?: string; Update?: { Version: string } }
    const listed = parseJsonStream<Listed>(stdout).filter((m) => m.Main !== true);
    assert.deepEqual(listed.map((m) => `${m.Path}@${m.Version}`).sort(), made.modules.map((m) => `${m.path}@${m.version}`).sort());
    const byGo = { retracted: {} as Record<string, string>, deprecated: {} as Record<string, string> };
    for (const m of listed) {
      if (m.Retracted !== undefined) byGo.retracted[`${m.Path}@${m.Version}`] = m.Retracted[0]!;
      if (m.Deprecated !== undefined) byGo.deprecated[`${m.Path}@${m.Version}`] = m.Deprecated;
    }
    assert.deepEqual(noticesOf(made.warnings), byGo, stdout);
    // What the plan says to move to is the update the go command offers.
    for (const w of made.warnings) {
      if (w.kind === 'retracted') assert.equal(w.latest, listed.find((m) => m.Path === w.module)!.Update?.Version, w.module);
    }
  });

  test('modferry export --plan prints them', async (t) => {
    useModferryHome(t, path.join(root, 'home'));
    const output = captureOutput();
    assert.equal(await runCli(['export', '--plan', '--upstream', upstream.url, '--go-mod', goModFile], output), 0, output.stderr.join('\n'));
    const shown = [...output.stdout, ...output.stderr].join('\n');
    for (const w of made.warnings.filter((w) => w.kind === 'retracted' || w.kind === 'deprecated')) assert.ok(shown.includes(`warning: ${planWarningText(w)}`), shown);
    assert.match(shown, /^warning: example\.com\/old@v1\.0\.0: retracted by the module's author \(broken\): move to v1\.2\.0, its latest version, when you can \(go get example\.com\/old@latest\)$/m);
    assert.match(shown, /^warning: example\.com\/selfretract@v1\.0\.0: retracted by the module's author, as is every other version of it: /m);
  });
});
