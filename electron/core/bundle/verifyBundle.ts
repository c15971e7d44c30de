/**
 * Verifies a bundle folder before (and while) anything from it is used. In this order:
 *
 * 1. manifest.json parses under the strict schema;
 * 2. manifest.sig is a valid Ed25519 signature of its exact bytes, and the signer is
 *    trusted (or the caller accepts a new signer);
 * 3. the folder holds every listed volume at its listed size, and no other `.tar` that
 *    claims a place in the bundle: all named before any entry is read;
 * 4. each volume is read once, as a stream: the SHA-256 of the whole volume is computed
 *    while its tar entries are parsed, and every entry must be a regular file whose path
 *    is listed for that volume, with the listed size, SHA-256 and, for .mod and .zip
 *    files, h1; every listed entry must turn up.
 *
 * Only regular files are accepted: the writer creates no directory entries (tar creates
 * parent folders itself), so a directory, link, device or FIFO can only come from a
 * volume someone else built, and is refused without reading further.
 *
 * Importing in the same pass: `onEntry` receives each accepted entry's bytes as a stream
 * while they are being hashed, and lands them wherever it likes. What it lands stays
 * provisional until verifyBundle resolves; when it rejects, the importer discards it.
 *
 * Module zips are re-validated (go's zip rules, h1) from the landed copy: a zip can only
 * be checked with random access to its central directory, which a stream does not give,
 * and buffering up to 500 MB per zip is not an option. So the importer's onEntry returns
 * the file it wrote and the zip is read back from there. Without onEntry, each zip is
 * written to a temporary folder (one zip at a time, removed right after), which is
 * removed however verification ends.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { ReadEntry } from 'tar';
import {
  MANIFEST_FILE,
  ManifestError,
  parseManifest,
  SIGNATURE_FILE,
  type BundleEntry,
  type BundleManifest,
  type BundleVolume,
} from '../../../shared/bundle/manifest';
import { parseTreePath, unsafePathReason, type TreePath } from '../../../shared/bundle/treePath';
import { ignoreProgress, type ProgressListener } from '../../../shared/work/progress';
import { checkManifestSignature, parseManifestSignature, SignatureError } from '../keys/manifestSignature';
import { hashGoModBytes } from '../modzip/hashModuleZip';
import { inspectModuleZip } from '../modzip/inspectModuleZip';
import { ModuleZipError } from '../modzip/moduleZipError';
import { BundleVerifyError, shortHash } from './bundleVerifyError';
import { readTarVolume, TarFormatError } from './tarVolumeReader';
import { checkVolumeFolder } from './volumeFolder';

/** true: the signer is trusted; 'trust-new': not yet, but accept it for this bundle; false: refuse. */
export type TrustAnswer = boolean | 'trust-new';

export interface SignerCandidate {
  fingerprint: string;
  publicKey: KeyObject;
}

export interface BundleSigner extends SignerCandidate {
  /** The caller answered 'trust-new': record the key in the trust store now that the bundle checked out. */
  newlyTrusted: boolean;
}

/**
 * Lands one entry's bytes while verifyBundle hashes them. It must read `data` to its end
 * before resolving. Resolves with the file the bytes were written to; for a .zip entry that
 * file is required, since the zip is re-validated from it.
 */
export type EntryLander = (entry: BundleEntry, data: Readable, volume: BundleVolume) => Promise<string | undefined>;

export interface VerifyBundleOptions {
  /** Asked once, after the signature is known to be valid for this manifest. */
  trust: (signer: SignerCandidate) => TrustAnswer | Promise<TrustAnswer>;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  onEntry?: EntryLander;
  /** Where zips go while they are validated when there is no onEntry; the system temp folder by default. */
  tempDir?: string;
  /**
   * False skips re-validating zips and recomputing their h1: only for bytes whose manifest was made from
   * zips this process already validated (the export's read-back), where a sha256 match proves the rest.
   */
  revalidateZips?: boolean;
}

export interface VerifiedBundle {
  manifest: BundleManifest;
  signer: BundleSigner;
}

