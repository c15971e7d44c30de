/**
 * The commit journal: written into an import's staging folder, and flushed, once the whole
 * bundle has verified and before any file moves into the tree. It lists the files about to
 * move with the hashes the signed manifest gave them. If the process dies between the moves
 * and the catalog transaction, the next repair finds the journal and finishes the commit
 * (or undoes it); a tree file that no journal vouches for was never part of a verified bundle.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isSha256Hex, isBundleId } from '../../../shared/bundle/manifest';
import { parseTreePath } from '../../../shared/bundle/treePath';
import { isH1Hash } from '../../../shared/gomod/hash1';
import { writeFileDurably } from '../fsutil/durableFile';
import type { BundleRecord, CatalogFile } from './catalog';
import type { ProofHead, ProofRecordFile } from './catalogProofs';
import { parseSumdbPath, type SumdbPath } from '../../../shared/sumdb/sumdbPath';
import { parseSignedTreeNote } from '../../../shared/sumdb/treeNote';
import { encodeBase64 } from '../../../shared/sumdb/base64';

export const JOURNAL_FILE = 'commit.json';
const JOURNAL_FORMAT = 'modferry-import-journal';

export interface JournalFile extends CatalogFile {
  /** The file's name in the staging folder. */
  staged: string;
}

/** A checksum-database proof about to move into sumdb/<db>/. */
export type JournalProof = ProofRecordFile & {
  /** The file's name in the staging folder. */
  staged: string;
};

export interface CommitJournal {
  bundle: BundleRecord;
  files: JournalFile[];
  /** Absent from the journal of an import made before proofs were kept. */
  proofs?: { heads: ProofHead[]; files: JournalProof[] };
}

/** A journal's proofs; none in a journal from before proofs were kept. */
export function journalProofs(journal: CommitJournal): { heads: ProofHead[]; files: JournalProof[] } {
  return journal.proofs ?? { heads: [], files: [] };
}

export async function writeCommitJournal(stagingDir: string, journal: CommitJournal): Promise<void> {
  const proofs = journal.proofs === undefined
    ? {}
    : {
        heads: journal.proofs.heads.map((head) => ({ db: head.db, note: head.note })),
        proofs: journal.proofs.files.map((file) => ({
          path: file.path, staged: file.staged, size: file.size, sha256: file.sha256, ...(file.kind === 'lookup' ? { recordId: file.recordId } : {}),
        })),
      };
  const text = JSON.stringify({ format: JOURNAL_FORMAT, bundle: journal.bundle, files: journal.files.map(journalFileJson), ...proofs });
  await writeFileDurably(path.join(stagingDir, JOURNAL_FILE), `${text}\n`);
}

/** The journal in a staging folder, or undefined when there is none or it is not one we wrote in full. */
export function readCommitJournal(stagingDir: string): CommitJournal | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path.join(stagingDir, JOURNAL_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const doc = json as { format?: unknown; bundle?: Partial<BundleRecord>; files?: unknown; heads?: unknown; proofs?: unknown };
  if (doc.format !== JOURNAL_FORMAT || typeof doc.bundle !== 'object' || doc.bundle === null || !Array.isArray(doc.files)) return undefined;
  const { bundleId, signer, manifestSha256, createdAt, importedAt } = doc.bundle;
  if (typeof bundleId !== 'string' || !isBundleId(bundleId)) return undefined;
  if (typeof signer !== 'string' || typeof createdAt !== 'string' || typeof importedAt !== 'string') return undefined;
  // Absent from the journal of an import made before manifest hashes were kept.
  if (manifestSha256 !== undefined && (typeof manifestSha256 !== 'string' || !isSha256Hex(manifestSha256))) return undefined;
  const files: JournalFile[] = [];
  for (const item of doc.files) {
    const file = journalFileOf(item);
    if (file === undefined) return undefined;
    files.push(file);
  }
  const bundle = { bundleId, signer, ...(manifestSha256 === undefined ? {} : { manifestSha256 }), createdAt, importedAt };
  if (doc.heads === undefined && doc.proofs === undefined) return { bundle, files };
  if (!Array.isArray(doc.heads) || !Array.isArray(doc.proofs)) return undefined;
  const heads: ProofHead[] = [];
  for (const item of doc.heads) {
    const head = journalHeadOf(item);
    if (head === undefined) return undefined;
    heads.push(head);
  }
  const proofs: JournalProof[] = [];
  for (const item of doc.proofs) {
    const proof = journalProofOf(item);
    if (proof === undefined) return undefined;
    proofs.push(proof);
  }
  return { bundle, files, proofs: { heads, files: proofs } };
}

function journalHeadOf(item: unknown): ProofHead | undefined {
  const o = item as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || typeof o.db !== 'string' || typeof o.note !== 'string') return undefined;
  try {
    const head = parseSignedTreeNote(o.note);
    return { db: o.db, size: head.size, hash: encodeBase64(head.hash), note: o.note };
  } catch {
    return undefined;
  }
}

function journalProofOf(item: unknown): JournalProof | undefined {
  const o = item as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) return undefined;
  const { path: proofPath, staged, size, sha256, recordId } = o;
  if (typeof proofPath !== 'string' || typeof staged !== 'string' || !/^[0-9]+\.proof$/.test(staged)) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || typeof sha256 !== 'string' || !isSha256Hex(sha256)) return undefined;
  let proof: SumdbPath;
  try {
    proof = parseSumdbPath(proofPath);
  } catch {
    return undefined;
  }
  if (proof.kind === 'tile') return { db: proof.name, path: proofPath, kind: 'tile', tile: proof.tile, size, sha256, staged };
  if (proof.kind !== 'lookup' || typeof recordId !== 'number' || !Number.isSafeInteger(recordId) || recordId < 0) return undefined;
  return { db: proof.name, path: proofPath, kind: 'lookup', modulePath: proof.modulePath, version: proof.version, recordId, size, sha256, staged };
}

function journalFileJson(file: JournalFile): Record<string, unknown> {
  return { path: file.path, staged: file.staged, size: file.size, sha256: file.sha256, ...(file.h1 === undefined ? {} : { h1: file.h1 }) };
}

function journalFileOf(item: unknown): JournalFile | undefined {
  const o = item as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) return undefined;
  const { path: treePath, staged, size, sha256, h1 } = o;
  if (typeof treePath !== 'string' || typeof staged !== 'string' || !/^[0-9]+\.(info|mod|zip)$/.test(staged)) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  if (typeof sha256 !== 'string' || !isSha256Hex(sha256)) return undefined;
  let tree;
  try {
    tree = parseTreePath(treePath);
  } catch {
    return undefined;
  }
  if (tree.kind === 'list' || tree.version === undefined) return undefined;
  const needsH1 = tree.kind !== 'info';
  if (needsH1 !== (typeof h1 === 'string' && isH1Hash(h1))) return undefined;
  return {
    path: treePath,
    staged,
    modulePath: tree.modulePath,
    version: tree.version,
    kind: tree.kind,
    size,
    sha256,
    ...(typeof h1 === 'string' ? { h1 } : {}),
  };
}
