/**
 * A bundle id names one signed manifest: the signer and the manifest's bytes. Another bundle
 * under an id the store already holds (re-signed, or a manifest made again with the same id)
 * is not the same bundle, and merging it into the old record would credit one signer with
 * what another signed; it is refused, naming both.
 */
export interface BundleIdentity {
  signer: string;
  /** Null for a bundle recorded before manifest hashes were kept: then the signer alone is compared. */
  manifestSha256: string | null;
}

export class BundleIdentityError extends Error {
  override name = 'BundleIdentityError';

  constructor(
    readonly bundleId: string,
    readonly storeSigner: string,
    readonly storeManifestSha256: string | null,
    readonly bundleSigner: string,
    readonly bundleManifestSha256: string | undefined,
  ) {
    const held = storeManifestSha256 === null ? '' : ` (manifest sha256 ${storeManifestSha256})`;
    const offered = bundleManifestSha256 === undefined ? '' : ` (manifest sha256 ${bundleManifestSha256})`;
    super(
      `${bundleId}: the store holds a bundle of this id signed by ${storeSigner}${held}; ` +
        `this one is signed by ${bundleSigner}${offered}: ` +
        'not the same bundle, so nothing was imported; a bundle id names one signed manifest',
    );
  }
}

/**
 * Pure: throws BundleIdentityError unless the incoming bundle is the one held under its id (or
 * none is). Where either side has no manifest hash, the signers alone are compared.
 */
export function checkBundleIdentity(bundleId: string, held: BundleIdentity | undefined, incoming: { signer: string; manifestSha256?: string }): void {
  if (held === undefined) return;
  const sameSigner = held.signer === incoming.signer;
  const sameManifest = held.manifestSha256 === null || incoming.manifestSha256 === undefined || held.manifestSha256 === incoming.manifestSha256;
  if (!sameSigner || !sameManifest) {
    throw new BundleIdentityError(bundleId, held.signer, held.manifestSha256, incoming.signer, incoming.manifestSha256);
  }
}
