/**
 * Ed25519 public keys as ModFerry shows, stores and compares them: the raw 32 bytes,
 * and a fingerprint short enough for an operator to read aloud across the air gap.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

const RAW_KEY_BYTES = 32;
const FINGERPRINT = /^SHA256:[A-Za-z0-9_-]{43}$/;

/**
 * `SHA256:` and the unpadded base64url SHA-256 of the raw public key (43 characters).
 * base64url rather than ssh's base64, so the fingerprint is also a valid file name.
 */
export function publicKeyFingerprint(key: KeyObject | Uint8Array): string {
  const raw = key instanceof Uint8Array ? key : rawPublicKey(key);
  return `SHA256:${createHash('sha256').update(raw).digest('base64url')}`;
}

export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/** The 32 bytes of an Ed25519 public key (given the public key or its private key). */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  requireEd25519(publicKey, 'key');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (x === undefined) throw new Error('Ed25519 key has no public part');
  return Buffer.from(x, 'base64url');
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== RAW_KEY_BYTES) throw new Error(`an Ed25519 public key is ${RAW_KEY_BYTES} bytes, got ${raw.length}`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

export function requireEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${what} is a ${key.asymmetricKeyType ?? key.type} key; ModFerry signs and verifies with Ed25519 keys only`);
  }
}