/** Large enough for a manifest of a million entries; a bigger file is not ours. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
const MAX_SIGNATURE_BYTES = 64 * 1024;
const STREAM_CHUNK_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 250;

export async function verifyBundle(bundleDir: string, options: VerifyBundleOptions): Promise<VerifiedBundle> {
  options.signal?.throwIfAborted();
  const manifestBytes = await readBundleFile(bundleDir, MANIFEST_FILE, MAX_MANIFEST_BYTES);
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(manifestBytes.toString('utf8'), MANIFEST_FILE);
  } catch (error) {
    if (error instanceof ManifestError) throw new BundleVerifyError(error.message, {}, { cause: error });
    throw error;
  }
  const signer = await checkSigner(bundleDir, manifestBytes, options.trust);
  options.signal?.throwIfAborted();
  await checkVolumeFolder(bundleDir, manifest);

  const checker = new EntryChecker(bundleDir, manifest, options);
  try {
    for (const volume of manifest.volumes) await checker.verifyVolume(volume);
  } finally {
    await checker.removeTempDir();
  }
  return { manifest, signer };
}

async function readBundleFile(bundleDir: string, name: string, maxBytes: number): Promise<Buffer> {
  const file = path.join(bundleDir, name);
  try {
    const { size } = await stat(file);
    if (size > maxBytes) throw new BundleVerifyError(`${name}: ${size} bytes, too large to be a bundle's ${name}`);
    return await readFile(file);
  } catch (error) {
    if (error instanceof BundleVerifyError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const why = name === MANIFEST_FILE ? 'not a ModFerry bundle folder, or the bundle was not completely written' : 'the bundle is not signed';
      throw new BundleVerifyError(`${bundleDir}: no ${name}: ${why}`, {}, { cause: error });
    }
    throw new BundleVerifyError(`${name}: cannot read it (${code ?? String(error)})`, {}, { cause: error });
  }
}

async function checkSigner(bundleDir: string, manifestBytes: Buffer, trust: VerifyBundleOptions['trust']): Promise<BundleSigner> {
  const sigBytes = await readBundleFile(bundleDir, SIGNATURE_FILE, MAX_SIGNATURE_BYTES);
  let candidate: SignerCandidate;
  try {
    candidate = checkManifestSignature(manifestBytes, parseManifestSignature(sigBytes.toString('utf8'), SIGNATURE_FILE));
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    const message = error.message.startsWith(`${SIGNATURE_FILE}:`) ? error.message : `${SIGNATURE_FILE}: ${error.message}`;
    throw new BundleVerifyError(message, {}, { cause: error });
  }
  const answer = await trust(candidate);
  if (answer === false) {
    throw new BundleVerifyError(
      `${SIGNATURE_FILE}: signed by ${candidate.fingerprint}, which is not a trusted signer; ` +
        'check this fingerprint with whoever made the bundle, then trust their key or accept the new signer for this import',
    );
  }
  return { ...candidate, newlyTrusted: answer === 'trust-new' };
}

interface StreamedEntry {
  sha256: string;
  bytes: number;
  /** The whole content, kept for .mod files only (at most 16 MiB, the go command's limit). */
  content?: Buffer;
  landedFile?: string;
}

/** The per-volume, per-entry checks of one verifyBundle call, and the state they share. */
class EntryChecker {
  private readonly entriesByPath: Map<string, BundleEntry>;
  /** `path@version` of the versions whose zip the bundle carries: only their .mod is worth keeping. */
  private readonly versionsWithZip: Set<string>;
  /** .mod contents by `path@version`, until the matching zip has been compared with them. */
  private readonly goMods = new Map<string, Buffer>();
  private readonly totalBytes: number;
  private readonly progress: ProgressListener;
  private tempDir: string | undefined;
  private filesDone = 0;
  private bytesDone = 0;
  private lastProgressAt = 0;

  constructor(
    private readonly bundleDir: string,
    private readonly manifest: BundleManifest,
    private readonly options: VerifyBundleOptions,
  ) {
    this.entriesByPath = new Map(manifest.entries.map((entry) => [entry.path, entry]));
    this.versionsWithZip = new Set(
      manifest.entries.map((entry) => parseTreePath(entry.path)).filter((tree) => tree.kind === 'zip').map(versionKey),
    );
    this.totalBytes = manifest.volumes.reduce((sum, volume) => sum + volume.size, 0);
    this.progress = options.onProgress ?? ignoreProgress;
  }

