import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../shared/bundle/formatBytes';
import { parseInventory } from '../../shared/roundtrip/inventory';
import { parseRequestFile } from '../../shared/roundtrip/requestFile';
import type { WrittenBundle } from '../../electron/core/bundle/writeBundle';
import { loadSigningKey, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, type SigningKey } from '../../electron/core/keys/signingKey';
import { openStore } from '../../electron/core/store/diskStore';
import { importCommand } from '../../electron/cli/commands/importCommand';
import { inventoryCommand } from '../../electron/cli/commands/inventoryCommand';
import { keysCommand } from '../../electron/cli/commands/keysCommand';
import { requestCommand } from '../../electron/cli/commands/requestCommand';
import { verifyCommand } from '../../electron/cli/commands/verifyCommand';
import { UsageError } from '../../electron/cli/usageError';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

let root: string;
let home: string;
let cleanup: () => Promise<void>;
let savedHome: string | undefined;
let key: SigningKey;
let keyDir: string;
let bundle: WrittenBundle;
let counter = 0;
const freshDir = (name: string): string => path.join(root, `${name}-${++counter}`);

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('store-cli'));
  home = path.join(root, 'home');
  savedHome = process.env.MODFERRY_HOME;
  process.env.MODFERRY_HOME = home;
});
after(async () => {
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  else process.env.MODFERRY_HOME = savedHome;
  await cleanup();
});

async function run(command: (args: string[], output: ReturnType<typeof captureOutput>) => Promise<number>, args: string[]) {
  const output = captureOutput();
  const code = await command(args, output);
  return { code, stdout: output.stdout, stderr: output.stderr };
}

