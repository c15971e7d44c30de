import { z } from 'zod';
import type { UnmetRequest } from '../bundle/manifest';
import type { IpcErrorRecord } from './ipcError';
import { absolutePath } from './paths';

/**
 * A bundle whose signer this machine does not trust fails with kind `bundle`, file `manifest.sig` and
 * the signer's `fingerprint`, for the screen to ask "trust this key?" and run it again with trustNewKey.
 */
export const verifyRunRequest = z.strictObject({
  bundleDir: absolutePath,
  /** The operator accepted the signer shown: check the bundle, and trust the key once it checks out. */
  trustNewKey: z.boolean().optional(),
});

export interface VerifyRunResult {
  bundleId: string;
  createdAt: string;
  files: number;
  volumes: number;
  bytes: number;
  signer: string;
  /** The signer was trusted before this run; otherwise this run trusted it (trustNewKey). */
  signerTrusted: boolean;
  signerNewlyTrusted: boolean;
}

export const importRunRequest = z.strictObject({
  bundleDir: absolutePath,
  /** Accept a signer this machine does not trust yet, and trust it from now on. */
  trustNewKey: z.boolean().optional(),
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
}

export const bundlesFindRequest = z.strictObject({
  /** A bundle folder, or a drive or folder holding bundle folders (two levels down at most). */
  dir: absolutePath,
});

/** A bundle found in a folder, from its manifest and signature only (verify:run checks the volumes). */
export interface FoundBundleAnswer {
  dir: string;
  bundleId?: string;
  createdAt?: string;
  bytes?: number;
  files?: number;
  signer?: string;
  trusted: boolean;
  volumes?: { count: number; present: string[]; missing: string[]; problems: Array<{ volume: string; reason: string }> };
  /** Why its facts could not all be read. */
  problem?: IpcErrorRecord;
}
