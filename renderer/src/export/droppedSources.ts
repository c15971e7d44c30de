import { errorMessage } from '../../../shared/errorMessage';
import { GoModSyntaxError, parseGoMod } from '../../../shared/gomod/goModFile';
import type { Translate } from '../i18n/catalog';
import { goModProblemWords } from './sourceProblemWords';
import type { PathSource, SourceKind } from './exportWizardStore';

/** The kind a path names by its look: a go.mod file, a request file (.txt), else a project folder. */
export function guessSourceKind(path: string): SourceKind {
  const name = path.split(/[\\/]/).at(-1) ?? '';
  if (name === 'go.mod') return 'goMod';
  if (/\.txt$/i.test(name)) return 'requestFile';
  return 'project';
}

/** Paths a drop names as file:// URIs (a file manager's drag), decoded; other URIs are not sources. */
export function droppedPaths(uriList: string): PathSource[] {
  return uriList
    .split(/\r?\n/)
    .filter((line) => line.startsWith('file://'))
    .map((uri) => decodeURIComponent(new URL(uri).pathname))
    .map((path) => ({ kind: guessSourceKind(path), path }));
}

/**
 * A dropped file whose location the browser keeps to itself, read for its text: a go.mod gives its
 * requirements as `path@version` lines (under a comment naming it), anything else is taken as lines
 * to paste, as a request file is. Lines for the pasted list, or why the file gives none (a go.mod's
 * syntax error by its line, in the operator's language).
 */
export function droppedFileLines(name: string, text: string, t: Translate): { lines: string } | { problem: string } {
  if (name !== 'go.mod') return { lines: text.trimEnd() };
  try {
    const goMod = parseGoMod(text, name);
    const requires = goMod.require.map((r) => `${r.path}@${r.version}`);
    return { lines: [`# ${goMod.module?.path ?? name}`, ...requires].join('\n') };
  } catch (error) {
    if (error instanceof GoModSyntaxError) return { problem: t('exportWizard.sources.lineProblem', { line: error.line, reason: goModProblemWords(error.problem, t) }) };
    return { problem: errorMessage(error) };
  }
}
