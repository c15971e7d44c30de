import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hashGoModFile, hashModuleZip } from '../../electron/core/modzip/hashModuleZip';
import { inspectModuleZip } from '../../electron/core/modzip/inspectModuleZip';
import { debianGoproxyFixture } from '../support/debianFixture';
import { offlineGoEnv, parseJsonStream, requireGo, runGo, scratchGoWorkspace, type GoDownload } from '../support/goCommand';


test('h1 of real module zips and go.mod files agrees with go mod download', { timeout: 600_000 }, async (t) => {
  if (!requireGo(t)) return;
  const fixture = await debianGoproxyFixture();
  assert.ok(fixture.published.length >= 30, `expected at least 30 module versions, Debian's sources gave ${fixture.published.length}`);
  assert.ok(fixture.published.some((p) => /[A-Z]/.test(p.path)), 'the fixture must include a module path with upper-case letters');

  const workspace = await scratchGoWorkspace('h1');
  t.after(() => workspace.cleanup());
  const env = offlineGoEnv(pathToFileURL(fixture.dir).href, workspace.modCache);
  const args = ['mod', 'download', '-json', ...fixture.published.map((p) => `${p.path}@${p.version}`)];
  const { stdout } = await runGo(args, { cwd: workspace.dir, env });
  const reported = new Map(parseJsonStream<GoDownload>(stdout).map((d) => [`${d.Path}@${d.Version}`, d]));

  for (const p of fixture.published) {
    const go = reported.get(`${p.path}@${p.version}`);
    assert.ok(go, `go mod download reported nothing for ${p.path}@${p.version}`);
    assert.equal(go.Error, undefined, `go could not download ${p.path}@${p.version}: ${go.Error}`);
    assert.equal(await hashModuleZip(p.zipFile), go.Sum, `zip h1 of ${p.path}@${p.version}`);
    assert.equal(await hashGoModFile(p.modFile), go.GoModSum, `go.mod h1 of ${p.path}@${p.version}`);
    const inspected = await inspectModuleZip(p.zipFile, { path: p.path, version: p.version });
    assert.equal(inspected.h1, go.Sum, `validating pass h1 of ${p.path}@${p.version}`);
  }
});

test('the installed modferry hash command prints the same h1 as the go command', { timeout: 600_000 }, async (t) => {
  if (!requireGo(t)) return;
  const fixture = await debianGoproxyFixture();
  const picks = [fixture.published.find((p) => /[A-Z]/.test(p.path)), fixture.published.at(-1)].filter((p) => p !== undefined);
  const workspace = await scratchGoWorkspace('h1-cli');
  t.after(() => workspace.cleanup());
  const env = offlineGoEnv(pathToFileURL(fixture.dir).href, workspace.modCache);
  const { stdout } = await runGo(['mod', 'download', '-json', ...picks.map((p) => `${p.path}@${p.version}`)], { cwd: workspace.dir, env });
  const bin = path.join(__dirname, '..', '..', 'bin', 'modferry.js');
  for (const go of parseJsonStream<GoDownload>(stdout)) {
    const p = picks.find((x) => x.path === go.Path)!;
    assert.equal(execFileSync(process.execPath, [bin, 'hash', p.zipFile], { encoding: 'utf8' }).trim(), go.Sum);
    assert.equal(execFileSync(process.execPath, [bin, 'hash', p.modFile], { encoding: 'utf8' }).trim(), go.GoModSum);
  }
});
