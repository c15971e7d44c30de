/**
 * What each source of an export asks for, read before any planning so the sources step can show it
 * under each source: a go.mod's module, go version and requirements, a request file's lines, each
 * pasted `path@version` line. A source that cannot be read says where and why (file, line, reason).
 */
import { errorMessage } from '../errorMessage';
import { FileLineError } from '../fileLineError';
import { GoModSyntaxError, parseGoMod } from '../gomod/goModFile';
import type { GoModProblem } from '../gomod/goModProblem';
import { parseModuleRequest, parseRequestFile, parseRequestHeads, RequestFileError, type ParsedRequest, type RequestFileProblem } from '../roundtrip/requestFile';

/** Where and why a source cannot be used; message is `file:line: reason` with what is known. */
export interface SourceProblem {
  file?: string;
  line?: number;
  /** In English, as the CLI says it. */
  reason: string;
  message: string;
  /** The reason as a code with its parts, for a screen to word in its language (absent where only the English is known). */
  coded?: GoModProblem | SourceReadProblem | RequestFileProblem;
}

/** Why a source's file could not be read as one. */
export type SourceReadProblem =
  | { code: 'no-go-mod' }
  | { code: 'missing' }
  | { code: 'folder' }
  | { code: 'too-large'; bytes: number }
  | { code: 'unreadable'; errno: string }
  | { code: 'no-requests' };

export interface GoModAsks {
  /** The main module's path; null when the file has no module statement. */
  module: string | null;
  go: string | null;
  requires: Array<{ path: string; version: string; indirect: boolean }>;
}

export function sourceProblem(error: unknown, file?: string, coded?: GoModProblem | SourceReadProblem | RequestFileProblem): SourceProblem {
  if (error instanceof GoModSyntaxError || error instanceof RequestFileError) return { file: error.file, line: error.line, reason: error.reason, message: error.message, coded: error.problem };
  if (error instanceof FileLineError) return { file: error.file, line: error.line, reason: error.reason, message: error.message };
  const reason = errorMessage(error);
  return { ...(file === undefined ? {} : { file }), reason, message: file === undefined ? reason : `${file}: ${reason}`, ...(coded === undefined ? {} : { coded }) };
}

/** A go.mod read as export reads a project's: strictly, as the main module. */
export function goModAsks(text: string, file: string): GoModAsks | SourceProblem {
  try {
    const goMod = parseGoMod(text, file);
    if (goMod.module === undefined) return sourceProblem(new Error('no module statement: is this a go.mod file?'), file, { code: 'no-module' });
    return {
      module: goMod.module.path,
      go: goMod.go?.version ?? null,
      requires: goMod.require.map(({ path, version, indirect }) => ({ path, version, indirect })),
    };
  } catch (error) {
    return sourceProblem(error, file);
  }
}

export function requestFileAsks(text: string, file: string): { requests: ParsedRequest[] } | SourceProblem {
  try {
    const requests = parseRequestFile(text, file);
    // The export reads the head lines too: one it would refuse is told while the source is chosen.
    parseRequestHeads(text, file);
    if (requests.length === 0) return sourceProblem(new Error('the request file asks for no modules'), file, { code: 'no-requests' });
    return { requests };
  } catch (error) {
    return sourceProblem(error, file);
  }
}

/** Pasted text, one `path@version` or `path@latest` a line; blank lines and `#` comments are skipped. */
export type PastedLine = { line: number; text: string } & ({ path: string; version: string } | { problem: SourceProblem });

export function pastedLinesAsk(text: string): PastedLine[] {
  return text.split(/\r?\n/).flatMap((raw, index): PastedLine[] => {
    const line = index + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return [];
    try {
      const { path, version } = parseModuleRequest(content, 'pasted', line);
      return [{ line, text: content, path, version }];
    } catch (error) {
      const reason = error instanceof FileLineError ? error.reason : errorMessage(error);
      return [{ line, text: content, problem: { line, reason, message: `line ${line}: ${reason}` } }];
    }
  });
}
