import type { HeldTreeHead } from '../../../shared/roundtrip/heldTreeHead';
import type { ProofStore } from '../store/store';

/**
 * Every tree head the store holds, newest first for each checksum database: serve answers with the
 * newest its tiles prove a record against, so a go command may have cached any of them.
 */
export function storeTreeHeads(proofs: ProofStore): HeldTreeHead[] {
  return proofs.databases().flatMap((database) => proofs.heads(database).map(({ size }) => ({ database, size })));
}
