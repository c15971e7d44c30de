import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeBundle, type BundleSourceFile } from '../../electron/core/bundle/writeBundle';
import { startProxyServer } from '../../electron/core/serve/proxyHttpServer';
import { openStore } from '../../electron/core/store/diskStore';
import { importBundle } from '../../electron/core/store/importBundle';
import { makeBundleSources, makeTempDir, testSigningKey, type SourceModule } from '../support/bundleSources';
import { offlineGoEnv, requireGo, runGo, scratchGoWorkspace } from '../support/goCommand';

const SELF = 'example.com/selfretract';
const SELF_OLD = 'v0.0.0-20200101000000-aaaaaaaaaaaa';
const SELF_NEW = 'v0.0.0-20210101000000-bbbbbbbbbbbb';
const TAGS = 'example.com/tagsretracted';
const TAGS_PSEUDO = 'v1.0.1-0.20220101000000-cccccccccccc';
const PLAIN = 'example.com/plainpseudo';
const PLAIN_NEW = 'v0.0.0-20230101000000-dddddddddddd';

const goMod = (modulePath: string, retract = ''): string => `module ${modulePath}\n\ngo 1.19\n${retract === '' ? '' : `\nretract ${retract}\n`}`;

const modules: SourceModule[] = [
  // Nothing tagged, and the newest commit retracts itself: the go command takes @latest's own go.mod as the latest.
  { path: SELF, version: SELF_OLD, goMod: goMod(SELF) },
  { path: SELF, version: SELF_NEW, goMod: goMod(SELF, `${SELF_NEW} // broken build`) },
  // The only tag is retracted, a later commit is not.
  { path: TAGS, version: 'v1.0.0', goMod: goMod(TAGS, 'v1.0.0 // published by mistake') },
  { path: TAGS, version: TAGS_PSEUDO, goMod: goMod(TAGS) },
  { path: PLAIN, version: 'v0.0.0-20220101000000-eeeeeeeeeeee', goMod: goMod(PLAIN) },
  { path: PLAIN, version: PLAIN_NEW, goMod: goMod(PLAIN) },
];

/** The files imported into a fresh store and served on loopback; returns how to run the go command through it. */
async function goThroughServedStore(t: TestContext, name: string, files: (dir: string) => Promise<BundleSourceFile[]>): Promise<(args: string[]) => Promise<string>> {
  const { dir, cleanup } = await makeTempDir(name);
  t.after(cleanup);
  const key = testSigningKey();
  const bundle = await writeBundle({ outDir: path.join(dir, 'out'), files: await files(dir), inputs: [], signingKey: key, toolVersion: 'test' });
  const store = openStore(path.join(dir, 'store'), { mode: 'write' });
  t.after(() => store.close());
  await importBundle(bundle.bundleDir, { store, trust: (signer) => signer.fingerprint === key.fingerprint });
  const server = await startProxyServer({ store, host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const workspace = await scratchGoWorkspace(name);
  t.after(() => workspace.cleanup());
  return async (args) => (await runGo(args, { cwd: workspace.dir, env: offlineGoEnv(server.url, workspace.modCache), timeoutMs: 60_000 })).stdout.trim();
}

test('the real go command accepts what @latest answers when retractions leave it a pseudo-version', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const go = await goThroughServedStore(t, 'serve-latest-go', (dir) => makeBundleSources(path.join(dir, 'cache'), modules));

  assert.equal(await go(['list', '-m', `${SELF}@latest`]), `${SELF} ${SELF_OLD}`);
  assert.equal(await go(['list', '-m', `${TAGS}@latest`]), `${TAGS} ${TAGS_PSEUDO}`);
  assert.equal(await go(['list', '-m', `${PLAIN}@latest`]), `${PLAIN} ${PLAIN_NEW}`);
  // The list the go command reads names tags only, as before.
  assert.equal(await go(['list', '-m', '-versions', '-retracted', TAGS]), `${TAGS} v1.0.0`);
  assert.equal(await go(['list', '-m', '-versions', PLAIN]), PLAIN);
});

const CARRIED = 'example.com/retractedbylater';

test('a version shipped for its go.mod alone, which retracts itself and others, makes the go command skip them', { timeout: 300_000 }, async (t) => {
  if (!requireGo(t)) return;
  const go = await goThroughServedStore(t, 'serve-latest-carrier', async (dir) => {
    const sources = await makeBundleSources(path.join(dir, 'cache'), [
      { path: CARRIED, version: 'v1.1.0', goMod: goMod(CARRIED) },
      { path: CARRIED, version: 'v1.2.0', goMod: goMod(CARRIED) },
      { path: CARRIED, version: 'v1.3.0', goMod: goMod(CARRIED, '[v1.2.0, v1.3.0] // broken since v1.2.0') },
    ]);
    // As an export ships it: v1.3.0's .info and .mod, to carry the retractions the go command reads, but no zip.
    return sources.filter((file) => !file.path.endsWith('/v1.3.0.zip'));
  });

  assert.equal(await go(['list', '-m', `${CARRIED}@latest`]), `${CARRIED} v1.1.0`);
  assert.equal(await go(['list', '-m', '-versions', CARRIED]), `${CARRIED} v1.1.0`);
});
