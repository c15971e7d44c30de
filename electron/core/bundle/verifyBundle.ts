/**
 * Verifies a bundle folder before (and while) anything from it is used. In this order:
 *
 * 1. manifest.json and manifest.sig are read as regular files within a cap (readBundleFile);
 * 2. manifest.sig is a valid Ed25519 signature of manifest.json's exact bytes, and the signer
 *    is trusted (or the caller accepts a new signer): only then are those bytes parsed, once,
 *    under the strict schema;
 * 3. the folder holds every listed volume at its listed size, and no other `.tar` that
 *    claims a place in the bundle: all named before any entry is read;
 * 4. each volume is read once, as a stream: the SHA-256 of the whole volume is computed
 *    while its tar entries are parsed, and every entry must be a regular file whose path
 *    is listed for that volume, with the listed size, SHA-256 and, for .mod and .zip
 *    files, h1; every .info must be one the go command accepts for its version (infoFile);
 *    every listed entry must turn up, and nothing but zero padding may follow the end of the
 *    archive (tarEndOfArchive).
 *
 * Checksum-database proofs (`sumdb/<db>/…`, see shared/sumdb/sumdbPath) are checked like every entry, and their
 * content is then read for what it claims: `latest` must be a tree head signed under the database's
 * name, a lookup a record of its own module version within that head, a tile as many hashes long
 * as its name says. Their signatures and hashes are the go command's to verify, with its GOSUMDB key.
 *
 * Only regular files are accepted: the writer creates no directory entries (tar creates
 * parent folders itself), so a directory, link, device or FIFO can only come from a
 * volume someone else built, and is refused without reading further.
 *
 * Importing in the same pass: `onEntry` receives each accepted entry's bytes as a stream
 * while they are being hashed, and lands them wherever it likes. What it lands stays
 * provisional until verifyBundle resolves; when it rejects, the importer discards it.
 *
 * A version's .mod and its zip's go.mod must agree. When the .mod was read first, the zip check
 * compares them; when the zip comes first (later in its volume, or in an earlier volume), its
 * go.mod is read again once it is checked and compared with the sha256 the manifest lists for
 * the .mod, which the .mod's own bytes must match when they come.
 *
 * Module zips are re-validated (go's zip rules, h1) once their sha256 matched, so the zip
 * reader only ever sees the bytes the manifest lists. That is most of the work (inflating
 * and hashing every file), so it runs on a pool of worker threads while the volume is read
 * on; a volume is reported checked once all of its zips are, and when several entries are
 * faulty, the one reported is the first in the volume. A zip can only be checked with random
 * access to its central directory, which a stream does not give, and buffering up to 500 MB
 * per zip is not an option. So the importer's onEntry returns the file it wrote and the zip
 * is read back from there. Without onEntry, the zip is read where it lies: a tar entry's
 * data is one contiguous range of the volume file, and the zip reader is confined to it.
 * That reads the volume a second time (from the page cache, for all but the largest zips)
 * and assumes it does not change in between: a bundle is verified from a drive that is
 * read-only or that nothing else writes to while it is checked.
 */
import { createHash, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { ReadEntry } from 'tar/read-entry';
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
import type { ModuleVersion } from '../../../shared/gomod/moduleZipRules';
import { ignoreProgress, type ProgressListener } from '../../../shared/work/progress';
import { checkManifestSignature, parseManifestSignature, SignatureError } from '../keys/manifestSignature';
import { hashGoModBytes } from '../modzip/hashModuleZip';
import { ModuleZipError } from '../modzip/moduleZipError';
import type { ZipRange } from '../modzip/openZipFile';
import { ZipCheckPool, zipCheckWorkersFor } from '../modzip/zipCheckPool';
import { BundleVerifyError, shortHash, type BundleFault } from './bundleVerifyError';
import { InfoFileError, MAX_INFO_BYTES, readInfoFile } from './infoFile';
import { MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES, readBundleFile } from './readBundleFile';
import { readTarVolume, TarFormatError, type VolumeOffsetOf } from './tarVolumeReader';
import { checkVolumeFolder } from './volumeFolder';
import { readZipGoMod } from './zipGoMod';
import { ZipChecksInFlight } from './zipChecksInFlight';
import { asError } from '../../../shared/errorMessage';
import { isSumdbPath, parseSumdbPath, type SumdbPath } from '../../../shared/sumdb/sumdbPath';
import { ProofChecks } from './proofChecks';

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
  /** Called once the manifest is signed, trusted and parsed, before any volume is looked at; a rejection stops the verify. */
  onManifest?: (verified: VerifiedBundle) => void | Promise<void>;
  /**
   * False skips re-validating zips and recomputing their h1: only for bytes whose manifest was made from
   * zips this process already validated (the export's read-back), where a sha256 match proves the rest.
   */
  revalidateZips?: boolean;
}

