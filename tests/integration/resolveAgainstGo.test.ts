import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import yazl from 'yazl';
import { parseGoMod, type ModuleVersion } from '../../shared/gomod/goModFile';
import { escapePath, escapeVersion } from '../../shared/gomod/modulePath';
import { planWarningText } from '../../shared/export/planNotesText';
import { ConcurrencyLimit } from '../../electron/core/resolve/concurrencyLimit';
import { GoModLoader } from '../../electron/core/resolve/goModLoader';
import { MainModule } from '../../electron/core/resolve/mainModule';
import { moduleKey } from '../../electron/core/resolve/moduleVersions';
import { readBuildGraph } from '../../electron/core/resolve/readBuildGraph';
import { resolveRequirements, type ResolveRoot } from '../../electron/core/resolve/resolveRequirements';
import { offlineGoEnv, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';
import { goModText, InMemoryModuleSource } from '../support/inMemoryModuleSource';

interface FixtureModule {
  path: string;
  version: string;
  go: string;
  requires?: string[];
  /** The module line of its go.mod, when it differs from where it is published (a fork). */
  declares?: string;
  /** Go source files, by name inside the module. */
  files: Record<string, string>;
}

const pkg = (name: string, imports: string[] = []): string =>
  `package ${name}\n\n${imports.map((i) => `import _ "${i}"\n`).join('')}\nfunc Name() string { return "${name}" }\n`;

/**
 * A small universe in the shapes that matter: a diamond on c; b raising the root a to v1.1.0, whose
 * go.mod brings in n (the go command's root fix-up); d beyond the pruning horizon raising c only in the
 * unpruned graph; f at go 1.16, so nothing below it is pruned; g requiring an excluded c v1.2.5 while c
 * v1.3.0 exists (Go 1.16+ drops the requirement instead of moving up); old replaced by a fork; and
 * versions nothing needs, which must not ship.
 */
const universe: FixtureModule[] = [
  { path: 'example.com/a', version: 'v1.0.0', go: '1.17', requires: ['example.com/c v1.1.0'], files: { 'a.go': pkg('a', ['example.com/c']) } },
  {
    path: 'example.com/a',
    version: 'v1.1.0',
    go: '1.17',
    requires: ['example.com/c v1.1.0', 'example.com/n v1.0.0'],
    files: { 'a.go': pkg('a', ['example.com/c', 'example.com/n']) },
  },
  {
    path: 'example.com/b',
    version: 'v1.0.0',
    go: '1.17',
    requires: ['example.com/a v1.1.0', 'example.com/c v1.2.0', 'example.com/d v1.0.0'],
    files: { 'b.go': pkg('b', ['example.com/a', 'example.com/c']), 'extra/extra.go': pkg('extra', ['example.com/d']) },
  },
  ...['v1.1.0', 'v1.2.0', 'v1.2.5', 'v1.3.0', 'v1.4.0'].map((version) => ({
    path: 'example.com/c',
    version,
    go: '1.17',
    files: { 'c.go': pkg('c') },
  })),
  {
    path: 'example.com/d',
    version: 'v1.0.0',
    go: '1.17',
    requires: ['example.com/c v1.3.0', 'example.com/e v1.0.0'],
    files: { 'd.go': pkg('d', ['example.com/c', 'example.com/e']) },
  },
  { path: 'example.com/e', version: 'v1.0.0', go: '1.17', files: { 'e.go': pkg('e') } },
  { path: 'example.com/e', version: 'v1.1.0', go: '1.17', files: { 'e.go': pkg('e') } },
  { path: 'example.com/f', version: 'v1.0.0', go: '1.16', requires: ['example.com/g v1.0.0'], files: { 'f.go': pkg('f', ['example.com/g']) } },
  {
    path: 'example.com/g',
    version: 'v1.0.0',
    go: '1.17',
    requires: ['example.com/h v1.0.0', 'example.com/c v1.2.5'],
    files: { 'g.go': pkg('g', ['example.com/h']) },
  },
  { path: 'example.com/h', version: 'v1.0.0', go: '1.17', files: { 'h.go': pkg('h') } },
  { path: 'example.com/n', version: 'v1.0.0', go: '1.17', files: { 'n.go': pkg('n') } },
  {
    path: 'example.com/fork',
    version: 'v1.0.1',
    go: '1.17',
    declares: 'example.com/old',
    requires: ['example.com/e v1.0.0'],
    files: { 'old.go': pkg('old', ['example.com/e']) },
  },
  { path: 'example.com/old', version: 'v1.0.0', go: '1.17', files: { 'old.go': pkg('old') } },
  {
    path: 'example.com/tool',
    version: 'v1.0.0',
    go: '1.17',
    requires: ['example.com/a v1.0.0', 'example.com/c v1.1.0'],
    files: { 'main.go': 'package main\n\nimport "example.com/a"\n\nfunc main() { println(a.Name()) }\n' },
  },
];

const mainGoMod = `module example.com/main

go 1.17

require (
	example.com/a v1.0.0
	example.com/b v1.0.0
	example.com/f v1.0.0
	example.com/old v1.0.0
)

require example.com/c v1.2.0 // indirect

exclude example.com/c v1.2.5

replace example.com/old v1.0.0 => example.com/fork v1.0.1
`;

const mainGo = `package main

import (
	"example.com/a"
	"example.com/b"
	"example.com/f"
	"example.com/old"
)

func main() { println(a.Name(), b.Name(), f.Name(), old.Name()) }
`;

const mainTest = `package main

import "testing"

func TestNames(t *testing.T) { main() }
`;

function goModOf(m: FixtureModule): string {
  return goModText(m.declares ?? m.path, m.go, m.requires);
}

const fixedTime = new Date('2023-01-01T00:00:00Z');

/** Writes only what the resolution ships, in the GOPROXY layout, so the go command succeeding proves it is enough. */
async function writeShippedTree(dir: string, modFiles: ModuleVersion[], zipFiles: ModuleVersion[]): Promise<void> {
  const byKey = new Map(universe.map((m) => [moduleKey(m), m]));
  const lists = new Map<string, string[]>();
  for (const shipped of modFiles) {
    const m = byKey.get(moduleKey(shipped));
    assert.ok(m, `the resolution ships ${moduleKey(shipped)}, which the fixture does not have`);
    const base = path.join(dir, escapePath(m.path), '@v', escapeVersion(m.version));
    await mkdir(path.dirname(base), { recursive: true });
    await writeFile(`${base}.mod`, goModOf(m));
    await writeFile(`${base}.info`, JSON.stringify({ Version: m.version, Time: fixedTime.toISOString() }));
    lists.set(m.path, [...(lists.get(m.path) ?? []), m.version]);
  }
  for (const shipped of zipFiles) {
    const m = byKey.get(moduleKey(shipped));
    assert.ok(m, `the resolution ships the zip of ${moduleKey(shipped)}, which the fixture does not have`);
    const zip = new yazl.ZipFile();
    const prefix = `${m.path}@${m.version}/`;
    zip.addBuffer(Buffer.from(goModOf(m)), `${prefix}go.mod`, { mtime: fixedTime, mode: 0o644 });
    for (const [name, text] of Object.entries(m.files)) zip.addBuffer(Buffer.from(text), prefix + name, { mtime: fixedTime, mode: 0o644 });
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(path.join(dir, escapePath(m.path), '@v', `${escapeVersion(m.version)}.zip`)));
  }
  for (const [modulePath, versions] of lists) await writeFile(path.join(dir, escapePath(modulePath), '@v', 'list'), versions.join('\n') + '\n');
}

