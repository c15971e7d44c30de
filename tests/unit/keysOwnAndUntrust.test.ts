import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keysCommand } from '../../electron/cli/commands/keysCommand';
import { verifyCommand } from '../../electron/cli/commands/verifyCommand';
import { errorRecord, ModFerryError } from '../../electron/core/errors/modferryError';
import { ownKeyFacts, writePublicKey } from '../../electron/core/keys/ownKeyFacts';
import { generateSigningKey, PUBLIC_KEY_FILE } from '../../electron/core/keys/signingKey';
import { signerPolicy, trustedSignersOnly, trustFileName, trustStore } from '../../electron/core/keys/trustStore';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir, testSigningKey } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

let root: string;
let home: string;
let cleanup: () => Promise<void>;
const savedHome = process.env.MODFERRY_HOME;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('keys-own'));
  home = path.join(root, 'home');
  process.env.MODFERRY_HOME = home;
});
after(async () => {
  if (savedHome === undefined) delete process.env.MODFERRY_HOME;
  else process.env.MODFERRY_HOME = savedHome;
  await cleanup();
});

async function run(args: string[]) {
  const output = captureOutput();
  const code = await keysCommand(args, output);
  return { code, stdout: output.stdout };
}

describe('my signing key', () => {
  test('its fingerprint and creation time, and none before there is one', async () => {
    const dir = path.join(root, 'own-facts');
    assert.equal(await ownKeyFacts(dir), null);
    const before = Date.now();
    const made = await generateSigningKey(dir);
    const facts = await ownKeyFacts(dir);
    assert.ok(facts !== null);
    assert.equal(facts.fingerprint, made.signingKey.fingerprint);
    assert.equal(facts.privateKeyFile, made.privateKeyFile);
    assert.equal(facts.publicKeyFile, made.publicKeyFile);
    const created = Date.parse(facts.createdAt);
    assert.ok(created >= before - 2000 && created <= Date.now() + 1000, facts.createdAt);
  });

  test('the public key goes into a folder (a drive) or to a named file; a different file there is kept', async () => {
    const dir = path.join(root, 'own-write');
    const made = await generateSigningKey(dir);
    const pem = await readFile(made.publicKeyFile, 'utf8');
    const drive = path.join(root, 'drive');
    await mkdir(drive);
    const intoFolder = await writePublicKey(dir, drive);
    assert.equal(intoFolder, path.join(drive, PUBLIC_KEY_FILE));
    assert.equal(await readFile(intoFolder, 'utf8'), pem);
    assert.equal(await writePublicKey(dir, drive), intoFolder, 'writing the same key again is fine');
    const named = path.join(root, 'carry.pem');
    assert.equal(await writePublicKey(dir, named), named);
    assert.equal(await readFile(named, 'utf8'), pem);

    const other = path.join(root, 'other.pem');
    await writeFile(other, 'not mine\n');
    await assert.rejects(writePublicKey(dir, other), (error: unknown) => {
      assert.ok(error instanceof ModFerryError);
      assert.equal(error.kind, 'keys');
      assert.equal(error.fields.file, other);
      return true;
    });
    assert.equal(await readFile(other, 'utf8'), 'not mine\n');

    // A drive unplugged since it was listed: its mount point is gone, and no file of that name is made beside it.
    const gone = path.join(root, 'KINGSTON');
    await assert.rejects(writePublicKey(dir, gone), (error: unknown) => {
      assert.deepEqual(errorRecord(error), {
        type: 'error',
        kind: 'destination',
        message: `cannot write ${gone}: no such folder (is the drive mounted?); to write a file, give a name ending in .pem`,
        file: gone,
      });
      return true;
    });
    assert.equal(existsSync(gone), false);

    // A drive that is gone: the file asked for is named, not the temporary one beside it.
    const unplugged = path.join(root, 'unplugged', 'carry.pem');
    await assert.rejects(writePublicKey(dir, unplugged), (error: unknown) => {
      assert.deepEqual(errorRecord(error), {
        type: 'error',
        kind: 'destination',
        message: `cannot write ${unplugged}: no such folder ${path.dirname(unplugged)} (is the drive mounted?)`,
        file: unplugged,
      });
      return true;
    });
    assert.deepEqual((await readdir(drive)).sort(), [PUBLIC_KEY_FILE]);
  });
});

