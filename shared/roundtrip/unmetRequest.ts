import type { UnmetRequest } from '../bundle/manifest';

/** `path@version (reason)`, or `path@version (needs dep@v, which the upstream lacks: reason)` when a dependency is missing. */
export function describeUnmet(u: UnmetRequest): string {
  const line = `${u.path}@${u.version}`;
  const missingItself = u.missing === line || u.missing === u.path;
  // The reason is the error as the upstream client wrote it, which names the module it could not find first.
  const reason = u.reason.startsWith(`${u.missing}: `) ? u.reason.slice(u.missing.length + 2) : u.reason;
  return missingItself ? `${line} (${reason})` : `${line} (needs ${u.missing}, which the upstream lacks: ${reason})`;
}