export interface VerifiedBundle {
  manifest: BundleManifest;
  signer: BundleSigner;
  /** Lower-case hex SHA-256 of manifest.json's bytes: with the signer, the bundle's identity. */
  manifestSha256: string;
}
const STREAM_CHUNK_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 250;
/**
 * Zip checks under way or waiting for a worker, per worker: enough that a worker always has
 * the next zip, also while this thread is not scheduled for a while on a busy machine; few
 * enough that memory stays flat on a bundle of 100k zips.
 */
const ZIP_CHECKS_PER_WORKER = 32;
/**
 * Past the first check, at most this much zip in flight: the reader never gets so far ahead
 * that the zips it passed have left the page cache before a worker reads them again.
 */
const ZIP_CHECK_BYTES = 256 * 1024 * 1024;

export async function verifyBundle(bundleDir: string, options: VerifyBundleOptions): Promise<VerifiedBundle> {
  const verified = await verifyManifestFiles(bundleDir, options.trust, options.signal);
  await options.onManifest?.(verified);
  await verifyVolumes(bundleDir, verified.manifest, options);
  return verified;
}

/** manifest.json and manifest.sig: a valid signature by a signer `trust` accepts over a well-formed manifest. */
export async function verifyManifestFiles(bundleDir: string, trust: VerifyBundleOptions['trust'], signal?: AbortSignal): Promise<VerifiedBundle> {
  signal?.throwIfAborted();
  const manifestBytes = await readBundleFile(bundleDir, MANIFEST_FILE, MAX_MANIFEST_BYTES);
  const signer = await checkSigner(bundleDir, manifestBytes, trust);
  let manifest: BundleManifest;
  try {
    manifest = parseManifest(manifestBytes.toString('utf8'), MANIFEST_FILE);
  } catch (error) {
    if (error instanceof ManifestError) throw new BundleVerifyError(error.reason, { file: MANIFEST_FILE }, { cause: error, problem: 'manifest-invalid' });
    throw error;
  }
  return { manifest, signer, manifestSha256: createHash('sha256').update(manifestBytes).digest('hex') };
}

/** Every volume the manifest lists, and nothing else claiming to be one, read and checked entry by entry against it. */
export async function verifyVolumes(bundleDir: string, manifest: BundleManifest, options: Omit<VerifyBundleOptions, 'trust' | 'onManifest'>): Promise<void> {
  options.signal?.throwIfAborted();
  await checkVolumeFolder(bundleDir, manifest);

  const checker = new EntryChecker(bundleDir, manifest, options);
  // Stops the zip checks at once; the read stops on the same signal.
  const stopChecks = (): void => void checker.close();
  options.signal?.addEventListener('abort', stopChecks, { once: true });
  try {
    for (const volume of manifest.volumes) await checker.verifyVolume(volume);
    checker.proofs.finish();
  } finally {
    options.signal?.removeEventListener('abort', stopChecks);
    // Before verifyBundle settles: no worker may still read a file the caller removes next.
    await checker.close();
  }
}

