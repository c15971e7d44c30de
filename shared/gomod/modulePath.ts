/**
 * Module, import and file path rules of the go command (golang.org/x/mod/module),
 * plus the case-escaping used by the module cache and the GOPROXY protocol.
 *
 * These rules decide what the go command will accept, so they are reproduced
 * exactly: a path we accept but Go rejects (or the reverse) breaks a transfer.
 */
import { build, isValid, major } from './semver';

/** A path that breaks the go command's naming rules; the message matches the go command's wording. */
export class ModulePathError extends Error {
  override name = 'ModulePathError';
  readonly kind: 'module path' | 'import path' | 'file path';
  readonly path: string;
  /** The rule that was broken, without the path, e.g. `leading dot in path element`. */
  readonly reason: string;

  constructor(kind: PathKind, path: string, reason: string) {
    super(`malformed ${kind} ${quoteGoString(path)}: ${reason}`);
    this.kind = kind;
    this.path = path;
    this.reason = reason;
  }
}

type PathKind = ModulePathError['kind'];

/**
 * Module path: an import path whose first element is a lower-case domain-like name
 * containing a dot, no element starts with a dot, and any major-version suffix is well formed.
 */
export function checkModulePath(path: string): void {
  const reason = modulePathProblem(path);
  if (reason !== undefined) throw new ModulePathError('module path', path, reason);
}

export function isValidModulePath(path: string): boolean {
  return modulePathProblem(path) === undefined;
}

/** Import path: slash-separated elements of ASCII letters, digits and `-._~+`. */
export function checkImportPath(path: string): void {
  const reason = pathProblem(path, 'import path');
  if (reason !== undefined) throw new ModulePathError('import path', path, reason);
}

/** File path inside a module (the rule applied to module zip entries): wider character set, leading dots allowed. */
export function checkFilePath(path: string): void {
  const reason = pathProblem(path, 'file path');
  if (reason !== undefined) throw new ModulePathError('file path', path, reason);
}

function modulePathProblem(path: string): string | undefined {
  const general = pathProblem(path, 'module path');
  if (general !== undefined) return general;
  const slash = path.indexOf('/');
  // pathProblem has already ruled out an empty first element and a leading dash.
  const first = slash < 0 ? path : path.slice(0, slash);
  if (!first.includes('.')) return 'missing dot in first path element';
  for (const ch of first) {
    if (!isDomainChar(ch)) return `invalid char ${quoteGoRune(ch)} in first path element`;
  }
  if (splitPathVersion(path) === undefined) return 'invalid version';
  return undefined;
}

