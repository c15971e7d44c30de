import type { SourceAnswer } from '../../../shared/ipc/sourcesChannel';
import { ErrorView } from '../ErrorView';
import { useI18n } from '../i18n/useI18n';
import { sourceProblemWords } from './sourceProblemWords';

// Enough to recognise a source by; the review step lists everything the plan ships.
const LISTED = 5;

/** What one source asks for, or where and why it cannot be used, under the source in the list. */
export function SourceFacts({ answer }: { answer: SourceAnswer | { failed: unknown } | undefined }) {
  const { t, format } = useI18n();
  if (answer === undefined) return <p className="hint source-facts">{t('exportWizard.sources.reading')}</p>;
  if ('failed' in answer) return <ErrorView error={answer.failed} />;
  if ('problem' in answer) {
    const { file, line, reason, coded } = answer.problem;
    return (
      <p className="source-problem" role="alert" data-testid="source-problem" data-code={coded?.code}>
        {t(coded === undefined ? 'exportWizard.sources.cannotUse' : 'exportWizard.sources.cannotUseWorded')}{' '}
        {file !== undefined && <code data-testid="source-problem-where">{line === undefined ? file : `${file}:${line}`}</code>}
        {file !== undefined && ': '}
        {coded === undefined ? <span lang="en">{reason}</span> : <span title={reason} data-testid="source-problem-reason">{sourceProblemWords(coded, t, format)}</span>}
      </p>
    );
  }
  const wanted = 'asks' in answer ? answer.asks.requires.map((r) => `${r.path}@${r.version}`) : 'requests' in answer ? answer.requests.map((r) => `${r.path}@${r.version}`) : [];
  const summary =
    'asks' in answer
      ? [answer.asks.module === null ? '' : t('exportWizard.sources.module', { module: answer.asks.module }), answer.asks.go === null ? '' : t('exportWizard.sources.go', { go: answer.asks.go }), t('exportWizard.sources.requires', { count: wanted.length })]
      : [t('exportWizard.sources.requests', { count: wanted.length })];
  return (
    <div className="source-facts" data-testid="source-asks">
      <p>{summary.filter((part) => part !== '').join(' · ')}</p>
      {wanted.length > 0 && (
        <p className="source-wanted">
          <code>{wanted.slice(0, LISTED).join(', ')}</code>
          {wanted.length > LISTED && ` ${t('exportWizard.sources.more', { count: wanted.length - LISTED })}`}
        </p>
      )}
    </div>
  );
}
