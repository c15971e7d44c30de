/**
 * What the go command accepts in a module zip (golang.org/x/mod/zip.CheckZip, which
 * `go mod download` applies before extracting a zip into the module cache): every
 * name under `path@version/`, valid and clean file paths, no two names equal under
 * Unicode case folding, a lower-case go.mod only at the root, and size limits.
 *
 * The checks work on the zip's listing alone, entry by entry, so a reader can apply
 * them while streaming through a zip it never holds in memory.
 */
import { checkFilePath, checkModulePath, pathMajorProblem, splitPathVersion } from './modulePath';
import { canonicalModuleVersion } from './moduleVersion';
import { errorMessage } from '../errorMessage';

/** Limit on a module zip file and, separately, on the total uncompressed size of its files. */
export const MAX_ZIP_FILE_BYTES = 500 * 1024 * 1024;
export const MAX_GO_MOD_BYTES = 16 * 1024 * 1024;
export const MAX_LICENSE_BYTES = 16 * 1024 * 1024;

export interface ModuleVersion {
  readonly path: string;
  readonly version: string;
}

export interface ModuleZipListingEntry {
  /** The entry name exactly as stored in the zip. */
  readonly name: string;
  /** Declared uncompressed size in bytes. */
  readonly size: number;
  /** Whether the entry is a directory; in a zip that is a name ending in `/`, which the name must then carry. */
  readonly isDirectory: boolean;
}

export interface ModuleZipProblem {
  /** The entry at fault, as named in the zip. */
  readonly entry: string;
  readonly reason: string;
}

/** The directory every entry of the module's zip must sit under. */
export function moduleZipPrefix(mod: ModuleVersion): string {
  return `${mod.path}@${mod.version}/`;
}

/** Why a zip file of this many bytes is refused, or undefined when its size is fine. */
export function checkModuleZipFileSize(bytes: number): string | undefined {
  if (bytes <= MAX_ZIP_FILE_BYTES) return undefined;
  return `module zip file is too large (${bytes} bytes; limit is ${MAX_ZIP_FILE_BYTES} bytes)`;
}

/**
 * Every problem in a module zip's listing, in entry order, at most one per entry.
 * Throws when the module path or version itself is not one the go command accepts.
 */
export function checkModuleZipListing(
  entries: ReadonlyArray<ModuleZipListingEntry>,
  mod: ModuleVersion,
): ModuleZipProblem[] {
  const checker = new ModuleZipListingChecker(mod);
  return entries.flatMap((entry) => checker.check(entry) ?? []);
}

export function formatModuleZipProblem(problem: ModuleZipProblem): string {
  return `${problem.entry}: ${problem.reason}`;
}

/**
 * Checks a module zip's entries one at a time, in zip order, remembering what it needs
 * to find collisions and the running total size. Use one checker per zip.
 */
export class ModuleZipListingChecker {
  readonly prefix: string;
  /** Name of the entry holding the module's go.mod. */
  readonly goModEntry: string;
  private readonly paths = new Map<string, { path: string; isDirectory: boolean }>();
  private totalBytes = 0;
  private totalReported = false;

  constructor(mod: ModuleVersion) {
    checkModuleVersion(mod);
    this.prefix = moduleZipPrefix(mod);
    this.goModEntry = `${this.prefix}go.mod`;
  }

  /** The entry's problem, or undefined when the go command would accept it. */
  check(entry: ModuleZipListingEntry): ModuleZipProblem | undefined {
    const reason = this.problemOf(entry);
    return reason === undefined ? undefined : { entry: entry.name, reason };
  }

  private problemOf(entry: ModuleZipListingEntry): string | undefined {
    if (!entry.name.startsWith(this.prefix)) return `path does not have prefix ${quote(this.prefix)}`;
    let name = entry.name.slice(this.prefix.length);
    // The module root itself: Go lets a zip list it and ignores it.
    if (name === '') return undefined;
    if (entry.isDirectory && name.endsWith('/')) name = name.slice(0, -1);
    if (!isCleanPath(name)) return 'file path is not clean';
    try {
      checkFilePath(name);
    } catch (error) {
      return errorMessage(error);
    }
    const collision = this.recordPath(name, entry.isDirectory);
    if (collision !== undefined) return collision;
    // A folder named go.mod is allowed: the module then has no go.mod of its own.
    if (entry.isDirectory) return undefined;

    const base = name.slice(name.lastIndexOf('/') + 1);
    if (collisionKey(base) === 'go.mod') {
      if (base !== name) return 'go.mod file not in module root directory';
      if (name !== 'go.mod') return 'go.mod files must have lowercase names';
    }
    const fitsTotal = this.addToTotal(entry.size);
    if (name === 'go.mod' && entry.size > MAX_GO_MOD_BYTES) {
      return `go.mod file too large (${entry.size} bytes; max size is ${MAX_GO_MOD_BYTES} bytes)`;
    }
    if (name === 'LICENSE' && entry.size > MAX_LICENSE_BYTES) {
      return `LICENSE file too large (${entry.size} bytes; max size is ${MAX_LICENSE_BYTES} bytes)`;
    }
    // Reported once, at a file that does not fit, as Go reports a single size error for the zip.
    if (!fitsTotal && !this.totalReported) {
      this.totalReported = true;
      return `total uncompressed size of module contents too large (max size is ${MAX_ZIP_FILE_BYTES} bytes)`;
    }
    return undefined;
  }