async function checkSigner(bundleDir: string, manifestBytes: Buffer, trust: VerifyBundleOptions['trust']): Promise<BundleSigner> {
  const sigBytes = await readBundleFile(bundleDir, SIGNATURE_FILE, MAX_SIGNATURE_BYTES);
  let candidate: SignerCandidate;
  try {
    candidate = checkManifestSignature(manifestBytes, parseManifestSignature(sigBytes.toString('utf8'), SIGNATURE_FILE));
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    throw new BundleVerifyError(error.reason, { file: SIGNATURE_FILE }, { cause: error, problem: 'signature-invalid' });
  }
  const answer = await trust(candidate);
  if (answer === false) {
    throw new BundleVerifyError(
      `signed by ${candidate.fingerprint}, which is not a trusted signer; ` +
        "check this fingerprint with whoever made the bundle, then trust their key with 'modferry keys trust FILE' (the bundle carries a copy as signer.pub.pem) or pass --trust-new-key",
      { file: SIGNATURE_FILE, fingerprint: candidate.fingerprint },
      { problem: 'signer-not-trusted' },
    );
  }
  return { ...candidate, newlyTrusted: answer === 'trust-new' };
}

interface StreamedEntry {
  sha256: string;
  bytes: number;
  /** The whole content, kept for .mod (at most 16 MiB, the go command's limit), .info files (MAX_INFO_BYTES) and proofs (MAX_SUMDB_TEXT_BYTES, a tile 8 KiB). */
  content?: Buffer;
  /** Where the bytes can be read again: the lander's file, or (without a lander) the volume. */
  copy?: { file: string; range?: ZipRange };
}

/** A manifest entry with its place in the GOPROXY tree or among the checksum-database proofs, parsed once. */
type ListedEntry = { entry: BundleEntry; tree: TreePath; proof?: undefined } | { entry: BundleEntry; tree?: undefined; proof: SumdbPath };

/** The per-volume, per-entry checks of one verifyBundle call, and the state they share. */
class EntryChecker {
  private readonly entriesByPath: Map<string, ListedEntry>;
  /** `path@version` of the versions whose zip the bundle carries: only their .mod is worth keeping. */
  private readonly versionsWithZip: Set<string>;
  /** The .mod entries by `path@version`: a zip checked before its .mod is read is compared with the listed sha256. */
  private readonly modEntries: Map<string, BundleEntry>;
  /** `path@version` of the zips whose check has started: a .mod read after that is not kept for it. */
  private readonly zipsStarted = new Set<string>();
  /** .mod contents by `path@version`, until the matching zip has been compared with them. */
  private readonly goMods = new Map<string, Buffer>();
  private readonly totalBytes: number;
  private readonly progress: ProgressListener;
  /** Workers start with the first zip, so a bundle without one never starts any. */
  private readonly zipCheckPool: ZipCheckPool;
  readonly proofs = new ProofChecks();
  private filesDone = 0;
  private bytesDone = 0;
  private lastProgressAt = 0;

  constructor(
    private readonly bundleDir: string,
    private readonly manifest: BundleManifest,
    private readonly options: Omit<VerifyBundleOptions, 'trust' | 'onManifest'>,
  ) {
    this.entriesByPath = new Map(manifest.entries.map((entry): [string, ListedEntry] => [
      entry.path,
      isSumdbPath(entry.path) ? { entry, proof: parseSumdbPath(entry.path) } : { entry, tree: parseTreePath(entry.path) },
    ]));
    const trees = [...this.entriesByPath.values()].flatMap(({ entry, tree }) => (tree === undefined ? [] : [{ entry, tree }]));
    const zips = trees.filter(({ tree }) => tree.kind === 'zip');
    this.versionsWithZip = new Set(zips.map(({ tree }) => versionKey(tree)));
    this.modEntries = new Map(trees.filter(({ tree }) => tree.kind === 'mod').map(({ entry, tree }) => [versionKey(tree), entry]));
    const zipBytes = zips.reduce((sum, { entry }) => sum + entry.size, 0);
    const largestZip = zips.reduce((largest, { entry }) => Math.max(largest, entry.size), 0);
    this.zipCheckPool = new ZipCheckPool(zipCheckWorkersFor(zipBytes - largestZip));
    this.totalBytes = manifest.volumes.reduce((sum, volume) => sum + volume.size, 0);
    this.progress = options.onProgress ?? ignoreProgress;
  }

