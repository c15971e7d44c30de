/**
 * go.sum reading and writing as the go command does it (cmd/go/internal/modfetch: readGoSum, WriteGoSum).
 * Each line is `path version hash`, where version is a module version for the zip's hash or
 * `version/go.mod` for the go.mod file's hash.
 */
import { compare } from './semver';
import { isCanonicalModuleVersion } from './moduleVersion';
import { compareGoStrings, goFields, isGoSpace, quoteGoString } from './goStringRules';
import { FileLineError } from '../fileLineError';

export interface GoSumLine {
  path: string;
  /** Without the `/go.mod` suffix; isGoMod says which of the two hashes this is. */
  version: string;
  isGoMod: boolean;
  hash: string;
  line: number;
}

/** A go.sum line that cannot be read; the message is `file:line: reason`. */
export class GoSumSyntaxError extends FileLineError {
  override name = 'GoSumSyntaxError';
}

const GO_MOD_SUFFIX = '/go.mod';

// The hash of an empty go.mod: a bug in early module support wrote it for non-modules; the go command drops these lines.
const EMPTY_GO_MOD_HASH = 'h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=';

// h1 is base64 of a SHA-256: 43 characters and one padding `=`, the last character carrying only 2 bits.
const H1_HASH = /^h1:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
// Other algorithm names are left for newer go commands to define, as the go command itself does.
const ANY_HASH = /^[a-z][a-z0-9]*:\S+$/;

/**
 * Parses go.sum text. Blank lines are skipped; exact duplicates are reported once (first line wins);
 * two different hashes for one module are both kept, for verification to catch. Module paths are not
 * checked, as the go command does not check them here either.
 */
export function parseGoSum(text: string, fileName: string): GoSumLine[] {
  const lines: GoSumLine[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, index) => {
    const lineNumber = index + 1;
    const fields = goFields(raw);
    if (fields.length === 0) return;
    const fail = (reason: string): never => {
      throw new GoSumSyntaxError(fileName, lineNumber, reason);
    };
    if (fields.length !== 3) fail(`wrong number of fields ${fields.length}, want 3 (module path, version, hash)`);
    const [path = '', versionField = '', hash = ''] = fields;
    if (hash === EMPTY_GO_MOD_HASH) return;

    const isGoMod = versionField.endsWith(GO_MOD_SUFFIX);
    const version = isGoMod ? versionField.slice(0, -GO_MOD_SUFFIX.length) : versionField;
    if (!isCanonicalModuleVersion(version)) {
      fail(`${path}: version ${quoteGoString(versionField)} invalid: must be of the form v1.2.3 or v1.2.3/go.mod`);
    }
    if (!ANY_HASH.test(hash) || (hash.startsWith('h1:') && !H1_HASH.test(hash))) {
      fail(`${path}@${versionField}: malformed hash ${quoteGoString(hash)}: want h1: followed by a base64 SHA-256`);
    }

    const key = `${path} ${versionField} ${hash}`;
    if (seen.has(key)) return;
    seen.add(key);
    lines.push({ path, version, isGoMod, hash, line: lineNumber });
  });
  return lines;
}


/**
 * go.sum text as the go command writes it: sorted by module path, then by version precedence with a
 * version's /go.mod line after its zip line, then by hash; duplicates removed; every line ends in a newline.
 */
export function formatGoSum(lines: ReadonlyArray<Omit<GoSumLine, 'line'>>): string {
  const entries = new Map<string, { path: string; version: string; hash: string }>();
  for (const line of lines) {
    const version = line.isGoMod ? `${line.version}${GO_MOD_SUFFIX}` : line.version;
    for (const field of [line.path, version, line.hash]) {
      if (field === '' || [...field].some(isGoSpace)) {
        const text = `${line.path} ${version} ${line.hash}`;
        throw new Error(`cannot write go.sum line ${quoteGoString(text)}: ${quoteGoString(field)} is empty or contains white space`);
      }
    }
    entries.set(`${line.path} ${version} ${line.hash}`, { path: line.path, version, hash: line.hash });
  }
  return [...entries.values()]
    .sort((a, b) => compareGoStrings(a.path, b.path) || compareSumVersions(a.version, b.version) || compareGoStrings(a.hash, b.hash))
    .map((e) => `${e.path} ${e.version} ${e.hash}\n`)
    .join('');
}

// module.Sort's version order: the semantic version before any `/file` suffix, then the suffix as text.
// Equal-precedence spellings fall back to text order so the output never depends on input order.
function compareSumVersions(a: string, b: string): number {
  const [aVersion, aFile] = splitFileSuffix(a);
  const [bVersion, bFile] = splitFileSuffix(b);
  if (aVersion !== bVersion) return compare(aVersion, bVersion) || compareGoStrings(aVersion, bVersion);
  return compareGoStrings(aFile, bFile);
}

function splitFileSuffix(version: string): [string, string] {
  const slash = version.indexOf('/');
  return slash < 0 ? [version, ''] : [version.slice(0, slash), version.slice(slash)];
}
