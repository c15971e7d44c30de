/**
 * `modferry store check`: re-hashes every file the catalog lists and compares it with the
 * catalog's size and SHA-256, then walks the tree for files the catalog does not list.
 *
 * Read-only: it takes no lock and changes nothing, so it runs beside a proxy serving the same
 * store, or an import. What it finds is confirmed against the catalog again before it is
 * reported, so a file an import added or a repair forgot while the check ran is not blamed.
 * The catalog is read in pages and each file as a stream, so memory stays flat however large
 * the store.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ignoreProgress, type ProgressListener } from '../../../shared/work/progress';
import { encodeBase64 } from '../../../shared/sumdb/base64';
import { parseSignedTreeNote, TreeNoteError } from '../../../shared/sumdb/treeNote';
import type { Catalog, CheckedCatalogFile } from './catalog';
import type { ProofHead } from './catalogProofs';
import { proofFile, treeFile, type StoreLayout } from './storeLayout';
import { findStrayFiles, findStrayProofs } from './strayFiles';

export interface DamagedFile {
  /** The file as the catalog lists it: what it should be. */
  file: CheckedCatalogFile;
  /** What is on disk instead; undefined when it is not a regular file at all. */
  found: { size: number; sha256: string } | undefined;
  /** Why it is damaged, in a few words (e.g. "sha256 differs from the catalog"). */
  why: string;
}

export interface StoreCheckReport {
  /** Files the catalog lists, and their total size according to it. */
  files: number;
  bytes: number;
  damaged: DamagedFile[];
  /** Files the catalog lists that are not in the tree. */
  missing: CheckedCatalogFile[];
  /** Tree paths (relative to tree/) the catalog does not list: regular files and anything else. */
  stray: string[];
  /** The checksum-database proofs under sumdb/, checked the same way; paths are `sumdb/<db>/…`. */
  proofs: ProofCheckReport;
}

export interface ProofCheckReport {
  files: number;
  bytes: number;
  damaged: Array<{ path: string; why: string }>;
  missing: string[];
  stray: string[];
  /** Tree heads (kept in the catalog, not in files) whose signed note no longer says what the catalog records of it. */
  damagedHeads: DamagedHead[];
}

export interface DamagedHead {
  db: string;
  /** The tree size and root hash (base64) the catalog records: what a good copy must say. */
  size: number;
  hash: string;
  why: string;
}

export interface CheckStoreOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

const PAGE_ROWS = 1000;
const READ_CHUNK_BYTES = 1024 * 1024;
const PROGRESS_INTERVAL_MS = 250;
// Never follow a link planted at a catalog path: the check judges what the proxy would open, and a link is not a store file.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

export function storeIsSound(report: StoreCheckReport): boolean {
  const { proofs } = report;
  return report.damaged.length === 0 && report.missing.length === 0 && report.stray.length === 0 &&
    proofs.damaged.length === 0 && proofs.missing.length === 0 && proofs.stray.length === 0 && proofs.damagedHeads.length === 0;
}

export async function checkStore(layout: StoreLayout, catalog: Catalog, options: CheckStoreOptions = {}): Promise<StoreCheckReport> {
  const { signal } = options;
  signal?.throwIfAborted();
  const progress = throttledProgress(options.onProgress ?? ignoreProgress);
  const totals = catalog.fileTotals();
  const report: StoreCheckReport = { files: 0, bytes: 0, damaged: [], missing: [], stray: [], proofs: { files: 0, bytes: 0, damaged: [], missing: [], stray: [], damagedHeads: [] } };
  let bytesRead = 0;
  progress({ stage: 'check', message: 'checking every file against the catalog', files: 0, totalFiles: totals.files, bytes: 0, totalBytes: totals.bytes }, true);
  let after = '';
  for (;;) {
    const page = catalog.filesAfter(after, PAGE_ROWS);
    if (page.length === 0) break;
    for (const file of page) {
      signal?.throwIfAborted();
      const found = await hashStoreFile(treeFile(layout, file.path), (bytes) => {
        bytesRead += bytes;
        progress({ stage: 'check', message: `checking ${file.path}`, files: report.files, totalFiles: totals.files, bytes: bytesRead, totalBytes: totals.bytes });
      }, signal);
      report.files++;
      report.bytes += file.size;
      const problem = judge(file, found);
      if (problem !== undefined && stillListed(catalog, file)) {
        if (problem === 'missing') report.missing.push(file);
        else report.damaged.push(problem);
      }
    }
    after = page[page.length - 1]?.path ?? after;
  }
  progress({ stage: 'check', message: 'looking for files the catalog does not list', files: report.files, totalFiles: totals.files, bytes: bytesRead, totalBytes: totals.bytes }, true);
  report.stray = await findStrayFiles(layout, catalog, signal);
  progress({ stage: 'check', message: 'checking the checksum database proofs', files: report.files, totalFiles: totals.files, bytes: bytesRead, totalBytes: totals.bytes }, true);
  report.proofs = await checkProofs(layout, catalog, signal);
  progress({ stage: 'check', message: `checked ${report.files} files`, files: report.files, totalFiles: totals.files, bytes: bytesRead, totalBytes: totals.bytes }, true);
  return report;
}

