/**
 * The one check of a module version as a file name: module.CanonicalVersion, and the module
 * path's major-version suffix. A proxy tree, a store and a request file name a version only by
 * its canonical spelling (`v1.2.0`, never `v1.2`), since that is all the go command asks for.
 */
import { checkPathMajor, splitPathVersion } from './modulePath';
import { build, canonical } from './semver';
import { errorMessage } from '../errorMessage';

/** module.CanonicalVersion: semver's canonical form, keeping a `+incompatible` suffix; '' when not a version. */
export function canonicalModuleVersion(version: string): string {
  const canonicalVersion = canonical(version);
  if (canonicalVersion === '') return '';
  return build(version) === '+incompatible' ? `${canonicalVersion}+incompatible` : canonicalVersion;
}

/** A version that names exactly one release: valid and canonical, with no build metadata but `+incompatible`. */
export function isCanonicalModuleVersion(version: string): boolean {
  return version !== '' && canonicalModuleVersion(version) === version;
}

/** Why `modulePath@version` cannot name a stored module version, or undefined when it can. */
export function moduleVersionProblem(modulePath: string, version: string): string | undefined {
  const canonicalVersion = canonicalModuleVersion(version);
  if (canonicalVersion === '') return `version ${JSON.stringify(version)} is not a semantic version`;
  if (canonicalVersion !== version) {
    return `version ${JSON.stringify(version)} is not canonical (the go command asks for ${JSON.stringify(canonicalVersion)})`;
  }
  try {
    checkPathMajor(version, splitPathVersion(modulePath)?.pathMajor ?? '');
  } catch (error) {
    return `${modulePath}@${version}: ${errorMessage(error)}`;
  }
  return undefined;
}
