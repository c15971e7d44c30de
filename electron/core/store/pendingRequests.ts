/**
 * Turns the store's recorded misses into the lines of a request file. A request file names
 * canonical versions or `latest`, so:
 * - a `list` or `latest` miss asks for `path@latest`, and is dropped once the store holds any
 *   version of the module (it can answer both queries then);
 * - a miss for a canonical version is dropped once the store holds that version's .info, .mod
 *   and .zip (the miss does not say which of them was asked for, so all three must be there);
 * - any other query (a branch name, a commit hash) cannot be named in a request file; the
 *   online side is asked for `path@latest` instead, and the query is reported.
 * Misses that end up as the same line are merged. Probes of path prefixes no module can have, which
 * stores recorded before they were told apart (see isShorterThanRepository), are left out. Lines an imported bundle reported the online side
 * could not meet are left out (and returned apart), so the offline side stops asking for them.
 */
import { isCanonicalModuleVersion } from '../../../shared/gomod/moduleVersion';
import { isShorterThanRepository } from '../../../shared/gomod/repositoryRoot';
import type { DroppedRequests, RequestedModule } from '../../../shared/roundtrip/requestFile';
import { MISS_DROP_REASONS } from './countedMiss';
import type { DroppedMisses, StoreMiss } from './store';

export interface StoreHoldings {
  /** Whether the store holds any version of the module. */
  holdsModule(path: string): boolean;
  /** Whether the store holds the version's .info, .mod and .zip. */
  holdsVersion(path: string, version: string): boolean;
}

export interface PendingRequests {
  requests: RequestedModule[];
  /** Misses for queries a request file cannot name, asked for as path@latest. */
  askedAsLatest: StoreMiss[];
  /** Lines left out because an imported bundle says the online side could not meet them. */
  unmet: RequestedModule[];
}

export function pendingRequests(misses: readonly StoreMiss[], holdings: StoreHoldings, unmet: ReadonlyArray<{ path: string; version: string }> = []): PendingRequests {
  const byLine = new Map<string, RequestedModule>();
  const askedAsLatest: StoreMiss[] = [];
  for (const miss of misses) {
    if (isShorterThanRepository(miss.path)) continue;
    const exact = isCanonicalModuleVersion(miss.query);
    if (exact ? holdings.holdsVersion(miss.path, miss.query) : holdings.holdsModule(miss.path)) continue;
    if (!exact && miss.query !== 'list' && miss.query !== 'latest') askedAsLatest.push(miss);
    const version = exact ? miss.query : 'latest';
    const key = `${miss.path}@${version}`;
    const seen = byLine.get(key);
    byLine.set(
      key,
      seen === undefined
        ? { path: miss.path, version, count: miss.count, firstSeen: miss.firstSeen, lastSeen: miss.lastSeen }
        : {
            ...seen,
            count: seen.count + miss.count,
            firstSeen: miss.firstSeen < seen.firstSeen ? miss.firstSeen : seen.firstSeen,
            lastSeen: miss.lastSeen > seen.lastSeen ? miss.lastSeen : seen.lastSeen,
          },
    );
  }
  const lines = [...byLine.values()].sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.version, b.version));
  const unmetLines = new Set(unmet.map((u) => `${u.path}@${u.version}`));
  const isUnmet = (r: RequestedModule): boolean => unmetLines.has(`${r.path}@${r.version}`);
  return { requests: lines.filter((r) => !isUnmet(r)), askedAsLatest, unmet: lines.filter(isUnmet) };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The drops of a request file's time range in one line's worth of numbers; undefined when nothing was dropped. */
export function droppedRequests(drops: readonly DroppedMisses[], cap: number): DroppedRequests | undefined {
  if (drops.length === 0) return undefined;
  return {
    count: drops.reduce((sum, d) => sum + d.count, 0),
    firstSeen: drops.map((d) => d.firstSeen).reduce((a, b) => (b < a ? b : a)),
    lastSeen: drops.map((d) => d.lastSeen).reduce((a, b) => (b > a ? b : a)),
    reasons: drops.map((d) => `${d.count} ${MISS_DROP_REASONS[d.reason]}${d.reason === 'over-cap' ? ` (${cap})` : ''}`),
  };
}
