/**
 * Go toolchain versions and the `golang.org/toolchain` module the go command downloads them as
 * (Go 1.21+, GOTOOLCHAIN=auto). Go versions are not semver: the rules are cmd/go/internal/gover's
 * (1.21 < 1.21rc1 < 1.21.0: from 1.21 on, "1.x" is a language version and "1.x.0" its first release),
 * and the switch is cmd/go/internal/toolchain's Select.
 */
import type { GoModFile } from './goModFile';

export const TOOLCHAIN_MODULE = 'golang.org/toolchain';
/** The packaging version every toolchain module version starts with: v0.0.1-<name>.<goos>-<goarch>. */
const TOOLCHAIN_PACKAGING = 'v0.0.1';
/** Toolchains are published as modules from Go 1.21 on; no go command switches to an older one. */
const FIRST_SWITCHING_LANGUAGE = '1.21';

interface GoVersion {
  major: string;
  minor: string;
  patch: string;
  kind: string;
  pre: string;
}

/** A Go version (no "go" prefix) as gover reads it: major[.minor[.patch]][kind[pre]]; undefined when malformed. */
function parseGoVersion(text: string): GoVersion | undefined {
  const match = /^(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*)|([^0-9.][^0-9]*)(0|[1-9][0-9]*)?)?)?$/.exec(text);
  if (match === null) return undefined;
  const [, major = '', minor, patch, kind, pre] = match;
  if (minor === undefined) return { major, minor: '0', patch: '0', kind: '', pre: '' };
  // Before 1.21 a missing patch means .0; from 1.21 on "1.x" is the language version, below every 1.x release.
  const missingPatch = compareDecimal(minor, '21') < 0 ? '0' : '';
  return { major, minor, patch: patch ?? (kind === undefined ? missingPatch : ''), kind: kind ?? '', pre: pre ?? '' };
}

function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** gover.Compare: malformed versions sort below every valid one and equal to each other. */
export function compareGoVersions(a: string, b: string): number {
  const x = parseGoVersion(a) ?? { major: '', minor: '', patch: '', kind: '', pre: '' };
  const y = parseGoVersion(b) ?? { major: '', minor: '', patch: '', kind: '', pre: '' };
  return (
    compareDecimal(x.major, y.major) ||
    compareDecimal(x.minor, y.minor) ||
    compareDecimal(x.patch, y.patch) ||
    (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0) ||
    compareDecimal(x.pre, y.pre)
  );
}

export function isGoVersion(text: string): boolean {
  return parseGoVersion(text) !== undefined;
}

/** A language version (1.22), not a release (1.22.0, 1.22rc1). */
export function isLanguageVersion(text: string): boolean {
  const v = parseGoVersion(text);
  return v !== undefined && v.patch === '' && v.kind === '' && v.pre === '';
}

/** gover.FromToolchain: go1.22.3 → 1.22.3, go1.22.3-custom → 1.22.3; undefined for what is no toolchain name. */
export function toolchainGoVersion(name: string): string | undefined {
  if (!name.startsWith('go')) return undefined;
  const version = name.slice(2).split(/[ \t-]/, 1)[0] ?? '';
  return isGoVersion(version) ? version : undefined;
}

/** Why a toolchain name cannot be fetched as a `golang.org/toolchain` module, or undefined when it can. */
export function toolchainNameProblem(name: string): string | undefined {
  const version = toolchainGoVersion(name);
  if (version === undefined || `go${version}` !== name) return 'expected a Go release name such as go1.22.3 or go1.23rc1';
  if (compareGoVersions(version, FIRST_SWITCHING_LANGUAGE) < 0) return 'toolchains are published as modules from go1.21.0 on';
  if (isLanguageVersion(version)) return `${name} is a language version, not a release: its first release is ${name}.0`;
  return undefined;
}

/** `golang.org/toolchain`'s version for a toolchain on a platform (`linux/amd64`), as the go command asks for it. */
export function toolchainModuleVersion(name: string, platform: string): string {
  return `${TOOLCHAIN_PACKAGING}-${name}.${platform.replace('/', '-')}`;
}

/** The toolchain name and platform a `golang.org/toolchain` version is for; undefined for another version. */
export function parseToolchainModuleVersion(version: string): { name: string; platform: string } | undefined {
  const match = /^v0\.0\.1-(go.+)\.([a-z0-9_]+)-([a-z0-9_]+)$/.exec(version);
  if (match === null) return undefined;
  const [, name = '', goos = '', goarch = ''] = match;
  return { name, platform: `${goos}/${goarch}` };
}

/** `golang.org/toolchain` versions grouped by toolchain, oldest first, each with its platforms; other versions are left out. */
export function groupToolchains(versions: readonly string[]): Array<{ name: string; platforms: string[] }> {
  const platformsOf = new Map<string, string[]>();
  for (const version of versions) {
    const toolchain = parseToolchainModuleVersion(version);
    if (toolchain !== undefined) platformsOf.set(toolchain.name, [...(platformsOf.get(toolchain.name) ?? []), toolchain.platform]);
  }
  return [...platformsOf.entries()]
    .map(([name, platforms]) => ({ name, platforms: platforms.sort() }))
    .sort((a, b) => compareGoVersions(toolchainGoVersion(a.name) ?? '', toolchainGoVersion(b.name) ?? '') || (a.name < b.name ? -1 : 1));
}

/** `go1.22.3 (darwin/arm64, linux/amd64); go1.22.4 (linux/amd64)` */
export function formatToolchains(groups: ReadonlyArray<{ name: string; platforms: readonly string[] }>): string {
  return groups.map((t) => `${t.name} (${t.platforms.join(', ')})`).join('; ');
}

/** What a go.mod makes a go command older than it switch to: the toolchain's name and the line that asks for it. */
export interface NeededToolchain {
  name: string;
  /** The directive that decided it, as written: `toolchain go1.22.4` or `go 1.22`. */
  directive: string;
  line: number;
}

/**
 * The toolchain a go command older than every toolchain switches to with GOTOOLCHAIN=auto for this
 * go.mod: the toolchain line, unless the go line asks for a newer Go (a language version such as
 * 1.22 means its first release, go1.22.0). Undefined when neither asks for Go 1.21 or later, or the
 * toolchain line says `default`.
 */
export function neededToolchain(goMod: Pick<GoModFile, 'go' | 'toolchain'>): NeededToolchain | undefined {
  const { go, toolchain } = goMod;
  if (toolchain?.name === 'default') return undefined;
  let needed: NeededToolchain | undefined;
  let version = FIRST_SWITCHING_LANGUAGE;
  const fromToolchain = toolchain === undefined ? undefined : toolchainGoVersion(toolchain.name);
  if (toolchain !== undefined && fromToolchain !== undefined && compareGoVersions(fromToolchain, version) >= 0) {
    needed = { name: toolchain.name, directive: `toolchain ${toolchain.name}`, line: toolchain.line };
    version = fromToolchain;
  }
  if (go !== undefined && compareGoVersions(go.version, version) > 0) {
    const name = isLanguageVersion(go.version) ? `go${go.version}.0` : `go${go.version}`;
    needed = { name, directive: `go ${go.version}`, line: go.line };
  }
  return needed;
}
