/**
 * The checksum-database files a bundle carries and a store keeps (SUMDB-FORMAT.md): under
 * `sumdb/<name>/`, the signed tree head `latest`, lookup records `lookup/<escaped path>@<escaped version>`
 * and hash tiles `tile/8/<L>/<N>[.p/<W>]`. Anything else under `sumdb/` is refused, naming the path:
 * these names become file names in the store, so only the canonical spelling of each is accepted.
 */
import { escapePath, escapeVersion, unescapePath, unescapeVersion } from '../../../shared/gomod/modulePath';
import { moduleVersionProblem } from '../../../shared/gomod/moduleVersion';
import { errorMessage } from '../../../shared/errorMessage';

export const PROOF_PREFIX = 'sumdb/';
/** The only tile height the go command's checksum database client uses. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile. */
export const TILE_WIDTH = 1 << TILE_HEIGHT;
export const HASH_BYTES = 32;

export interface HashTile {
  /** Tile level: its hashes are those at tree level 8L. */
  level: number;
  index: number;
  /** Hashes it holds, 1 to 256; a width under 256 is a partial tile at the tree's right edge. */
  width: number;
}

export type ProofFile =
  | { db: string; kind: 'latest' }
  | { db: string; kind: 'lookup'; modulePath: string; version: string; rel: string }
  | { db: string; kind: 'tile'; tile: HashTile; rel: string };

/** A path under sumdb/ that is not one of the files above; reason names what is wrong. */
export class ProofPathError extends Error {
  override name = 'ProofPathError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(path)}: ${reason}`);
  }
}

const DB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LOOKUP = /^lookup\/(.+)@([^@/]+)$/;
const TILE = /^tile\/8\/(\d+)\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d+))?$/;

export function isProofPath(path: string): boolean {
  return path.startsWith(PROOF_PREFIX);
}

export function isDatabaseName(name: string): boolean {
  return DB_NAME.test(name) && name !== '.' && name !== '..' && name.length <= 253;
}

/** A bundle entry path under sumdb/. */
export function parseProofPath(path: string): ProofFile {
  if (!isProofPath(path)) throw new ProofPathError(path, 'not under sumdb/');
  const rest = path.slice(PROOF_PREFIX.length);
  const slash = rest.indexOf('/');
  const db = slash < 0 ? rest : rest.slice(0, slash);
  if (!isDatabaseName(db)) throw new ProofPathError(path, `${JSON.stringify(db)} is not a checksum database name (letters, digits, ".", "-", "_")`);
  const rel = slash < 0 ? '' : rest.slice(slash + 1);
  if (rel === 'latest') return { db, kind: 'latest' };
  if (rel.startsWith('lookup/')) {
    const lookup = parseLookupPath(rel);
    if (typeof lookup === 'string') throw new ProofPathError(path, lookup);
    return { db, kind: 'lookup', ...lookup, rel };
  }
  if (rel.startsWith('tile/')) {
    const tile = parseTilePath(rel);
    if (typeof tile === 'string') throw new ProofPathError(path, tile);
    return { db, kind: 'tile', tile, rel };
  }
  throw new ProofPathError(path, 'not a checksum database file (expected latest, lookup/<path>@<version> or tile/8/<L>/<N>[.p/<W>])');
}

/** `lookup/<escaped path>@<escaped version>`, or why it is not one in canonical form. */
export function parseLookupPath(rel: string): { modulePath: string; version: string } | string {
  const match = LOOKUP.exec(rel);
  if (match === null) return 'not lookup/<escaped module path>@<escaped version>';
  let modulePath: string;
  let version: string;
  try {
    modulePath = unescapePath(match[1] ?? '');
    version = unescapeVersion(match[2] ?? '');
  } catch (error) {
    return errorMessage(error);
  }
  const problem = moduleVersionProblem(modulePath, version);
  if (problem !== undefined) return problem;
  if (lookupPath(modulePath, version) !== rel) return 'not the canonical escaping of its module path and version';
  return { modulePath, version };
}

/** `tile/8/<L>/<N>[.p/<W>]` exactly as tlog.Tile.Path writes it, or why not; data tiles are not hash tiles. */
export function parseTilePath(rel: string): HashTile | string {
  const match = TILE.exec(rel);
  if (match === null) return 'not a hash tile path tile/8/<L>/<N>[.p/<W>]';
  const level = Number(match[1]);
  const index = Number((match[2] ?? '').replaceAll('x', '').replaceAll('/', ''));
  const width = match[3] === undefined ? TILE_WIDTH : Number(match[3]);
  if (!Number.isSafeInteger(level) || !Number.isSafeInteger(index) || width < 1 || width > TILE_WIDTH) return 'tile level, index or width out of range';
  const tile = { level, index, width };
  if (tilePath(tile) !== rel) return 'not the canonical spelling of its tile (as tlog.Tile.Path writes it)';
  return tile;
}

export function lookupPath(modulePath: string, version: string): string {
  return `lookup/${escapePath(modulePath)}@${escapeVersion(version)}`;
}

/** As tlog.Tile.Path: the index in three-digit groups, all but the last prefixed with x. */
export function tilePath(tile: HashTile): string {
  let n = tile.index;
  let digits = String(n % 1000).padStart(3, '0');
  while (n >= 1000) {
    n = Math.floor(n / 1000);
    digits = `x${String(n % 1000).padStart(3, '0')}/${digits}`;
  }
  return `tile/${TILE_HEIGHT}/${tile.level}/${digits}${tile.width === TILE_WIDTH ? '' : `.p/${tile.width}`}`;
}
