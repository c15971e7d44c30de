/**
 * Whether a module's go.mod lets the go command prune its transitive requirements out of the module
 * graph (https://go.dev/ref/mod#graph-pruning): from `go 1.17` on, a go.mod lists every module that
 * provides a package its packages import, so the requirements of its requirements are not needed.
 */
export type GraphPruning = 'pruned' | 'unpruned';

/**
 * modload.pruningForGoVersion. A go.mod without a go directive predates pruning. Only major.minor
 * counts, so `1.21.0` and `1.21rc1` read as 1.21, as Go 1.19's lax parse (which trims them to 1.21)
 * and newer go commands both read them.
 */
export function pruningForGoVersion(goVersion: string | undefined): GraphPruning {
  const match = /^([0-9]+)\.([0-9]+)/.exec(goVersion ?? '');
  if (match === null) return 'unpruned';
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 1 || (major === 1 && minor >= 17) ? 'pruned' : 'unpruned';
}

/**
 * The pruning of the graph `go mod tidy` checks compatibility with, by default: that of the go version
 * before the main module's (modload's TidyCompatibleVersion). Only a go 1.17 main module, pruned itself,
 * has tidy read the unpruned graph that Go 1.16 would build from.
 */
export function tidyCompatibilityPruning(goVersion: string | undefined): GraphPruning {
  const match = /^([0-9]+)\.([0-9]+)/.exec(goVersion ?? '');
  if (match === null) return 'unpruned';
  const minor = Number(match[2]);
  return pruningForGoVersion(minor === 0 ? goVersion : `${match[1]}.${minor - 1}`);
}