  async close(): Promise<void> {
    await this.zipCheckPool.close();
  }

  async verifyVolume(volume: BundleVolume): Promise<void> {
    const seen = new Set<string>();
    const zipChecks = new ZipChecksInFlight(Math.max(1, this.zipCheckPool.size) * ZIP_CHECKS_PER_WORKER, ZIP_CHECK_BYTES);
    this.report(`checking ${volume.name}`, true, volume.name);
    let sha256: string;
    try {
      sha256 = await readTarVolume(path.join(this.bundleDir, volume.name), volume.size, {
        signal: this.options.signal,
        onBytes: (bytes) => {
          this.bytesDone += bytes;
          this.report(`checking ${volume.name}`, false, volume.name);
        },
        onEntry: (entry, offsetOf) => this.verifyEntry(entry, offsetOf, volume, seen, zipChecks),
      });
      await zipChecks.finishAll();
    } catch (error) {
      // Every check under way is of a zip before the entry that stopped the read: a fault in one is reported first.
      await this.finishZipChecks(zipChecks);
      if (error instanceof TarFormatError) {
        throw new BundleVerifyError(`not a valid tar volume: ${error.message}`, { volume: volume.name, entry: error.fields.entry }, { cause: error, problem: 'not-a-volume' });
      }
      throw error;
    }
    if (sha256 !== volume.sha256) {
      throw new BundleVerifyError(
        `sha256 mismatch (manifest ${shortHash(volume.sha256)}, read ${shortHash(sha256)}): the volume changed after it was written`,
        { volume: volume.name },
        { problem: 'content-changed' },
      );
    }
    const missing = this.manifest.entries.find((entry) => entry.volume === volume.index && !seen.has(entry.path));
    if (missing !== undefined) {
      throw new BundleVerifyError('listed in the manifest for this volume, but not in it', { volume: volume.name, entry: missing.path }, { problem: 'entry-missing' });
    }
    this.report(`checked ${volume.name}`, true, volume.name);
  }

  /** Waits for a volume's zip checks. An abort closes the pool, failing the checks under way: then the abort is the error. */
  private async finishZipChecks(zipChecks: ZipChecksInFlight): Promise<void> {
    try {
      await zipChecks.finishAll();
    } catch (error) {
      this.options.signal?.throwIfAborted();
      throw error;
    }
  }

  private async verifyEntry(entry: ReadEntry, offsetOf: VolumeOffsetOf, volume: BundleVolume, seen: Set<string>, zipChecks: ZipChecksInFlight): Promise<void> {
    // A zip before this entry was found faulty: that is the error, and nothing after it needs reading.
    await zipChecks.failFast();
    const { entry: listed, tree, proof } = this.admit(entry, volume, seen);
    const where = { volume: volume.name, entry: listed.path };
    const keep = proof !== undefined || tree.kind === 'mod' || tree.kind === 'info';
    const streamed = this.options.onEntry === undefined
      ? await this.hashInPlace(entry, volume, keep, offsetOf)
      : await this.hashWhileLanding(entry, listed, volume, keep, this.options.onEntry);
    if (streamed.bytes !== listed.size) {
      throw new BundleVerifyError(`read ${streamed.bytes} bytes, the manifest says ${listed.size}`, where, { problem: 'size-changed' });
    }
    if (streamed.sha256 !== listed.sha256) {
      throw new BundleVerifyError(`sha256 mismatch (manifest ${shortHash(listed.sha256)}, read ${shortHash(streamed.sha256)})`, where, { problem: 'content-changed' });
    }
    if (proof !== undefined) {
      if (streamed.content !== undefined) this.proofs.check(proof, streamed.content, where);
      this.entryDone(listed);
      return;
    }
    if (tree.kind === 'info' && streamed.content !== undefined) checkInfo(streamed.content, tree, where);
    if (tree.kind === 'mod' && streamed.content !== undefined) {
      this.checkH1(listed, hashGoModBytes(streamed.content), where);
      const key = versionKey(tree);
      if (this.versionsWithZip.has(key) && !this.zipsStarted.has(key)) this.goMods.set(key, streamed.content);
    }
    if (tree.kind === 'zip' && this.options.revalidateZips !== false) {
      const { copy } = streamed;
      if (copy === undefined) {
        throw new Error(this.options.onEntry === undefined
          ? `${where.volume}: ${listed.path}: the tar reader did not say where the zip lies in the volume, so it cannot be validated there`
          : `onEntry did not say where it landed ${listed.path}; a zip is validated from its landed copy`);
      }
      this.zipsStarted.add(versionKey(tree));
      await zipChecks.start(listed.size, async () => {
        await this.checkZip(listed, tree, copy, where);
        this.entryDone(listed);
      });
      return;
    }
    this.entryDone(listed);
  }

