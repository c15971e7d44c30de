import { errorMessage } from '../../../shared/errorMessage';
import { ModuleArgError, parseModuleAtVersion, type ModuleArgProblem } from '../../../shared/gomod/modulePath';

/** One pasted line: the `path@version` it asks for, or why it cannot be read (as a code, when the parser gives one, and in its English). */
export type PastedLine = { line: number; text: string } & ({ module: string } | { problem: string; code?: ModuleArgProblem });

/**
 * Pasted text, one `path@version` or `path@latest` a line, read as `modferry export --module` reads
 * one; blank lines and `#` comments are skipped, so a request file's text can be pasted as it is.
 */
export function pastedModules(text: string): PastedLine[] {
  return text.split(/\r?\n/).flatMap((raw, index): PastedLine[] => {
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return [];
    const line = index + 1;
    try {
      const { path, version } = parseModuleAtVersion(content);
      return [{ line, text: content, module: `${path}@${version}` }];
    } catch (error) {
      return [{ line, text: content, problem: errorMessage(error), ...(error instanceof ModuleArgError ? { code: error.problem } : {}) }];
    }
  });
}