describe('modferry keys, verify, import, request and inventory', () => {
  test('keys generate creates a signing key and prints its fingerprint and public key file', async () => {
    keyDir = path.join(root, 'online-keys');
    const { code, stdout } = await run(keysCommand, ['generate', '--dir', keyDir]);
    assert.equal(code, 0);
    key = await loadSigningKey(path.join(keyDir, PRIVATE_KEY_FILE));
    assert.deepEqual(stdout, [
      `Created a signing key: ${path.join(keyDir, PRIVATE_KEY_FILE)} (keep it on this machine)`,
      `Fingerprint: ${key.fingerprint}`,
      `Public key: ${path.join(keyDir, PUBLIC_KEY_FILE)}`,
      "Carry the public key to the offline machine and run 'modferry keys trust' on it; compare the fingerprint it prints with this one.",
    ]);
    await assert.rejects(run(keysCommand, ['generate', '--dir', keyDir]), /a signing key already exists; ModFerry will not replace it/);
    bundle = await makeBundle(path.join(root, 'bundles'), [
      { path: 'example.com/a', version: 'v1.0.0' },
      { path: 'github.com/BurntSushi/toml', version: 'v1.2.0' },
    ], key);
  });

  test('keys generate without --dir uses the data folder', async () => {
    const { stdout } = await run(keysCommand, ['generate']);
    assert.ok(existsSync(path.join(home, 'keys', PRIVATE_KEY_FILE)));
    assert.equal(stdout[2], `Public key: ${path.join(home, 'keys', PUBLIC_KEY_FILE)}`);
  });

  test('keys: a missing or unknown subcommand is a usage error', async () => {
    await assert.rejects(run(keysCommand, []), UsageError);
    await assert.rejects(run(keysCommand, ['forget']), { name: 'UsageError', message: 'keys: unknown subcommand "forget" (expected generate, show, trust, untrust or list)' });
    await assert.rejects(run(keysCommand, ['trust']), UsageError);
  });

  test('verify refuses a bundle from a signer this machine does not trust, and checks it with --trust-new-key without trusting it', async () => {
    assert.deepEqual((await run(keysCommand, ['list'])).stdout, [`No trusted signers yet (${path.join(home, 'trusted-keys')}); add one with 'modferry keys trust PUBKEYFILE'`]);
    await assert.rejects(run(verifyCommand, [bundle.bundleDir]), {
      message: new RegExp(`^bundle refused: manifest\\.sig: signed by ${key.fingerprint}, which is not a trusted signer`),
    });
    const { code, stdout } = await run(verifyCommand, [bundle.bundleDir, '--trust-new-key']);
    assert.equal(code, 0);
    assert.match(stdout[0] ?? '', new RegExp(`^Verified ${bundle.manifest.bundleId}: 8 files in \\d+ volumes \\(.*\\), made ${bundle.manifest.createdAt}$`));
    assert.equal(stdout[1], `Signed by ${key.fingerprint}, which this machine does not trust yet: check the fingerprint with the bundle's maker`);
    assert.equal((await run(keysCommand, ['list'])).stdout[0]?.startsWith('No trusted signers yet'), true);
  });

  test('keys trust refuses a private key, trusts the public key, and keys list shows it', async () => {
    await assert.rejects(run(keysCommand, ['trust', path.join(keyDir, PRIVATE_KEY_FILE)]), /this is a private key/);
    const trusted = await run(keysCommand, ['trust', path.join(keyDir, PUBLIC_KEY_FILE)]);
    const stored = path.join(home, 'trusted-keys', `${key.fingerprint.replace(':', '-')}.pem`);
    assert.deepEqual(trusted.stdout, [`Trusted ${key.fingerprint} (stored as ${stored})`]);
    assert.deepEqual((await run(keysCommand, ['list'])).stdout, [`${key.fingerprint}  ${stored}`]);
    assert.equal((await run(verifyCommand, [bundle.bundleDir])).stdout[1], `Signed by ${key.fingerprint} (trusted)`);
  });

  test('verify names the volume and the file that failed', async () => {
    const copy = path.join(freshDir('copy'), bundle.manifest.bundleId);
    await cp(bundle.bundleDir, copy, { recursive: true });
    // The first file of the first volume: its data starts right after its header block.
    const entry = bundle.manifest.entries.find((e) => e.volume === 1);
    assert.ok(entry);
    const volume = bundle.manifest.volumes[0]!.name;
    const bytes = await readFile(path.join(copy, volume));
    bytes[512 + 2] = (bytes[512 + 2] ?? 0) ^ 0x20;
    await writeFile(path.join(copy, volume), bytes);
    await assert.rejects(run(verifyCommand, [copy]), {
      message: new RegExp(`^bundle refused: volume ${volume}, file ${entry.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: sha256 mismatch \\(manifest `),
    });
    await assert.rejects(run(verifyCommand, []), { name: 'UsageError', message: 'verify needs the BUNDLE folder (the one holding manifest.json)' });
  });

  test('import --json streams progress and ends with the result; a second import is a no-op', async () => {
    const storeDir = freshDir('store');
    const { code, stdout } = await run(importCommand, [bundle.bundleDir, '--store', storeDir, '--json']);
    assert.equal(code, 0);
    const lines = stdout.map((line) => JSON.parse(line) as { type: string; stage?: string });
    assert.deepEqual(lines[0], { type: 'repair', completed: [], undone: [], stagingRemoved: [], missingForgotten: [], quarantined: { files: [] } });
    assert.ok(lines.slice(1, -1).every((line) => line.type === 'progress'));
    assert.ok(lines.some((line) => line.stage === 'verify') && lines.some((line) => line.stage === 'commit'));
    assert.deepEqual(lines.at(-1), {
      type: 'result',
      store: storeDir,
      bundleId: bundle.manifest.bundleId,
      signer: key.fingerprint,
      signerNewlyTrusted: false,
      alreadyImported: false,
      added: 6,
      addedBytes: bundle.manifest.entries.filter((e) => !e.path.endsWith('/list')).reduce((sum, e) => sum + e.size, 0),
      alreadyPresent: 0,
      restored: [],
      unmet: [],
      proofs: { added: 0, heads: [] },
    });
    const again = await run(importCommand, [bundle.bundleDir, '--store', storeDir]);
    assert.deepEqual(again.stdout, [`${bundle.manifest.bundleId} is already imported into ${storeDir}: nothing to do`]);
  });

  test('import into the default store, accepting a new signer with --trust-new-key', async () => {
    const other = await loadSigningKey(path.join(home, 'keys', PRIVATE_KEY_FILE));
    const otherBundle = await makeBundle(freshDir('bundles'), [{ path: 'example.com/b', version: 'v0.1.0' }], other);
    await assert.rejects(run(importCommand, [otherBundle.bundleDir]), { message: new RegExp(`^bundle refused: manifest\\.sig: signed by ${other.fingerprint}`) });
    const { stdout } = await run(importCommand, [otherBundle.bundleDir, '--trust-new-key']);
    assert.deepEqual(stdout, [
      `Trusted the new signer ${other.fingerprint} from now on`,
      `Imported ${otherBundle.manifest.bundleId} into ${path.join(home, 'store')}: 3 files added (${formatBytes(otherBundle.manifest.entries.filter((e) => !e.path.endsWith('/list')).reduce((s, e) => s + e.size, 0))})`,
      `Signed by ${other.fingerprint}`,
    ]);
    assert.equal((await run(keysCommand, ['list'])).stdout.length, 2);
  });

  test('request writes the misses the store still cannot answer, and they parse back', async () => {
    const storeDir = freshDir('store');
    await run(importCommand, [bundle.bundleDir, '--store', storeDir]);
    const store = openStore(storeDir, { mode: 'write' });
    const at = (day: number): Date => new Date(`2026-03-0${day}T10:00:00Z`);
    store.recordMiss('example.com/a', 'v1.0.0', at(1)); // held now: left out
    store.recordMiss('example.com/a', 'latest', at(1)); // the store holds a version: left out
    store.recordMiss('example.com/a', 'v1.3.0', at(2));
    store.recordMiss('example.com/a', 'v1.3.0', at(4));
    store.recordMiss('golang.org/x/text', 'list', at(2));
    store.recordMiss('golang.org/x/text', 'latest', at(3));
    store.recordMiss('github.com/BurntSushi/toml', 'v1.5.0-pre', at(5)); // not canonical-looking, but it is: kept as is
    store.recordMiss('example.com/c', 'master', at(6)); // a branch: counted as the module's latest
    store.close();

    const out = path.join(freshDir('request'), 'request.txt');

    // The folder must exist, as a mounted drive's does.

    mkdirSync(path.dirname(out));
    const { code, stdout, stderr } = await run(requestCommand, ['--store', storeDir, '--out', out]);
    assert.equal(code, 0);
    assert.deepEqual(stderr, []);
    assert.equal(stdout[0], `Wrote ${out}: 4 module requests`);
    const text = await readFile(out, 'utf8');
    assert.deepEqual(parseRequestFile(text, out).map((r) => `${r.path}@${r.version}`), [
      'example.com/a@v1.3.0',
      'example.com/c@latest',
      'github.com/BurntSushi/toml@v1.5.0-pre',
      'golang.org/x/text@latest',
    ]);
    assert.match(text, /^example\.com\/a@v1\.3\.0 {2}# 2 requests, first 2026-03-02T10:00:00\.000Z, last 2026-03-04T10:00:00\.000Z$/m);
    assert.match(text, /^golang\.org\/x\/text@latest {2}# 2 requests, first 2026-03-02T10:00:00\.000Z, last 2026-03-03T10:00:00\.000Z$/m);
  });

  test('request writes nothing when there is nothing to ask for; it needs --out and an existing store', async () => {
    const storeDir = freshDir('store');
    await run(importCommand, [bundle.bundleDir, '--store', storeDir]);
    const store = openStore(storeDir, { mode: 'write' });
    store.recordMiss('example.com/a', 'v1.0.0');
    store.close();
    const out = path.join(freshDir('request'), 'request.txt');
    // The folder must exist, as a mounted drive's does.
    mkdirSync(path.dirname(out));
    const { stdout } = await run(requestCommand, ['--store', storeDir, '--out', out]);
    assert.match(stdout[0] ?? '', /^Nothing to request/);
    assert.equal(existsSync(out), false);
    await assert.rejects(run(requestCommand, ['--store', storeDir]), { name: 'UsageError', message: '--out FILE is required' });
    const missing = freshDir('no-store');
    await assert.rejects(run(requestCommand, ['--store', missing, '--out', out]), /no store there/);
    assert.equal(existsSync(missing), false);
  });

  test('inventory lists every held version and parses back', async () => {
    const storeDir = freshDir('store');
    await run(importCommand, [bundle.bundleDir, '--store', storeDir]);
    const out = path.join(freshDir('inventory'), 'inventory.json');
    // The folder must exist, as a mounted drive's does.
    mkdirSync(path.dirname(out));
    const { code, stdout } = await run(inventoryCommand, ['--store', storeDir, '--out', out]);
    assert.equal(code, 0);
    // The bundle carried no proofs: each version is marked, so the next export --since it fills them.
    assert.deepEqual(stdout, [`Wrote ${out}: 2 versions of 2 modules, 2 without a checksum-database proof (the next export --since this inventory carries their proofs)`]);
    const inventory = parseInventory(await readFile(out, 'utf8'), out);
    assert.deepEqual(inventory.modules.map(({ noProof: _noProof, ...m }) => m), [
      { path: 'example.com/a', version: 'v1.0.0', files: ['info', 'mod', 'zip'] },
      { path: 'github.com/BurntSushi/toml', version: 'v1.2.0', files: ['info', 'mod', 'zip'] },
    ]);
    for (const m of inventory.modules) assert.match(`${m.noProof?.mod} ${m.noProof?.zip}`, /^h1:\S{44} h1:\S{44}$/, `${m.path}@${m.version}`);
    assert.match(inventory.tool, /^modferry \d+\.\d+\.\d+/);
    assert.ok(!Number.isNaN(Date.parse(inventory.createdAt)));
    await assert.rejects(run(inventoryCommand, ['--store', storeDir]), UsageError);
  });

  test('import prints what the repair before it did: files quarantined and where, entries forgotten', async () => {
    const storeDir = freshDir('store');
    await run(importCommand, [bundle.bundleDir, '--store', storeDir]);
    await writeFile(path.join(storeDir, 'tree', 'example.com', 'a', '@v', 'v9.0.0.info'), '{"Version":"v9.0.0"}');
    await writeFile(path.join(storeDir, 'staging', 'notes.txt'), 'mine');
    await rm(path.join(storeDir, 'tree', 'github.com', '!burnt!sushi', 'toml', '@v', 'v1.2.0.zip'));
    const { stdout } = await run(importCommand, [bundle.bundleDir, '--store', storeDir]);
    const quarantine = (await readdir(path.join(storeDir, 'quarantine'))).map((name) => path.join(storeDir, 'quarantine', name));
    assert.equal(quarantine.length, 1);
    assert.deepEqual(stdout, [
      'Repaired the store: forgot 1 catalog entry whose file is gone from tree/:',
      '  github.com/!burnt!sushi/toml/@v/v1.2.0.zip',
      `Repaired the store: moved 2 files out of the store into ${quarantine[0]} (nothing was deleted; QUARANTINE.txt there says why):`,
      '  staging/notes.txt: in staging/ but not left there by a ModFerry import',
      '  tree/example.com/a/@v/v9.0.0.info: not in the catalog: no imported bundle brought it',
      `Imported ${bundle.manifest.bundleId} into ${storeDir}: 1 file added (${formatBytes(bundle.manifest.entries.find((e) => e.path.endsWith('v1.2.0.zip'))!.size)}); 5 the store already held`,
      `Signed by ${key.fingerprint}`,
    ]);
  });
});
