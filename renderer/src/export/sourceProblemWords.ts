import type { GoModProblem } from '../../../shared/gomod/goModProblem';
import type { RequestFileProblem } from '../../../shared/roundtrip/requestFile';
import type { SourceReadProblem } from '../../../shared/sources/exportSource';
import type { Translate } from '../i18n/catalog';
import type { Formatters } from '../i18n/format';

/** Why a source cannot be used, in the operator's language: its file could not be read as one, or its go.mod has a syntax error. */
export function sourceProblemWords(problem: GoModProblem | SourceReadProblem | RequestFileProblem, t: Translate, format: Formatters): string {
  switch (problem.code) {
    case 'no-go-mod':
      return t('sources.problem.no-go-mod');
    case 'missing':
      return t('sources.problem.missing');
    case 'folder':
      return t('sources.problem.folder');
    case 'too-large':
      return t('sources.problem.too-large', { size: format.size(problem.bytes) });
    case 'unreadable':
      return t('sources.problem.unreadable', { errno: problem.errno });
    case 'no-requests':
      return t('sources.problem.no-requests');
    case 'not-a-request-file':
      return t('sources.problem.not-a-request-file');
    case 'request-syntax':
      return t('sources.problem.request-syntax', { text: problem.text });
    case 'request-path':
      return t('sources.problem.request-path', { path: problem.path });
    case 'request-version':
      return t('sources.problem.request-version', { path: problem.path, version: problem.version });
    case 'request-head':
      return t('sources.problem.request-head');
    default:
      return goModProblemWords(problem, t);
  }
}

/** What is wrong with a go.mod line, in the operator's language; paths, versions and tokens stay as written. */
export function goModProblemWords(problem: GoModProblem, t: Translate): string {
  switch (problem.code) {
    case 'unexpected-character':
      return t('gomod.problem.unexpected-character', { character: problem.character });
    case 'block-comment':
      return t('gomod.problem.block-comment');
    case 'unterminated-string':
      return t('gomod.problem.unterminated-string');
    case 'unterminated-block':
      return t('gomod.problem.unterminated-block', { block: problem.block });
    case 'paren-newline':
      return t('gomod.problem.paren-newline');
    case 'unknown-block':
      return t('gomod.problem.unknown-block', { block: problem.block });
    case 'unknown-directive':
      return t('gomod.problem.unknown-directive', { directive: problem.directive });
    case 'repeated':
      return t('gomod.problem.repeated', { directive: problem.directive });
    case 'usage':
      return t('gomod.problem.usage', { directive: problem.directive, usage: problem.usage });
    case 'invalid-go-version':
      return t('gomod.problem.invalid-go-version', { version: problem.version });
    case 'invalid-toolchain':
      return t('gomod.problem.invalid-toolchain', { name: problem.name });
    case 'bad-quoting':
      return t('gomod.problem.bad-quoting', { token: problem.token });
    case 'invalid-version':
      return t('gomod.problem.invalid-version', { version: problem.version, module: problem.module === '' ? problem.directive : problem.module });
    case 'malformed-path':
      return t('gomod.problem.malformed-path', { path: problem.path });
    case 'version-path-mismatch':
      return t('gomod.problem.version-path-mismatch', { version: problem.version, module: problem.module });
    case 'replacement-without-version':
      return t('gomod.problem.replacement-without-version', { replacement: problem.replacement });
    case 'replacement-directory-version':
      return t('gomod.problem.replacement-directory-version', { dir: problem.dir });
    case 'retract-syntax':
      return t('gomod.problem.retract-syntax');
    case 'unexpected-token':
      return t('gomod.problem.unexpected-token', { token: problem.token });
    case 'no-module':
      return t('gomod.problem.no-module');
  }
}
