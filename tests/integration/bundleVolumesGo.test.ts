import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseTreePath } from '../../shared/bundle/treePath';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { makeBundleSources, makeTempDir, testSigningKey } from '../support/bundleSources';
import { offlineGoEnv, parseJsonStream, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';

interface GoDownload {
  Path: string;
  Version: string;
  Sum?: string;
  Error?: string;
}

test('each bundle volume, extracted alone with tar -xf, serves its modules to go mod download', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('bundle-go');
  t.after(cleanup);
  const files = await makeBundleSources(path.join(dir, 'cache'), [
    { path: 'github.com/BurntSushi/toml', version: 'v1.2.0' },
    { path: 'example.com/a', version: 'v1.0.0' },
    { path: 'example.com/a', version: 'v1.1.0' },
    { path: 'example.com/old', version: 'v2.0.0+incompatible', goMod: 'module example.com/old\n' },
  ]);
  const { bundleDir, manifest } = await writeBundle({
    outDir: path.join(dir, 'out'),
    files,
    inputs: [],
    volumeSize: 6 * 1024,
    signingKey: testSigningKey(),
    toolVersion: 'test',
  });
  assert.ok(manifest.volumes.length >= 3);

  for (const volume of manifest.volumes) {
    const tree = path.join(dir, `tree-${volume.index}`);
    await mkdir(tree);
    execFileSync('tar', ['-xf', path.join(bundleDir, volume.name), '-C', tree]);
    const zips = manifest.entries.filter((e) => e.volume === volume.index && e.path.endsWith('.zip'));
    if (zips.length === 0) continue;
    const workspace = await scratchGoWorkspace(`bundle-volume-${volume.index}`);
    t.after(() => workspace.cleanup());
    const env = offlineGoEnv(pathToFileURL(tree).href, workspace.modCache);
    const h1ByVersion = new Map(zips.map((e) => [versionOf(e.path), e.h1]));
    const { stdout } = await runGo(['mod', 'download', '-json', ...h1ByVersion.keys()], { cwd: workspace.dir, env });
    const reported = parseJsonStream<GoDownload>(stdout);
    assert.equal(reported.length, zips.length);
    for (const download of reported) {
      const at = `${download.Path}@${download.Version}`;
      assert.equal(download.Error, undefined, `${volume.name}: ${at}: ${download.Error}`);
      assert.equal(download.Sum, h1ByVersion.get(at), `${volume.name}: go computes the h1 the manifest records for ${at}`);
    }
  }
});

function versionOf(treePath: string): string {
  const { modulePath, version } = parseTreePath(treePath);
  return `${modulePath}@${version}`;
}
