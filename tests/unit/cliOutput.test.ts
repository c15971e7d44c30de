import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, readFile, rm, truncate } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../shared/bundle/formatBytes';
import { parseInventory } from '../../shared/roundtrip/inventory';
import { parseRequestFile } from '../../shared/roundtrip/requestFile';
import { runCli } from '../../electron/cli/main';
import { progressReporter } from '../../electron/cli/progressReporter';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { loadSigningKey, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, type SigningKey } from '../../electron/core/keys/signingKey';
import { trustFileName } from '../../electron/core/keys/trustStore';
import { openStore } from '../../electron/core/store/diskStore';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

let root: string;
let home: string;
let cleanup: () => Promise<void>;
const savedHome = process.env.MODFERRY_HOME;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('cli-output'));
  home = path.join(root, 'home');
  process.env.MODFERRY_HOME = home;
});
after(async () => {
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  else process.env.MODFERRY_HOME = savedHome;
  await cleanup();
});

async function cli(args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const output = captureOutput();
  const code = await runCli(args, output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

function jsonLines(lines: readonly string[]): Array<Record<string, unknown>> {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('progress on a pipe', () => {
  test('a line per stage change and at most one progress line every 10 s, naming the stage that runs', () => {
    let clock = 0;
    const lines: string[] = [];
    const reporter = progressReporter({ json: false, isTty: false, now: () => clock, write: (text) => lines.push(text.replace(/\n$/, '')) });
    try {
      reporter.listener({ stage: 'resolve', message: 'resolving 1 input' });
      for (let second = 1; second <= 45; second++) {
        clock = second * 1000;
        reporter.listener({ stage: 'write', message: 'writing', files: second, totalFiles: 45, bytes: second * 1000, totalBytes: 45_000 });
      }
      clock = 46_000;
      reporter.listener({ stage: 'prove', message: 'waiting for the go command' });
      clock = 47_000;
      reporter.listener({ stage: 'prove', message: 'still waiting' });
    } finally {
      reporter.stop();
    }
    const stages = lines.map((line) => /^\[([^\]]+)\]/.exec(line)?.[1]);
    assert.deepEqual(stages.filter((s) => s === 'resolve').length, 1);
    // At 1 s (stage change), then 11, 21, 31, 41 s.
    assert.equal(stages.filter((s) => s === 'write').length, 5, lines.join('\n'));
    assert.deepEqual(lines.filter((l) => l.startsWith('[prove with go]')), ['[prove with go] waiting for the go command'], 'the go check is named as what runs, once');
  });

  test('--json progress also comes at most once a second per stage, each line naming its stage', () => {
    let clock = 0;
    const lines: string[] = [];
    const reporter = progressReporter({ json: true, isTty: false, now: () => clock, write: (text) => lines.push(text.replace(/\n$/, '')) });
    try {
      for (let tenth = 0; tenth < 30; tenth++) {
        clock = tenth * 100;
        reporter.listener({ stage: 'download', files: tenth, totalFiles: 30 });
      }
    } finally {
      reporter.stop();
    }
    assert.deepEqual(jsonLines(lines).map((l) => [l.type, l.stage, l.files]), [['progress', 'download', 0], ['progress', 'download', 10], ['progress', 'download', 20]]);
  });
});

describe('--json on every command that reports something', () => {
  let key: SigningKey;
  let bundle: WrittenBundle;
  let storeDir: string;

  before(async () => {
    await cli(['keys', 'generate']);
    key = await loadSigningKey(path.join(home, 'keys', PRIVATE_KEY_FILE));
    bundle = await makeBundle(path.join(root, 'bundles'), [{ path: 'example.com/a', version: 'v1.0.0' }], key);
    storeDir = freshDir('store');
  });

  test('errors are one JSON line on stdout with kind and fields; the exit code is unchanged', async () => {
    const missing = path.join(root, 'no-such-bundle');
    const notThere = await cli(['verify', missing, '--json']);
    assert.equal(notThere.code, 1);
    assert.deepEqual(notThere.stderr, []);
    const [error] = jsonLines(notThere.stdout);
    assert.equal(notThere.stdout.length, 1);
    assert.equal(error?.type, 'error');
    assert.equal(typeof error?.kind, 'string');
    assert.match(String(error?.message), /no-such-bundle/);

    const usage = await cli(['request', '--json']);
    assert.equal(usage.code, 2);
    assert.deepEqual(jsonLines(usage.stdout), [{ type: 'error', kind: 'usage', message: '--out FILE is required' }]);

    const untrusted = await cli(['verify', bundle.bundleDir, '--json']);
    assert.equal(untrusted.code, 1);
    const refused = jsonLines(untrusted.stdout)[0]!;
    assert.equal(refused.kind, 'bundle');
    assert.equal(refused.file, 'manifest.sig');
    assert.match(String(refused.message), /not a trusted signer/);
  });

  test('verify, import, keys list, inventory and request report their results as JSON', async () => {
    assert.equal((await cli(['keys', 'trust', path.join(home, 'keys', PUBLIC_KEY_FILE)])).code, 0);
    const listed = jsonLines((await cli(['keys', 'list', '--json'])).stdout);
    assert.deepEqual(listed.map((l) => [l.type, (l.keys as Array<{ fingerprint: string }>).map((k) => k.fingerprint)]), [['result', [key.fingerprint]]]);

    const verified = await cli(['verify', bundle.bundleDir, '--json']);
    assert.equal(verified.code, 0, verified.stdout.join('\n'));
    const verifiedResult = jsonLines(verified.stdout).find((l) => l.type === 'result')!;
    assert.equal(verifiedResult.bundleId, bundle.manifest.bundleId);
    assert.equal(verifiedResult.signer, key.fingerprint);
    assert.equal(verifiedResult.files, bundle.manifest.entries.length);

    const imported = await cli(['import', bundle.bundleDir, '--store', storeDir, '--json']);
    assert.equal(imported.code, 0);
    assert.equal(jsonLines(imported.stdout).find((l) => l.type === 'result')?.bundleId, bundle.manifest.bundleId);

    const inventoryFile = path.join(freshDir('inventory'), 'inventory.json');

    // The folder must exist, as a mounted drive's does.

    mkdirSync(path.dirname(inventoryFile));
    const inventory = await cli(['inventory', '--store', storeDir, '--out', inventoryFile, '--json']);
    assert.deepEqual(jsonLines(inventory.stdout), [{ type: 'result', file: inventoryFile, versions: 1, modules: 1 }]);

    const store = openStore(storeDir, { mode: 'write' });
    store.recordMiss('example.com/b', 'v1.0.0');
    store.close();
    const requestFile = path.join(freshDir('request'), 'request.txt');
    // The folder must exist, as a mounted drive's does.
    mkdirSync(path.dirname(requestFile));
    const request = await cli(['request', '--store', storeDir, '--out', requestFile, '--json']);
    assert.deepEqual(jsonLines(request.stdout), [{ type: 'result', file: requestFile, requests: [{ path: 'example.com/b', version: 'v1.0.0', count: 1 }], dropped: null }]);
  });

  test('status names the data folder, the store and its counts, bundles, keys and the cache', async () => {
    const status = await cli(['status', '--store', storeDir, '--json']);
    assert.equal(status.code, 0);
    const [result] = jsonLines(status.stdout);
    const trustedFile = path.join(home, 'trusted-keys', trustFileName(key.fingerprint));
    const bytes = bundle.manifest.entries.filter((e) => !e.path.endsWith('/list')).reduce((sum, e) => sum + e.size, 0);
    assert.deepEqual(result, {
      type: 'result',
      data: home,
      store: { dir: storeDir, exists: true, modules: 1, versions: 1, bytes, bundles: 1 },
      trustedKeys: [{ fingerprint: key.fingerprint, file: trustedFile }],
      ownKey: { fingerprint: key.fingerprint, privateKeyFile: path.join(home, 'keys', PRIVATE_KEY_FILE), publicKeyFile: path.join(home, 'keys', PUBLIC_KEY_FILE) },
      cache: { dir: path.join(home, 'cache', 'downloads'), files: 0, bytes: 0 },
    });

    const text = await cli(['status', '--store', storeDir]);
    assert.deepEqual(text.stdout, [
      `Data folder:    ${home}`,
      `Store:          ${storeDir}: 1 module, 1 version, ${formatBytes(bytes)}; 1 bundle imported`,
      `Trusted keys:   1 signer`,
      `  ${key.fingerprint}  ${trustedFile}`,
      `Own key:        ${key.fingerprint} (${path.join(home, 'keys', PRIVATE_KEY_FILE)})`,
      `Download cache: ${path.join(home, 'cache', 'downloads')}: 0 files, ${formatBytes(0)}`,
    ]);
  });

  test('status of a machine with no store, no key and no cache says so', async () => {
    const elsewhere = freshDir('empty-home');
    process.env.MODFERRY_HOME = elsewhere;
    try {
      const status = await cli(['status', '--json']);
      assert.equal(status.code, 0);
      assert.deepEqual(jsonLines(status.stdout), [{
        type: 'result',
        data: elsewhere,
        store: { dir: path.join(elsewhere, 'store'), exists: false },
        trustedKeys: [],
        ownKey: null,
        cache: { dir: path.join(elsewhere, 'cache', 'downloads'), files: 0, bytes: 0 },
      }]);
      const text = await cli(['status']);
      assert.deepEqual(text.stdout.slice(1, 3), [
        `Store:          ${path.join(elsewhere, 'store')}: none yet ('modferry import BUNDLE' makes it)`,
        "Trusted keys:   none ('modferry keys trust PUBKEYFILE' adds one)",
      ]);
      assert.equal(text.stdout[3], "Own key:        none ('modferry keys generate' makes one; the first export does too)");
      assert.equal(existsSync(path.join(elsewhere, 'store')), false, 'status creates nothing');
    } finally {
      process.env.MODFERRY_HOME = home;
    }
  });
});

describe('small things a new user hit', () => {
  test('verify on a drive root lists the bundles in it', async () => {
    await cli(['keys', 'generate', '--dir', path.join(root, 'drive-keys')]).catch(() => undefined);
    const key = await loadSigningKey(path.join(root, 'drive-keys', PRIVATE_KEY_FILE));
    const first = await makeBundle(path.join(root, 'drive-a'), [{ path: 'example.com/a', version: 'v1.0.0' }], key);
    const drive = path.dirname(first.bundleDir);
    await mkdir(path.join(drive, 'photos'));
    const result = await cli(['verify', drive]);
    assert.equal(result.code, 2);
    assert.deepEqual(result.stderr, [
      `modferry verify: ${drive} is not a bundle, but holds 1 bundle: verify it by its folder`,
      `  modferry verify ${first.bundleDir}`,
    ]);
    const json = await cli(['verify', drive, '--json']);
    assert.equal(json.code, 2);
    assert.deepEqual(jsonLines(json.stdout), [{ type: 'error', kind: 'usage', message: `${drive} is not a bundle, but holds 1 bundle: verify it by its folder`, file: drive, bundles: [first.bundleDir] }]);
  });

  test('verify on a drive says which of its bundles lack a volume or hold a cut one', async () => {
    await cli(['keys', 'generate', '--dir', path.join(root, 'drive-keys')]).catch(() => undefined);
    const key = await loadSigningKey(path.join(root, 'drive-keys', PRIVATE_KEY_FILE));
    const modules = [{ path: 'example.com/a', version: 'v1.0.0' }, { path: 'example.com/b', version: 'v1.0.0' }, { path: 'example.com/c', version: 'v1.0.0' }];
    const incomplete = await makeBundle(path.join(root, 'drive-c'), modules, key, 2048);
    const cut = await makeBundle(path.join(root, 'drive-c'), modules, key, 2048);
    const drive = path.join(root, 'drive-c');
    const secondVolume = incomplete.manifest.volumes[1];
    assert.ok(secondVolume !== undefined, 'the bundle has several volumes');
    await rm(path.join(incomplete.bundleDir, secondVolume.name));
    const cutVolume = cut.manifest.volumes[0]!;
    await truncate(path.join(cut.bundleDir, cutVolume.name), 100);
    const result = await cli(['verify', drive]);
    assert.equal(result.code, 2);
    assert.deepEqual(result.stderr.slice(1).sort(), [
      `  modferry verify ${incomplete.bundleDir}  (missing ${secondVolume.name})`,
      `  modferry verify ${cut.bundleDir}  (${cutVolume.name}: 100 bytes, the manifest says ${cutVolume.size} (truncated or incompletely copied))`,
    ].sort());
  });

  test('inventory of a fresh store writes an empty inventory; --out - writes it to stdout', async () => {
    const storeDir = freshDir('fresh-store');
    const out = path.join(freshDir('inventory'), 'inventory.json');
    // The folder must exist, as a mounted drive's does.
    mkdirSync(path.dirname(out));
    const written = await cli(['inventory', '--store', storeDir, '--out', out]);
    assert.equal(written.code, 0, written.stderr.join('\n'));
    assert.deepEqual(written.stdout, [`Wrote ${out}: 0 versions of 0 modules (the store holds nothing yet)`]);
    assert.deepEqual(parseInventory(await readFile(out, 'utf8'), out).modules, []);
    assert.equal(existsSync(storeDir), false, 'no store is made to write an empty inventory');

    const piped = await cli(['inventory', '--store', storeDir, '--out', '-']);
    assert.equal(piped.code, 0);
    assert.deepEqual(parseInventory(piped.stdout.join('\n'), 'stdout').modules, []);
    assert.deepEqual(piped.stderr, ['Wrote the inventory to stdout: 0 versions of 0 modules (the store holds nothing yet)']);
  });

  test('request --out - writes the request file to stdout, the summary to stderr; counts of one are singular', async () => {
    const key = await loadSigningKey(path.join(root, 'drive-keys', PRIVATE_KEY_FILE));
    await cli(['keys', 'trust', path.join(root, 'drive-keys', PUBLIC_KEY_FILE)]);
    const bundle = await makeBundle(path.join(root, 'one'), [{ path: 'example.com/one', version: 'v1.0.0' }], key);
    const storeDir = freshDir('store');
    const imported = await cli(['import', bundle.bundleDir, '--store', storeDir]);
    assert.match(imported.stdout.find((l) => l.startsWith('Imported')) ?? '', /: 3 files added/);
    const store = openStore(storeDir, { mode: 'write' });
    store.recordMiss('example.com/b', 'v1.0.0');
    store.close();
    const piped = await cli(['request', '--store', storeDir, '--out', '-']);
    assert.equal(piped.code, 0);
    assert.deepEqual(parseRequestFile(piped.stdout.join('\n'), 'stdout').map((r) => `${r.path}@${r.version}`), ['example.com/b@v1.0.0']);
    assert.deepEqual(piped.stderr, ['Wrote the request file to stdout: 1 module request', '  example.com/b@v1.0.0  (1 request)']);
    const inventoryDir = freshDir('inv');
    mkdirSync(inventoryDir);
    const inventory = await cli(['inventory', '--store', storeDir, '--out', path.join(inventoryDir, 'i.json')]);
    assert.match(inventory.stdout[0] ?? '', /: 1 version of 1 module, 1 without a checksum-database proof \(the next export --since this inventory carries their proofs\)$/);
  });
});
