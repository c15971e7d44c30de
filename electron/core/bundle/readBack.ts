/**
 * The export's last step before it reports success: read the bundle back from the
 * destination and check every byte against the manifest it just signed, exactly as the
 * offline side will (verifyBundle, with only the writer's own key trusted).
 *
 * On most systems the bytes just written are still in the page cache, so this proves the
 * files are complete and consistent but not that the drive itself holds them; only
 * re-reading after the drive is ejected and re-inserted proves that.
 */
import { serializeManifest, type BundleManifest } from '../../../shared/bundle/manifest';
import type { ProgressListener } from '../../../shared/work/progress';
import { BundleVerifyError } from './bundleVerifyError';
import { verifyBundle } from './verifyBundle';

export interface ReadBackOptions {
  /** The fingerprint of the key the bundle was signed with; no other signer is accepted. */
  signerFingerprint: string;
  /** The manifest writeBundle returned: what is on the drive must be exactly it. */
  expectedManifest: BundleManifest;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export async function readBackBundle(bundleDir: string, options: ReadBackOptions): Promise<BundleManifest> {
  const listener = options.onProgress;
  const { manifest } = await verifyBundle(bundleDir, {
    trust: (signer) => signer.fingerprint === options.signerFingerprint,
    signal: options.signal,
    onProgress: listener && ((event) => listener({ ...event, stage: 'read-back' })),
    // The manifest's h1 values came from zips validated before writing: equal sha256 means equal bytes.
    revalidateZips: false,
  });
  if (serializeManifest(manifest) !== serializeManifest(options.expectedManifest)) {
    throw new BundleVerifyError(`${bundleDir}: the manifest on the drive is not the one just written (bundle ${manifest.bundleId}, expected ${options.expectedManifest.bundleId})`);
  }
  return manifest;
}
