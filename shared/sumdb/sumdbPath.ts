/**
 * Paths of a checksum database as a proxy serves it and a bundle carries it:
 * `sumdb/<name>/latest`, `sumdb/<name>/lookup/<escaped path>@<escaped version>` and
 * `sumdb/<name>/tile/8/<L>/<N>[.p/<W>]`, N in groups of three digits (`x001/234`) exactly as
 * tlog's Tile.Path writes it. Each path has one spelling, so anything that does not print back
 * the same is refused: it was not written by a database, and it becomes a file name offline.
 * Data tiles (`tile/8/data/...`) are never carried: the go command asks for none through a proxy.
 */
import { escapePath, escapeVersion, unescapePath, unescapeVersion } from '../gomod/modulePath';
import { moduleVersionProblem } from '../gomod/moduleVersion';
import { errorMessage } from '../errorMessage';
import { TILE_HEIGHT, TILE_WIDTH, type Tile } from './tiles';

export const SUMDB_ROOT = 'sumdb';

export type SumdbPath =
  | { name: string; kind: 'latest' }
  | { name: string; kind: 'lookup'; modulePath: string; version: string }
  | { name: string; kind: 'tile'; tile: Tile };

export type SumdbFileKind = SumdbPath['kind'];

/** A path that is not a checksum-database path this format allows; the message names it. */
export class SumdbPathError extends Error {
  override name = 'SumdbPathError';
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(`${JSON.stringify(path)}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
}

/** A database name as GOSUMDB names it, restricted to one path element: letters, digits, `.`, `-`, `_`. */
export function isSumdbName(name: string): boolean {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name) && name !== '.' && name !== '..';
}

/** Whether a bundle or proxy path is under `sumdb/` (and so must parse as a database path). */
export function isSumdbPath(path: string): boolean {
  return path.startsWith(`${SUMDB_ROOT}/`);
}

export function parseSumdbPath(path: string): SumdbPath {
  const parts = path.split('/');
  const [root, name, kind] = parts;
  if (root !== SUMDB_ROOT || name === undefined || kind === undefined) {
    throw new SumdbPathError(path, 'not a checksum-database path sumdb/<name>/{latest,lookup/...,tile/...}');
  }
  if (!isSumdbName(name)) {
    throw new SumdbPathError(path, `${JSON.stringify(name)} is not a checksum-database name (letters, digits, ".", "-", "_")`);
  }
  const rest = parts.slice(3).join('/');
  let parsed: SumdbPath;
  if (kind === 'latest' && parts.length === 3) parsed = { name, kind: 'latest' };
  else if (kind === 'lookup' && parts.length >= 4) parsed = { name, kind: 'lookup', ...parseLookup(path, rest) };
  else if (kind === 'tile' && parts.length >= 4) parsed = { name, kind: 'tile', tile: parseTile(path, rest) };
  else throw new SumdbPathError(path, `unexpected ${JSON.stringify(parts.slice(2).join('/'))} (expected latest, lookup/<path>@<version> or tile/8/<level>/<n>)`);
  if (formatSumdbPath(parsed) !== path) throw new SumdbPathError(path, `not spelled as a checksum database spells it (${JSON.stringify(formatSumdbPath(parsed))})`);
  return parsed;
}

export function formatSumdbPath(path: SumdbPath): string {
  const base = `${SUMDB_ROOT}/${path.name}`;
  switch (path.kind) {
    case 'latest':
      return `${base}/latest`;
    case 'lookup':
      return `${base}/lookup/${escapePath(path.modulePath)}@${escapeVersion(path.version)}`;
    case 'tile':
      return `${base}/${tilePath(path.tile)}`;
  }
}

/** tlog's Tile.Path for a hash tile of height 8: `tile/8/<L>/<N>[.p/<W>]`, N as `x001/x234/567`. */
export function tilePath(tile: Tile): string {
  let n = tile.n;
  let digits = String(n % 1000).padStart(3, '0');
  while (n >= 1000) {
    n = Math.floor(n / 1000);
    digits = `x${String(n % 1000).padStart(3, '0')}/${digits}`;
  }
  const partial = tile.width === TILE_WIDTH ? '' : `.p/${tile.width}`;
  return `tile/${TILE_HEIGHT}/${tile.level}/${digits}${partial}`;
}

function parseLookup(path: string, rest: string): { modulePath: string; version: string } {
  const at = rest.lastIndexOf('@');
  if (at < 0) throw new SumdbPathError(path, 'a lookup names <escaped module path>@<escaped version>');
  let modulePath: string;
  let version: string;
  try {
    modulePath = unescapePath(rest.slice(0, at));
    version = unescapeVersion(rest.slice(at + 1));
  } catch (error) {
    throw new SumdbPathError(path, errorMessage(error));
  }
  const problem = moduleVersionProblem(modulePath, version);
  if (problem !== undefined) throw new SumdbPathError(path, problem);
  return { modulePath, version };
}

function parseTile(path: string, rest: string): Tile {
  const parts = rest.split('/');
  const [height, level] = parts;
  if (height !== String(TILE_HEIGHT)) throw new SumdbPathError(path, `only tiles of height ${TILE_HEIGHT} are carried`);
  if (level === 'data') throw new SumdbPathError(path, 'data tiles are not carried (the go command reads none through a proxy)');
  if (level === undefined || !/^(0|[1-9][0-9]?)$/.test(level)) throw new SumdbPathError(path, 'not a tile level');
  let numberParts = parts.slice(2);
  let width = TILE_WIDTH;
  const last = numberParts.length - 1;
  if (last >= 1 && numberParts[last - 1]!.endsWith('.p')) {
    const widthText = numberParts[last]!;
    width = Number(widthText);
    if (!/^[1-9][0-9]*$/.test(widthText) || width >= TILE_WIDTH) throw new SumdbPathError(path, `partial tile width ${JSON.stringify(widthText)} is not 1..${TILE_WIDTH - 1}`);
    numberParts = [...numberParts.slice(0, last - 1), numberParts[last - 1]!.slice(0, -'.p'.length)];
  }
  if (numberParts.length === 0) throw new SumdbPathError(path, 'missing tile number');
  let n = 0;
  numberParts.forEach((group, i) => {
    const digits = i < numberParts.length - 1 ? group.replace(/^x/, '') : group;
    if (!/^[0-9]{3}$/.test(digits) || (i < numberParts.length - 1 && !group.startsWith('x'))) {
      throw new SumdbPathError(path, `tile number group ${JSON.stringify(group)} is not three digits (x prefix on all but the last)`);
    }
    n = n * 1000 + Number(digits);
  });
  if (!Number.isSafeInteger(n)) throw new SumdbPathError(path, 'tile number too large');
  return { level: Number(level), n, width };
}
