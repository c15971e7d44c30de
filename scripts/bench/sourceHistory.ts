import type { DebianModule } from '../../tests/support/debianModules';
import { writeGoproxyTree } from '../../tests/support/goproxyTree';

/**
 * A GOPROXY tree holding `releases` versions of every given module, each a zip of the module's
 * real source: the shape of a long-lived project's bundle (many versions of the same modules),
 * large enough that throughput, not start-up, is what gets measured.
 */
export async function writeSourceHistory(tree: string, modules: readonly DebianModule[], releases: number): Promise<DebianModule[]> {
  const versions = modules.flatMap((m) => Array.from({ length: releases }, (_, i) => ({ ...m, version: releaseOf(m.version, i + 1) })));
  await writeGoproxyTree(tree, versions);
  return versions;
}

/** `v1.2.3` -> `v1.2.3-history.N`; a prerelease gets `.historyN` appended; `+incompatible` stays last. */
function releaseOf(version: string, n: number): string {
  const plus = version.indexOf('+');
  const core = plus < 0 ? version : version.slice(0, plus);
  const build = plus < 0 ? '' : version.slice(plus);
  return `${core}${core.includes('-') ? `.history${n}` : `-history.${n}`}${build}`;
}
