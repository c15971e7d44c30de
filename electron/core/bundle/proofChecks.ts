/**
 * What a bundle's checksum-database files must say beyond their listed hash (see verifyBundle): a
 * tree head signed under its database's name, lookup records of their own module version, tiles
 * as long as their width, and every record within the head the bundle carries for its database.
 */
import { HASH_BYTES, type ProofFile } from '../proofs/proofPath';
import { parseLookupRecord } from '../proofs/lookupRecord';
import { parseTreeHead } from '../proofs/treeHead';
import { BundleVerifyError } from './bundleVerifyError';

interface Where {
  volume: string;
  entry: string;
}

export class ProofChecks {
  /** Tree size of each database's head, once its `latest` is read. */
  private readonly heads = new Map<string, number>();
  /** Records and tiles by database, with the largest record id and where it was. */
  private readonly used = new Map<string, { highestId: number; where: Where }>();

  check(proof: ProofFile, content: Buffer, where: Where): void {
    const text = content.toString('utf8');
    switch (proof.kind) {
      case 'latest': {
        const head = parseTreeHead(text);
        if (typeof head === 'string') throw new BundleVerifyError(`not a signed tree head: ${head}`, where);
        if (!head.signers.includes(proof.db)) {
          throw new BundleVerifyError(`the tree head is signed by ${head.signers.join(', ')}, not by the checksum database ${proof.db} it is filed under`, where);
        }
        this.heads.set(proof.db, head.size);
        return;
      }
      case 'lookup': {
        const record = parseLookupRecord(text, proof.modulePath, proof.version);
        if (typeof record === 'string') throw new BundleVerifyError(`not a lookup record: ${record}`, { ...where, module: proof.modulePath, version: proof.version });
        this.use(proof.db, record.id, where);
        return;
      }
      case 'tile':
        if (content.length !== proof.tile.width * HASH_BYTES) {
          throw new BundleVerifyError(`a tile of ${proof.tile.width} hashes is ${proof.tile.width * HASH_BYTES} bytes, this one ${content.length}`, where);
        }
        this.use(proof.db, -1, where);
    }
  }

  /** Once every volume is read: each database's records lie within the head the bundle carries for it. */
  finish(): void {
    for (const [db, { highestId, where }] of this.used) {
      const size = this.heads.get(db);
      if (size === undefined) throw new BundleVerifyError(`the bundle carries no tree head (sumdb/${db}/latest) for the checksum database ${db}`, where);
      if (highestId >= size) throw new BundleVerifyError(`record ${highestId} lies beyond the bundle's tree head for ${db}, of ${size} records`, where);
    }
  }

  private use(db: string, id: number, where: Where): void {
    const seen = this.used.get(db);
    if (seen === undefined || id > seen.highestId) this.used.set(db, { highestId: id, where });
  }
}
