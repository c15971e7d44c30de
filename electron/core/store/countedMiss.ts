/**
 * Which requests the store counts as misses, so a client cannot fill the catalog with junk: a
 * valid module path of a sane length, asking for a version that can name a stored file, or for
 * `list` or `latest`. Any other query the go command sends (a branch name, a commit, a version
 * prefix such as `v1.2`) is counted as the module's `latest`, which is all a request file can ask
 * for it, and so adds no row of its own however many such queries a client makes up.
 */
import { escapeVersion, isValidModulePath } from '../../../shared/gomod/modulePath';
import { moduleVersionProblem } from '../../../shared/gomod/moduleVersion';
import { isShorterThanRepository } from '../../../shared/gomod/repositoryRoot';
import type { MissDropReason, MissQuery } from './store';

/** Far above any real module path (the go command's longest are a few hundred characters at most). */
export const MAX_MISS_PATH_LENGTH = 300;
/** Far above any real version, pseudo-versions and long pre-release tags included. */
export const MAX_MISS_VERSION_LENGTH = 100;

/** A miss, a request that is junk (dropped and counted), or the go command probing a path that is never a module (ignored). */
export type CountedMiss = { path: string; query: MissQuery } | { invalid: string } | { probe: true };

export function countedMiss(path: string, query: string): CountedMiss {
  if (path.length > MAX_MISS_PATH_LENGTH) return { invalid: `module path longer than ${MAX_MISS_PATH_LENGTH} characters` };
  if (!isValidModulePath(path)) return { invalid: 'not a module path' };
  if (isShorterThanRepository(path)) return { probe: true };
  if (query === 'list' || query === 'latest') return { path, query };
  if (query.length <= MAX_MISS_VERSION_LENGTH && moduleVersionProblem(path, query) === undefined) return { path, query };
  try {
    escapeVersion(query);
  } catch {
    return { invalid: 'not a version, "latest" or "list"' };
  }
  return { path, query: 'latest' };
}

/** Distinct misses the catalog keeps (each a few hundred bytes at most): far more than a team asks for between two trips. */
export const DEFAULT_MISS_CAP = 10_000;

/** Why requests were dropped, in words for people. */
export const MISS_DROP_REASONS: Readonly<Record<MissDropReason, string>> = {
  invalid: 'not a module path and version',
  'over-cap': 'over the cap on distinct misses',
};
