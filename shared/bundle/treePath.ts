/**
 * Paths inside a GOPROXY file tree, the layout a bundle carries and the go command reads
 * through `GOPROXY=file://...`: `<escaped module path>/@v/list` and
 * `<escaped module path>/@v/<escaped version>.{info,mod,zip}`.
 *
 * A bundle path ends up as a file name on the offline machine, so anything outside that
 * layout is refused rather than cleaned up: a path that needs cleaning is a path someone
 * crafted.
 */
import { unescapePath, unescapeVersion } from '../gomod/modulePath';
import { moduleVersionProblem } from '../gomod/moduleVersion';
import { errorMessage } from '../errorMessage';

export type TreeFileKind = 'list' | 'info' | 'mod' | 'zip';

export interface TreePath {
  /** The module path, unescaped (upper case restored). */
  modulePath: string;
  /** The version, unescaped; absent for `list`. */
  version?: string;
  kind: TreeFileKind;
}

/** Thrown for a path outside the GOPROXY layout; the message names the path. */
export class TreePathError extends Error {
  override name = 'TreePathError';
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${JSON.stringify(path)}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

const VERSION_FILE = /^(.+)\.(info|mod|zip)$/;

export function parseTreePath(path: string): TreePath {
  const reason = unsafePathReason(path);
  if (reason !== undefined) throw new TreePathError(path, reason);

  const marker = path.indexOf('/@v/');
  if (marker < 0) throw new TreePathError(path, 'not in the GOPROXY layout <module>/@v/<file>');
  const escapedModule = path.slice(0, marker);
  const file = path.slice(marker + '/@v/'.length);
  if (file.includes('/')) throw new TreePathError(path, 'not in the GOPROXY layout <module>/@v/<file>: nested folder under @v');

  const modulePath = unescapeOrThrow(path, () => unescapePath(escapedModule));
  if (file === 'list') return { modulePath, kind: 'list' };

  const match = VERSION_FILE.exec(file);
  if (match === null) {
    throw new TreePathError(path, `unexpected file ${JSON.stringify(file)} under @v (expected list, <version>.info, .mod or .zip)`);
  }
  const version = unescapeOrThrow(path, () => unescapeVersion(match[1] ?? ''));
  const versionProblem = moduleVersionProblem(modulePath, version);
  if (versionProblem !== undefined) throw new TreePathError(path, versionProblem);
  return { modulePath, version, kind: match[2] as TreeFileKind };
}

/**
 * Why a path could escape or confuse the folder it is extracted into: absolute, drive
 * letters, backslashes, `.` and `..` or empty elements. Undefined when none applies.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === '') return 'empty path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'absolute path';
  if (path.includes('\\')) return 'backslash in path';
  if (path.includes('\0')) return 'NUL byte in path';
  for (const element of path.split('/')) {
    if (element === '..') return 'path climbs out of the bundle ("..")';
    if (element === '.') return 'path has a "." element';
    if (element === '') return 'empty path element';
  }
  return undefined;
}

/** Files that serve one request together share a key: a version's .info, .mod and .zip; a module's list stands alone. */
export function groupKeyOf(tree: TreePath): string {
  return tree.version === undefined ? `${tree.modulePath} list` : `${tree.modulePath}@${tree.version}`;
}

function unescapeOrThrow(path: string, unescape: () => string): string {
  try {
    return unescape();
  } catch (error) {
    throw new TreePathError(path, errorMessage(error));
  }
}