  private entryDone(listed: BundleEntry): void {
    this.filesDone++;
    this.report(`checked ${listed.path}`, false, listed.path);
  }

  /** The manifest entry a tar entry stands for, or the reason it is refused before its data is read. */
  private admit(entry: ReadEntry, volume: BundleVolume, seen: Set<string>): ListedEntry {
    // Not entry.header.path: the tar package prepends the ustar prefix field to a PAX path there.
    const tarPath = entry.path;
    const refuse = (reason: string): BundleVerifyError => new BundleVerifyError(reason, { volume: volume.name, entry: tarPath });
    if (entry.type !== 'File' && entry.type !== 'OldFile') throw refuse(`refused: ${describeEntryType(entry)}; a bundle volume holds regular files only`);
    const unsafe = unsafePathReason(tarPath);
    if (unsafe !== undefined) throw refuse(`refused: ${unsafe}`);
    if (entry.globalExtended !== undefined) throw refuse('refused: a global PAX header applies to it; the bundle writer never writes one');
    const found = this.entriesByPath.get(tarPath);
    if (found === undefined) throw refuse('not listed in the manifest: refused');
    const listed = found.entry;
    if (listed.volume !== volume.index) {
      const home = this.manifest.volumes[listed.volume - 1]?.name ?? `volume ${listed.volume}`;
      throw refuse(`listed in the manifest for ${home}, not this volume`);
    }
    if (seen.has(tarPath)) throw refuse('appears twice in this volume');
    seen.add(tarPath);
    if (entry.size !== listed.size) throw new BundleVerifyError(`size mismatch (manifest ${listed.size} bytes, tar header ${entry.size})`, { volume: volume.name, entry: tarPath }, { problem: 'size-changed' });
    if (found.tree?.kind === 'info' && listed.size > MAX_INFO_BYTES) throw refuse(`${listed.size} bytes, too large for a .info file (at most ${MAX_INFO_BYTES})`);
    return found;
  }

  /** Hashes the entry's bytes as the volume is read, noting where they lie in it so that a zip can be read there. */
  private async hashInPlace(entry: ReadEntry, volume: BundleVolume, keep: boolean, offsetOf: VolumeOffsetOf): Promise<StreamedEntry> {
    const hash = createHash('sha256');
    let bytes = 0;
    let offset: number | undefined;
    const kept: Buffer[] | undefined = keep ? [] : undefined;
    await new Promise<void>((resolve, reject) => {
      entry.on('data', (chunk: Buffer) => {
        if (bytes === 0) offset = offsetOf(chunk);
        hash.update(chunk);
        bytes += chunk.length;
        kept?.push(chunk);
      });
      entry.on('end', resolve);
      entry.on('error', reject);
    });
    const file = path.join(this.bundleDir, volume.name);
    return {
      sha256: hash.digest('hex'),
      bytes,
      ...(kept === undefined ? {} : { content: Buffer.concat(kept) }),
      ...(offset === undefined ? {} : { copy: { file, range: { offset, length: bytes } } }),
    };
  }