  async verifyVolume(volume: BundleVolume): Promise<void> {
    const seen = new Set<string>();
    this.report(`checking ${volume.name}`, true);
    let sha256: string;
    try {
      sha256 = await readTarVolume(path.join(this.bundleDir, volume.name), volume.size, {
        signal: this.options.signal,
        onBytes: (bytes) => {
          this.bytesDone += bytes;
          this.report(`checking ${volume.name}`, false);
        },
        onEntry: (entry) => this.verifyEntry(entry, volume, seen),
      });
    } catch (error) {
      if (error instanceof TarFormatError) {
        throw new BundleVerifyError(`not a valid tar volume: ${error.message}`, { volume: volume.name }, { cause: error });
      }
      throw error;
    }
    if (sha256 !== volume.sha256) {
      throw new BundleVerifyError(
        `sha256 mismatch (manifest ${shortHash(volume.sha256)}, read ${shortHash(sha256)}): the volume changed after it was written`,
        { volume: volume.name },
      );
    }
    const missing = this.manifest.entries.find((entry) => entry.volume === volume.index && !seen.has(entry.path));
    if (missing !== undefined) {
      throw new BundleVerifyError('listed in the manifest for this volume, but not in it', { volume: volume.name, entry: missing.path });
    }
    this.report(`checked ${volume.name}`, true);
  }

  async removeTempDir(): Promise<void> {
    if (this.tempDir !== undefined) await rm(this.tempDir, { recursive: true, force: true });
  }

  private async verifyEntry(entry: ReadEntry, volume: BundleVolume, seen: Set<string>): Promise<void> {
    const listed = this.admit(entry, volume, seen);
    const where = { volume: volume.name, entry: listed.path };
    const tree = parseTreePath(listed.path);
    const streamed = await this.stream(entry, listed, volume, tree);
    try {
      if (streamed.bytes !== listed.size) {
        throw new BundleVerifyError(`read ${streamed.bytes} bytes, the manifest says ${listed.size}`, where);
      }
      if (streamed.sha256 !== listed.sha256) {
        throw new BundleVerifyError(`sha256 mismatch (manifest ${shortHash(listed.sha256)}, read ${shortHash(streamed.sha256)})`, where);
      }
      if (tree.kind === 'mod' && streamed.content !== undefined) {
        this.checkH1(listed, hashGoModBytes(streamed.content), where);
        if (this.versionsWithZip.has(versionKey(tree))) this.goMods.set(versionKey(tree), streamed.content);
      }
      if (tree.kind === 'zip' && this.options.revalidateZips !== false) await this.checkZip(listed, tree, streamed.landedFile, where);
    } finally {
      if (this.options.onEntry === undefined && streamed.landedFile !== undefined) await unlink(streamed.landedFile);
    }
    this.filesDone++;
    this.report(`checked ${listed.path}`, false);
  }

  /** The manifest entry a tar entry stands for, or the reason it is refused before its data is read. */
  private admit(entry: ReadEntry, volume: BundleVolume, seen: Set<string>): BundleEntry {
    // Not entry.header.path: the tar package prepends the ustar prefix field to a PAX path there.
    const tarPath = entry.path;
    const refuse = (reason: string): BundleVerifyError => new BundleVerifyError(reason, { volume: volume.name, entry: tarPath });
    if (entry.type !== 'File' && entry.type !== 'OldFile') throw refuse(`refused: ${describeEntryType(entry)}; a bundle volume holds regular files only`);
    const unsafe = unsafePathReason(tarPath);
    if (unsafe !== undefined) throw refuse(`refused: ${unsafe}`);
    if (entry.globalExtended !== undefined) throw refuse('refused: a global PAX header applies to it; the bundle writer never writes one');
    const listed = this.entriesByPath.get(tarPath);
    if (listed === undefined) throw refuse('not listed in the manifest: refused');
    if (listed.volume !== volume.index) {
      const home = this.manifest.volumes[listed.volume - 1]?.name ?? `volume ${listed.volume}`;
      throw refuse(`listed in the manifest for ${home}, not this volume`);
    }
    if (seen.has(tarPath)) throw refuse('appears twice in this volume');
    seen.add(tarPath);
    if (entry.size !== listed.size) throw refuse(`size mismatch (manifest ${listed.size} bytes, tar header ${entry.size})`);
    return listed;
  }

