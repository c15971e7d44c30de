/**
 * Good copies of damaged or missing store files, taken from bundles. Each bundle is verified as
 * an import verifies it (signature, trust, every volume and every byte against the signed
 * manifest); while it is read, only the entries the store needs are kept, in a staging folder of
 * their own, and nothing is kept from a bundle that does not verify in full.
 *
 * An entry is needed when its path, size and SHA-256 are those the catalog lists: the catalog's
 * hash is the one the store verified when the file was first imported, so a match proves these
 * are those bytes. That is also why zips are not re-validated against go's zip rules here: the
 * bytes kept are bytes the store already validated, and re-validating every zip of the bundle
 * would need each one landed on disk whether the store needs it or not.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BundleEntry } from '../../../shared/bundle/manifest';
import type { ProgressListener } from '../../../shared/work/progress';
import { BundleVerifyError } from '../bundle/bundleVerifyError';
import { verifyBundle, type SignerCandidate } from '../bundle/verifyBundle';
import { writeStreamDurably } from '../fsutil/writeAll';
import type { CheckedCatalogFile } from './catalog';
import type { StoreLayout } from './storeLayout';
import { errorMessage } from '../../../shared/errorMessage';

export interface LandedFile {
  file: CheckedCatalogFile;
  /** Where its verified bytes wait, in the restore's staging folder. */
  landed: string;
  /** The bundle they came from. */
  bundleId: string;
}

export interface RestoreFromBundlesOptions {
  /** Only a signer this answers true for is accepted: repair never trusts a new key. */
  trust: (signer: SignerCandidate) => boolean | Promise<boolean>;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** A bundle given for repair that did not verify; nothing was taken from any bundle. */
export class RepairBundleError extends Error {
  override name = 'RepairBundleError';

  constructor(
    readonly bundleDir: string,
    cause: unknown,
  ) {
    super(`${bundleDir}: refused for repair: ${errorMessage(cause)}`, { cause });
  }
}

/** Good copies of files in hand, waiting in a staging folder until they are moved into the tree. */
export class RestoreArea {
  readonly dir: string;
  readonly landed: LandedFile[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Verifies the bundles in turn, keeping the needed entries each one carries. Rejects, keeping
   * nothing, as soon as one does not verify.
   */
  static async fromBundles(layout: StoreLayout, bundleDirs: readonly string[], needed: readonly CheckedCatalogFile[], options: RestoreFromBundlesOptions): Promise<RestoreArea> {
    const area = new RestoreArea(path.join(layout.staging, `store-check-${randomBytes(4).toString('hex')}`));
    try {
      const wanted = new Map(needed.map((file) => [file.path, file]));
      for (const bundleDir of bundleDirs) {
        if (wanted.size === 0) break;
        for (const landed of await area.landFrom(bundleDir, wanted, options)) {
          wanted.delete(landed.file.path);
          area.landed.push(landed);
        }
      }
      return area;
    } catch (error) {
      await area.discard();
      throw error;
    }
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private async landFrom(bundleDir: string, wanted: ReadonlyMap<string, CheckedCatalogFile>, options: RestoreFromBundlesOptions): Promise<LandedFile[]> {
    // verifyBundle accepts each listed path once, so an entry is never landed twice from one bundle.
    const fromThisBundle: Array<Omit<LandedFile, 'bundleId'>> = [];
    const land = async (entry: BundleEntry, data: Readable): Promise<string | undefined> => {
      const file = wanted.get(entry.path);
      if (file === undefined || file.sha256 !== entry.sha256 || file.size !== entry.size) {
        data.resume();
        await finished(data);
        return undefined;
      }
      await mkdir(this.dir, { recursive: true });
      const landed = path.join(this.dir, `${this.landed.length + fromThisBundle.length + 1}.${file.kind}`);
      await writeStreamDurably(landed, data);
      fromThisBundle.push({ file, landed });
      return landed;
    };
    let bundleId: string;
    try {
      ({ manifest: { bundleId } } = await verifyBundle(bundleDir, {
        trust: async (signer) => (await options.trust(signer)) === true,
        signal: options.signal,
        onProgress: options.onProgress,
        onEntry: land,
        revalidateZips: false,
      }));
    } catch (error) {
      options.signal?.throwIfAborted();
      if (error instanceof BundleVerifyError) throw new RepairBundleError(bundleDir, error);
      throw error;
    }
    return fromThisBundle.map((landed) => ({ ...landed, bundleId }));
  }
}