  /** Passes the entry's bytes to the lander while hashing them, with the lander's pace setting the reading pace. */
  private async hashWhileLanding(entry: ReadEntry, listed: BundleEntry, volume: BundleVolume, keep: boolean, lander: EntryLander): Promise<StreamedEntry> {
    const hash = createHash('sha256');
    let bytes = 0;
    const kept: Buffer[] | undefined = keep ? [] : undefined;
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
        data.destroy(asError(error));
        reject(error);
      });
    });
    streamed.catch(() => undefined);

    let landedFile: string | undefined;
    try {
      landedFile = (await lander(listed, data, volume)) ?? undefined;
      if (!data.readableEnded) throw new Error(`onEntry resolved before reading ${listed.path} to its end`);
    } catch (error) {
      entry.destroy(asError(error));
      throw error;
    }
    await streamed;
    return {
      sha256: hash.digest('hex'),
      bytes,
      ...(kept === undefined ? {} : { content: Buffer.concat(kept) }),
      ...(landedFile === undefined ? {} : { copy: { file: landedFile } }),
    };
  }

  private async checkZip(listed: BundleEntry, tree: TreePath, copy: NonNullable<StreamedEntry['copy']>, where: { volume: string; entry: string }): Promise<void> {
    const key = versionKey(tree);
    const mod = { path: tree.modulePath, version: tree.version ?? '' };
    const fault = { ...where, module: mod.path, version: mod.version };
    const expectedGoMod = this.goMods.get(key);
    this.goMods.delete(key);
    let h1: string;
    try {
      ({ h1 } = await this.zipCheckPool.check(copy.file, mod, {
        ...(expectedGoMod === undefined ? {} : { expectedGoMod }),
        ...(copy.range === undefined ? {} : { range: copy.range }),
      }));
    } catch (error) {
      if (!(error instanceof ModuleZipError)) throw error;
      const inside = error.entry === undefined ? '' : `${error.entry}: `;
      throw new BundleVerifyError(`not a valid module zip: ${inside}${error.reason}`, fault, { cause: error, problem: 'not-a-module-zip' });
    }
    this.checkH1(listed, h1, where);
    const modEntry = this.modEntries.get(key);
    if (expectedGoMod === undefined && modEntry !== undefined) await this.checkGoModAgainstListing(copy, mod, modEntry, fault);
  }

  /** The zip was checked before its .mod was read: its go.mod must have the sha256 the manifest lists for the .mod. */
  private async checkGoModAgainstListing(copy: NonNullable<StreamedEntry['copy']>, mod: ModuleVersion, modEntry: BundleEntry, fault: BundleFault): Promise<void> {
    let goMod: Buffer | undefined;
    try {
      goMod = await readZipGoMod(copy.file, mod, copy.range);
    } catch (error) {
      if (!(error instanceof ModuleZipError)) throw error;
      throw new BundleVerifyError(`not a valid module zip: ${error.reason}`, fault, { cause: error, problem: 'not-a-module-zip' });
    }
    if (goMod === undefined) return;
    const sha256 = createHash('sha256').update(goMod).digest('hex');
    if (sha256 !== modEntry.sha256) {
      throw new BundleVerifyError(
        `its go.mod differs from the module's .mod file (${modEntry.path} is listed with sha256 ${shortHash(modEntry.sha256)}, the zip's go.mod has ${shortHash(sha256)})`,
        fault,
      );
    }
  }

  private checkH1(listed: BundleEntry, h1: string, where: { volume: string; entry: string }): void {
    if (h1 !== listed.h1) throw new BundleVerifyError(`h1 mismatch (manifest ${listed.h1}, read ${h1})`, where, { problem: 'content-changed' });
  }

  private report(message: string, always: boolean, subject: string): void {
    const now = Date.now();
    if (!always && now - this.lastProgressAt < PROGRESS_INTERVAL_MS) return;
    this.lastProgressAt = now;
    this.progress({
      stage: 'verify',
      message,
      subject,
      files: this.filesDone,
      totalFiles: this.manifest.entries.length,
      bytes: this.bytesDone,
      totalBytes: this.totalBytes,
    });
  }
}

function checkInfo(content: Buffer, tree: TreePath, where: { volume: string; entry: string }): void {
  const version = tree.version ?? '';
  try {
    readInfoFile(content, version);
  } catch (error) {
    if (!(error instanceof InfoFileError)) throw error;
    throw new BundleVerifyError(`not a valid .info file: ${error.message}`, { ...where, module: tree.modulePath, version }, { cause: error });
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
