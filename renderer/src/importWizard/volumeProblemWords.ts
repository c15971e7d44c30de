import type { VolumeProblem } from '../../../shared/bundle/foundBundle';
import type { Translate } from '../i18n/catalog';

/** What is wrong with a volume file, in the operator's language: what it is, and what to do. */
export function volumeProblemWords(problem: VolumeProblem, t: Translate, size: (bytes: number) => string): string {
  const said = ((): string => {
    const { code } = problem;
    switch (code.kind) {
      case 'missing':
        return t('importWizard.volumeProblem.missing');
      case 'not-a-file':
        return t('importWizard.volumeProblem.not-a-file');
      case 'size-differs':
        return t(code.size < code.expected ? 'importWizard.volumeProblem.short' : 'importWizard.volumeProblem.long', { size: size(code.size), expected: size(code.expected) });
      case 'stray':
        return t('importWizard.volumeProblem.stray');
      case 'other-bundle':
        return t('importWizard.volumeProblem.other-bundle', { bundle: code.bundleId });
      case 'duplicate':
        return t('importWizard.volumeProblem.duplicate', { volume: code.of });
      case 'wrong-count':
        return t('importWizard.volumeProblem.wrong-count', { index: code.index, count: code.count });
    }
  })();
  return problem.unfinished === true ? `${said} ${t('importWizard.volumeProblem.unfinished')}` : said;
}
