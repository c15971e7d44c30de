import { z } from 'zod';
import type { UnmetRequest } from '../bundle/manifest';
import { keyFingerprint } from './keysChannels';
import { absolutePath } from './paths';

/**
 * A bundle whose signer this machine does not trust fails with kind `bundle`, file `manifest.sig` and
 * the signer's `fingerprint`, for the screen to ask "trust this key?" and run it again with that
 * fingerprint as `trustSigner`: only the key the operator was shown is trusted, never another one that
 * signed the bundle since.
 */
export const verifyRunRequest = z.strictObject({
  bundleDir: absolutePath,
  /** The signer the operator was shown and accepted: trusted once the bundle checks out, if it is the one that signed it. */
  trustSigner: keyFingerprint.optional(),
});

export interface VerifyRunResult {
  bundleId: string;
  createdAt: string;
  files: number;
  volumes: number;
  bytes: number;
  signer: string;
  /** The signer was trusted before this run; otherwise this run trusted it (trustSigner). */
  signerTrusted: boolean;
  signerNewlyTrusted: boolean;
}

export const importRunRequest = z.strictObject({
  bundleDir: absolutePath,
  /** A signer this machine does not trust yet that the operator accepted: trusted from now on, if it is the one that signed the bundle. */
  trustSigner: keyFingerprint.optional(),
});

export interface ImportRunResult {
  storeDir: string;
  bundleId: string;
  signer: string;
  signerNewlyTrusted: boolean;
  alreadyImported: boolean;
  added: number;
  addedBytes: number;
  alreadyPresent: number;
  restored: Array<{ path: string; quarantined: string }>;
  unmet: UnmetRequest[];
  /** Checksum-database proof files added, and each database's newest tree head in the store after the import. */
  proofs: { added: number; heads: Array<{ db: string; size: number }> };
}

export const bundlesFindRequest = z.strictObject({
  /** A bundle folder, or a drive or folder holding bundle folders (two levels down at most). */
  dir: absolutePath,
});

/** A bundle found in a folder, from its manifest and signature only (verify:run checks the volumes). */
export type { FoundBundle as FoundBundleAnswer } from '../bundle/foundBundle';
