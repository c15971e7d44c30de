/**
 * Proxy-relative names of the files a module proxy serves (`go help goproxy`), with the module path
 * and version case-escaped: `github.com/!burnt!sushi/toml/@v/v1.2.0.zip`.
 */
import { escapePath, escapeVersion, unescapePath, unescapeVersion } from '../../../shared/gomod/modulePath';
import { isCanonicalModuleVersion } from '../../../shared/gomod/moduleVersion';
import { isSumdbPath, parseSumdbPath } from '../../../shared/sumdb/sumdbPath';
import { isFullTile } from '../../../shared/sumdb/tiles';

export type ModuleFileKind = 'info' | 'mod' | 'zip';

export function listKey(path: string): string {
  return `${escapePath(path)}/@v/list`;
}

export function latestKey(path: string): string {
  return `${escapePath(path)}/@latest`;
}

/** The `.info`, `.mod` or `.zip` file of path at version; version may be a query (`master`) for `.info`. */
export function versionFileKey(path: string, version: string, kind: ModuleFileKind): string {
  return `${escapePath(path)}/@v/${escapeVersion(version)}.${kind}`;
}

/**
 * Whether key names a file that never changes once published: `.info`, `.mod` or `.zip` of a valid
 * module path at a canonical version, or a checksum database's lookup (its record never changes; the
 * signed head it comes with may be any head that holds it) or full tile (`sumdb/<name>/...`).
 * `@v/list`, `@latest`, queries such as `@v/master.info`, a database's latest head and partial tiles change.
 */
export function isImmutableKey(key: string): boolean {
  if (isSumdbPath(key)) {
    try {
      const parsed = parseSumdbPath(key);
      return parsed.kind === 'lookup' || (parsed.kind === 'tile' && isFullTile(parsed.tile));
    } catch {
      return false;
    }
  }
  const match = /^(.+)\/@v\/([^/]+)\.(info|mod|zip)$/.exec(key);
  if (!match) return false;
  try {
    unescapePath(match[1] ?? '');
    return isCanonicalModuleVersion(unescapeVersion(match[2] ?? ''));
  } catch {
    return false;
  }
}

/**
 * Percent-encodes a key for a URL path as the go command does (url.PathEscape, keeping `/`): only
 * letters, digits, `-._~` and `$&+:=@` stay as they are, so `!` goes out as `%21`.
 */
export function pathEscape(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%(24|26|2B|3A|3D|40)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    )
    .join('/');
}