describe('keys untrust', () => {
  test('stops trusting a signer: its bundles are refused afterwards; an unknown or malformed fingerprint is refused clearly', async () => {
    const signer = testSigningKey();
    const bundle = await makeBundle(path.join(root, 'work'), [{ path: 'example.com/a', version: 'v1.0.0' }], signer);
    const dir = path.join(home, 'trusted-keys');
    await trustStore(dir).trustKey(signer.publicKey);
    assert.equal(await verifyCommand([bundle.bundleDir], captureOutput()), 0);

    const stranger = testSigningKey().fingerprint;
    await assert.rejects(run(['untrust', stranger]), (error: unknown) => {
      assert.ok(error instanceof ModFerryError);
      assert.equal(error.kind, 'not-found');
      assert.equal(error.message, `${stranger} is not a trusted signer here (${dir}); 'modferry keys list' shows those that are`);
      return true;
    });
    await assert.rejects(run(['untrust', 'SHA256:short']), { name: 'ModFerryError', message: /"SHA256:short" is not a key fingerprint/ });
    await assert.rejects(run(['untrust']), { name: 'UsageError' });

    const removed = await run(['untrust', signer.fingerprint]);
    assert.equal(removed.code, 0);
    assert.deepEqual(removed.stdout, [`No longer trusted: ${signer.fingerprint} (removed ${path.join(dir, trustFileName(signer.fingerprint))}); its bundles are refused from now on`]);
    assert.deepEqual(await readdir(dir), []);
    await assert.rejects(verifyCommand([bundle.bundleDir], captureOutput()), /which is not a trusted signer/);
  });

  test('keys trust and keys untrust take --json, as every command that reports something does', async () => {
    const signer = testSigningKey();
    const pem = path.join(root, 'json-signer.pub.pem');
    await writeFile(pem, signer.publicKey.export({ type: 'spki', format: 'pem' }));
    const file = path.join(home, 'trusted-keys', trustFileName(signer.fingerprint));
    const trusted = await run(['trust', pem, '--json']);
    assert.equal(trusted.code, 0);
    assert.deepEqual(trusted.stdout.map((line) => JSON.parse(line) as unknown), [{ type: 'result', fingerprint: signer.fingerprint, file }]);
    const removed = await run(['untrust', signer.fingerprint, '--json']);
    assert.equal(removed.code, 0);
    assert.deepEqual(removed.stdout.map((line) => JSON.parse(line) as unknown), [{ type: 'result', fingerprint: signer.fingerprint, file }]);
  });

  test('a trust file renamed to another fingerprint is not deleted under that name', async () => {
    const dir = path.join(root, 'renamed-trust');
    const store = trustStore(dir);
    const a = testSigningKey();
    const b = testSigningKey();
    const trusted = await store.trustKey(a.publicKey);
    const posing = path.join(dir, trustFileName(b.fingerprint));
    await rename(trusted.file, posing);
    await assert.rejects(store.untrust(b.fingerprint), { name: 'ModFerryError', message: new RegExp(`holds the key ${a.fingerprint.replace(/[+]/g, '\\+')}, not ${b.fingerprint}`) });
    assert.deepEqual(await readdir(dir), [trustFileName(b.fingerprint)]);
  });
});

test('trust policies: verify and import accept a new signer only when told to; a repair never does', async () => {
  const store = trustStore(path.join(root, 'policies'));
  const known = testSigningKey();
  const stranger = testSigningKey();
  await store.trustKey(known.publicKey);
  const strict = signerPolicy(store, { acceptNewSigner: false });
  const accepting = signerPolicy(store, { acceptNewSigner: true });
  const repair = trustedSignersOnly(store);
  assert.deepEqual(
    await Promise.all([strict, accepting, repair].flatMap((policy) => [policy(known), policy(stranger), policy({ fingerprint: 'not a fingerprint' })])),
    [true, false, false, true, 'trust-new', 'trust-new', true, false, false],
  );
});

test('key errors keep their kind and the file at fault as fields', async () => {
  const dir = path.join(root, 'key-errors');
  const made = await generateSigningKey(dir);
  for (const attempt of [trustStore(path.join(root, 'trusted-from-private')).trust(made.privateKeyFile), generateSigningKey(dir)]) {
    await assert.rejects(attempt, (error: unknown) => {
      const record = errorRecord(error);
      assert.equal(record.kind, 'keys');
      assert.equal(record.file, made.privateKeyFile);
      assert.ok(record.message.startsWith(`${made.privateKeyFile}: `), record.message);
      return true;
    });
  }
});
