import { ModFerryError, type ErrorProblem } from '../errors/modferryError';

/** Where in a bundle (or the store it is imported into) a fault lies. */
export interface BundleFault {
  /** A file of the bundle folder other than a volume: `manifest.json`, `manifest.sig`. */
  file?: string;
  /** The volume file, e.g. `mf-20261125-1a2b3c4d-002-of-003.tar`. */
  volume?: string;
  /** The file inside the volume, as its tar entry names it. */
  entry?: string;
  /** The module and version the entry belongs to, when the fault is about them. */
  module?: string;
  version?: string;
  /** The signer's key, when the fault is that it is not trusted. */
  fingerprint?: string;
}

/** A bundle that must not be imported; the message names the file, volume and entry at fault, when there are some. */
export class BundleVerifyError extends ModFerryError {
  override name = 'BundleVerifyError';
  readonly file?: string;
  readonly volume?: string;
  readonly entry?: string;
  readonly module?: string;
  readonly version?: string;
  readonly fingerprint?: string;

  constructor(reason: string, where: BundleFault = {}, options?: ErrorOptions & { problem?: ErrorProblem }) {
    // The module is not in the message: the entry's path already names it.
    super('bundle', reason, where, { ...options, message: [where.file, where.volume, where.entry, reason].filter((part) => part !== undefined).join(': ') });
    if (where.file !== undefined) this.file = where.file;
    if (where.volume !== undefined) this.volume = where.volume;
    if (where.entry !== undefined) this.entry = where.entry;
    if (where.module !== undefined) this.module = where.module;
    if (where.version !== undefined) this.version = where.version;
    if (where.fingerprint !== undefined) this.fingerprint = where.fingerprint;
  }
}

/** The first hex digits of a hash: enough to tell two apart in a message. */
export function shortHash(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}
