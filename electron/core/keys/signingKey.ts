/**
 * The online machine's signing key. The private key never leaves that machine; its public
 * half (or just its fingerprint) is what the offline side learns to trust.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../../shared/errorMessage';
import { ModFerryError } from '../errors/modferryError';
import { writeFileDurably } from '../fsutil/durableFile';
import { publicKeyFingerprint, requireEd25519 } from './publicKey';

export const PRIVATE_KEY_FILE = 'modferry-signing-key.pem';
export const PUBLIC_KEY_FILE = 'modferry-signing-key.pub.pem';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

export interface GeneratedSigningKey {
  signingKey: SigningKey;
  privateKeyFile: string;
  publicKeyFile: string;
}

/**
 * Creates an Ed25519 key pair in dir: the private key PEM readable by its owner only, the
 * public key PEM beside it. Never replaces an existing key: signatures made with it
 * would stop verifying wherever it is trusted.
 */
export async function generateSigningKey(dir: string): Promise<GeneratedSigningKey> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privateKeyFile = path.join(dir, PRIVATE_KEY_FILE);
  const publicKeyFile = path.join(dir, PUBLIC_KEY_FILE);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  try {
    await writeFileDurably(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, exclusive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ModFerryError('keys', 'a signing key already exists; ModFerry will not replace it (move it away first to make a new one)', { file: privateKeyFile }, { cause: error });
    }
    throw error;
  }
  try {
    await writeFileDurably(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  } catch (error) {
    await unlink(privateKeyFile).catch(() => undefined);
    throw error;
  }
  return { signingKey: { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey) }, privateKeyFile, publicKeyFile };
}

/** Reads a private key written by generateSigningKey. Refuses one that other users can read, as ssh does. */
export async function loadSigningKey(file: string): Promise<SigningKey> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModFerryError('keys', 'no signing key there; create one first', { file }, { cause: error });
    throw new ModFerryError('keys', `cannot read the signing key (${code ?? String(error)})`, { file }, { cause: error });
  }
  if (process.platform !== 'win32') {
    const mode = (await stat(file)).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new ModFerryError('keys', `the signing key is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 on it`, { file });
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new ModFerryError('keys', 'not a PEM private key', { file }, { cause: error });
  }
  try {
    requireEd25519(privateKey, 'the signing key');
  } catch (error) {
    throw new ModFerryError('keys', errorMessage(error), { file }, { cause: error });
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: publicKeyFingerprint(publicKey) };
}

/** The own signing key is asked for (keys show) before there is one. */
export class NoSigningKeyError extends Error {
  override name = 'NoSigningKeyError';
  readonly dir: string;

  constructor(dir: string) {
    super(`no signing key yet in ${dir}: 'modferry keys generate' makes one (the first export does too)`);
    this.dir = dir;
  }
}

export interface OwnSigningKey {
  key: SigningKey;
  privateKeyFile: string;
  /** Undefined when the public half is not beside the private key (a key made by other means). */
  publicKeyFile?: string;
}

/** The key in the signing-key folder, as keys show reports it. */
export async function ownSigningKey(dir: string): Promise<OwnSigningKey> {
  const privateKeyFile = path.join(dir, PRIVATE_KEY_FILE);
  if (!existsSync(privateKeyFile)) throw new NoSigningKeyError(dir);
  const key = await loadSigningKey(privateKeyFile);
  const publicKeyFile = path.join(dir, PUBLIC_KEY_FILE);
  return existsSync(publicKeyFile) ? { key, privateKeyFile, publicKeyFile } : { key, privateKeyFile };
}

/** The key an export signs with: the one given, or the one in the signing-key folder, made there on first use. */
export async function exportSigningKey(dir: string, keyFile?: string): Promise<{ key: SigningKey; file: string; created: boolean }> {
  if (keyFile) return { key: await loadSigningKey(keyFile), file: keyFile, created: false };
  const file = path.join(dir, PRIVATE_KEY_FILE);
  if (existsSync(file)) return { key: await loadSigningKey(file), file, created: false };
  const generated = await generateSigningKey(dir);
  return { key: generated.signingKey, file: generated.privateKeyFile, created: true };
}
