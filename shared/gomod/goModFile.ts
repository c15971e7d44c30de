/**
 * go.mod meaning, as golang.org/x/mod/modfile (rule.go) gives it and the go command enforces it:
 * which directives exist, what their arguments must look like, `// indirect`, deprecation notices
 * and retraction rationales taken from comments.
 *
 * Strict parsing is for the main module, whose go.mod the go command reads with modfile.Parse and
 * then checks further (versions must already be canonical here because an offline tool cannot ask
 * a proxy what `v1.2` means; required modules that will be downloaded need valid module paths).
 * Lax parsing is modfile.ParseLax, which the go command uses for the go.mod of every dependency.
 */
import { canonicalModuleVersion } from './moduleVersion';
import { checkImportPath, checkModulePath, checkPathMajor, ModulePathError, splitPathVersion } from './modulePath';
import { GoModSyntaxError, parseGoModSyntax, type ModBlock, type ModComment, type ModLine } from './goModSyntax';
import { goFields, goTrimSpace, isGoPrintable, quoteGoString, unquoteGoString } from './goStringRules';
import { errorMessage } from '../errorMessage';
import type { GoModProblem } from './goModProblem';

export { GoModSyntaxError } from './goModSyntax';

export interface ModuleVersion {
  path: string;
  version: string;
}

export interface GoModFile {
  module?: { path: string; deprecated?: string; line: number };
  go?: { version: string; line: number };
  toolchain?: { name: string; line: number };
  require: Array<{ path: string; version: string; indirect: boolean; line: number }>;
  replace: Array<{
    old: { path: string; version?: string };
    new: { path: string; version?: string };
    /** The replacement is a directory (`./x`, `../x`, `/abs`, `C:\x`), so it has no version. */
    isLocalPath: boolean;
    line: number;
  }>;
  exclude: Array<{ path: string; version: string; line: number }>;
  retract: Array<{ low: string; high: string; rationale: string; line: number }>;
}

export interface ParseGoModOptions {
  /**
   * Read the file as the go.mod of a dependency (modfile.ParseLax): unknown directives and blocks are
   * ignored, and so are the main-module-only ones (replace, exclude, toolchain, godebug, tool), whose
   * lists stay empty; malformed retractions are dropped; non-canonical versions such as `v1.2` are
   * canonicalized (`v1.2.0`) instead of rejected. module, go, require and ignore errors are still errors.
   */
  lax?: boolean;
}

/** Parses go.mod text; throws GoModSyntaxError naming `fileName` and the line at fault. A missing module statement is not an error. */
export function parseGoMod(text: string, fileName: string, options: ParseGoModOptions = {}): GoModFile {
  const reader = new GoModReader(fileName, options.lax === true);
  for (const statement of parseGoModSyntax(text, fileName)) {
    if (statement.kind === 'line') {
      const [verb = '', ...args] = statement.tokens;
      reader.addDirective(undefined, statement, verb, args);
    } else {
      reader.addBlock(statement);
    }
  }
  reader.finish();
  return reader.file;
}

// A directive's own problem; the reader adds the file and line.
class DirectiveError extends Error {
  constructor(
    message: string,
    readonly problem: GoModProblem,
    /** For a badly quoted argument: what is wrong with the quoting, for messages that say where the argument stood. */
    readonly quoting?: string,
  ) {
    super(message);
  }
}

const BLOCK_VERBS = new Set(['module', 'godebug', 'require', 'exclude', 'replace', 'retract', 'tool', 'ignore']);
// What ParseLax still reads in a dependency's go.mod; everything else only matters in the main module.
const LAX_VERBS = new Set(['go', 'module', 'retract', 'require', 'ignore']);

const GO_VERSION = /^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$/;
// Lax reading salvages spellings such as `1.21.0-rc1` or `1.14.x` as their major.minor.
const LAX_GO_VERSION = /^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$/;
// Deliberately loose, so toolchain names from newer Go releases still read.
const TOOLCHAIN_NAME = /^default$|^go1($|\.)/;

interface PendingRetract {
  low: string;
  high: string;
  rationale: string;
  line: number;
}

class GoModReader {
  readonly file: GoModFile = { require: [], replace: [], exclude: [], retract: [] };
  // Retracted versions are checked against the module path, which may come later in the file.
  private readonly retractions: PendingRetract[] = [];

