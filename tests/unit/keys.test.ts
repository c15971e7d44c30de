import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmod, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  checkManifestSignature,
  parseManifestSignature,
  serializeManifestSignature,
  SignatureError,
  signManifest,
  verifyManifestSignature,
} from '../../electron/core/keys/manifestSignature';
import { isFingerprint, publicKeyFingerprint, publicKeyFromRaw, rawPublicKey } from '../../electron/core/keys/publicKey';
import { generateSigningKey, loadSigningKey, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from '../../electron/core/keys/signingKey';
import { signerPolicy, trustFileName, trustStore } from '../../electron/core/keys/trustStore';
import { makeTempDir, testSigningKey } from '../support/bundleSources';

let dir: string;
let cleanup: () => Promise<void>;
let counter = 0;
const fresh = (name: string): string => path.join(dir, `${name}-${++counter}`);

before(async () => ({ dir, cleanup } = await makeTempDir('keys')));
after(() => cleanup());

describe('signing keys', () => {
  test('generateSigningKey writes a private key only its owner can read, and the public key beside it', async () => {
    const keyDir = fresh('gen');
    const generated = await generateSigningKey(keyDir);
    assert.equal(generated.privateKeyFile, path.join(keyDir, PRIVATE_KEY_FILE));
    assert.equal(generated.publicKeyFile, path.join(keyDir, PUBLIC_KEY_FILE));
    if (process.platform !== 'win32') assert.equal((await stat(generated.privateKeyFile)).mode & 0o777, 0o600);
    assert.match(await readFile(generated.privateKeyFile, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
    const publicPem = await readFile(generated.publicKeyFile, 'utf8');
    assert.match(publicPem, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.equal(publicKeyFingerprint(createPublicKey(publicPem)), generated.signingKey.fingerprint);
    assert.deepEqual((await readdir(keyDir)).sort(), [PRIVATE_KEY_FILE, PUBLIC_KEY_FILE].sort(), 'no temp files left');

    const loaded = await loadSigningKey(generated.privateKeyFile);
    assert.equal(loaded.fingerprint, generated.signingKey.fingerprint);
    assert.equal(loaded.privateKey.asymmetricKeyType, 'ed25519');
  });

  test('generateSigningKey never replaces an existing key', async () => {
    const keyDir = fresh('twice');
    const first = await generateSigningKey(keyDir);
    const before = await readFile(first.privateKeyFile, 'utf8');
    await assert.rejects(generateSigningKey(keyDir), /a signing key already exists; ModFerry will not replace it/);
    assert.equal(await readFile(first.privateKeyFile, 'utf8'), before);
    assert.equal((await readdir(keyDir)).length, 2, 'no temp files left');
  });

  test('loadSigningKey names the file for a missing, unreadable-by-others, non-key or non-Ed25519 file', async () => {
    const keyDir = fresh('load');
    const { privateKeyFile } = await generateSigningKey(keyDir);
    await assert.rejects(loadSigningKey(path.join(keyDir, 'nope.pem')), /nope.pem: no signing key there/);
    if (process.platform !== 'win32') {
      await chmod(privateKeyFile, 0o644);
      await assert.rejects(loadSigningKey(privateKeyFile), /readable by other users \(mode 0644\); run chmod 600/);
    }
    const garbage = path.join(keyDir, 'garbage.pem');
    await writeFile(garbage, 'not a key', { mode: 0o600 });
    await assert.rejects(loadSigningKey(garbage), /garbage.pem: not a PEM private key/);
    const rsa = path.join(keyDir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await writeFile(rsa, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await assert.rejects(loadSigningKey(rsa), /rsa.pem: the signing key is a rsa key; ModFerry signs and verifies with Ed25519 keys only/);
  });
});

describe('fingerprints', () => {
  test('are SHA256: and 43 base64url characters, the same from the public key, private key or raw bytes', () => {
    const key = testSigningKey();
    const fingerprint = publicKeyFingerprint(key.publicKey);
    assert.match(fingerprint, /^SHA256:[A-Za-z0-9_-]{43}$/);
    assert.equal(isFingerprint(fingerprint), true);
    assert.equal(publicKeyFingerprint(key.privateKey), fingerprint);
    const raw = rawPublicKey(key.publicKey);
    assert.equal(raw.length, 32);
    assert.equal(publicKeyFingerprint(raw), fingerprint);
    assert.equal(publicKeyFingerprint(publicKeyFromRaw(raw)), fingerprint);
  });

  test('are stable: a known key has a known fingerprint', () => {
    // RFC 8032 test vector 1's public key.
    const raw = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
    assert.equal(publicKeyFingerprint(raw), `SHA256:${Buffer.from('21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9', 'hex').toString('base64url')}`);
  });

  test('differ between keys', () => {
    assert.notEqual(testSigningKey().fingerprint, testSigningKey().fingerprint);
  });

  test('rawPublicKey refuses other key types', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(() => rawPublicKey(publicKey), /is a ec key; ModFerry signs and verifies with Ed25519 keys only/);
    assert.throws(() => publicKeyFromRaw(Buffer.alloc(31)), /32 bytes, got 31/);
  });
});

describe('manifest signatures', () => {
  const manifestBytes = Buffer.from('{"format":"modferry-bundle"}\n');

  test('sign, serialize, parse and verify round trip', () => {
    const key = testSigningKey();
    const signature = parseManifestSignature(serializeManifestSignature(signManifest(manifestBytes, key)), 'manifest.sig');
    assert.equal(signature.algorithm, 'ed25519');
    assert.equal(signature.fingerprint, key.fingerprint);
    assert.equal(Buffer.from(signature.publicKey, 'base64').length, 32);
    assert.deepEqual(verifyManifestSignature(manifestBytes, signature, [testSigningKey().publicKey, key.publicKey]), { fingerprint: key.fingerprint });
    const checked = checkManifestSignature(manifestBytes, signature);
    assert.equal(checked.fingerprint, key.fingerprint);
    assert.equal(publicKeyFingerprint(checked.publicKey), key.fingerprint);
  });

  test('a changed byte in the manifest fails', () => {
    const key = testSigningKey();
    const signature = signManifest(manifestBytes, key);
    const changed = Buffer.from(manifestBytes);
    changed[3] = (changed[3] ?? 0) ^ 1;
    assert.throws(() => verifyManifestSignature(changed, signature, [key.publicKey]), (error: unknown) =>
      error instanceof SignatureError && /does not match manifest.json: the manifest was changed after it was signed/.test(error.message));
  });

  test('a signature by a key not trusted fails, even when valid', () => {
    const key = testSigningKey();
    assert.throws(() => verifyManifestSignature(manifestBytes, signManifest(manifestBytes, key), [testSigningKey().publicKey]),
      new RegExp(`signed by ${key.fingerprint}, which is not a trusted key`));
    assert.throws(() => verifyManifestSignature(manifestBytes, signManifest(manifestBytes, key), []), /not a trusted key/);
  });

  test('a signature made by another key than the one it names fails', () => {
    const named = testSigningKey();
    const signer = testSigningKey();
    const forged = { ...signManifest(manifestBytes, named), signature: signManifest(manifestBytes, signer).signature };
    assert.throws(() => verifyManifestSignature(manifestBytes, forged, [named.publicKey, signer.publicKey]), /does not match manifest.json/);
  });

  test('a fingerprint that is not the enclosed key\'s fails before anything else', () => {
    const key = testSigningKey();
    const trusted = testSigningKey();
    const lying = { ...signManifest(manifestBytes, key), fingerprint: trusted.fingerprint };
    assert.throws(() => verifyManifestSignature(manifestBytes, lying, [trusted.publicKey]),
      new RegExp(`the fingerprint ${trusted.fingerprint} is not that of the public key it comes with`));
  });

  const signature = signManifest(manifestBytes, testSigningKey());
  const malformed: Array<[string, string, RegExp]> = [
    ['not JSON', '{', /^SignatureError: manifest.sig: not valid JSON/],
    ['an array', '[]', /^SignatureError: manifest.sig: expected a JSON object/],
    ['another algorithm', JSON.stringify({ ...signature, algorithm: 'rsa' }), /^SignatureError: manifest.sig: algorithm: expected "ed25519", got "rsa"/],
    ['an unknown field', JSON.stringify({ ...signature, comment: 'x' }), /^SignatureError: manifest.sig: comment: unknown field/],
    ['a missing signature', JSON.stringify({ ...signature, signature: undefined }), /^SignatureError: manifest.sig: signature: expected a string/],
    ['a short public key', JSON.stringify({ ...signature, publicKey: Buffer.alloc(31).toString('base64') }), /^SignatureError: manifest.sig: publicKey: expected the base64 of a 32-byte/],
    ['a PEM public key', JSON.stringify({ ...signature, publicKey: '-----BEGIN PUBLIC KEY-----' }), /^SignatureError: manifest.sig: publicKey:/],
    ['a truncated signature', JSON.stringify({ ...signature, signature: signature.signature.slice(0, 40) }), /^SignatureError: manifest.sig: signature: expected the base64 of a 64-byte/],
    ['a malformed fingerprint', JSON.stringify({ ...signature, fingerprint: 'MD5:abc' }), /^SignatureError: manifest.sig: fingerprint: expected SHA256:/],
  ];
  for (const [name, text, message] of malformed) {
    test(`parseManifestSignature rejects ${name}`, () => assert.throws(() => parseManifestSignature(text, 'manifest.sig'), message));
  }
});

describe('trust store', () => {
  test('trusts a public key file, lists it and answers isTrusted', async () => {
    const store = trustStore(fresh('store'));
    assert.deepEqual(await store.list(), [], 'a store that does not exist yet is empty');
    const { publicKeyFile, signingKey } = await generateSigningKey(fresh('signer'));
    const trusted = await store.trust(publicKeyFile);
    assert.equal(trusted.fingerprint, signingKey.fingerprint);
    assert.equal(path.basename(trusted.file), trustFileName(signingKey.fingerprint));
    assert.match(path.basename(trusted.file), /^SHA256-[A-Za-z0-9_-]{43}\.pem$/);
    assert.equal(await store.isTrusted(signingKey.fingerprint), true);
    assert.equal(await store.isTrusted(testSigningKey().fingerprint), false);
    assert.equal(await store.isTrusted('not a fingerprint'), false);
    assert.deepEqual((await store.list()).map((k) => k.fingerprint), [signingKey.fingerprint]);

    const again = await store.trust(publicKeyFile);
    assert.equal(again.file, trusted.file, 'trusting twice is harmless');
    assert.equal((await readdir(store.dir)).length, 1, 'one file per key, no temp files');
  });

  test('trustKey trusts a key in hand; a private key is refused', async () => {
    const store = trustStore(fresh('store'));
    const key = testSigningKey();
    await store.trustKey(key.publicKey);
    assert.equal(await store.isTrusted(key.fingerprint), true);
    await assert.rejects(store.trustKey(key.privateKey), /only a public key can be trusted/);
  });

  test('refuses a private key file, a non-key and a non-Ed25519 key', async () => {
    const store = trustStore(fresh('store'));
    const { privateKeyFile } = await generateSigningKey(fresh('signer'));
    await assert.rejects(store.trust(privateKeyFile), /this is a private key; trust its public key \(modferry-signing-key.pub.pem\)/);
    const junk = `${fresh('junk')}.pem`;
    await writeFile(junk, 'hello');
    await assert.rejects(store.trust(junk), /junk-\d+\.pem: not a PEM public key/);
    const ec = `${fresh('ec')}.pem`;
    await writeFile(ec, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }));
    await assert.rejects(store.trust(ec), /the key is a ec key/);
    await assert.rejects(store.trust(`${fresh('missing')}.pem`), /cannot read the public key \(ENOENT\)/);
    assert.deepEqual(await store.list(), []);
  });

  test('a key file renamed to another fingerprint trusts nothing, and list names it', async () => {
    const store = trustStore(fresh('store'));
    const real = testSigningKey();
    const claimed = testSigningKey();
    const { file } = await store.trustKey(real.publicKey);
    await rename(file, path.join(store.dir, trustFileName(claimed.fingerprint)));
    assert.equal(await store.isTrusted(claimed.fingerprint), false);
    assert.equal(await store.isTrusted(real.fingerprint), false);
    await assert.rejects(store.list(), new RegExp(`holds the key ${real.fingerprint}, not the one its name says`));
  });

  test('signerPolicy: trusted signers pass, new ones only when accepted', async () => {
    const store = trustStore(fresh('store'));
    const known = testSigningKey();
    await store.trustKey(known.publicKey);
    const strict = signerPolicy(store, { acceptNewSigner: false });
    const lenient = signerPolicy(store, { acceptNewSigner: true });
    assert.equal(await strict({ fingerprint: known.fingerprint }), true);
    assert.equal(await strict({ fingerprint: testSigningKey().fingerprint }), false);
    assert.equal(await lenient({ fingerprint: known.fingerprint }), true);
    assert.equal(await lenient({ fingerprint: testSigningKey().fingerprint }), 'trust-new');
  });
});
