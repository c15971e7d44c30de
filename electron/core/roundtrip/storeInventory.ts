/** The inventory the offline side carries online, so the next export leaves out what the store holds. */
import { formatInventory, type InventoryModule } from '../../../shared/roundtrip/inventory';
import { openStoreIfMade } from '../store/diskStore';
import { markProofGaps } from './inventoryProofGaps';
import { writeRoundtripFile } from './roundtripFile';
import { storeTreeHeads } from './storeTreeHeads';
import type { HeldTreeHead } from '../../../shared/roundtrip/heldTreeHead';

export interface StoreInventory {
  modules: InventoryModule[];
  /** Distinct module paths among `modules`. */
  paths: number;
  text: string;
}

/** The store's inventory; a store not made yet holds nothing, so its inventory is empty. Reads only. */
export function storeInventory(options: { storeDir?: string; tool: string; now?: Date }): StoreInventory {
  const store = openStoreIfMade(options.storeDir, { mode: 'read' });
  let modules: InventoryModule[] = [];
  let sumdbHeads: HeldTreeHead[] = [];
  try {
    if (store !== undefined) {
      modules = markProofGaps(store.inventory(), store.catalog.proofs);
      sumdbHeads = storeTreeHeads(store.proofs);
    }
  } finally {
    store?.close();
  }
  const text = formatInventory(modules, { createdAt: (options.now ?? new Date()).toISOString(), tool: options.tool, sumdbHeads });
  return { modules, paths: new Set(modules.map((m) => m.path)).size, text };
}

/** storeInventory, written to `file` (durably). */
export async function writeStoreInventory(file: string, options: { storeDir?: string; tool: string; now?: Date }): Promise<StoreInventory> {
  const inventory = storeInventory(options);
  await writeRoundtripFile(file, inventory.text);
  return inventory;
}
