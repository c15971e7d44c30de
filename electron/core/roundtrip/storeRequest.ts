/**
 * The request file the offline side carries to the online one: the modules developers asked the
 * proxy for that the store does not hold, computed from the store's recorded misses.
 */
import { formatRequestFile, type DroppedRequests, type RequestedModule } from '../../../shared/roundtrip/requestFile';
import { openStore } from '../store/diskStore';
import { droppedRequests, pendingRequests } from '../store/pendingRequests';
import type { StoreMiss } from '../store/store';
import { writeRoundtripFile } from './roundtripFile';
import { storeTreeHeads } from './storeTreeHeads';
import type { HeldTreeHead } from '../../../shared/roundtrip/heldTreeHead';

export interface StoreRequestOptions {
  /** The store; default: the store in ModFerry's data folder. */
  storeDir?: string;
  /** Only requests seen since then. */
  since?: Date;
  /** Written into the file, e.g. `modferry 1.2.0`. */
  tool: string;
  now?: Date;
}

export interface StoreRequest {
  requests: RequestedModule[];
  /** Misses for queries a request file cannot name (a branch, a version prefix), asked for as path@latest. */
  askedAsLatest: StoreMiss[];
  /** Requests left out because an imported bundle says the online side could not meet them, with those bundles. */
  leftOut: { requests: RequestedModule[]; bundles: string[] };
  /** Requests answered but not recorded (junk, or past the cap on distinct misses). */
  dropped: DroppedRequests | undefined;
  /** The request file's text; undefined when there is nothing to ask for. */
  text: string | undefined;
}

/** What a request file written now would ask for, and its text. Reads the store only. */
export function storeRequest(options: StoreRequestOptions): StoreRequest {
  const { since } = options;
  const store = openStore(options.storeDir, { mode: 'read' });
  let pending;
  let dropped;
  let unmet;
  let heads: HeldTreeHead[];
  try {
    heads = storeTreeHeads(store.proofs);
    unmet = store.catalog.unmetRequests();
    pending = pendingRequests(store.misses({ since }), {
      holdsModule: (path) => store.versions(path).length > 0,
      holdsVersion: (path, version) => (['info', 'mod', 'zip'] as const).every((kind) => store.file(path, version, kind) !== undefined),
    }, unmet);
    dropped = droppedRequests(store.droppedMisses({ since }), store.missCap);
  } finally {
    store.close();
  }
  const leftLines = new Set(pending.unmet.map((r) => `${r.path}@${r.version}`));
  const bundles = [...new Set(unmet.filter((u) => leftLines.has(`${u.path}@${u.version}`)).map((u) => u.bundleId))];
  const text = pending.requests.length === 0
    ? undefined
    : formatRequestFile(pending.requests, { createdAt: (options.now ?? new Date()).toISOString(), tool: options.tool, since: since?.toISOString(), dropped, heads });
  return { requests: pending.requests, askedAsLatest: pending.askedAsLatest, leftOut: { requests: pending.unmet, bundles }, dropped, text };
}

/** storeRequest, and its file written to `file` (durably) when there is something to ask for. */
export async function writeStoreRequest(file: string, options: StoreRequestOptions): Promise<StoreRequest & { written: boolean }> {
  const request = storeRequest(options);
  if (request.text !== undefined) await writeRoundtripFile(file, request.text);
  return { ...request, written: request.text !== undefined };
}
