import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { keysCommand } from '../../electron/cli/commands/keysCommand';
import { verifyCommand } from '../../electron/cli/commands/verifyCommand';
import { importCommand } from '../../electron/cli/commands/importCommand';
import { verifyBundle } from '../../electron/core/bundle/verifyBundle';
import { SIGNER_PUBLIC_KEY_FILE } from '../../electron/core/bundle/writeBundle';
import { publicKeyFingerprint } from '../../electron/core/keys/publicKey';
import { loadSigningKey, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from '../../electron/core/keys/signingKey';
import { captureOutput } from '../support/captureOutput';
import { makeTempDir, testSigningKey } from '../support/bundleSources';
import { makeBundle } from '../support/storeFixtures';

let root: string;
let home: string;
let cleanup: () => Promise<void>;
const savedHome = process.env.MODFERRY_HOME;

before(async () => {
  ({ dir: root, cleanup } = await makeTempDir('keys-cli'));
  home = path.join(root, 'home');
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

describe('keys an operator can find', () => {
  test('keys show names the own key, its fingerprint and files, also as JSON; before there is one it says how to make one', async () => {
    const keyDir = path.join(home, 'keys');
    await assert.rejects(run(keysCommand, ['show']), {
      name: 'NoSigningKeyError',
      message: `no signing key yet in ${keyDir}: 'modferry keys generate' makes one (the first export does too)`,
    });
    await run(keysCommand, ['generate']);
    const key = await loadSigningKey(path.join(keyDir, PRIVATE_KEY_FILE));
    const shown = await run(keysCommand, ['show']);
    assert.equal(shown.code, 0);
    assert.deepEqual(shown.stdout, [
      `Fingerprint: ${key.fingerprint}`,
      `Private key: ${path.join(keyDir, PRIVATE_KEY_FILE)} (keep it on this machine)`,
      `Public key:  ${path.join(keyDir, PUBLIC_KEY_FILE)} (carry it to the offline machine: 'modferry keys trust FILE')`,
    ]);
    const json = await run(keysCommand, ['show', '--json']);
    assert.deepEqual(json.stdout.map((line) => JSON.parse(line) as unknown), [
      { type: 'result', fingerprint: key.fingerprint, privateKeyFile: path.join(keyDir, PRIVATE_KEY_FILE), publicKeyFile: path.join(keyDir, PUBLIC_KEY_FILE) },
    ]);
  });

  test('each bundle carries its signer\'s public key, which earns it no trust; the refusal names both ways forward', async () => {
    const stranger = testSigningKey();
    const bundle = await makeBundle(path.join(root, 'work'), [{ path: 'example.com/a', version: 'v1.0.0' }], stranger);
    const beside = await readFile(path.join(bundle.bundleDir, SIGNER_PUBLIC_KEY_FILE), 'utf8');
    assert.equal(publicKeyFingerprint(createPublicKey(beside)), stranger.fingerprint);

    await assert.rejects(verifyBundle(bundle.bundleDir, { trust: () => false }), /which is not a trusted signer/);
    const verified = await verifyBundle(bundle.bundleDir, { trust: (signer) => signer.fingerprint === stranger.fingerprint });
    assert.equal(verified.signer.fingerprint, stranger.fingerprint, 'the extra file does not disturb verification');

    const ways = `check this fingerprint with whoever made the bundle, then trust their key with 'modferry keys trust FILE' (the bundle carries a copy as ${SIGNER_PUBLIC_KEY_FILE}) or pass --trust-new-key`;
    await assert.rejects(run(verifyCommand, [bundle.bundleDir]), { message: `bundle refused: manifest.sig: signed by ${stranger.fingerprint}, which is not a trusted signer; ${ways}` });
    await assert.rejects(run(importCommand, [bundle.bundleDir, '--store', path.join(root, 'store')]), { message: new RegExp(`which is not a trusted signer; ${ways.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  });
});
