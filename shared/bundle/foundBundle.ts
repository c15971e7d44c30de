/**
 * A bundle found in a folder or on a drive, from its manifest, signature and folder listing only:
 * core's findBundles fills it, and the import wizard shows it as it is.
 */
import type { ErrorRecord } from '../errorRecord';

export interface FoundVolumes {
  count: number;
  /** Volumes in the folder at the size the manifest lists. */
  present: string[];
  missing: string[];
  /** Everything else wrong with the volume files: wrong sizes, strays, other bundles' volumes. */
  problems: VolumeProblem[];
}

/** What is wrong with a volume file, as a code with its figures for a screen to word. */
export type VolumeProblemCode =
  | { kind: 'missing' }
  | { kind: 'not-a-file' }
  | { kind: 'size-differs'; size: number; expected: number }
  | { kind: 'stray' }
  | { kind: 'other-bundle'; bundleId: string }
  | { kind: 'duplicate'; of: string }
  | { kind: 'wrong-count'; index: number; count: number };

export interface VolumeProblem {
  /** The file at fault: a listed volume or a file that claims to be one. */
  volume: string;
  /** In English, for the CLI and logs. */
  reason: string;
  code: VolumeProblemCode;
  /** A `.partial` file: left by a write that did not finish. */
  unfinished?: true;
}

/** Why a bundle's facts could not be read, with the file at fault as a field. */
export type BundleProblem = Omit<ErrorRecord, 'type'>;

export interface FoundBundle {
  dir: string;
  /** Absent when the manifest could not be read (then `problem` says why). */
  bundleId?: string;
  createdAt?: string;
  /** The volumes' total size. */
  bytes?: number;
  /** Files in the bundle's GOPROXY tree. */
  files?: number;
  /** The fingerprint the signature names; absent when the signature is missing, malformed or does not match. */
  signer?: string;
  /** Whether this machine trusts the signer; false whenever the signature does not check. */
  trusted: boolean;
  volumes?: FoundVolumes;
  problem?: BundleProblem;
}
