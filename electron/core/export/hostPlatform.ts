import os from 'node:os';

// Node's names where Go's differ; the rest (arm, arm64, loong64, riscv64, s390x, mips, ...) agree.
const GOOS: Partial<Record<NodeJS.Platform, string>> = { win32: 'windows', sunos: 'solaris' };
const GOARCH: Partial<Record<string, string>> = { x64: 'amd64', ia32: '386', mipsel: 'mipsle' };

/** This machine's platform as the go command names it (`linux/amd64`): the toolchain its go command would download. */
export function hostPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch, endianness: 'BE' | 'LE' = os.endianness()): string {
  const goarch = arch === 'ppc64' && endianness === 'LE' ? 'ppc64le' : (GOARCH[arch] ?? arch);
  return `${GOOS[platform] ?? platform}/${goarch}`;
}
