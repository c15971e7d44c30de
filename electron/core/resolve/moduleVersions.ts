import type { ModuleVersion } from '../../../shared/gomod/goModFile';
import { compare } from '../../../shared/gomod/semver';

/** `path@version`, the key reports and maps use for a module version. */
export function moduleKey(module: ModuleVersion): string {
  return `${module.path}@${module.version}`;
}

/**
 * module.Sort's order: by path, then by semantic version. Equal-precedence spellings (build metadata)
 * fall back to string order so that every list comes out the same whatever order it was found in.
 */
export function compareModuleVersions(a: ModuleVersion, b: ModuleVersion): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return compare(a.version, b.version) || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0);
}

export function sortModuleVersions(list: Iterable<ModuleVersion>): ModuleVersion[] {
  return [...list].sort(compareModuleVersions);
}

export function sameModuleVersions(a: readonly ModuleVersion[], b: readonly ModuleVersion[]): boolean {
  return a.length === b.length && a.every((m, i) => b[i]?.path === m.path && b[i]?.version === m.version);
}