function pathProblem(path: string, kind: PathKind): string | undefined {
  if (!isWellFormedUnicode(path)) return 'invalid UTF-8';
  if (path === '') return 'empty string';
  // A leading dash would be read as a flag by the go command; file names never reach a command line.
  if (path.startsWith('-') && kind !== 'file path') return 'leading dash';
  if (path.includes('//')) return 'double slash';
  if (path.endsWith('/')) return 'trailing slash';
  for (const elem of path.split('/')) {
    const reason = elementProblem(elem, kind);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function elementProblem(elem: string, kind: PathKind): string | undefined {
  if (elem === '') return 'empty path element';
  if (/^\.+$/.test(elem)) return `invalid path element ${quoteGoString(elem)}`;
  if (elem.startsWith('.') && kind === 'module path') return 'leading dot in path element';
  if (elem.endsWith('.')) return 'trailing dot in path element';
  const allowed = CHAR_RULE[kind];
  for (const ch of elem) {
    if (!allowed(ch)) return `invalid char ${quoteGoRune(ch)}`;
  }

  const dot = elem.indexOf('.');
  const short = dot < 0 ? elem : elem.slice(0, dot);
  if (WINDOWS_RESERVED_NAMES.has(asciiLower(short))) {
    return `${quoteGoString(short)} disallowed as path element component on Windows`;
  }

  // Windows short names (PROGRA~1) could alias another directory; only paths that
  // become directory names in the module cache need this, not files inside a module.
  if (kind !== 'file path' && /~[0-9]+$/.test(short)) return 'trailing tilde and digits in path element';
  return undefined;
}

const CHAR_RULE: Record<PathKind, (ch: string) => boolean> = {
  'module path': isModulePathChar,
  'import path': (ch) => isModulePathChar(ch) || ch === '+',
  'file path': isFileNameChar,
};

// Lower case only, so two spellings of one domain can never become two cache directories.
function isDomainChar(ch: string): boolean {
  return /^[-.0-9a-z]$/.test(ch);
}

// Excludes anything that changes meaning in a URL (`%`, `+`) and, for now, all non-ASCII.
function isModulePathChar(ch: string): boolean {
  return /^[-._~0-9A-Za-z]$/.test(ch);
}

// Shell and OS specials (" ' * < > ? ` | : \) are left out; Unicode letters are let in.
function isFileNameChar(ch: string): boolean {
  if (ch.length === 1 && ch.charCodeAt(0) < 0x80) return /^[0-9A-Za-z!#$%&()+,\-.=@[\]^_{}~ ]$/.test(ch);
  return /^\p{L}$/u.test(ch);
}

const WINDOWS_RESERVED_NAMES: ReadonlySet<string> = new Set([
  'con', 'prn', 'aux', 'nul',
  'com1', 'com2', 'com3', 'com4', 'com5', 'com6', 'com7', 'com8', 'com9',
  'lpt1', 'lpt2', 'lpt3', 'lpt4', 'lpt5', 'lpt6', 'lpt7', 'lpt8', 'lpt9',
]);

// Only ASCII letters fold: the reserved names are ASCII, and Unicode case mapping
// (e.g. U+0130 lower-casing to two code units) must not create a false match.
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

// A JS string can hold lone surrogates, which have no UTF-8 form; Go rejects invalid UTF-8 the same way.
function isWellFormedUnicode(s: string): boolean {
  return !/\p{Cs}/u.test(s);
}

/**
 * Splits a module path into prefix and major-version suffix (`/vN` for N >= 2, or
 * `.vN` for any N on gopkg.in). The suffix is '' when there is none.
 * Returns undefined for a malformed suffix such as `/v1`, `/v0`, `/v02` or `/v2.0`,
 * and for a gopkg.in path without `.vN`.
 */
export function splitPathVersion(path: string): { prefix: string; pathMajor: string } | undefined {
  if (path.startsWith('gopkg.in/')) return splitGopkgIn(path);

  let i = path.length;
  let sawDot = false;
  while (i > 0 && /[0-9.]/.test(path.charAt(i - 1))) {
    if (path.charAt(i - 1) === '.') sawDot = true;
    i--;
  }
  if (i <= 1 || i === path.length || path.charAt(i - 1) !== 'v' || path.charAt(i - 2) !== '/') {
    return { prefix: path, pathMajor: '' };
  }
  const pathMajor = path.slice(i - 2);
  if (sawDot || pathMajor.length <= 2 || pathMajor.charAt(2) === '0' || pathMajor === '/v1') return undefined;
  return { prefix: path.slice(0, i - 2), pathMajor };
}

function splitGopkgIn(path: string): { prefix: string; pathMajor: string } | undefined {
  let i = path.length;
  if (path.endsWith('-unstable')) i -= '-unstable'.length;
  while (i > 0 && /[0-9]/.test(path.charAt(i - 1))) i--;
  if (i <= 1 || path.charAt(i - 1) !== 'v' || path.charAt(i - 2) !== '.') return undefined;
  const pathMajor = path.slice(i - 2);
  if (pathMajor.length <= 2 || (pathMajor.charAt(2) === '0' && pathMajor !== '.v0')) return undefined;
  return { prefix: path.slice(0, i - 2), pathMajor };
}

/**
 * Throws unless `version` may be used with a module whose path ends in `pathMajor`
 * (as returned by splitPathVersion). Mirrors module.CheckPathMajor, which is what
 * go.mod parsing applies; whether a `+incompatible` version really exists (the
 * module has no go.mod at that version) can only be decided by fetching it.
 */
export function checkPathMajor(version: string, pathMajor: string): void {
  const problem = pathMajorProblem(version, pathMajor);
  if (problem !== undefined) throw new Error(`version ${quoteGoString(version)} invalid: ${problem}`);
}

/** Why checkPathMajor refuses version, bare, for callers that word the error as Go's module.Check does; undefined when it fits. */
export function pathMajorProblem(version: string, pathMajor: string): string | undefined {
  const unsuffixed =
    pathMajor.startsWith('.v') && pathMajor.endsWith('-unstable') ? pathMajor.slice(0, -'-unstable'.length) : pathMajor;
  // Early module tooling wrote v0.0.0- pseudo-versions for gopkg.in .v1 paths; go.mod files in the wild still hold them.
  if (version.startsWith('v0.0.0-') && unsuffixed === '.v1') return undefined;
  if (!isValid(version)) return 'not a semantic version';

  const versionMajor = major(version);
  let expected: string;
  if (unsuffixed === '') {
    // Before semantic import versioning, v2+ modules without a go.mod were used from the unsuffixed path.
    if (versionMajor === 'v0' || versionMajor === 'v1' || build(version) === '+incompatible') return undefined;
    expected = 'v0 or v1';
  } else if (unsuffixed.startsWith('/') || unsuffixed.startsWith('.')) {
    expected = unsuffixed.slice(1);
    if (versionMajor === expected) return undefined;
  } else {
    expected = unsuffixed;
  }
  return `should be ${expected}, not ${versionMajor}`;
}

/**
 * The form of a module path used in module cache directories and proxy URLs:
 * each upper-case letter becomes `!` plus its lower-case form, so case-insensitive
 * file systems never see two paths that differ only in case.
 */
export function escapePath(path: string): string {
  checkModulePath(path);
  return escapeCase(path);
}

/** Inverse of escapePath; throws on anything escapePath could not have produced. */
export function unescapePath(escaped: string): string {
  const path = unescapeCase(escaped);
  if (path === undefined) throw new Error(`invalid escaped module path ${quoteGoString(escaped)}`);
  const reason = modulePathProblem(path);
  if (reason !== undefined) {
    const problem = new ModulePathError('module path', path, reason);
    throw new Error(`invalid escaped module path ${quoteGoString(escaped)}: ${problem.message}`);
  }
  return path;
}

/**
 * Versions are escaped like paths. They need not be semantic versions (a proxy can be
 * asked for a branch name) but must be a single valid file name without `!`.
 */
export function escapeVersion(version: string): string {
  // Non-ASCII letters pass the file-name rule but have no escaped form.
  if (elementProblem(version, 'file path') !== undefined || version.includes('!') || /[\u0080-\uffff]/.test(version)) {
    throw new Error(`version ${quoteGoString(version)} invalid: disallowed version string`);
  }
  return escapeCase(version);
}

/** Inverse of escapeVersion; throws on anything escapeVersion could not have produced. */
export function unescapeVersion(escaped: string): string {
  const version = unescapeCase(escaped);
  if (version === undefined) throw new Error(`invalid escaped version ${quoteGoString(escaped)}`);
  const reason = elementProblem(version, 'file path');
  if (reason !== undefined) throw new Error(`invalid escaped version ${quoteGoString(version)}: ${reason}`);
  return version;
}

// Callers have already excluded `!` and non-ASCII, which keeps the escaping reversible.
function escapeCase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

// Undefined when the text is not something escapeCase produces: a bare upper-case letter,
// `!` not followed by a lower-case letter, or any non-ASCII character.
function unescapeCase(escaped: string): string | undefined {
  let out = '';
  let afterBang = false;
  for (const ch of escaped) {
    if (ch.charCodeAt(0) >= 0x80) return undefined;
    if (afterBang) {
      if (!/[a-z]/.test(ch)) return undefined;
      out += ch.toUpperCase();
      afterBang = false;
    } else if (ch === '!') {
      afterBang = true;
    } else if (/[A-Z]/.test(ch)) {
      return undefined;
    } else {
      out += ch;
    }
  }
  return afterBang ? undefined : out;
}

/** What is wrong with a `path@version` argument, as a code a screen words in its own language. */
export type ModuleArgProblem = 'no-at' | 'no-path' | 'bad-path' | 'no-version' | 'bad-version';

export class ModuleArgError extends Error {
  override name = 'ModuleArgError';
  constructor(
    message: string,
    readonly problem: ModuleArgProblem,
  ) {
    super(message);
  }
}

/**
 * Parses `path@version` as typed on a command line. The version must be `latest`
 * or a semantic version (`v1.2.3`, or a prefix such as `v1.2` that the go command
 * treats as a query); it is returned as written.
 */
export function parseModuleAtVersion(text: string): { path: string; version: string } {
  const at = text.indexOf('@');
  if (at < 0) {
    throw new ModuleArgError(`invalid path@version ${quoteGoString(text)}: missing "@version" (e.g. golang.org/x/text@latest)`, 'no-at');
  }
  const path = text.slice(0, at);
  const version = text.slice(at + 1);
  if (path === '') throw new ModuleArgError(`invalid path@version ${quoteGoString(text)}: missing module path before "@"`, 'no-path');
  const reason = modulePathProblem(path);
  if (reason !== undefined) {
    throw new ModuleArgError(`invalid path@version ${quoteGoString(text)}: ${new ModulePathError('module path', path, reason).message}`, 'bad-path');
  }
  if (version === '') throw new ModuleArgError(`invalid path@version ${quoteGoString(text)}: missing version after "@"`, 'no-version');
  if (version !== 'latest' && !isValid(version)) {
    throw new ModuleArgError(
      `invalid path@version ${quoteGoString(text)}: version ${quoteGoString(version)} is neither "latest" nor a semantic version like v1.2.3`,
      'bad-version',
    );
  }
  return { path, version };
}

// Go's %q (strconv.Quote), so messages read exactly like the go command's.
function quoteGoString(s: string): string {
  let out = '"';
  for (const ch of s) out += ch === '"' ? '\\"' : ch === "'" ? "'" : escapeForGoQuote(ch);
  return `${out}"`;
}

// Go's %q on a rune (strconv.QuoteRune).
function quoteGoRune(ch: string): string {
  return `'${ch === "'" ? "\\'" : ch === '"' ? '"' : escapeForGoQuote(ch)}'`;
}

const GO_NAMED_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\',
};

function escapeForGoQuote(ch: string): string {
  const named = GO_NAMED_ESCAPES[ch];
  if (named !== undefined) return named;
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  // Go prints letters, marks, numbers, punctuation, symbols and the ASCII space as themselves.
  if (ch === ' ' || !/[\p{C}\p{Z}]/u.test(ch)) return ch;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}
