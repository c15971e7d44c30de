import { useMemo, useState } from 'react';
import type { ExportPlanAnswer } from '../../../shared/ipc/exportChannel';
import { useI18n } from '../i18n/useI18n';
import { useExportWizard } from './exportWizardStore';
import { planWarningWords, shipReasonWords } from './planNotesWords';
import { ProofsFacts } from './ProofsFacts';
import { moduleRow, reviewRows, SORT_KEYS, type ModuleRow, type ReviewRow, type RowView, type SortKey } from './planRows';
import { VirtualList } from './VirtualList';

// Matches .review-row's height in exportWizard.css.
const ROW_HEIGHT = 40;

/** Step 2: what the plan ships, searchable, sortable and grouped by project, with totals, what is new, warnings and unmet requests. */
export function ReviewStep({ plan }: { plan: ExportPlanAnswer }) {
  const { t, format } = useI18n();
  const goTo = useExportWizard((state) => state.goTo);
  const [view, setView] = useState<RowView>({ query: '', sort: 'path', descending: false, grouped: false });
  const modules = useMemo(() => plan.modules.map(moduleRow), [plan]);
  const rows = useMemo(() => reviewRows(plan, modules, view), [plan, modules, view]);
  const shown = rows.filter((row) => row.kind === 'module').length;
  const fresh = modules.filter((m) => m.status === 'new').length;
  const toolchains = useMemo(() => modules.filter((m) => m.reason.kind === 'toolchain'), [modules]);
  const { heldOffline, exportedBefore } = plan.alreadyCarried;
  const sortBy = (sort: SortKey): void => setView({ ...view, sort, descending: view.sort === sort ? !view.descending : false });

  return (
    <div className="export-step review-step">
      <p data-testid="review-totals">
        {t('exportWizard.review.totals', { count: plan.totals.modules, files: plan.totals.files, size: format.size(plan.totals.bytes), zips: plan.totals.zips })}
      </p>
      <ul className="review-facts">
        <li data-testid="review-new">{t('exportWizard.review.new', { count: fresh })}</li>
        {exportedBefore.modules > 0 && (
          <li data-testid="review-carried">
            {t('exportWizard.review.carriedBefore', { count: exportedBefore.modules, size: format.size(exportedBefore.bytes), bundles: exportedBefore.bundles.join(', ') })}
          </li>
        )}
        {heldOffline.modules > 0 && <li>{t('exportWizard.review.heldOffline', { count: heldOffline.modules, size: format.size(heldOffline.bytes) })}</li>}
      </ul>
      <section aria-labelledby="review-proofs" className="review-section">
        <h4 id="review-proofs">{t('proofs.title')}</h4>
        <ProofsFacts proofs={plan.proofs} testId="review-proofs" />
      </section>
      {toolchains.length > 0 && (
        <section aria-labelledby="review-toolchains" className="review-section">
          <h4 id="review-toolchains">{t('exportWizard.review.toolchains', { count: toolchains.length })}</h4>
          <ul data-testid="review-toolchains">
            {toolchains.map((m) => (
              <li key={m.key} data-testid="review-toolchain" title={m.reason.kind === 'toolchain' ? m.reason.detail : undefined}>
                <code>{m.key}</code>: {shipReasonWords(m.reason, t)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {plan.warnings.length > 0 && (
        <section aria-labelledby="review-warnings" className="export-notice export-notice-warning">
          <h4 id="review-warnings">{t('exportWizard.review.warnings', { count: plan.warnings.length })}</h4>
          <ul data-testid="review-warnings">
            {plan.warnings.map((warning, i) => (
              <li key={i} data-kind={warning.kind}>{planWarningWords(warning, t)}</li>
            ))}
          </ul>
        </section>
      )}
      {plan.unmet.length > 0 && (
        <section aria-labelledby="review-unmet" className="export-notice export-notice-warning">
          <h4 id="review-unmet">{t('exportWizard.review.unmet', { count: plan.unmet.length })}</h4>
          <ul data-testid="review-unmet">
            {plan.unmet.map((u) => (
              <li key={`${u.path}@${u.version}`}>
                <code>{u.path}@{u.version}</code>: <span title={u.reason}>{t('plan.unmet.missing', { missing: u.missing })}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="review-controls">
        <label className="inline-field">
          {t('exportWizard.review.search')}
          <input type="search" value={view.query} onChange={(event) => setView({ ...view, query: event.target.value })} data-testid="review-search" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={view.grouped} onChange={(event) => setView({ ...view, grouped: event.target.checked })} data-testid="review-grouped" />
          {t('exportWizard.review.grouped')}
        </label>
        <p aria-live="polite" data-testid="review-shown">{t('exportWizard.review.shown', { count: shown, total: modules.length })}</p>
      </div>
      <VirtualList
        role="table"
        label={t('exportWizard.review.table')}
        testId="review-table"
        className="review-table"
        items={rows}
        rowHeight={ROW_HEIGHT}
        rowKey={(row) => row.key}
        renderRow={(row, index) => <Row row={row} index={index} />}
        header={
          <div role="rowgroup" className="review-head-group">
            <div role="row" aria-rowindex={1} className="review-row review-head">
              {SORT_KEYS.map((key) => (
                <div role="columnheader" key={key} className={`review-cell cell-${key}`} aria-sort={view.sort === key ? (view.descending ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" className="sort-button" onClick={() => sortBy(key)} data-testid={`review-sort-${key}`}>
                    {t(`exportWizard.review.column.${key}`)}
                    <span aria-hidden="true">{view.sort === key ? (view.descending ? ' ▼' : ' ▲') : ''}</span>
                  </button>
                </div>
              ))}
            </div>
          </div>
        }
      />
      <div className="export-actions">
        <button type="button" className="secondary" onClick={() => goTo('sources')}>{t('exportWizard.back')}</button>
        <button type="button" onClick={() => goTo('destination')} data-testid="review-next">{t('exportWizard.review.next')}</button>
      </div>
    </div>
  );
}

function Row({ row, index }: { row: ReviewRow; index: number }) {
  const { t, format } = useI18n();
  if (row.kind === 'group') {
    return (
      <div role="row" aria-rowindex={index + 2} className="review-row review-group" data-testid="review-group">
        <div role="cell" className="review-cell cell-group">{t('exportWizard.review.group', { name: row.name, count: row.count })}</div>
      </div>
    );
  }
  return <ModuleLine row={row} index={index} status={statusText(row, t)} size={format.size(row.bytes)} />;
}

function statusText(row: ModuleRow, t: ReturnType<typeof useI18n>['t']): string {
  if (row.status === 'carried') return t('exportWizard.review.status.carried', { bundle: row.carriedIn ?? '' });
  return t(`exportWizard.review.status.${row.status}`);
}

function ModuleLine({ row, index, status, size }: { row: ModuleRow; index: number; status: string; size: string }) {
  const { t } = useI18n();
  return (
    <div role="row" aria-rowindex={index + 2} className="review-row" data-testid="review-module" title={shipReasonWords(row.reason, t)}>
      <div role="cell" className="review-cell cell-path" data-testid="review-module-path">{row.path}</div>
      <div role="cell" className="review-cell cell-version" data-testid="review-module-version" title={row.version}>{row.version}</div>
      <div role="cell" className="review-cell cell-size">
        {size}
        {!row.zip && <span className="muted"> · {t('exportWizard.review.modOnly')}</span>}
        {row.reason.kind === 'toolchain' && <span className="muted" data-testid="review-toolchain-tag"> · {t('exportWizard.review.toolchainTag')}</span>}
      </div>
      <div role="cell" className={`review-cell cell-status status-${row.status}`}>{status}</div>
    </div>
  );
}
