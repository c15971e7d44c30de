import type { HeldTreeHead } from '../../../shared/roundtrip/heldTreeHead';
import type { ProofStore } from '../store/store';

/** The newest tree head the store holds of each checksum database: what a go command served from it may have seen last. */
export function storeTreeHeads(proofs: ProofStore): HeldTreeHead[] {
  return proofs.databases().flatMap((database) => proofs.heads(database).slice(0, 1).map(({ size }) => ({ database, size })));
}
