/**
 * Looking for the module that provides a package, the go command asks the proxy for every prefix of
 * the package's path (`github.com/a/b/c`, `github.com/a/b`, `github.com/a`, `github.com`). On the
 * hosts whose layout is fixed, a prefix shorter than a repository can never be a module, so an
 * offline store that lacks it has nothing to ask for: those probes are not misses.
 */

/** Well-known hosts, and how many path elements their shortest repository path has. */
const REPOSITORY_DEPTH: ReadonlyArray<{ prefix: string; depth: number }> = [
  { prefix: 'github.com', depth: 3 },
  { prefix: 'bitbucket.org', depth: 3 },
  { prefix: 'gitlab.com', depth: 3 },
  { prefix: 'git.openstack.org', depth: 3 },
  { prefix: 'hub.jazz.net/git', depth: 4 },
  { prefix: 'golang.org/x', depth: 3 },
  { prefix: 'golang.org', depth: 3 },
  { prefix: 'google.golang.org', depth: 2 },
  { prefix: 'go.googlesource.com', depth: 2 },
  { prefix: 'gopkg.in', depth: 2 },
];

/** Whether `path` lies on a well-known host and is shorter than any repository there. */
export function isShorterThanRepository(path: string): boolean {
  const elements = path.split('/');
  const host = REPOSITORY_DEPTH.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
  return host !== undefined && elements.length < host.depth;
}
