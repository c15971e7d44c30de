/**
 * "My signing key" as the app shows it: what an operator reads aloud across the air gap
 * (the fingerprint), when the key was made, and its public half written where it is carried.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModFerryError } from '../errors/modferryError';
import { chosenFileError, writeChosenFile } from '../fsutil/chosenFile';
import { NoSigningKeyError, ownSigningKey, PUBLIC_KEY_FILE } from './signingKey';

export interface OwnKeyFacts {
  fingerprint: string;
  /** When the private key file was made (ISO 8601); its last change where the file system keeps no birth time. */
  createdAt: string;
  privateKeyFile: string;
  /** Null when the public half is not beside the private key. */
  publicKeyFile: string | null;
}

/** The signing key in dir, or null when there is none yet. */
export async function ownKeyFacts(dir: string): Promise<OwnKeyFacts | null> {
  let own;
  try {
    own = await ownSigningKey(dir);
  } catch (error) {
    if (error instanceof NoSigningKeyError) return null;
    throw error;
  }
  const info = await stat(own.privateKeyFile);
  const created = info.birthtimeMs > 0 ? info.birthtime : info.mtime;
  return { fingerprint: own.key.fingerprint, createdAt: created.toISOString(), privateKeyFile: own.privateKeyFile, publicKeyFile: own.publicKeyFile ?? null };
}

/**
 * Writes the public half of the signing key in keyDir to `destination`: into it as
 * modferry-signing-key.pub.pem when it is a folder (a drive's mount point), else as that file (a new
 * one's name ends in .pem).
 * A file already there is kept unless it holds this very key. Returns the file written.
 */
export async function writePublicKey(keyDir: string, destination: string): Promise<string> {
  const own = await ownSigningKey(keyDir);
  const found = await stat(destination).catch(() => undefined);
  // A name that is not there and not a .pem file is a drive unplugged since it was listed: a file of
  // that name beside its old mount point would land on the local disk.
  if (found === undefined && !destination.toLowerCase().endsWith('.pem')) {
    throw chosenFileError(destination, 'no such folder (is the drive mounted?); to write a file, give a name ending in .pem');
  }
  const file = found?.isDirectory() ? path.join(destination, PUBLIC_KEY_FILE) : destination;
  const pem = own.key.publicKey.export({ type: 'spki', format: 'pem' });
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing === pem) return file;
  if (existing !== undefined) {
    throw new ModFerryError('keys', 'a different file is already there; choose another place or move it away first', { file });
  }
  await writeChosenFile(file, pem);
  return file;
}
