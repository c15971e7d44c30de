/**
 * Writes a bundle: `<outDir>/<bundleId>/` holding tar volumes of GOPROXY-tree files, then
 * manifest.sig and manifest.json.
 *
 * What a reader can rely on, whatever happens while writing:
 * - a volume has its final `.tar` name only once it is complete and flushed to disk
 *   (it is written as `<name>.tar.partial`);
 * - manifest.json appears last, once every volume and the signature are on disk, so a
 *   folder without it is never taken for a bundle;
 * - on any error or abort, everything written is removed.
 * Each volume is a plain tar holding whole files, so `tar -xf` of any one volume alone
 * gives a usable GOPROXY tree.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  MANIFEST_FILE,
  SIGNATURE_FILE,
  isSha256Hex,
  makeBundleId,
  parseManifest,
  serializeManifest,
  volumeName,
  type BundleEntry,
  type BundleInput,
  type BundleManifest,
  type UnmetRequest,
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  BUNDLE_FORMAT_VERSION_SUMDB,
  BUNDLE_FORMAT_VERSION_UNMET,
} from '../../../shared/bundle/manifest';
import { tarVolumeBytes } from '../../../shared/bundle/tarLayout';
import { TreePathError } from '../../../shared/bundle/treePath';
import { parseBundlePath } from '../../../shared/bundle/bundlePath';
import { isSumdbPath } from '../../../shared/sumdb/sumdbPath';
import { planVolumes } from '../../../shared/bundle/volumePlan';
import { isH1Hash } from '../../../shared/gomod/hash1';
import { ignoreProgress, type ProgressListener } from '../../../shared/work/progress';
import { serializeManifestSignature, signManifest } from '../keys/manifestSignature';
import type { SigningKey } from '../keys/signingKey';
import { syncDirectory, writeFileDurably } from '../fsutil/durableFile';
import { ensureFreeSpace } from '../fsutil/freeSpace';
import { asWriteFailure } from '../drives/writeFailure';
import { thisWriter, WRITER_MARKER_FILE } from './writerMarker';
import { tarEndOfArchive, tarEntryHeader, tarPadding } from './tarEntryHeader';
import { writeAll } from '../fsutil/writeAll';
import { readSourcesInOrder } from './sourceReads';

export interface BundleSourceFile {
  /** Path in the GOPROXY tree, e.g. `github.com/!burnt!sushi/toml/@v/v1.2.0.zip`. */
  path: string;
  /** The file on disk to copy (e.g. in the download cache). */
  source: string;
  size: number;
  /** SHA-256 recorded when the file was downloaded; the copy is re-hashed against it. */
  sha256: string;
  /** Required for .mod and .zip files. */
  h1?: string;
}

export interface WriteBundleOptions {
  outDir: string;
  files: readonly BundleSourceFile[];
  inputs: readonly BundleInput[];
  /** Request-file lines left out because the upstream cannot supply them; recorded for the offline side. */
  unmet?: readonly UnmetRequest[];
  /** Largest volume file in bytes; just under 4 GiB by default, the FAT32 limit. */
  volumeSize?: number;
  signingKey: SigningKey;
  toolVersion: string;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /**
   * Awaited after the volumes are written and before the bundle is sealed (signature and manifest):
   * work that must pass for the bundle to count, run alongside the writing, told the manifest about
   * to be signed (to read the volumes back against it). A rejection removes everything written, like
   * any other failure.
   */
  beforeSealing?: (bundleDir: string, manifest: BundleManifest) => Promise<void>;
  /** Told the bundle folder once it exists; on failure it is removed again before writeBundle settles. */
  onBundleDir?: (dir: string) => void;
}

export interface WrittenBundle {
  bundleDir: string;
  manifest: BundleManifest;
}

export const DEFAULT_VOLUME_SIZE = 4 * 1024 ** 3 - 1;
/**
 * The signer's public key, beside the volumes for the operator's convenience. Trust still comes only
 * from the fingerprint, checked out of band: verifyBundle never reads this file.
 */
export const SIGNER_PUBLIC_KEY_FILE = 'signer.pub.pem';
export const TOOL_NAME = 'modferry';

const WRITE_BATCH_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 250;
/** manifest.sig, signer.pub.pem and the writer marker are a few hundred bytes each; this is room to spare for the free-space check. */
const SMALL_FILE_ALLOWANCE = 1024;

interface PlannedVolume {
  index: number;
  name: string;
  size: number;
  files: BundleSourceFile[];
}