test('the go command builds offline from exactly what the resolver ships, and agrees on the build list and graph', { timeout: 600_000 }, async (t) => {
  if (!requireGo(t)) return;
  const workspace = await scratchGoWorkspace('resolve');
  t.after(() => workspace.cleanup());

  const source = new InMemoryModuleSource(Object.fromEntries(universe.map((m) => [moduleKey(m), goModOf(m)])));
  const mainRoot: ResolveRoot = { name: 'main/go.mod', goMod: parseGoMod(mainGoMod, 'main/go.mod') };
  const toolRoot: ResolveRoot = { name: 'example.com/tool@v1.0.0', modules: [{ path: 'example.com/tool', version: 'v1.0.0' }] };
  const resolution = await resolveRequirements([mainRoot, toolRoot], source);
  assert.deepEqual(resolution.warnings.map(planWarningText), [
    'main/go.mod: Go 1.16 would select other versions (example.com/c v1.3.0 over v1.2.0), which go mod tidy checks by default; ' +
      'the bundle carries only what this go version builds with, so offline tidy with go mod tidy -compat=1.17',
  ]);
  const zips = resolution.zipFiles.map(moduleKey);
  for (const notShipped of ['example.com/c@v1.2.5', 'example.com/c@v1.4.0', 'example.com/e@v1.1.0', 'example.com/old@v1.0.0']) {
    assert.ok(!resolution.modFiles.map(moduleKey).includes(notShipped), `${notShipped} must not ship`);
  }
  // c@v1.3.0 is selected only in the unpruned graph (through d, beyond the pruning horizon): no build reads its zip.
  assert.ok(zips.includes('example.com/c@v1.2.0') && !zips.includes('example.com/c@v1.3.0'));
  assert.ok(resolution.modFiles.map(moduleKey).includes('example.com/c@v1.3.0'));

  const proxyDir = path.join(workspace.dir, 'proxy');
  await writeShippedTree(proxyDir, resolution.modFiles, resolution.zipFiles);
  const mainDir = path.join(workspace.dir, 'main');
  await mkdir(mainDir, { recursive: true });
  await writeFile(path.join(mainDir, 'go.mod'), mainGoMod);
  await writeFile(path.join(mainDir, 'main.go'), mainGo);
  await writeFile(path.join(mainDir, 'main_test.go'), mainTest);
  const env = offlineGoEnv(pathToFileURL(proxyDir).href, workspace.modCache);

  const buildGraph = await readBuildGraph(MainModule.fromGoMod(mainRoot.name, mainRoot.goMod!), new GoModLoader(source, new ConcurrencyLimit(4)));
  const listed = await runGo(['list', '-m', '-f', '{{.Path}} {{.Version}}{{with .Replace}} => {{.Path}} {{.Version}}{{end}}', 'all'], {
    cwd: mainDir,
    env,
  });
  const expected = buildGraph.buildList().map((m) => `${m.path} ${m.version}${m.path === 'example.com/old' ? ' => example.com/fork v1.0.1' : ''}`);
  assert.deepEqual(listed.stdout.trim().split('\n'), ['example.com/main ', ...expected]);
  assert.deepEqual(expected, [
    'example.com/a v1.1.0',
    'example.com/b v1.0.0',
    'example.com/c v1.2.0',
    'example.com/d v1.0.0',
    'example.com/e v1.0.0',
    'example.com/f v1.0.0',
    'example.com/g v1.0.0',
    'example.com/h v1.0.0',
    'example.com/n v1.0.0',
    'example.com/old v1.0.0 => example.com/fork v1.0.1',
  ]);

  const graphed = await runGo(['mod', 'graph'], { cwd: mainDir, env });
  const ourEdges = [
    ...buildGraph.roots.map((r) => `example.com/main ${moduleKey(r)}`),
    ...buildGraph.allModules().flatMap((m) => (buildGraph.requirementsOf(m) ?? []).map((r) => `${moduleKey(m)} ${moduleKey(r)}`)),
  ];
  assert.deepEqual(graphed.stdout.trim().split('\n').sort(), ourEdges.sort());

  await runGo(['build', './...'], { cwd: mainDir, env });
  await runGo(['test', './...'], { cwd: mainDir, env });
  await runGo(['mod', 'download', 'all'], { cwd: mainDir, env });
  await runGo(['mod', 'tidy', '-compat=1.17'], { cwd: mainDir, env });
  await runGo(['install', 'example.com/tool@v1.0.0'], { cwd: workspace.dir, env: { ...env, GOFLAGS: '', GOBIN: path.join(workspace.dir, 'bin') } });
});