  /** Passes the entry's bytes to the lander while hashing them, with the lander's pace setting the reading pace. */
  private async stream(entry: ReadEntry, listed: BundleEntry, volume: BundleVolume, tree: TreePath): Promise<StreamedEntry> {
    const hash = createHash('sha256');
    let bytes = 0;
    const kept: Buffer[] | undefined = tree.kind === 'mod' ? [] : undefined;
    const data = new PassThrough({ highWaterMark: STREAM_CHUNK_BYTES });
    // A lander that gives up destroys the stream; its rejection says why, so the stream's own error event is not needed.
    data.on('error', () => undefined);
    const streamed = new Promise<void>((resolve, reject) => {
      entry.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
        kept?.push(chunk);
        if (!data.write(chunk)) {
          entry.pause();
          data.once('drain', () => entry.resume());
        }
      });
      entry.on('end', () => {
        data.end();
        resolve();
      });
      entry.on('error', (error: unknown) => {
        data.destroy(error instanceof Error ? error : new Error(String(error)));
        reject(error);
      });
    });
    streamed.catch(() => undefined);

    const lander = this.options.onEntry ?? ((e: BundleEntry, d: Readable) => this.landInTemp(e, d, tree));
    let landedFile: string | undefined;
    try {
      landedFile = (await lander(listed, data, volume)) ?? undefined;
      if (!data.readableEnded) throw new Error(`onEntry resolved before reading ${listed.path} to its end`);
    } catch (error) {
      entry.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    await streamed;
    return { sha256: hash.digest('hex'), bytes, ...(kept === undefined ? {} : { content: Buffer.concat(kept) }), ...(landedFile === undefined ? {} : { landedFile }) };
  }

  private async landInTemp(_entry: BundleEntry, data: Readable, tree: TreePath): Promise<string | undefined> {
    if (tree.kind !== 'zip' || this.options.revalidateZips === false) {
      data.resume();
      await finished(data);
      return undefined;
    }
    this.tempDir ??= await mkdtemp(path.join(this.options.tempDir ?? os.tmpdir(), 'modferry-verify-'));
    const file = path.join(this.tempDir, 'module.zip');
    await pipeline(data, createWriteStream(file, { flags: 'wx' }));
    return file;
  }

  private async checkZip(listed: BundleEntry, tree: TreePath, landedFile: string | undefined, where: { volume: string; entry: string }): Promise<void> {
    if (landedFile === undefined) throw new Error(`onEntry did not say where it landed ${listed.path}; a zip is validated from its landed copy`);
    const key = versionKey(tree);
    const expectedGoMod = this.goMods.get(key);
    this.goMods.delete(key);
    let h1: string;
    try {
      ({ h1 } = await inspectModuleZip(landedFile, { path: tree.modulePath, version: tree.version ?? '' }, expectedGoMod === undefined ? {} : { expectedGoMod }));
    } catch (error) {
      if (!(error instanceof ModuleZipError)) throw error;
      const inside = error.entry === undefined ? '' : `${error.entry}: `;
      throw new BundleVerifyError(`not a valid module zip: ${inside}${error.reason}`, where, { cause: error });
    }
    this.checkH1(listed, h1, where);
  }

  private checkH1(listed: BundleEntry, h1: string, where: { volume: string; entry: string }): void {
    if (h1 !== listed.h1) throw new BundleVerifyError(`h1 mismatch (manifest ${listed.h1}, read ${h1})`, where);
  }

  private report(message: string, always: boolean): void {
    const now = Date.now();
    if (!always && now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    this.progress({
      stage: 'verify',
      message,
      files: this.filesDone,
      totalFiles: this.manifest.entries.length,
      bytes: this.bytesDone,
      totalBytes: this.totalBytes,
    });
  }
}

function versionKey(tree: TreePath): string {
  return `${tree.modulePath}@${tree.version ?? ''}`;
}

function describeEntryType(entry: ReadEntry): string {
  switch (entry.type) {
    case 'SymbolicLink':
      return `a symbolic link (to ${JSON.stringify(entry.linkpath ?? '')})`;
    case 'Link':
      return `a hard link (to ${JSON.stringify(entry.linkpath ?? '')})`;
    case 'Directory':
      return 'a directory entry';
    case 'CharacterDevice':
    case 'BlockDevice':
      return 'a device file';
    case 'FIFO':
      return 'a FIFO';
    case 'Unsupported':
      return 'an entry of a type tar does not know';
    default:
      return `a ${entry.type} entry`;
  }
}
