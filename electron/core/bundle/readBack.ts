/**
 * The export's last steps before it reports success: read the bundle back from the
 * destination and check every byte against the manifest it signs, exactly as the
 * offline side will (verifyBundle's checks, with only the writer's own key trusted).
 * The volumes are read back as soon as they are written, before sealing, while the go
 * command is still proving the bundle; the signed manifest once it is on the drive.
 *
 * On most systems the bytes just written are still in the page cache, so this proves the
 * files are complete and consistent but not that the drive itself holds them; only
 * re-reading after the drive is ejected and re-inserted proves that.
 */
import { serializeManifest, type BundleManifest } from '../../../shared/bundle/manifest';
import type { ProgressListener } from '../../../shared/work/progress';
import { BundleVerifyError } from './bundleVerifyError';
import { verifyManifestFiles, verifyVolumes } from './verifyBundle';

export interface ReadBackOptions {
  /** The fingerprint of the key the bundle was signed with; no other signer is accepted. */
  signerFingerprint: string;
  /** The manifest writeBundle returned: what is on the drive must be exactly it. */
  expectedManifest: BundleManifest;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** Every volume, re-read and re-hashed entry by entry against the manifest about to be signed. */
export async function readBackVolumes(bundleDir: string, manifest: BundleManifest, options: { signal?: AbortSignal; onProgress?: ProgressListener }): Promise<void> {
  const listener = options.onProgress;
  await verifyVolumes(bundleDir, manifest, {
    signal: options.signal,
    onProgress: listener && ((event) => listener({ ...event, stage: 'read-back' })),
    // The manifest's h1 values came from zips validated before writing: equal sha256 means equal bytes.
    revalidateZips: false,
  });
}

/** manifest.json and manifest.sig on the drive: signed by the writer's key, and exactly the manifest just written. */
export async function readBackSeal(bundleDir: string, options: ReadBackOptions): Promise<BundleManifest> {
  const { manifest } = await verifyManifestFiles(bundleDir, (signer) => signer.fingerprint === options.signerFingerprint, options.signal);
  if (serializeManifest(manifest) !== serializeManifest(options.expectedManifest)) {
    throw new BundleVerifyError(`${bundleDir}: the manifest on the drive is not the one just written (bundle ${manifest.bundleId}, expected ${options.expectedManifest.bundleId})`);
  }
  return manifest;
}
