/**
 * manifest.sig: an Ed25519 signature over the exact bytes of manifest.json, with the
 * signer's public key so the offline side can name the signer before deciding to trust it.
 * One signature covers the whole bundle because the manifest lists every volume's and every
 * file's SHA-256.
 */
import { sign, verify, type KeyObject } from 'node:crypto';
import { isFingerprint, publicKeyFingerprint, publicKeyFromRaw, rawPublicKey } from './publicKey';
import type { SigningKey } from './signingKey';
import { errorMessage } from '../../../shared/errorMessage';

export interface ManifestSignature {
  algorithm: 'ed25519';
  /** Standard base64 of the raw 32-byte public key. */
  publicKey: string;
  fingerprint: string;
  /** Standard base64 of the 64-byte signature. */
  signature: string;
}

/** A signature that is malformed, does not match, or comes from a key not trusted. */
export class SignatureError extends Error {
  override name = 'SignatureError';
  /** The signature file at fault, when the problem is in it. */
  readonly fileName?: string;
  /** The problem alone, without the file name. */
  readonly reason: string;

  constructor(reason: string, fileName?: string) {
    super(fileName === undefined ? reason : `${fileName}: ${reason}`);
    this.reason = reason;
    if (fileName !== undefined) this.fileName = fileName;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SIGNATURE_BYTES = 64;

export function signManifest(manifestBytes: Uint8Array, key: SigningKey): ManifestSignature {
  return {
    algorithm: 'ed25519',
    publicKey: rawPublicKey(key.publicKey).toString('base64'),
    fingerprint: key.fingerprint,
    signature: sign(null, manifestBytes, key.privateKey).toString('base64'),
  };
}

export function serializeManifestSignature(signature: ManifestSignature): string {
  const { algorithm, publicKey, fingerprint, signature: value } = signature;
  return `${JSON.stringify({ algorithm, publicKey, fingerprint, signature: value }, null, 2)}\n`;
}

/** Strict reading of a manifest.sig file; errors name the file and the field. */
export function parseManifestSignature(text: string, fileName: string): ManifestSignature {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SignatureError(`not valid JSON (${errorMessage(error)})`, fileName);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SignatureError('expected a JSON object', fileName);
  const fields = json as Record<string, unknown>;
  const unknownKey = Object.keys(fields).find((key) => !['algorithm', 'publicKey', 'fingerprint', 'signature'].includes(key));
  if (unknownKey !== undefined) throw new SignatureError(`${unknownKey}: unknown field`, fileName);
  const stringField = (field: string): string => {
    const value = fields[field];
    if (typeof value !== 'string') throw new SignatureError(`${field}: expected a string`, fileName);
    return value;
  };
  const algorithm = stringField('algorithm');
  if (algorithm !== 'ed25519') throw new SignatureError(`algorithm: expected "ed25519", got ${JSON.stringify(algorithm)}`, fileName);
  const publicKey = stringField('publicKey');
  if (!BASE64.test(publicKey) || Buffer.from(publicKey, 'base64').length !== 32) {
    throw new SignatureError('publicKey: expected the base64 of a 32-byte Ed25519 public key', fileName);
  }
  const fingerprint = stringField('fingerprint');
  if (!isFingerprint(fingerprint)) throw new SignatureError('fingerprint: expected SHA256: and 43 base64url characters', fileName);
  const signature = stringField('signature');
  if (!BASE64.test(signature) || Buffer.from(signature, 'base64').length !== SIGNATURE_BYTES) {
    throw new SignatureError(`signature: expected the base64 of a ${SIGNATURE_BYTES}-byte Ed25519 signature`, fileName);
  }
  return { algorithm, publicKey, fingerprint, signature };
}

/**
 * Checks that the signature is the named key's signature of these exact bytes, whoever
 * that key belongs to. Deciding whether to trust the key comes after, and only then.
 */
export function checkManifestSignature(manifestBytes: Uint8Array, signature: ManifestSignature): { fingerprint: string; publicKey: KeyObject } {
  const raw = Buffer.from(signature.publicKey, 'base64');
  const fingerprint = publicKeyFingerprint(raw);
  if (fingerprint !== signature.fingerprint) {
    throw new SignatureError(`the fingerprint ${signature.fingerprint} is not that of the public key it comes with (${fingerprint})`);
  }
  const publicKey = publicKeyFromRaw(raw);
  if (!verify(null, manifestBytes, publicKey, Buffer.from(signature.signature, 'base64'))) {
    throw new SignatureError(
      `the signature by ${fingerprint} does not match manifest.json: the manifest was changed after it was signed, or the signature belongs to another bundle`,
    );
  }
  return { fingerprint, publicKey };
}

/** checkManifestSignature, then requires the signer to be one of the trusted keys. */
export function verifyManifestSignature(
  manifestBytes: Uint8Array,
  signature: ManifestSignature,
  trustedPublicKeys: readonly KeyObject[],
): { fingerprint: string } {
  const { fingerprint } = checkManifestSignature(manifestBytes, signature);
  if (!trustedPublicKeys.some((key) => publicKeyFingerprint(key) === fingerprint)) {
    throw new SignatureError(`signed by ${fingerprint}, which is not a trusted key`);
  }
  return { fingerprint };
}
