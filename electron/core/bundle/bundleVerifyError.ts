/** A bundle that must not be imported; the message names the volume and the entry at fault, when there is one. */
export class BundleVerifyError extends Error {
  override name = 'BundleVerifyError';
  /** The volume file, e.g. `mf-20261125-1a2b3c4d-002-of-003.tar`. */
  readonly volume?: string;
  /** The file inside the volume, as its tar entry names it. */
  readonly entry?: string;
  /** The problem alone, without the volume and entry. */
  readonly reason: string;

  constructor(reason: string, where: { volume?: string; entry?: string } = {}, options?: ErrorOptions) {
    super([where.volume, where.entry, reason].filter((part) => part !== undefined).join(': '), options);
    this.reason = reason;
    if (where.volume !== undefined) this.volume = where.volume;
    if (where.entry !== undefined) this.entry = where.entry;
  }
}

/** The first hex digits of a hash: enough to tell two apart in a message. */
export function shortHash(hex: string): string {
  return hex.length > 12 ? `${hex.slice(0, 12)}…` : hex;
}
