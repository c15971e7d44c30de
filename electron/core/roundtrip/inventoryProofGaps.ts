/**
 * The versions an inventory marks as held without a checksum-database record, so the next export
 * ships their records (the files themselves are not sent again). A store that has never held a record
 * is marked too: the first export with proofs then fills every gap, not only the versions it ships.
 */
import type { InventoryModule, ProofGapHashes } from '../../../shared/roundtrip/inventory';
import type { CatalogProofs } from '../store/catalogProofs';

export function markProofGaps(modules: readonly InventoryModule[], proofs: CatalogProofs): InventoryModule[] {
  const gaps = new Map<string, ProofGapHashes>();
  for (const { path, version, kind, h1 } of proofs.unprovenHashes()) {
    const key = `${path}@${version}`;
    gaps.set(key, { ...gaps.get(key), [kind]: h1 });
  }
  return modules.map((m) => {
    const noProof = gaps.get(`${m.path}@${m.version}`);
    return noProof === undefined ? m : { ...m, noProof: { ...(noProof.mod === undefined ? {} : { mod: noProof.mod }), ...(noProof.zip === undefined ? {} : { zip: noProof.zip }) } };
  });
}
