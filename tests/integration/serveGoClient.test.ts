import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { parseTreePath } from '../../shared/bundle/treePath';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { startProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { makeBundleSources, makeTempDir, testSigningKey, type SourceModule } from '../support/bundleSources';
import { offlineGoEnv, parseJsonStream, requireGo, runGo, scratchGoWorkspace, type GoDownload } from '../support/goCommand';


const modules: SourceModule[] = [
  { path: 'github.com/BurntSushi/toml', version: 'v1.2.0' },
  { path: 'github.com/BurntSushi/toml', version: 'v1.2.1' },
  { path: 'example.com/greet', version: 'v1.0.0' },
  { path: 'example.com/greet', version: 'v1.1.0' },
  { path: 'example.com/greet', version: 'v1.2.0-beta.1' },
  // Carried for its go.mod alone: a choice the store could not deliver, so never listed.
  { path: 'example.com/greet', version: 'v1.3.0' },
];
const modOnly = 'example.com/greet@v1.3.0';

test('the real go command downloads, lists and resolves @latest from modferry serve', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const { dir, cleanup } = await makeTempDir('serve-go');
  t.after(cleanup);

  const sources = (await makeBundleSources(path.join(dir, 'cache'), modules)).filter((file) => {
    const tree = parseTreePath(file.path);
    return !(tree.kind === 'zip' && `${tree.modulePath}@${tree.version}` === modOnly);
  });
  const key = testSigningKey();
  const bundle = await writeBundle({ outDir: path.join(dir, 'out'), files: sources, inputs: [], signingKey: key, toolVersion: 'test' });
  const store = openStore(path.join(dir, 'store'), { mode: 'write' });
  t.after(() => store.close());
  await importBundle(bundle.bundleDir, { store, trust: (signer) => signer.fingerprint === key.fingerprint });

  const requests: string[] = [];
  const server = await startProxyServer({ store, host: '127.0.0.1', port: 0, log: (line) => requests.push(line) });
  t.after(() => server.close());
  const workspace = await scratchGoWorkspace('serve-go');
  t.after(() => workspace.cleanup());
  const go = (args: string[]): ReturnType<typeof runGo> =>
    runGo(args, { cwd: workspace.dir, env: offlineGoEnv(server.url, workspace.modCache), timeoutMs: 60_000 });

  // go mod download: files come through the proxy and hash to what the bundle recorded.
  const h1Of = new Map(sources.filter((s) => s.h1 !== undefined).map((s) => [s.path, s.h1]));
  const { stdout } = await go(['mod', 'download', '-json', 'github.com/BurntSushi/toml@v1.2.0', 'example.com/greet@v1.1.0']);
  const downloads = parseJsonStream<GoDownload>(stdout);
  assert.equal(downloads.length, 2);
  for (const download of downloads) {
    assert.equal(download.Error, undefined, `${download.Path}@${download.Version}: ${download.Error}`);
    const base = sources.find((s) => {
      const tree = parseTreePath(s.path);
      return tree.kind === 'zip' && tree.modulePath === download.Path && tree.version === download.Version;
    })?.path.replace(/\.zip$/, '');
    assert.ok(base, `${download.Path}@${download.Version} is one of the store's zips`);
    assert.equal(download.Sum, h1Of.get(`${base}.zip`), `zip h1 of ${download.Path}@${download.Version}`);
    assert.equal(download.GoModSum, h1Of.get(`${base}.mod`), `go.mod h1 of ${download.Path}@${download.Version}`);
  }
  assert.ok(requests.some((line) => /^GET \/github\.com\/(!|%21)burnt(!|%21)sushi\/toml\/@v\/v1\.2\.0\.zip 200 /.test(line)), requests.join('\n'));

  // go list -m -versions: the versions the store can deliver in full, and only those.
  const versions = await go(['list', '-m', '-versions', 'example.com/greet']);
  assert.equal(versions.stdout.trim(), 'example.com/greet v1.0.0 v1.1.0 v1.2.0-beta.1');
  assert.equal((await go(['list', '-m', '-versions', 'github.com/BurntSushi/toml'])).stdout.trim(), 'github.com/BurntSushi/toml v1.2.0 v1.2.1');

  // go list -m m@latest: the highest release the store holds in full.
  assert.equal((await go(['list', '-m', 'example.com/greet@latest'])).stdout.trim(), 'example.com/greet v1.1.0');
  assert.equal((await go(['list', '-m', 'github.com/BurntSushi/toml@latest'])).stdout.trim(), 'github.com/BurntSushi/toml v1.2.1');

  // A module the store lacks: the go command's usual not-found error, carrying the server's line, and a recorded miss.
  await assert.rejects(go(['mod', 'download', 'example.com/absent@v1.0.0']), (error: Error) => {
    assert.match(error.message, /example\.com\/absent\/@v\/v1\.0\.0\.info: 404 Not Found/);
    assert.match(error.message, /server response: not found: example\.com\/absent@v1\.0\.0 \(\.info\) is not in this ModFerry store/);
    return true;
  });
  await assert.rejects(go(['list', '-m', 'example.com/absent@latest']), /example\.com\/absent.*404 Not Found/s);
  const misses = store.misses().filter((m) => m.path === 'example.com/absent').map((m) => m.query);
  // @latest asks for the list first; its 404 ends the query, so @latest itself may never be asked.
  assert.ok(misses.includes('v1.0.0') && misses.includes('list'), JSON.stringify(misses));
  assert.ok(misses.every((query) => ['v1.0.0', 'list', 'latest'].includes(query)), JSON.stringify(misses));

  // Looking for a module, the go command also asks for every prefix of its path; on github.com none
  // shorter than owner/repository can be a module, so only the module itself becomes a miss.
  await assert.rejects(go(['install', 'github.com/nosuch/thing@v1.0.0']), /github\.com\/nosuch\/thing.*404 Not Found/s);
  store.flushMisses();
  const probed = store.misses().map((m) => m.path).filter((p) => p.startsWith('github.com') && !p.includes('BurntSushi'));
  assert.deepEqual([...new Set(probed)], ['github.com/nosuch/thing']);
});