  constructor(
    private readonly fileName: string,
    private readonly lax: boolean,
  ) {}

  addBlock(block: ModBlock): void {
    const [verb = ''] = block.tokens;
    if (block.tokens.length > 1 || !BLOCK_VERBS.has(verb)) {
      if (!this.lax) this.fail(block.line, `unknown block type: ${block.tokens.join(' ')}`, { code: 'unknown-block', block: block.tokens.join(' ') });
      return;
    }
    for (const line of block.lines) this.addDirective(block, line, verb, line.tokens);
  }

  addDirective(block: ModBlock | undefined, line: ModLine, verb: string, args: string[]): void {
    if (this.lax && !LAX_VERBS.has(verb)) return;
    this.atLine(line.line, () => this.interpret(block, line, verb, args));
  }

  private interpret(block: ModBlock | undefined, line: ModLine, verb: string, args: string[]): void {
    switch (verb) {
      case 'module':
        return this.addModule(block, line, args);
      case 'go':
        return this.addGo(line, args);
      case 'toolchain':
        return this.addToolchain(line, args);
      case 'godebug':
        return checkGodebug(args);
      case 'require':
      case 'exclude':
        return this.addRequireOrExclude(line, verb, args);
      case 'replace':
        return this.addReplace(line, args);
      case 'retract':
        return this.addRetract(block, line, args);
      case 'tool':
      case 'ignore':
        if (args.length !== 1) throw new DirectiveError(`${verb} directive expects exactly one argument`, { code: 'usage', directive: verb, usage: `${verb} path` });
        parseArgument(args[0] ?? '');
        return;
      default:
        throw new DirectiveError(`unknown directive: ${verb}`, { code: 'unknown-directive', directive: verb });
    }
  }

  private addModule(block: ModBlock | undefined, line: ModLine, args: string[]): void {
    if (this.file.module !== undefined) throw new DirectiveError('repeated module statement', { code: 'repeated', directive: 'module' });
    if (args.length !== 1) throw new DirectiveError('usage: module module/path', { code: 'usage', directive: 'module', usage: 'module module/path' });
    const path = parseArgument(args[0] ?? '');
    // The go command holds the main module to import-path rules only: `module myapp` is fine until published.
    if (!this.lax) checkPath(checkImportPath, path, 'module path');
    const deprecated = deprecationIn(directiveComment(block, line));
    this.file.module = deprecated ? { path, deprecated, line: line.line } : { path, line: line.line };
  }

  private addGo(line: ModLine, args: string[]): void {
    if (this.file.go !== undefined) throw new DirectiveError('repeated go statement', { code: 'repeated', directive: 'go' });
    if (args.length !== 1) throw new DirectiveError('go directive expects exactly one argument', { code: 'usage', directive: 'go', usage: 'go 1.23.0' });
    let version = args[0] ?? '';
    if (!GO_VERSION.test(version)) {
      const salvaged = this.lax ? LAX_GO_VERSION.exec(version)?.[1] : undefined;
      if (salvaged === undefined) throw new DirectiveError(`invalid go version '${version}': must match format 1.23.0`, { code: 'invalid-go-version', version });
      version = salvaged;
    }
    this.file.go = { version, line: line.line };
  }

  private addToolchain(line: ModLine, args: string[]): void {
    if (this.file.toolchain !== undefined) throw new DirectiveError('repeated toolchain statement', { code: 'repeated', directive: 'toolchain' });
    if (args.length !== 1) throw new DirectiveError('toolchain directive expects exactly one argument', { code: 'usage', directive: 'toolchain', usage: 'toolchain go1.23.0' });
    const name = args[0] ?? '';
    if (!TOOLCHAIN_NAME.test(name)) throw new DirectiveError(`invalid toolchain version '${name}': must match format go1.23.0 or default`, { code: 'invalid-toolchain', name });
    this.file.toolchain = { name, line: line.line };
  }

