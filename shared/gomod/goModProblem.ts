/**
 * What is wrong with a go.mod line, as a code with its parts: a screen words it in its own language;
 * the parser's English message (the go command's own wording) stays for the CLI and as the detail.
 */
export type GoModProblem =
  | { code: 'unexpected-character'; character: string }
  | { code: 'block-comment' }
  | { code: 'unterminated-string' }
  | { code: 'unterminated-block'; block: string }
  | { code: 'paren-newline' }
  | { code: 'unknown-block'; block: string }
  | { code: 'unknown-directive'; directive: string }
  | { code: 'repeated'; directive: string }
  /** The directive's arguments are not what it takes: `usage` is its form, e.g. `require module/path v1.2.3`. */
  | { code: 'usage'; directive: string; usage: string }
  | { code: 'invalid-go-version'; version: string }
  | { code: 'invalid-toolchain'; name: string }
  | { code: 'bad-quoting'; token: string }
  /** Not a canonical version (`v1.2.3`); `module` is '' for a retraction without a module statement. */
  | { code: 'invalid-version'; directive: string; module: string; version: string }
  | { code: 'malformed-path'; directive: string; path: string }
  | { code: 'version-path-mismatch'; directive: string; module: string; version: string }
  | { code: 'replacement-without-version'; replacement: string }
  | { code: 'replacement-directory-version'; dir: string }
  | { code: 'retract-syntax' }
  | { code: 'unexpected-token'; token: string }
  /** The file has no module statement: it is not a project's go.mod. */
  | { code: 'no-module' };

export type GoModProblemCode = GoModProblem['code'];

export const GO_MOD_PROBLEM_CODES = [
  'unexpected-character', 'block-comment', 'unterminated-string', 'unterminated-block', 'paren-newline', 'unknown-block', 'unknown-directive', 'repeated', 'usage',
  'invalid-go-version', 'invalid-toolchain', 'bad-quoting', 'invalid-version', 'malformed-path', 'version-path-mismatch', 'replacement-without-version',
  'replacement-directory-version', 'retract-syntax', 'unexpected-token', 'no-module',
] as const satisfies readonly GoModProblemCode[];
