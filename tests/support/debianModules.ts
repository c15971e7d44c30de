import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseGoMod } from '../../shared/gomod/goModFile';
import { isValidModulePath, splitPathVersion } from '../../shared/gomod/modulePath';

export const debianGoSourceRoot = '/usr/share/gocode/src';

/** A Go module whose source Debian installed under /usr/share/gocode/src, with the version we publish it as. */
export interface DebianModule {
  path: string;
  version: string;
  dir: string;
  /** The module's own go.mod text; undefined for modules that predate go.mod (published as +incompatible when >= v2). */
  goMod?: string;
}

/**
 * Finds every module under Debian's Go source tree: folders with a go.mod, and repository roots
 * (host/owner/repo, gopkg.in/pkg.vN) without one. Debian's compatibility symlinks are skipped.
 */
export function discoverDebianModules(root = debianGoSourceRoot): DebianModule[] {
  if (!existsSync(root)) return [];
  const found = new Map<string, { path: string; dir: string; goMod?: string }>();
  walkModuleRoots(root, root, found);
  const dirs = [...found.values()];
  const versions = debianVersionsOf(dirs.map((m) => m.dir));
  return dirs
    .map((m) => ({ ...m, version: goVersionFor(m.path, versions.get(m.dir) ?? '0.1.0', m.goMod !== undefined) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

function walkModuleRoots(root: string, dir: string, found: Map<string, { path: string; dir: string; goMod?: string }>): void {
  const rel = path.relative(root, dir).split(path.sep).join('/');
  const goModFile = path.join(dir, 'go.mod');
  if (existsSync(goModFile)) {
    const goMod = readFileSync(goModFile, 'utf8');
    const declared = parseGoMod(goMod, goModFile, { lax: true }).module?.path ?? '';
    // Debian keeps some /vN modules in the unsuffixed folder (github.com/Masterminds/semver holds .../semver/v3).
    const sameModule = declared === rel || splitPathVersion(declared)?.prefix === rel;
    if (sameModule && isValidModulePath(declared)) found.set(declared, { path: declared, dir, goMod });
  } else if (looksLikeRepositoryRoot(rel) && isValidModulePath(rel) && hasGoFiles(dir)) {
    found.set(rel, { path: rel, dir });
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'vendor' && entry.name !== 'testdata') {
      walkModuleRoots(root, path.join(dir, entry.name), found);
    }
  }
}

function looksLikeRepositoryRoot(rel: string): boolean {
  const parts = rel.split('/');
  if (parts[0] === 'gopkg.in') return parts.length === 2 || parts.length === 3;
  return parts.length === 3 && parts[0]!.includes('.');
}

function hasGoFiles(dir: string): boolean {
  if (lstatSync(dir).isSymbolicLink()) return false;
  return readdirSync(dir, { withFileTypes: true }).some((entry) =>
    entry.name.endsWith('.go') || (entry.isDirectory() && !entry.name.startsWith('.') && hasGoFiles(path.join(dir, entry.name))));
}

/** Maps each folder to the Debian version of the package that owns it. */
function debianVersionsOf(dirs: string[]): Map<string, string> {
  const owners = new Map<string, string>();
  const byDir = execFileSync('dpkg-query', ['-S', ...dirs], { encoding: 'utf8' });
  for (const line of byDir.split('\n')) {
    const match = /^([^:]+): (.+)$/.exec(line);
    if (match) owners.set(match[2]!, match[1]!.split(', ')[0]!);
  }
  const packages = [...new Set(owners.values())];
  const versionByPackage = new Map<string, string>();
  const listing = execFileSync('dpkg-query', ['-W', '-f=${Package} ${Version}\n', ...packages], { encoding: 'utf8' });
  for (const line of listing.trim().split('\n')) {
    const [name, version] = line.split(' ');
    versionByPackage.set(name!, version!);
  }
  return new Map([...owners].map(([dir, pkg]) => [dir, versionByPackage.get(pkg) ?? '0.1.0']));
}

/**
 * Turns a Debian version (epoch:upstream-revision, with ~git snapshots) into a Go version the go command
 * accepts for this module path: the major version must agree with a /vN or .vN suffix, and a module
 * without go.mod at v2 or later is +incompatible.
 */
export function goVersionFor(modulePath: string, debianVersion: string, hasGoMod: boolean): string {
  const upstream = debianVersion.replace(/^\d+:/, '').replace(/-[^-]*$/, '').replace(/[+~](ds|dfsg|repack)\d*.*$/, '');
  const snapshot = /^(\d+)\.(\d+)(?:\.(\d+))?[~+]git(\d{8})[.-]([0-9a-f]{7,12})/.exec(upstream);
  const release = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(upstream);
  const [maj, min, patch] = (snapshot ?? release ?? ['', '0', '1', '0']).slice(1, 4).map((n) => Number(n ?? 0)) as [number, number, number];
  const pathMajor = splitPathVersion(modulePath)?.pathMajor ?? '';
  const requiredMajor = /(\d+)$/.exec(pathMajor)?.[1];
  let [x, y, z] = [maj, min, patch];
  let suffix = '';
  if (requiredMajor !== undefined) {
    if (x !== Number(requiredMajor)) [x, y, z] = [Number(requiredMajor), 0, 0];
  } else if (x >= 2) {
    if (hasGoMod) [x, y] = [1, x * 100 + y];
    else suffix = '+incompatible';
  }
  if (snapshot) {
    const revision = snapshot[5]!.padEnd(12, '0');
    return `v${x}.${y}.${z + 1}-0.${snapshot[4]}000000-${revision}${suffix}`;
  }
  return `v${x}.${y}.${z}${suffix}`;
}
