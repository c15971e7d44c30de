/**
 * Which projects the export's go check can prove, by the go command's version: one from Go 1.21 on
 * refuses, under GOTOOLCHAIN=local, a module graph holding a go.mod that asks for a newer Go, so the
 * project is left unproven with a warning naming the dependency; an older one reads such go lines in
 * dependencies and enforces none, which the real go command here (1.19) shows by proving it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkWithGo } from '../../electron/core/export/goCheck';
import { planWarningText } from '../../shared/export/planNotesText';
import { planWarningWords } from '../../renderer/src/export/planNotesWords';
import { translator } from '../../renderer/src/i18n/catalog';
import { makeTempDir } from '../support/bundleSources';
import { publishFixtureModule } from '../support/fixtureUpstream';
import { requireGo } from '../support/goCommand';

const DEP = 'example.com/newgo';

test('a dependency asking for a newer Go leaves the project unproven from Go 1.21 on, and is proven by an older go command', { timeout: 120_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('go-check-versions');
  t.after(cleanup);
  const tree = path.join(dir, 'tree');
  await publishFixtureModule(tree, DEP, [
    { version: 'v1.0.0', goMod: `module ${DEP}\n\ngo 1.19\n` },
    { version: 'v1.1.0', goMod: `module ${DEP}\n\ngo 1.22.0\n\ntoolchain go1.22.3\n`, files: { 'newgo.go': 'package newgo\n\nconst Name = "newgo"\n' } },
  ]);
  const project = path.join(dir, 'project');
  await mkdir(project);
  await writeFile(path.join(project, 'go.mod'), `module example.com/app\n\ngo 1.19\n\nrequire ${DEP} v1.1.0\n`);
  await writeFile(path.join(project, 'main.go'), `package main\n\nimport "${DEP}"\n\nfunc main() { println(newgo.Name) }\n`);
  const target = { name: path.join(project, 'go.mod'), projectDir: project };

  const newer = await checkWithGo(tree, [target], { goRelease: '1.21.5' });
  await newer.cleanedUp;
  assert.deepEqual(newer.unchecked, [{ name: target.name, needs: '1.22.0', module: `${DEP}@v1.1.0` }]);

  const older = await checkWithGo(tree, [target], { goRelease: '1.19.8' });
  await older.cleanedUp;
  assert.deepEqual(older.unchecked, [], 'Go 1.19 reads the dependency and builds the project: proven');

  const warning = { kind: 'go-too-old', file: target.name, needs: '1.22.0', go: '1.21.5', module: `${DEP}@v1.1.0` } as const;
  assert.equal(planWarningText(warning), `${target.name}: its dependency ${DEP}@v1.1.0 asks for Go 1.22.0, and this machine's go command is go1.21.5, which refuses it with GOTOOLCHAIN=local: that project was not proven with the go command (install Go 1.22.0 or later here to prove it)`);
  assert.match(planWarningWords(warning, translator('zh-CN')), new RegExp(`^${target.name.replace(/[.+]/g, '\\$&')}：它的依赖 example\\.com/newgo@v1\\.1\\.0 要求 Go 1\\.22\\.0，而这台计算机上的 go 命令是 go1\\.21\\.5`));
});