export async function writeBundle(options: WriteBundleOptions): Promise<WrittenBundle> {
  const { signal } = options;
  signal?.throwIfAborted();
  // Whole seconds: tar headers hold no fractions, and the manifest then shows what the volumes hold.
  const created = new Date(Math.floor(Date.now() / 1000) * 1000);
  const { bundleId, volumes, draft } = planBundle(options, created, randomBytes(4).toString('hex'));
  const draftText = serializeManifest(draft);

  const firstCreatedDir = await mkdir(options.outDir, { recursive: true });
  const bundleDir = path.join(options.outDir, bundleId);
  let createdBundleDir = false;
  const fileSizes = [...volumes.map((v) => v.size), Buffer.byteLength(draftText), SMALL_FILE_ALLOWANCE, SMALL_FILE_ALLOWANCE, SMALL_FILE_ALLOWANCE];
  try {
    await ensureFreeSpace(options.outDir, fileSizes);
    await mkdir(bundleDir);
    createdBundleDir = true;
    options.onBundleDir?.(bundleDir);
    // First: from here on, a writer that dies leaves a folder the next export can prove is debris.
    await writeFileDurably(path.join(bundleDir, WRITER_MARKER_FILE), JSON.stringify(thisWriter(bundleId)));
    await writeFileDurably(path.join(bundleDir, SIGNER_PUBLIC_KEY_FILE), options.signingKey.publicKey.export({ type: 'spki', format: 'pem' }));

    const progress = new WriteProgress(options.onProgress ?? ignoreProgress, volumes.flatMap((volume) => volume.files));
    const volumeHashes: string[] = [];
    for (const volume of volumes) volumeHashes.push(await writeVolume(bundleDir, volume, created, progress, signal));

    const manifest: BundleManifest = {
      ...draft,
      volumes: draft.volumes.map((volume, i) => ({ ...volume, sha256: volumeHashes[i] ?? '' })),
    };
    await options.beforeSealing?.(bundleDir, manifest);
    const manifestBytes = Buffer.from(serializeManifest(manifest), 'utf8');
    signal?.throwIfAborted();
    await writeFileDurably(path.join(bundleDir, SIGNATURE_FILE), serializeManifestSignature(signManifest(manifestBytes, options.signingKey)));
    signal?.throwIfAborted();
    await writeFileDurably(path.join(bundleDir, MANIFEST_FILE), manifestBytes);
    await rm(path.join(bundleDir, WRITER_MARKER_FILE));
    progress.finish(`wrote ${bundleId}`, bundleId);
    return { bundleDir, manifest };
  } catch (error) {
    if (createdBundleDir) await rm(bundleDir, { recursive: true, force: true }).catch(() => undefined);
    if (firstCreatedDir !== undefined) await rm(firstCreatedDir, { recursive: true, force: true }).catch(() => undefined);
    throw await asWriteFailure(error, options.outDir, fileSizes.reduce((sum, size) => sum + size, 0));
  }
}

/**
 * Everything decided before the first byte is written: the bundle id, which file goes in
 * which volume, and the manifest with placeholder volume hashes. Its placeholders have the
 * final hashes' length, so it also gives the manifest's exact size.
 */
function planBundle(options: WriteBundleOptions, created: Date, randomHex: string): { bundleId: string; volumes: PlannedVolume[]; draft: BundleManifest } {
  const files = checkedSourceFiles(options.files);
  const plan = planVolumes(files, options.volumeSize ?? DEFAULT_VOLUME_SIZE);
  const bundleId = makeBundleId(created, randomHex);
  const volumes: PlannedVolume[] = plan.map((indexes, i) => {
    const volumeFiles = indexes.map((index) => files[index]).filter((file) => file !== undefined);
    return { index: i + 1, name: volumeName(bundleId, i + 1, plan.length), size: tarVolumeBytes(volumeFiles), files: volumeFiles };
  });
  const draft: BundleManifest = {
    format: BUNDLE_FORMAT,
    formatVersion: files.some((file) => isSumdbPath(file.path))
      ? BUNDLE_FORMAT_VERSION_SUMDB
      : options.unmet?.length
        ? BUNDLE_FORMAT_VERSION_UNMET
        : BUNDLE_FORMAT_VERSION,
    bundleId,
    createdAt: created.toISOString().replace('.000Z', 'Z'),
    tool: { name: TOOL_NAME, version: options.toolVersion },
    inputs: options.inputs.map((input) => ({ kind: input.kind, value: input.value })),
    volumes: volumes.map((volume) => ({ index: volume.index, name: volume.name, size: volume.size, sha256: '0'.repeat(64) })),
    entries: volumes.flatMap((volume) => volume.files.map((file) => entryOf(file, volume.index))),
    ...(options.unmet?.length ? { unmet: options.unmet.map((u) => ({ ...u })) } : {}),
  };
  // Our own reader must accept what we write: checked now, before anything is on the drive.
  parseManifest(serializeManifest(draft), MANIFEST_FILE);
  return { bundleId, volumes, draft };
}

function entryOf(file: BundleSourceFile, volume: number): BundleEntry {
  return { path: file.path, size: file.size, sha256: file.sha256, ...(file.h1 === undefined ? {} : { h1: file.h1 }), volume };
}