  /**
   * Records a path and, as implied directories, all its parents. Like Go, a folded path
   * seen before is a collision unless it is the same directory seen again.
   */
  private recordPath(path: string, isDirectory: boolean): string | undefined {
    const key = collisionKey(path);
    const other = this.paths.get(key);
    if (other === undefined) {
      this.paths.set(key, { path, isDirectory });
    } else if (other.path !== path) {
      return `case-insensitive file name collision: ${quote(other.path)} and ${quote(path)}`;
    } else if (other.isDirectory !== isDirectory) {
      return `entry ${quote(path)} is both a file and a directory`;
    } else if (!isDirectory) {
      return `multiple entries for file ${quote(path)}`;
    }
    const slash = path.lastIndexOf('/');
    return slash < 0 ? undefined : this.recordPath(path.slice(0, slash), true);
  }

  // Like Go, a file that would push the total past the limit is left out of it.
  private addToTotal(size: number): boolean {
    if (size < 0 || MAX_ZIP_FILE_BYTES - this.totalBytes < size) return false;
    this.totalBytes += size;
    return true;
  }
}

/** Go's module.Check and canonical-version rule for the module a zip is checked against. */
function checkModuleVersion(mod: ModuleVersion): void {
  checkModulePath(mod.path);
  const at = `${mod.path}@${mod.version}`;
  const canonicalVersion = canonicalModuleVersion(mod.version);
  if (canonicalVersion === '') throw new Error(`${at}: invalid version: not a semantic version`);
  if (canonicalVersion !== mod.version) {
    throw new Error(`${at}: version ${quote(mod.version)} is not canonical (should be ${quote(canonicalVersion)})`);
  }
  const problem = pathMajorProblem(mod.version, splitPathVersion(mod.path)?.pathMajor ?? '');
  if (problem !== undefined) throw new Error(`${at}: invalid version: ${problem}`);
}

/**
 * Whether Go's path.Clean would leave the path unchanged: no empty, `.` or inner `..`
 * elements and no trailing slash (leading `..` elements are clean in a relative path).
 */
function isCleanPath(path: string): boolean {
  if (path === '.' || path === '/') return true;
  const rooted = path.startsWith('/');
  let sawName = false;
  for (const elem of (rooted ? path.slice(1) : path).split('/')) {
    if (elem === '' || elem === '.') return false;
    if (elem === '..') {
      if (rooted || sawName) return false;
    } else {
      sawName = true;
    }
  }
  return true;
}

/**
 * A key equal for two strings exactly when Go's strToFold makes them equal, i.e. when
 * the go command treats them as the same name on a case-insensitive file system.
 * Each character is mapped through its upper case to that form's lower case, keeping
 * only one-character mappings, as Go's simple case folding does.
 */
export function collisionKey(s: string): string {
  if (!/[A-Z\u0080-\uffff]/.test(s)) return s;
  let key = '';
  for (const ch of s) key += foldChar(ch);
  return key;
}

function foldChar(ch: string): string {
  // Dotless i upper-cases to I, yet Go does not fold it with I or i.
  if (ch === '\u0131') return ch;
  const upper = oneCharOr(ch.toUpperCase(), ch);
  return oneCharOr(upper.toLowerCase(), upper);
}

// Full case mapping can give several characters (ß -> SS); simple folding then leaves the character alone.
function oneCharOr(mapped: string, original: string): string {
  const oneChar = mapped.length === 1 || (mapped.length === 2 && (mapped.codePointAt(0) ?? 0) > 0xffff);
  return oneChar ? mapped : original;
}

// The names quoted here have passed Go's path rules, which leave nothing that Go's %q and JSON would write differently.
function quote(s: string): string {
  return JSON.stringify(s);
}
