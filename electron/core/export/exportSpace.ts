/**
 * The destination's free space, checked as soon as the bundle's size is known (before the files not
 * yet in the download cache are downloaded) and again before the volumes are written, so a drive too
 * small is reported before minutes of work rather than after.
 */
import { tarVolumeBytes } from '../../../shared/bundle/tarLayout';
import { ModFerryError } from '../errors/modferryError';
import { describeShortfall, freeSpaceOf, freeSpaceShortfall, mountPointOf } from '../fsutil/freeSpace';

/** Room for the manifest line, signature and marker each file and module adds, and the small files beside the volumes. */
const MANIFEST_BYTES_PER_FILE = 512;
const LIST_BYTES_PER_MODULE = 1024;
const SMALL_FILES_BYTES = 8192;

/** Pure: the bytes a bundle of these tree files takes on a drive, the volumes' tar overhead and the manifest included. */
export function bundleSpaceEstimate(files: ReadonlyArray<{ path: string; size: number }>, modules: number): number {
  return tarVolumeBytes(files) + files.length * MANIFEST_BYTES_PER_FILE + modules * LIST_BYTES_PER_MODULE + SMALL_FILES_BYTES;
}

export interface DestinationSpace {
  availableBytes: number;
  blockSize: number;
}

/** Undefined when the file system does not tell (fusefat answers statfs with no blocks at all): a full drive is then found while writing. */
export async function destinationSpace(outDir: string): Promise<DestinationSpace | undefined> {
  const space = await freeSpaceOf(outDir);
  return space === undefined ? undefined : { availableBytes: space.availableBytes, blockSize: space.blockSize };
}

export function fits(neededBytes: number, space: DestinationSpace): boolean {
  return freeSpaceShortfall({ fileSizes: [neededBytes], blockSize: space.blockSize, availableBytes: space.availableBytes }).shortfallBytes === 0;
}

/** Throws a 'destination' error naming the folder, what is needed and what is free, unless the bundle fits or the file system does not tell its free space. */
export async function ensureBundleFits(outDir: string, neededBytes: number, space?: DestinationSpace): Promise<void> {
  const known = space ?? (await destinationSpace(outDir));
  if (known === undefined) return;
  const { availableBytes, blockSize } = known;
  const fit = freeSpaceShortfall({ fileSizes: [neededBytes], blockSize, availableBytes });
  if (fit.shortfallBytes === 0) return;
  const drive = await mountPointOf(outDir);
  const reason = describeShortfall(drive, outDir, fit.neededBytes, availableBytes);
  // Freeing space, or another drive, lets the same export go through.
  throw new ModFerryError('destination', reason, { file: outDir, drive }, { message: reason, retryable: true, problem: 'not-enough-space' });
}