/** Proofs are a few KB each: hashed without progress of their own. */
async function checkProofs(layout: StoreLayout, catalog: Catalog, signal?: AbortSignal): Promise<ProofCheckReport> {
  const report: ProofCheckReport = { files: 0, bytes: 0, damaged: [], missing: [], stray: [], damagedHeads: [] };
  for (const proof of catalog.proofs.allFiles()) {
    const found = await hashStoreFile(proofFile(layout, proof.path), () => undefined, signal);
    report.files++;
    report.bytes += proof.size;
    const now = (): boolean => catalog.proofs.file(proof.path)?.sha256 === proof.sha256;
    if (found === 'missing') {
      if (now()) report.missing.push(proof.path);
    } else {
      const why = found === 'not-regular' ? 'not a regular file' : found.size !== proof.size ? `${found.size} bytes, the catalog says ${proof.size}` : found.sha256 !== proof.sha256 ? 'sha256 differs from the catalog' : undefined;
      if (why !== undefined && now()) report.damaged.push({ path: proof.path, why });
    }
  }
  report.stray = await findStrayProofs(layout, catalog, signal);
  for (const db of catalog.proofs.databases()) {
    for (const head of catalog.proofs.heads(db)) {
      const why = headProblem(head);
      if (why !== undefined) report.damagedHeads.push({ db, size: head.size, hash: head.hash, why });
    }
  }
  return report;
}

/** What is wrong with a tree head's note, against the size and hash the catalog records beside it; undefined when nothing. */
export function headProblem(head: ProofHead): string | undefined {
  let note;
  try {
    note = parseSignedTreeNote(head.note);
  } catch (error) {
    if (error instanceof TreeNoteError) return `not a signed tree head (${error.reason})`;
    throw error;
  }
  if (note.size !== head.size) return `its note is of ${note.size} records, the catalog says ${head.size}`;
  if (encodeBase64(note.hash) !== head.hash) return `its note's root hash is ${encodeBase64(note.hash)}, the catalog says ${head.hash}`;
  if (!note.signatures.some((signature) => signature.name === head.db)) return `its note is not signed by ${head.db}`;
  return undefined;
}

type Found = { size: number; sha256: string } | 'missing' | 'not-regular';

function judge(file: CheckedCatalogFile, found: Found): DamagedFile | 'missing' | undefined {
  if (found === 'missing') return 'missing';
  if (found === 'not-regular') return { file, found: undefined, why: 'not a regular file' };
  if (found.size !== file.size) return { file, found, why: `${found.size} bytes, the catalog says ${file.size}` };
  if (found.sha256 !== file.sha256) return { file, found, why: 'sha256 differs from the catalog' };
  return undefined;
}

/** The catalog still lists the file as it was when it was hashed (no repair forgot it meanwhile). */
function stillListed(catalog: Catalog, file: CheckedCatalogFile): boolean {
  const now = catalog.fileByPath(file.path);
  return now !== undefined && now.sha256 === file.sha256 && now.size === file.size;
}

/** Size and SHA-256 of a store file, read as a stream in fixed chunks. */
async function hashStoreFile(file: string, onBytes: (bytes: number) => void, signal?: AbortSignal): Promise<Found> {
  let handle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ELOOP' || code === 'ENOTDIR') return 'not-regular';
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) return 'not-regular';
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let size = 0;
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      onBytes(bytesRead);
    }
    return { size, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

function throttledProgress(listener: ProgressListener): (event: Parameters<ProgressListener>[0], force?: boolean) => void {
  let last = 0;
  return (event, force = false) => {
    const now = Date.now();
    if (!force && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    listener(event);
  };
}