  private addRequireOrExclude(line: ModLine, verb: 'require' | 'exclude', args: string[]): void {
    if (args.length !== 2) throw new DirectiveError(`usage: ${verb} module/path v1.2.3`, { code: 'usage', directive: verb, usage: `${verb} module/path v1.2.3` });
    const path = parseArgument(args[0] ?? '');
    const version = this.parseVersion(verb, path, args[1] ?? '');
    checkVersionMatchesPath(verb, path, version);
    if (verb === 'require') this.file.require.push({ path, version, indirect: isIndirect(line), line: line.line });
    else this.file.exclude.push({ path, version, line: line.line });
  }

  private addReplace(line: ModLine, args: string[]): void {
    const arrow = args.length >= 2 && args[1] === '=>' ? 1 : 2;
    if (args.length < arrow + 2 || args.length > arrow + 3 || args[arrow] !== '=>') {
      const usage = 'replace module/path [v1.2.3] => other/module v1.4 or replace module/path [v1.2.3] => ../local/directory';
      throw new DirectiveError(`usage: ${usage}`, { code: 'usage', directive: 'replace', usage });
    }
    const oldPath = parseArgument(args[0] ?? '');
    const oldPathMajor = pathMajorOf('replace', oldPath);
    let oldVersion: string | undefined;
    if (arrow === 2) {
      oldVersion = this.parseVersion('replace', oldPath, args[1] ?? '');
      checkPathMajorFor('replace', oldPath, oldVersion, oldPathMajor);
    }
    const newPath = parseArgument(args[arrow + 1] ?? '');
    const isLocalPath = isDirectoryPath(newPath);
    let newVersion: string | undefined;
    if (args.length === arrow + 2) {
      if (!isLocalPath) {
        if (newPath.includes('@')) throw new DirectiveError("replacement module must match format 'path version', not 'path@version'", { code: 'replacement-without-version', replacement: newPath });
        throw new DirectiveError('replacement module without version must be directory path (rooted or starting with . or ..)', { code: 'replacement-without-version', replacement: newPath });
      }
    } else {
      newVersion = this.parseVersion('replace', newPath, args[arrow + 2] ?? '');
      if (isLocalPath) throw new DirectiveError(`replacement module directory path ${quoteGoString(newPath)} cannot have version`, { code: 'replacement-directory-version', dir: newPath });
      // The replacement is what gets downloaded, so it must be a module path the go command can fetch.
      checkPath(checkModulePath, newPath, 'module path', 'replace');
      checkVersionMatchesPath('replace', newPath, newVersion);
    }
    this.file.replace.push({
      old: oldVersion === undefined ? { path: oldPath } : { path: oldPath, version: oldVersion },
      new: newVersion === undefined ? { path: newPath } : { path: newPath, version: newVersion },
      isLocalPath,
      line: line.line,
    });
  }

  private addRetract(block: ModBlock | undefined, line: ModLine, args: string[]): void {
    const rationale = directiveComment(block, line);
    let interval: { low: string; high: string; rest: string[] };
    try {
      interval = parseVersionInterval(args);
    } catch (error) {
      // A dependency may use interval syntax from a newer Go; that must not make it unusable.
      if (this.lax && error instanceof DirectiveError) return;
      throw error;
    }
    if (interval.rest.length > 0 && !this.lax) {
      throw new DirectiveError(`unexpected token after version: ${quoteGoString(interval.rest[0] ?? '')}`, { code: 'unexpected-token', token: interval.rest[0] ?? '' });
    }
    this.retractions.push({ low: interval.low, high: interval.high, rationale, line: line.line });
  }

  /** Checks that need the whole file; called once every statement has been read. */
  finish(): void {
    for (const retraction of this.retractions) this.addCheckedRetraction(retraction);
    if (!this.lax) this.checkDownloadablePaths();
  }

  private addCheckedRetraction(retraction: PendingRetract): void {
    const { low, high, rationale, line } = retraction;
    if (this.lax) {
      // ParseLax leaves retracted versions unchecked; ones that are not versions at all could never match, so they go.
      const canonicalLow = canonicalModuleVersion(low);
      const canonicalHigh = canonicalModuleVersion(high);
      if (canonicalLow !== '' && canonicalHigh !== '') this.file.retract.push({ low: canonicalLow, high: canonicalHigh, rationale, line });
      return;
    }
    const modulePath = this.file.module?.path ?? '';
    this.atLine(line, () => {
      for (const version of [low, high]) {
        this.parseVersion('retract', modulePath, version);
        if (modulePath !== '') checkRetractedVersionMatchesModule(modulePath, version);
      }
    });
    this.file.retract.push({ low, high, rationale, line });
  }

