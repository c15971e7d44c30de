import { z } from 'zod';
import { absolutePath } from './paths';

export const keysOwnRequest = z.strictObject({});
export const keysListRequest = z.strictObject({});

export const keysWritePublicRequest = z.strictObject({
  /** A folder (a drive's mount point) to write modferry-signing-key.pub.pem into, or the file to write. */
  destination: absolutePath,
});

export const keysTrustFileRequest = z.strictObject({
  /** A public key file, e.g. modferry-signing-key.pub.pem as keys:writePublic wrote it on the other machine. */
  file: absolutePath,
});

export const keysUntrustRequest = z.strictObject({
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9_-]{43}$/, 'must be a key fingerprint: SHA256: and 43 letters, digits, - or _'),
});

/** This machine's signing key; keys:own answers it as null when none was made yet (it creates none). */
export interface OwnKeyAnswer {
  fingerprint: string;
  createdAt: string;
  privateKeyFile: string;
  publicKeyFile: string | null;
}

export interface TrustedKeyAnswer {
  fingerprint: string;
  file: string;
}

export interface TrustFileAnswer extends TrustedKeyAnswer {
  /** False when the key was trusted already. */
  added: boolean;
}
