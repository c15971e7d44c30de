/**
 * The goos/goarch pairs a Go toolchain can be built for (`go tool dist list`, with the ports added
 * since Go 1.19): a toolchain module is named for one of them.
 */
const KNOWN_PLATFORMS = new Set([
  'aix/ppc64',
  'android/386', 'android/amd64', 'android/arm', 'android/arm64',
  'darwin/amd64', 'darwin/arm64',
  'dragonfly/amd64',
  'freebsd/386', 'freebsd/amd64', 'freebsd/arm', 'freebsd/arm64', 'freebsd/riscv64',
  'illumos/amd64',
  'ios/amd64', 'ios/arm64',
  'js/wasm',
  'linux/386', 'linux/amd64', 'linux/arm', 'linux/arm64', 'linux/loong64', 'linux/mips', 'linux/mips64', 'linux/mips64le',
  'linux/mipsle', 'linux/ppc64', 'linux/ppc64le', 'linux/riscv64', 'linux/s390x',
  'netbsd/386', 'netbsd/amd64', 'netbsd/arm', 'netbsd/arm64',
  'openbsd/386', 'openbsd/amd64', 'openbsd/arm', 'openbsd/arm64', 'openbsd/mips64', 'openbsd/ppc64', 'openbsd/riscv64',
  'plan9/386', 'plan9/amd64', 'plan9/arm',
  'solaris/amd64',
  'wasip1/wasm',
  'windows/386', 'windows/amd64', 'windows/arm', 'windows/arm64',
]);

/** Why `goos/goarch` is not a platform a toolchain is built for, or undefined when it is. */
export function platformProblem(platform: string): string | undefined {
  if (KNOWN_PLATFORMS.has(platform)) return undefined;
  if (!/^[a-z0-9_]+\/[a-z0-9_]+$/.test(platform)) return 'expected goos/goarch, e.g. linux/amd64';
  const [goos] = platform.split('/');
  const sameOs = [...KNOWN_PLATFORMS].filter((p) => p.startsWith(`${goos}/`));
  return sameOs.length === 0 ? 'not a goos the go command knows' : `not a goarch the go command builds for ${goos} (${sameOs.join(', ')})`;
}

/**
 * A comma-separated platform list (`linux/amd64,windows/amd64`), each checked, duplicates dropped;
 * throws a PlatformListError naming the first bad entry.
 */
export function parsePlatformList(text: string): string[] {
  const platforms = text.split(',').map((p) => p.trim());
  if (platforms.every((p) => p === '')) throw new PlatformListError(text, 'is empty: expected goos/goarch, e.g. linux/amd64');
  for (const platform of platforms) {
    const problem = platform === '' ? 'an empty entry' : platformProblem(platform);
    if (problem !== undefined) throw new PlatformListError(platform, problem);
  }
  return [...new Set(platforms)];
}

export class PlatformListError extends Error {
  override name = 'PlatformListError';

  constructor(
    readonly platform: string,
    readonly reason: string,
  ) {
    super(`${platform === '' ? '(empty)' : platform}: ${reason}`);
  }
}
