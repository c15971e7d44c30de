/**
 * Versions an offline store holds without a checksum-database record, as its --since inventory
 * names them (imported from bundles without proofs). The export asks the database for their records
 * beside those of what it ships, so the bundle carries the records (and the tiles proving them)
 * without sending the files again, and checks each record against the h1 the store holds: a record
 * that disagrees fails the export, naming the module, as the offline go command would refuse it.
 */
import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import type { Inventory, ProofGapHashes } from '../../../shared/roundtrip/inventory';
import { ModFerryError } from '../errors/modferryError';

export interface ProofGap extends ModuleVersion {
  held: ProofGapHashes;
}

export function inventoryProofGaps(inventory: Inventory | undefined): ProofGap[] {
  return (inventory?.modules ?? []).flatMap((m) => (m.noProof === undefined ? [] : [{ path: m.path, version: m.version, held: m.noProof }]));
}

/** The versions whose records the bundle carries: those it ships, then the gaps not among them. */
export function withProofGaps(shipped: readonly ModuleVersion[], gaps: readonly ProofGap[]): ModuleVersion[] {
  const keys = new Set(shipped.map((m) => `${m.path}@${m.version}`));
  return [...shipped, ...gaps.filter((g) => !keys.has(`${g.path}@${g.version}`)).map(({ path, version }) => ({ path, version }))];
}

/** Each proven record of a gap against the hashes the store holds; gaps the database has no record of are passed over. */
export function checkGapsAgainstRecords(
  database: string,
  lines: ReadonlyMap<string, ReadonlyArray<{ version: string; hash: string }>>,
  gaps: readonly ProofGap[],
  inventoryFile: string,
): void {
  for (const gap of gaps) {
    const record = lines.get(`${gap.path}@${gap.version}`);
    if (record === undefined) continue;
    for (const kind of ['mod', 'zip'] as const) {
      const held = gap.held[kind];
      if (held === undefined) continue;
      const what = kind === 'mod' ? 'go.mod' : 'zip';
      const said = record.find((line) => line.version === (kind === 'mod' ? `${gap.version}/go.mod` : gap.version));
      if (said === undefined || said.hash === held) continue;
      throw new ModFerryError(
        'input',
        `checksum database ${database} records ${said.hash} for the ${what}, but the offline store's ${what} hashes to ${held} (as ${inventoryFile} says): ` +
          'the store holds other bytes than those the database vouches for, and the go command there will refuse them',
        { module: gap.path, version: gap.version },
      );
    }
  }
}
