import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fetchVerifiedFiles } from '../../electron/core/export/fetchVerifiedFiles';
import { GoSumIndex } from '../../electron/core/export/goSumIndex';
import { createUpstreamClient } from '../../electron/core/upstream/upstreamClient';
import { makeTempDir, moduleZip } from '../support/bundleSources';
import { startFixtureUpstream } from '../support/fixtureUpstream';
import { writeSingleVersionProxy } from '../support/goproxyTree';

let root: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir: root, cleanup } = await makeTempDir('cache-answered')));
after(() => cleanup());

test('a cached zip that disagrees with the upstream\'s fresh .mod names the cache as the one that answered, and how to clear it', async (t) => {
  const tree = path.join(root, 'tree');
  const m = { path: 'example.com/m', version: 'v1.0.0' };
  const goMod = 'module example.com/m\n\ngo 1.19\n';
  await writeSingleVersionProxy(tree, [{ path: m.path, mod: goMod, zip: await moduleZip(m, Buffer.from(goMod)) }]);
  const upstream = await startFixtureUpstream(tree);
  t.after(() => upstream.close());
  const cacheDir = path.join(root, 'cache');
  const first = createUpstreamClient({ goproxy: upstream.url, cacheDir });
  await first.fetch(m.path, m.version, 'zip');
  first.close();
  // The upstream now answers another go.mod for the same version; the zip comes from the cache.
  await writeFile(path.join(tree, m.path, '@v', 'v1.0.0.mod'), `${goMod}\nrequire example.com/x v1.0.0\n`);

  const client = createUpstreamClient({ goproxy: upstream.url, cacheDir });
  t.after(() => client.close());
  const resolution = { modFiles: [m], zipFiles: [m], neededBy: new Map(), reasons: new Map(), warnings: [] };
  await assert.rejects(fetchVerifiedFiles(resolution, client, new GoSumIndex([])), (error: Error & { module?: string; version?: string; kind?: string }) => {
    assert.equal(error.name, 'CacheAnsweredError');
    assert.deepEqual([error.module, error.version, error.kind], [m.path, m.version, 'zip']);
    assert.match(error.message, /^example\.com\/m@v1\.0\.0: .*go\.mod: differs from the module's \.mod file \(first difference on line 4\); the download cache answered the \.zip \(downloaded earlier\), the upstream the \.mod: clear the cache with 'modferry cache clean' and export again to ask the upstream afresh$/);
    return true;
  });
});
