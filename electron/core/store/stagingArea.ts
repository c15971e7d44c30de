/**
 * Where an import lands a bundle's new files while verifyBundle reads them:
 * `<store>/staging/<bundleId>/<n>.<kind>`, each written exclusively and fsynced. One flat
 * folder, so a single folder sync makes every staged name durable before the commit journal
 * is written. Files the store already holds are only read through (a held zip is
 * re-validated from its copy in the tree), except damaged copies, which are staged to be
 * restored; an .info the store holds with other bytes is compared with it by what it says;
 * list files are read through and dropped. Checksum-database proofs land beside them (`<n>.proof`),
 * kept in memory too (they are small): the commit needs their record ids and tree heads, read once
 * the bundle has verified.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BundleEntry } from '../../../shared/bundle/manifest';
import { parseTreePath, type TreePath } from '../../../shared/bundle/treePath';
import { InfoFileError, readInfoFile, sameInfo, type InfoFile } from '../bundle/infoFile';
import type { HeldFile } from './catalog';
import type { JournalFile } from './commitJournal';
import { conflictOf, ImportConflictError } from './importPlan';
import { markStagingFolder } from './stagingMarker';
import { stagingDirOf, treeFile, type StoreLayout } from './storeLayout';
import { writeStreamDurably } from '../fsutil/writeAll';
import { isSumdbPath, parseSumdbPath, type SumdbPath } from '../../../shared/sumdb/sumdbPath';
import { proofConflictError } from './catalogProofs';

/** A proof file the store does not hold yet, landed in the staging folder. */
export interface StagedProof {
  /** Its path in the bundle, `sumdb/<db>/<rel>`. */
  path: string;
  proof: Exclude<SumdbPath, { kind: 'latest' }>;
  staged: string;
  size: number;
  sha256: string;
  content: Buffer;
}

/** A tree head the bundle carries: recorded with the import, never a file of its own. */
export interface LandedHead {
  db: string;
  path: string;
  content: Buffer;
}

export class StagingArea {
  readonly dir: string;
  /** The new files landed so far, in the order they came. */
  readonly staged: JournalFile[] = [];
  /** The bundle's copies of files whose copy in the store is damaged, landed to replace them. */
  readonly restores: JournalFile[] = [];
  /** Proof files the store does not hold, landed in the order they came. */
  readonly stagedProofs: StagedProof[] = [];
  readonly heads: LandedHead[] = [];
  /** Files read through because the store holds them with the same bytes (or, for .info, the same content). */
  present = 0;
  /** Made once, on the first file to land: entries may land concurrently, and the folder's marker is written exclusively. */
  private created: Promise<void> | undefined;

  /** `damaged`: tree paths whose store copy findDamagedCopies found damaged. */
  constructor(
    private readonly layout: StoreLayout,
    private readonly bundleId: string,
    private readonly held: (treePath: string) => HeldFile | undefined,
    private readonly damaged: ReadonlySet<string> = new Set(),
    private readonly heldProof: (proofPath: string) => HeldFile | undefined = () => undefined,
  ) {
    this.dir = stagingDirOf(layout, bundleId);
  }

  /** An EntryLander for verifyBundle: resolves with the file holding the entry's bytes, if kept. */
  async land(entry: BundleEntry, data: Readable): Promise<string | undefined> {
    if (isSumdbPath(entry.path)) return this.landProof(entry, data);
    const tree = parseTreePath(entry.path);
    if (tree.kind === 'list' || tree.version === undefined) {
      await drain(data);
      return undefined;
    }
    const stored = this.held(entry.path);
    const restoring = stored !== undefined && this.damaged.has(entry.path);
    if (stored !== undefined && !restoring) {
      if (stored.sha256 !== entry.sha256) {
        if (tree.kind !== 'info') throw new ImportConflictError(this.bundleId, [conflictOf(entry, stored)]);
        await this.compareInfo(entry, data, tree, stored);
      } else {
        await drain(data);
      }
      this.present++;
      return tree.kind === 'zip' ? treeFile(this.layout, entry.path) : undefined;
    }
    await this.create();
    const staged = `${this.stagedCount() + 1}.${tree.kind}`;
    const file = path.join(this.dir, staged);
    await writeStreamDurably(file, data);
    (restoring ? this.restores : this.staged).push({
      path: entry.path,
      staged,
      modulePath: tree.modulePath,
      version: tree.version,
      kind: tree.kind,
      size: entry.size,
      sha256: entry.sha256,
      ...(entry.h1 === undefined ? {} : { h1: entry.h1 }),
    });
    return file;
  }

  /**
   * An .info the store holds with other bytes: the same file if both say the same version and
   * time (the store keeps its own); otherwise a conflict naming what each says. The bundle's
   * bytes are checked against its manifest after this returns: if they fail, verify says so.
   */
  private async compareInfo(entry: BundleEntry, data: Readable, tree: TreePath, stored: HeldFile): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of data) chunks.push(chunk as Buffer);
    const version = tree.version ?? '';
    const theirs = infoOrProblem(Buffer.concat(chunks), version);
    if (typeof theirs === 'string') return;
    const ours = infoOrProblem(await readFile(treeFile(this.layout, entry.path)), version);
    if (typeof ours === 'string') throw new ImportConflictError(this.bundleId, [conflictOf(entry, stored, `the store's is not a valid .info file (${ours})`)]);
    if (!sameInfo(ours, theirs)) {
      const detail = `the store's says ${ours.version} at ${ours.time}, the bundle's ${theirs.version} at ${theirs.time}`;
      throw new ImportConflictError(this.bundleId, [conflictOf(entry, stored, detail)]);
    }
  }

  /** A proof file the store holds with the same bytes is read through; other bytes are a conflict (a record or tile never changes). */
  private async landProof(entry: BundleEntry, data: Readable): Promise<undefined> {
    const proof = parseSumdbPath(entry.path);
    const chunks: Buffer[] = [];
    for await (const chunk of data) chunks.push(chunk as Buffer);
    const content = Buffer.concat(chunks);
    if (proof.kind === 'latest') {
      this.heads.push({ db: proof.name, path: entry.path, content });
      return undefined;
    }
    const stored = this.heldProof(entry.path);
    if (stored !== undefined) {
      if (stored.sha256 !== entry.sha256) throw proofConflictError(entry.path, stored.sha256, entry.sha256, this.bundleId);
      this.present++;
      return undefined;
    }
    await this.create();
    const staged = `${this.stagedCount() + 1}.proof`;
    await writeStreamDurably(path.join(this.dir, staged), Readable.from([content]));
    this.stagedProofs.push({ path: entry.path, proof, staged, size: entry.size, sha256: entry.sha256, content });
    return undefined;
  }

  private async create(): Promise<void> {
    this.created ??= mkdir(this.dir, { recursive: true }).then(() => markStagingFolder(this.dir, this.bundleId));
    await this.created;
  }

  private stagedCount(): number {
    return this.staged.length + this.restores.length + this.stagedProofs.length;
  }

  stagedFile(file: { staged: string }): string {
    return path.join(this.dir, file.staged);
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

function infoOrProblem(bytes: Buffer, version: string): InfoFile | string {
  try {
    return readInfoFile(bytes, version);
  } catch (error) {
    if (error instanceof InfoFileError) return error.message;
    throw error;
  }
}

async function drain(data: Readable): Promise<void> {
  data.resume();
  await finished(data);
}
