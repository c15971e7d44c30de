/**
 * GOSUMDB, GONOSUMDB and GOPRIVATE as the go command reads them (cmd/go/internal/cfg, modfetch/sumdb.go):
 * which checksum database vouches for modules, and which modules it is not asked about. Pure: core
 * reads the environment and checks the key, the app and the CLI share it.
 */
/** The go command's built-in key for its default database (cmd/go/internal/modfetch/key.go). */
export const SUM_GOLANG_ORG_KEY = 'sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8';
const KNOWN_KEYS: Readonly<Record<string, string>> = { 'sum.golang.org': SUM_GOLANG_ORG_KEY };

export interface ChecksumDatabaseSetting {
  /** The verifier key, `<name>+<hash>+<key>`. */
  key: string;
  /** GOSUMDB's second field: the database's own URL, asked instead of any proxy. */
  url?: string;
  /** GONOSUMDB, else GOPRIVATE: comma-separated globs of module path prefixes the database is not asked about. */
  noSumdb: string;
}

export interface ChecksumDatabaseVariables {
  GOSUMDB?: string;
  GONOSUMDB?: string;
  GOPRIVATE?: string;
}

/** A GOSUMDB value the go command refuses too; the message says why, in its words. */
export class GosumdbError extends Error {
  override name = 'GosumdbError';
}

/** The database the go command would use, or undefined for GOSUMDB=off. An empty variable counts as unset, as with the go command. */
export function checksumDatabaseSetting(vars: ChecksumDatabaseVariables): ChecksumDatabaseSetting | undefined {
  let gosumdb = vars.GOSUMDB || 'sum.golang.org';
  // The go command's one alias: a mirror of sum.golang.org reachable from mainland China.
  if (gosumdb === 'sum.golang.google.cn') gosumdb = 'sum.golang.org https://sum.golang.google.cn';
  if (gosumdb === 'off') return undefined;
  const fields = gosumdb.trim().split(/\s+/).filter((f) => f !== '');
  if (fields.length === 0) throw new GosumdbError('missing GOSUMDB');
  if (fields.length > 2) throw new GosumdbError(`invalid GOSUMDB ${JSON.stringify(gosumdb)}: too many fields`);
  const key = KNOWN_KEYS[fields[0]!] ?? fields[0]!;
  return { key, ...(fields[1] === undefined ? {} : { url: fields[1] }), noSumdb: vars.GONOSUMDB || vars.GOPRIVATE || '' };
}

/**
 * Whether the database vouches for this module (modfetch.useSumDB). The go command checks a
 * downloaded toolchain against the database whatever GONOSUMDB says (no go.sum can list it), so a
 * toolchain's record is needed even where GONOSUMDB or GOPRIVATE match golang.org/toolchain.
 */
export function usesChecksumDatabase(setting: ChecksumDatabaseSetting, modulePath: string): boolean {
  return modulePath === 'golang.org/toolchain' || !matchPrefixPatterns(setting.noSumdb, modulePath);
}

/**
 * module.MatchPrefixPatterns: whether any glob of the comma-separated list matches a prefix of
 * target of as many path elements as the glob has. `example.com/*` matches every module below
 * example.com, and `*.corp.example.com` every host under that domain.
 */
export function matchPrefixPatterns(globs: string, target: string): boolean {
  for (const raw of globs.split(',')) {
    const glob = raw.replace(/\/$/, '');
    if (glob === '') continue;
    let slashes = glob.split('/').length - 1;
    let prefix = target;
    for (let i = 0; i < target.length; i++) {
      if (target[i] !== '/') continue;
      if (slashes === 0) {
        prefix = target.slice(0, i);
        break;
      }
      slashes--;
    }
    if (slashes > 0) continue;
    if (pathMatch(glob, prefix)) return true;
  }
  return false;
}

/** path.Match: `*` any run of non-slash characters, `?` one, `[a-z]`/`[^a-z]` classes, `\` escapes; a bad pattern matches nothing. */
export function pathMatch(pattern: string, name: string): boolean {
  const source = globSource(pattern);
  return source !== undefined && new RegExp(`^${source}$`, 'u').test(name);
}

function globSource(pattern: string): string | undefined {
  let out = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) return undefined;
      out += escapeRegExp(next);
    } else if (c === '[') {
      let cls = '';
      i++;
      if (chars[i] === '^') {
        cls += '^';
        i++;
      }
      let ranges = 0;
      for (; i < chars.length && chars[i] !== ']'; i++) {
        let lo = chars[i]!;
        if (lo === '\\') lo = chars[++i] ?? '';
        if (lo === '' || lo === '-') return undefined;
        cls += escapeClass(lo);
        if (chars[i + 1] === '-') {
          let hi = chars[i + 2];
          i += 2;
          if (hi === '\\') hi = chars[++i];
          if (hi === undefined || hi === ']' || hi < lo) return undefined;
          cls += `-${escapeClass(hi)}`;
        }
        ranges++;
      }
      if (i >= chars.length || ranges === 0) return undefined;
      out += `[${cls}]`;
    } else out += escapeRegExp(c);
  }
  return out;
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeClass(c: string): string {
  return c.replace(/[\]\\^-]/g, '\\$&');
}
