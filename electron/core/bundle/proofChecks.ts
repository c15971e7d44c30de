/**
 * What a bundle's checksum-database files must say beyond their listed hash and size (see
 * verifyBundle): a tree head signed under its database's name, lookup records holding only their
 * own module version's go.sum lines, and every record within the head the bundle carries for its
 * database. Signatures and hashes are the go command's to verify, with the key GOSUMDB names.
 */
import { LookupRecordError, parseRecordEntry, recordGoSumLines } from '../../../shared/sumdb/lookupRecord';
import type { SumdbPath } from '../../../shared/sumdb/sumdbPath';
import { parseSignedTreeNote, TreeNoteError } from '../../../shared/sumdb/treeNote';
import { BundleVerifyError } from './bundleVerifyError';

interface Where {
  volume: string;
  entry: string;
}

export class ProofChecks {
  /** Tree size of each database's head, once its `latest` is read. */
  private readonly heads = new Map<string, number>();
  /** The largest record id of each database, and where it was. */
  private readonly highest = new Map<string, { id: number; where: Where }>();

  check(proof: SumdbPath, content: Buffer, where: Where): void {
    const text = content.toString('utf8');
    try {
      if (proof.kind === 'latest') {
        const note = parseSignedTreeNote(text);
        if (!note.signatures.some((signature) => signature.name === proof.name)) {
          const signers = note.signatures.map((signature) => signature.name).join(', ');
          throw new BundleVerifyError(`the tree head is signed by ${signers}, not by the checksum database ${proof.name} it is filed under`, where);
        }
        this.heads.set(proof.name, note.size);
      } else if (proof.kind === 'lookup') {
        const record = parseRecordEntry(text);
        const stranger = recordGoSumLines(record).find((line) => line.path !== proof.modulePath || (line.version !== proof.version && line.version !== `${proof.version}/go.mod`));
        if (stranger !== undefined) {
          throw new BundleVerifyError(`the record holds a go.sum line for ${stranger.path} ${stranger.version}, not for ${proof.modulePath}@${proof.version}`, { ...where, module: proof.modulePath, version: proof.version });
        }
        const seen = this.highest.get(proof.name);
        if (seen === undefined || record.id > seen.id) this.highest.set(proof.name, { id: record.id, where });
      }
    } catch (error) {
      if (error instanceof TreeNoteError || error instanceof LookupRecordError) throw new BundleVerifyError(`not a valid checksum database ${proof.kind}: ${error.reason}`, where, { cause: error });
      throw error;
    }
  }

  /** Once every volume is read: each database's records lie within the head the bundle carries for it. */
  finish(): void {
    for (const [name, { id, where }] of this.highest) {
      const size = this.heads.get(name);
      if (size !== undefined && id >= size) throw new BundleVerifyError(`record ${id} lies beyond the bundle's tree head for ${name}, of ${size} records`, where);
    }
  }
}