/** Validates the caller's list up front, naming the file at fault, and orders it so a version's files sit together. */
function checkedSourceFiles(files: readonly BundleSourceFile[]): BundleSourceFile[] {
  if (files.length === 0) throw new Error('nothing to bundle: the list of files is empty');
  const seen = new Set<string>();
  for (const file of files) {
    let kind: string;
    try {
      kind = parseBundlePath(file.path).kind;
    } catch (error) {
      if (error instanceof TreePathError) throw new Error(`cannot bundle ${error.message}`, { cause: error });
      throw error;
    }
    if (seen.has(file.path)) throw new Error(`${file.path}: listed twice`);
    seen.add(file.path);
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new Error(`${file.path}: size must be a whole number of bytes, got ${file.size}`);
    if (!isSha256Hex(file.sha256)) throw new Error(`${file.path}: sha256 must be 64 lower-case hex digits, got ${JSON.stringify(file.sha256)}`);
    const needsH1 = kind === 'mod' || kind === 'zip';
    if (needsH1 && (file.h1 === undefined || !isH1Hash(file.h1))) {
      throw new Error(`${file.path}: a .${kind} file needs its h1 hash (h1:<base64>), got ${JSON.stringify(file.h1 ?? null)}`);
    }
    if (!needsH1 && file.h1 !== undefined) throw new Error(`${file.path}: only .mod and .zip files have an h1 hash`);
  }
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Writes one volume as `<name>.partial`, flushes it and renames it; resolves with its SHA-256. */
async function writeVolume(bundleDir: string, volume: PlannedVolume, mtime: Date, progress: WriteProgress, signal?: AbortSignal): Promise<string> {
  const partial = path.join(bundleDir, `${volume.name}.partial`);
  const out = await open(partial, 'wx', 0o644);
  const hash = createHash('sha256');
  // Headers, small files and padding are gathered into large writes: one write each would cost a trip to the thread pool.
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let written = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const batch = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    pending.length = 0;
    pendingBytes = 0;
    await writeAll(out, batch);
  };
  const put = async (bytes: Uint8Array, reused = false): Promise<void> => {
    hash.update(bytes);
    written += bytes.length;
    if (bytes.length >= WRITE_BATCH_BYTES) {
      await flush();
      await writeAll(out, bytes);
      return;
    }
    pending.push(reused ? Buffer.from(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    pendingBytes += bytes.length;
    if (pendingBytes >= WRITE_BATCH_BYTES) await flush();
  };
  try {
    progress.startVolume(`writing ${volume.name}`, volume.name);
    // Each file comes in one call or more, in order, an empty one too.
    let current: BundleSourceFile | undefined;
    const endCurrent = async (): Promise<void> => {
      if (current === undefined) return;
      await put(tarPadding(current.size));
      progress.endFile();
    };
    await readSourcesInOrder(volume.files, async (file, chunk) => {
      if (file !== current) {
        await endCurrent();
        current = file;
        progress.startFile(`writing ${volume.name}: ${file.path}`, file.path);
        await put(tarEntryHeader(file.path, file.size, mtime));
      }
      await put(chunk, chunk.length < file.size);
      progress.addBytes(chunk.length);
    }, signal);
    await endCurrent();
    await put(tarEndOfArchive());
    await flush();
    if (written !== volume.size) throw new Error(`${volume.name}: wrote ${written} bytes, planned ${volume.size}; the tar layout and its plan disagree`);
    await out.sync();
  } finally {
    await out.close();
  }
  await rename(partial, path.join(bundleDir, volume.name));
  await syncDirectory(bundleDir);
  return hash.digest('hex');
}

/** Progress in files and source bytes: at each volume, then at most one event per interval. */
class WriteProgress {
  private files = 0;
  private bytes = 0;
  private lastAt = 0;
  private message = '';
  private subject = '';
  private readonly totalFiles: number;
  private readonly totalBytes: number;

  constructor(
    private readonly listener: ProgressListener,
    allFiles: readonly BundleSourceFile[],
  ) {
    this.totalFiles = allFiles.length;
    this.totalBytes = allFiles.reduce((sum, file) => sum + file.size, 0);
  }

  /** Always reported: a new volume is a step an operator can see on the drive. */
  startVolume(message: string, subject: string): void {
    this.message = message;
    this.subject = subject;
    this.emit();
  }

  startFile(message: string, subject: string): void {
    this.message = message;
    this.subject = subject;
    if (Date.now() - this.lastAt >= PROGRESS_INTERVAL_MS) this.emit();
  }

  addBytes(bytes: number): void {
    this.bytes += bytes;
    if (Date.now() - this.lastAt >= PROGRESS_INTERVAL_MS) this.emit();
  }

  endFile(): void {
    this.files++;
  }

  finish(message: string, subject: string): void {
    this.message = message;
    this.subject = subject;
    this.emit();
  }

  private emit(): void {
    this.lastAt = Date.now();
    this.listener({ stage: 'write', message: this.message, subject: this.subject, files: this.files, totalFiles: this.totalFiles, bytes: this.bytes, totalBytes: this.totalBytes });
  }
}
