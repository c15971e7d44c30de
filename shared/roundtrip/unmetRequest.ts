import type { UnmetRequest } from '../bundle/manifest';

/** `path@version (reason)`, or `path@version (needs dep@v, which the upstream lacks: reason)` when a dependency is missing. */
export function describeUnmet(u: UnmetRequest): string {
  const line = `${u.path}@${u.version}`;
  const missingItself = u.missing === line || u.missing === u.path;
  return missingItself ? `${line} (${u.reason})` : `${line} (needs ${u.missing}, which the upstream lacks: ${u.reason})`;
}
