/**
 * Good copies of damaged or missing store files, taken from bundles. Each bundle is verified as
 * an import verifies it (signature, trust, every volume and every byte against the signed
 * manifest); while it is read, only the entries the store needs are kept, in a staging folder of
 * their own, and nothing is kept from a bundle that does not verify in full.
 *
 * Checksum-database proofs (lookup records and hash tiles, `sumdb/<db>/…`) are restored the same
 * way: the catalog lists each with the size and SHA-256 it was imported with, and a bundle entry of
 * that path, size and hash is those bytes.
 *
 * A tree head lives in the catalog, not in a file: a bundle's `sumdb/<db>/latest` restores one whose
 * note is damaged when it is a head of the same tree (the size and root hash the catalog records).
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
import { isSumdbPath, parseSumdbPath } from '../../../shared/sumdb/sumdbPath';
import { parseSignedTreeNote, TreeNoteError } from '../../../shared/sumdb/treeNote';
import type { HeldProof } from './catalogProofs';
import { headProblem, type DamagedHead } from './checkStore';
import type { StoreLayout } from './storeLayout';
import { errorMessage } from '../../../shared/errorMessage';

export interface LandedFile {
  file: CheckedCatalogFile;
  /** Where its verified bytes wait, in the restore's staging folder. */
  landed: string;
  /** The bundle they came from. */
  bundleId: string;
}

export interface LandedProof {
  proof: HeldProof;
  landed: string;
  bundleId: string;
}

export interface LandedHead {
  db: string;
  size: number;
  /** The note text as the bundle carries it, signature lines and all. */
  note: string;
  bundleId: string;
}

/** What the store lacks good copies of: tree files, proof files and tree heads, each as the catalog lists it. */
export interface NeededFiles {
  files: readonly CheckedCatalogFile[];
  proofs: readonly HeldProof[];
  heads: readonly DamagedHead[];
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
  readonly landedProofs: LandedProof[] = [];
  readonly landedHeads: LandedHead[] = [];

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Verifies the bundles in turn, keeping the needed entries each one carries. Rejects, keeping
   * nothing, as soon as one does not verify.
   */
  static async fromBundles(layout: StoreLayout, bundleDirs: readonly string[], needed: NeededFiles, options: RestoreFromBundlesOptions): Promise<RestoreArea> {
    const area = new RestoreArea(path.join(layout.staging, `store-check-${randomBytes(4).toString('hex')}`));
    try {
      const wanted: Wanted = {
        files: new Map(needed.files.map((file) => [file.path, file])),
        proofs: new Map(needed.proofs.map((proof) => [proof.path, proof])),
        heads: new Map(needed.heads.map((head) => [headKey(head.db, head.size), head])),
      };
      for (const bundleDir of bundleDirs) {
        if (wanted.files.size + wanted.proofs.size + wanted.heads.size === 0) break;
        const landed = await area.landFrom(bundleDir, wanted, options);
        for (const file of landed.files) {
          wanted.files.delete(file.file.path);
          area.landed.push(file);
        }
        for (const proof of landed.proofs) {
          wanted.proofs.delete(proof.proof.path);
          area.landedProofs.push(proof);
        }
        for (const head of landed.heads) {
          wanted.heads.delete(headKey(head.db, head.size));
          area.landedHeads.push(head);
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

  private async landFrom(bundleDir: string, wanted: Wanted, options: RestoreFromBundlesOptions): Promise<{ files: LandedFile[]; proofs: LandedProof[]; heads: LandedHead[] }> {
    // verifyBundle accepts each listed path once, so an entry is never landed twice from one bundle.
    const fromThisBundle: Array<Omit<LandedFile, 'bundleId'>> = [];
    const proofsFromThisBundle: Array<Omit<LandedProof, 'bundleId'>> = [];
    const headsFromThisBundle: Array<Omit<LandedHead, 'bundleId'>> = [];
    const land = async (entry: BundleEntry, data: Readable): Promise<string | undefined> => {
      const headDb = latestOf(entry.path);
      if (headDb !== undefined && [...wanted.heads.values()].some((head) => head.db === headDb)) {
        const head = sameTree(wanted.heads, headDb, await readAll(data));
        if (head !== undefined) headsFromThisBundle.push(head);
        return undefined;
      }
      const file = sameBytes(wanted.files.get(entry.path), entry);
      const proof = sameBytes(wanted.proofs.get(entry.path), entry);
      if (file === undefined && proof === undefined) {
        data.resume();
        await finished(data);
        return undefined;
      }
      await mkdir(this.dir, { recursive: true });
      const count = this.landed.length + this.landedProofs.length + fromThisBundle.length + proofsFromThisBundle.length;
      const landed = path.join(this.dir, `${count + 1}.${file?.kind ?? 'proof'}`);
      await writeStreamDurably(landed, data);
      if (file !== undefined) fromThisBundle.push({ file, landed });
      else if (proof !== undefined) proofsFromThisBundle.push({ proof, landed });
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
    return {
      files: fromThisBundle.map((landed) => ({ ...landed, bundleId })),
      proofs: proofsFromThisBundle.map((landed) => ({ ...landed, bundleId })),
      heads: headsFromThisBundle.map((landed) => ({ ...landed, bundleId })),
    };
  }
}

function headKey(db: string, size: number): string {
  return `${db}@${size}`;
}

/** The database a bundle entry is the tree head of, when it is one. */
function latestOf(entryPath: string): string | undefined {
  if (!isSumdbPath(entryPath)) return undefined;
  const parsed = parseSumdbPath(entryPath);
  return parsed.kind === 'latest' ? parsed.name : undefined;
}

/** The bundle's head, when it is a sound head of a tree the store needs the note of (the size and root hash the catalog records). */
function sameTree(wanted: ReadonlyMap<string, DamagedHead>, db: string, content: Buffer): Omit<LandedHead, 'bundleId'> | undefined {
  const note = content.toString('utf8');
  let parsed;
  try {
    parsed = parseSignedTreeNote(note);
  } catch (error) {
    if (error instanceof TreeNoteError) return undefined;
    throw error;
  }
  const head = wanted.get(headKey(db, parsed.size));
  if (head === undefined || headProblem({ db, size: head.size, hash: head.hash, note }) !== undefined) return undefined;
  return { db, size: head.size, note };
}

async function readAll(data: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of data) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The catalog's file when the bundle's entry has its size and SHA-256: then the entry is those bytes. */
function sameBytes<T extends { size: number; sha256: string }>(held: T | undefined, entry: BundleEntry): T | undefined {
  return held !== undefined && held.sha256 === entry.sha256 && held.size === entry.size ? held : undefined;
}

interface Wanted {
  files: Map<string, CheckedCatalogFile>;
  proofs: Map<string, HeldProof>;
  heads: Map<string, DamagedHead>;
}
