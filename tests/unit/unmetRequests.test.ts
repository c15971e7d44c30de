import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { importCommand } from '../../electron/cli/commands/importCommand';
import { requestCommand } from '../../electron/cli/commands/requestCommand';
import { writeBundle } from '../../electron/core/bundle/writeBundle';
import { trustStore } from '../../electron/core/keys/trustStore';
import { openStore } from '../../electron/core/store/diskStore';
import { pendingRequests } from '../../electron/core/store/pendingRequests';
import { parseRequestFile } from '../../shared/roundtrip/requestFile';
import { readFile } from 'node:fs/promises';
import { captureOutput } from '../support/captureOutput';
import { makeBundleSources, makeTempDir, testSigningKey } from '../support/bundleSources';

let root: string;
let cleanup: () => Promise<void>;
const savedHome = process.env.MODFERRY_HOME;
before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('unmet'));
  process.env.MODFERRY_HOME = path.join(root, 'home');
});
after(async () => {
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  else process.env.MODFERRY_HOME = savedHome;
  await cleanup();
});

const unmet = [
  { path: 'example.com/nowhere', version: 'latest', reason: 'example.com/nowhere@latest: not found at any proxy', missing: 'example.com/nowhere@latest' },
  { path: 'example.com/wanted', version: 'v1.0.0', reason: 'example.com/sys@v1.2.0: not found at any proxy', missing: 'example.com/sys@v1.2.0' },
];

test('pendingRequests leaves out the lines an imported bundle reported unmet, and says which', () => {
  const miss = (p: string, query: string) => ({ path: p, query, count: 2, firstSeen: 'a', lastSeen: 'b' });
  const pending = pendingRequests([miss('example.com/nowhere', 'list'), miss('example.com/wanted', 'v1.0.0'), miss('example.com/wanted', 'v1.1.0'), miss('example.com/other', 'latest')], {
    holdsModule: () => false,
    holdsVersion: () => false,
  }, unmet);
  assert.deepEqual(pending.requests.map((r) => `${r.path}@${r.version}`), ['example.com/other@latest', 'example.com/wanted@v1.1.0']);
  assert.deepEqual(pending.unmet.map((r) => `${r.path}@${r.version}`), ['example.com/nowhere@latest', 'example.com/wanted@v1.0.0']);
});

test('import shows a bundle\'s unmet requests, the catalog remembers them, and request leaves them out', async () => {
  const key = testSigningKey();
  await trustStore(path.join(root, 'home', 'trusted-keys')).trustKey(key.publicKey);
  const files = await makeBundleSources(path.join(root, 'cache'), [{ path: 'example.com/fine', version: 'v1.0.0' }]);
  const bundle = await writeBundle({ outDir: path.join(root, 'drive'), files, inputs: [{ kind: 'request', value: '/r.txt' }], unmet, signingKey: key, toolVersion: 'test' });
  const storeDir = path.join(root, 'store');
  const imported = captureOutput();
  assert.equal(await importCommand([bundle.bundleDir, '--store', storeDir], imported), 0);
  assert.deepEqual(imported.stdout.slice(-3), [
    'The online side could not meet 2 requests (they are left out of later request files):',
    '  example.com/nowhere@latest (not found at any proxy)',
    '  example.com/wanted@v1.0.0 (needs example.com/sys@v1.2.0, which the upstream lacks: not found at any proxy)',
  ]);

  const store = openStore(storeDir, { mode: 'write' });
  try {
    assert.deepEqual(store.catalog.unmetRequests().map((u) => ({ ...u })), unmet.map((u) => ({ ...u, bundleId: bundle.manifest.bundleId })));
    store.recordMiss('example.com/wanted', 'v1.0.0', new Date());
    store.recordMiss('example.com/nowhere', 'latest', new Date());
    store.recordMiss('example.com/else', 'v1.0.0', new Date());
  } finally {
    store.close();
  }
  const out = path.join(root, 'request.txt');
  const requested = captureOutput();
  assert.equal(await requestCommand(['--store', storeDir, '--out', out], requested), 0);
  assert.deepEqual(parseRequestFile(await readFile(out, 'utf8'), out).map((r) => `${r.path}@${r.version}`), ['example.com/else@v1.0.0']);
  assert.ok(requested.stderr.includes(`note: left out 2 requests the online side could not meet (bundle ${bundle.manifest.bundleId}): example.com/nowhere@latest, example.com/wanted@v1.0.0`), requested.stderr.join('\n'));
});
