import { openStoreIfMade } from './diskStore';
import type { DroppedMisses, StoreMiss } from './store';

/** The misses the store recorded (and the requests it dropped), last seen since `since`; none when there is no store yet. */
export function missList(storeDir: string, since?: Date): { misses: StoreMiss[]; dropped: DroppedMisses[] } {
  const store = openStoreIfMade(storeDir, { mode: 'read' });
  if (store === undefined) return { misses: [], dropped: [] };
  try {
    return { misses: store.misses({ since }), dropped: store.droppedMisses({ since }) };
  } finally {
    store.close();
  }
}