  // The go command downloads every required module that is not replaced, which needs a real module path.
  private checkDownloadablePaths(): void {
    for (const requirement of this.file.require) {
      const replaced = this.file.replace.some(
        (r) => r.old.path === requirement.path && (r.old.version === undefined || r.old.version === requirement.version),
      );
      if (!replaced) this.atLine(requirement.line, () => checkPath(checkModulePath, requirement.path, 'module path', 'require'));
    }
  }

  /**
   * A version argument. Strict: it must already be canonical. Lax: canonicalized, as ParseLax does.
   * `path` names the module in the message ('' for a retraction without a module statement).
   */
  private parseVersion(verb: string, path: string, token: string): string {
    const where = path === '' ? `${verb}: ` : `${verb} ${pathForMessage(path)}: `;
    let version: string;
    try {
      version = parseArgument(token);
    } catch (error) {
      if (!(error instanceof DirectiveError)) throw error;
      throw new DirectiveError(`${where}version ${quoteGoString(token)} invalid: ${error.quoting ?? error.message}`, { code: 'bad-quoting', token });
    }
    const canonicalVersion = canonicalModuleVersion(version);
    if (canonicalVersion === '' || (!this.lax && canonicalVersion !== version)) {
      throw new DirectiveError(`${where}version ${quoteGoString(version)} invalid: must be of the form v1.2.3`, { code: 'invalid-version', directive: verb, module: path, version });
    }
    return canonicalVersion;
  }

  private atLine(line: number, check: () => void): void {
    try {
      check();
    } catch (error) {
      if (error instanceof DirectiveError) this.fail(line, error.message, error.problem);
      throw error;
    }
  }

  private fail(line: number, reason: string, problem: GoModProblem): never {
    throw new GoModSyntaxError(this.fileName, line, reason, problem);
  }
}

/**
 * A path or other string argument: `"..."` is a Go string literal; any other quote character is an
 * error, including a backquoted string, which go.mod reserves rather than accepts.
 */
