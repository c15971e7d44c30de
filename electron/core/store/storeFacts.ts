import { openStoreIfMade, type DiskStore } from './diskStore';
import { defaultStoreDir } from './storeLayout';
import type { ProofFacts, StoreFacts } from '../../../shared/store/storeFacts';

export type { ProofFacts, StoreFacts };

/** How many versions without a proof the facts name. */
const NAMED_WITHOUT_PROOF = 5;

/** The facts of an open store; misses held in memory are written first, so they are counted. */
export function openStoreFacts(store: DiskStore): StoreFacts & { exists: true } {
  const misses = store.misses();
  return {
    dir: store.dir,
    exists: true,
    readOnly: store.readOnly,
    ...store.stats(),
    bundles: store.bundles().length,
    misses: { distinct: misses.length, requests: misses.reduce((sum, m) => sum + m.count, 0) },
    dropped: store.droppedMisses().reduce((sum, d) => sum + d.count, 0),
    proofs: proofFacts(store),
  };
}

/** Two counting queries and one per database: cheap beside the stats. */
export function proofFacts(store: DiskStore): ProofFacts {
  const proofs = store.catalog.proofs;
  const counts = proofs.counts();
  return {
    databases: counts.databases.map((name) => ({ name, size: proofs.heads(name)[0]?.size ?? 0 })),
    withProof: counts.withProof,
    withoutProof: counts.withoutProof,
    firstWithout: proofs.versionsWithoutProof(NAMED_WITHOUT_PROOF).map((v) => `${v.path}@${v.version}`),
  };
}

/** The facts of the store in dir (default: the one in ModFerry's data folder), without creating it. */
export function storeFacts(dir: string = defaultStoreDir()): StoreFacts {
  const store = openStoreIfMade(dir, { mode: 'read' });
  if (store === undefined) return { dir, exists: false };
  try {
    return openStoreFacts(store);
  } finally {
    store.close();
  }
}
