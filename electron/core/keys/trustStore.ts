/**
 * The offline machine's list of signers it accepts bundles from: a folder with one public
 * key PEM per signer, named after the key's fingerprint. Trust is decided here, on the
 * offline side; a bundle can only ask, never add itself.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../../shared/errorMessage';
import { ModFerryError } from '../errors/modferryError';
import { writeFileDurably } from '../fsutil/durableFile';
import { isFingerprint, publicKeyFingerprint, requireEd25519 } from './publicKey';
import { PUBLIC_KEY_FILE } from './signingKey';

export interface TrustedKey {
  fingerprint: string;
  publicKey: KeyObject;
  file: string;
}

export interface TrustStore {
  readonly dir: string;
  /** Trusts the public key in a PEM file (e.g. modferry-signing-key.pub.pem from the online machine). */
  trust(publicKeyFile: string): Promise<TrustedKey>;
  /** Trusts a key already in hand, e.g. a new signer the operator accepted while importing. */
  trustKey(publicKey: KeyObject): Promise<TrustedKey>;
  list(): Promise<TrustedKey[]>;
  /** Stops trusting a signer: its file goes, once it is proven to hold that key. Refuses a fingerprint it does not trust. */
  untrust(fingerprint: string): Promise<TrustedKey>;
  isTrusted(fingerprint: string): Promise<boolean>;
}

/** What verifyBundle asks about a signer: true if trusted, 'trust-new' to accept one not yet trusted. */
export type SignerPolicy = (signer: { fingerprint: string }) => Promise<boolean | 'trust-new'>;

/** `SHA256:abc…` is stored as `SHA256-abc….pem`: colons are not allowed in Windows file names. */
export function trustFileName(fingerprint: string): string {
  return `${fingerprint.replace(':', '-')}.pem`;
}

export function trustStore(dir: string): TrustStore {
  const fileOf = (fingerprint: string): string => path.join(dir, trustFileName(fingerprint));

  const readTrusted = async (file: string): Promise<TrustedKey> => {
    const publicKey = parsePublicKeyPem(await readFile(file, 'utf8'), file);
    return { fingerprint: publicKeyFingerprint(publicKey), publicKey, file };
  };

  const trustKey = async (key: KeyObject): Promise<TrustedKey> => {
    if (key.type !== 'public') throw new ModFerryError('keys', 'only a public key can be trusted; a private key must stay on the machine that signs');
    requireEd25519(key, 'the key to trust');
    const fingerprint = publicKeyFingerprint(key);
    const file = fileOf(fingerprint);
    await mkdir(dir, { recursive: true });
    const existing = await readTrusted(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (existing !== undefined) {
      if (existing.fingerprint === fingerprint) return existing;
      throw new ModFerryError('keys', `holds the key ${existing.fingerprint}, not ${fingerprint} as its name says; remove it, then trust the key again`, { file });
    }
    await writeFileDurably(file, key.export({ type: 'spki', format: 'pem' }));
    return { fingerprint, publicKey: key, file };
  };

  return {
    dir,
    trustKey,
    async trust(publicKeyFile) {
      let pem: string;
      try {
        pem = await readFile(publicKeyFile, 'utf8');
      } catch (error) {
        throw new ModFerryError('keys', `cannot read the public key (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file: publicKeyFile }, { cause: error });
      }
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
        throw new ModFerryError('keys', `this is a private key; trust its public key (${PUBLIC_KEY_FILE}) and keep the private key where it is`, { file: publicKeyFile });
      }
      return trustKey(parsePublicKeyPem(pem, publicKeyFile));
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const keys: TrustedKey[] = [];
      for (const name of names.filter((n) => n.endsWith('.pem')).sort()) {
        const trusted = await readTrusted(path.join(dir, name));
        if (trustFileName(trusted.fingerprint) !== name) {
          throw new ModFerryError('keys', `holds the key ${trusted.fingerprint}, not the one its name says; remove it, then trust the key again`, { file: trusted.file });
        }
        keys.push(trusted);
      }
      return keys;
    },
    async untrust(fingerprint) {
      if (!isFingerprint(fingerprint)) {
        throw new ModFerryError('input', `"${fingerprint}" is not a key fingerprint (SHA256: and 43 characters, as 'modferry keys list' shows them)`);
      }
      const file = fileOf(fingerprint);
      const trusted = await readTrusted(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (trusted === undefined) {
        throw new ModFerryError('not-found', `${fingerprint} is not a trusted signer here (${dir}); 'modferry keys list' shows those that are`);
      }
      // The content decides, as for isTrusted: a file renamed to this fingerprint is not ours to delete.
      if (trusted.fingerprint !== fingerprint) {
        throw new ModFerryError('keys', `holds the key ${trusted.fingerprint}, not ${fingerprint} as its name says; nothing was removed`, { file });
      }
      await unlink(file);
      return trusted;
    },
    async isTrusted(fingerprint) {
      if (!isFingerprint(fingerprint)) return false;
      try {
        // The file's content decides, not its name: a renamed file trusts nothing.
        return (await readTrusted(fileOf(fingerprint))).fingerprint === fingerprint;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
  };
}

/**
 * Accepts trusted signers; a new one only when the operator has said so for this import, and, when the
 * operator was shown a key (`onlyFingerprint`), only that key.
 */
export function signerPolicy(store: TrustStore, options: { acceptNewSigner: boolean; onlyFingerprint?: string }): SignerPolicy {
  return async ({ fingerprint }) => {
    if (await store.isTrusted(fingerprint)) return true;
    if (!options.acceptNewSigner) return false;
    return options.onlyFingerprint === undefined || options.onlyFingerprint === fingerprint ? 'trust-new' : false;
  };
}

/**
 * Only signers already trusted, asking no one: for a store repaired from bundles, where a new
 * signer must not slip in with a repair.
 */
export function trustedSignersOnly(store: Pick<TrustStore, 'isTrusted'>): (signer: { fingerprint: string }) => Promise<boolean> {
  return ({ fingerprint }) => store.isTrusted(fingerprint);
}

function parsePublicKeyPem(pem: string, file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new ModFerryError('keys', 'not a PEM public key', { file }, { cause: error });
  }
  try {
    requireEd25519(key, 'the key');
  } catch (error) {
    throw new ModFerryError('keys', errorMessage(error), { file }, { cause: error });
  }
  return key;
}