function parseArgument(token: string): string {
  if (token.startsWith('"')) {
    try {
      return unquoteGoString(token);
    } catch (error) {
      throw new DirectiveError(`invalid quoted string: ${errorMessage(error)}`, { code: 'bad-quoting', token }, errorMessage(error));
    }
  }
  if (/["'`]/.test(token)) throw new DirectiveError('invalid quoted string: unquoted string cannot contain quote', { code: 'bad-quoting', token }, 'unquoted string cannot contain quote');
  return token;
}

// Paths are shown as written unless an escape put white space or control characters in them,
// which would break the one-line message.
function pathForMessage(path: string): string {
  return [...path].every((ch) => isGoPrintable(ch) && ch !== ' ') ? path : quoteGoString(path);
}

function checkPath(check: (path: string) => void, path: string, kind: string, verb?: string): void {
  try {
    check(path);
  } catch (error) {
    if (!(error instanceof ModulePathError)) throw error;
    const where = verb === undefined ? '' : `${verb} ${pathForMessage(path)}: `;
    throw new DirectiveError(`${where}malformed ${kind} ${quoteGoString(path)}: ${error.reason}`, { code: 'malformed-path', directive: verb ?? 'module', path });
  }
}

function pathMajorOf(verb: string, path: string): string {
  const split = splitPathVersion(path);
  if (split === undefined) throw new DirectiveError(`${verb} ${pathForMessage(path)}: invalid module path`, { code: 'malformed-path', directive: verb, path });
  return split.pathMajor;
}

function checkPathMajorFor(verb: string, path: string, version: string, pathMajor: string): void {
  try {
    checkPathMajor(version, pathMajor);
  } catch (error) {
    throw new DirectiveError(`${verb} ${pathForMessage(path)}: ${errorMessage(error)}`, { code: 'version-path-mismatch', directive: verb, module: path, version });
  }
}

function checkVersionMatchesPath(verb: string, path: string, version: string): void {
  checkPathMajorFor(verb, path, version, pathMajorOf(verb, path));
}

function checkRetractedVersionMatchesModule(modulePath: string, version: string): void {
  const split = splitPathVersion(modulePath);
  if (split === undefined) {
    throw new DirectiveError(
      `retract ${pathForMessage(modulePath)}: version ${quoteGoString(version)} invalid: malformed module path ${quoteGoString(modulePath)}`,
      { code: 'malformed-path', directive: 'retract', path: modulePath },
    );
  }
  checkPathMajorFor('retract', modulePath, version, split.pathMajor);
}

function checkGodebug(args: string[]): void {
  const setting = args[0] ?? '';
  if (args.length !== 1 || /["`',]/.test(setting) || !setting.includes('=')) throw new DirectiveError('usage: godebug key=value', { code: 'usage', directive: 'godebug', usage: 'godebug key=value' });
}

/** `v1.2.3` or `[v1.0.0, v1.2.3]`, with whatever tokens follow it. */
function parseVersionInterval(args: string[]): { low: string; high: string; rest: string[] } {
  const [first] = args;
  if (first === undefined || first === '(') throw new DirectiveError("expected '[' or version", { code: 'retract-syntax' });
  if (first !== '[') {
    const version = retractedVersion(first);
    return { low: version, high: version, rest: args.slice(1) };
  }
  const [, low, comma, high, close, ...rest] = args;
  if (low === undefined) throw new DirectiveError("expected version after '['", { code: 'retract-syntax' });
  const lowVersion = retractedVersion(low);
  if (comma !== ',') throw new DirectiveError("expected ',' after version", { code: 'retract-syntax' });
  if (high === undefined) throw new DirectiveError("expected version after ','", { code: 'retract-syntax' });
  const highVersion = retractedVersion(high);
  if (close !== ']') throw new DirectiveError("expected ']' after version", { code: 'retract-syntax' });
  return { low: lowVersion, high: highVersion, rest };
}

// Only the quoting is checked here; validity depends on the module path and on strictness.
function retractedVersion(token: string): string {
  try {
    return parseArgument(token);
  } catch (error) {
    if (!(error instanceof DirectiveError)) throw error;
    throw new DirectiveError(`retract: version ${quoteGoString(token)} invalid: ${error.quoting ?? error.message}`, { code: 'bad-quoting', token });
  }
}

/**
 * modfile's isIndirect: the first comment after the requirement is exactly `// indirect`, or starts
 * with the word `indirect;` followed by more text. `// indirect foo` is not indirect.
 */
function isIndirect(line: ModLine): boolean {
  if (line.suffix === undefined) return false;
  const fields = goFields(line.suffix.text.replace(/^\/\//, ''));
  return (fields.length === 1 && fields[0] === 'indirect') || (fields.length > 1 && fields[0] === 'indirect;');
}

/**
 * The comments describing a directive, one trimmed line each: those directly above it and the one at
 * its end. A line inside a block that has neither borrows the block's own comments.
 */
function directiveComment(block: ModBlock | undefined, line: ModLine): string {
  let comments: ModComment[] = [...line.before, ...(line.suffix === undefined ? [] : [line.suffix])];
  if (block !== undefined && comments.length === 0) {
    comments = [...block.before, ...(block.suffix === undefined ? [] : [block.suffix])];
  }
  return comments
    .filter((c) => c.text.startsWith('//'))
    .map((c) => goTrimSpace(c.text.slice(2)))
    .join('\n');
}

// The first paragraph that starts with `Deprecated:`; paragraphs are separated by an empty `//` line.
// An empty notice deprecates nothing, as in the go command.
const DEPRECATED_PARAGRAPH = /(?:^|\n\n)Deprecated: *([\s\S]*?)(?:$|\n\n)/;

function deprecationIn(comment: string): string | undefined {
  return DEPRECATED_PARAGRAPH.exec(comment)?.[1];
}

/**
 * modfile.IsDirectoryPath: `.`, `..` and paths starting with `./`, `../`, `/` (or their Windows forms)
 * or a drive letter. go.mod files travel between systems, so every form counts everywhere.
 */
function isDirectoryPath(path: string): boolean {
  return (
    path === '.' ||
    path === '..' ||
    /^\.\.?[/\\]/.test(path) ||
    path.startsWith('/') ||
    path.startsWith('\\') ||
    /^[A-Za-z]:/.test(path)
  );
}
