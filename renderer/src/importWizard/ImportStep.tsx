import type { ImportRunResult } from '../../../shared/ipc/bundleChannels';
import type { Translate } from '../i18n/catalog';
import type { Formatters } from '../i18n/format';
import { useI18n } from '../i18n/useI18n';
import { FaultView } from './FaultView';
import { JobProgress } from './JobProgress';
import { useImportWizard } from './importStore';
import { StepHeading } from './StepHeading';

/** Step 3: the verified bundle lands in the store, all of it or nothing; what was added and what the store held already. */
export function ImportStep() {
  const { t, format } = useI18n();
  const { bundle, importJob, cancelling, runImport, cancel, goTo } = useImportWizard();
  if (bundle === undefined) return null;
  const { phase, result, error, progress } = importJob;
  return (
    <section aria-labelledby="import-import-title" className="wizard-panel" data-testid="import-step" data-phase={phase}>
      <StepHeading id="import-import-title">{t('importWizard.import.title')}</StepHeading>
      <p>
        {t('importWizard.verify.bundle')} <code>{bundle.bundleId ?? bundle.dir}</code>
      </p>
      {phase === 'idle' && (
        <button type="button" onClick={runImport}>
          {t('importWizard.verify.import')}
        </button>
      )}
      {phase === 'running' && (
        <>
          <JobProgress progress={progress} label={t('importWizard.import.progress')} />
          <button type="button" className="secondary" onClick={() => void cancel()} disabled={cancelling}>
            {cancelling ? t('importWizard.cancelling') : t('importWizard.cancel')}
          </button>
        </>
      )}
      {phase === 'done' && result !== undefined && (
        <div className="outcome outcome-ok" data-testid="import-ok">
          <p className="outcome-title" role="status">
            {result.alreadyImported ? t('importWizard.import.again') : t('importWizard.import.ok')}
          </p>
          <dl className="facts">
            <div>
              <dt>{t('importWizard.import.added')}</dt>
              <dd data-testid="import-added">
                {t('importWizard.bundle.files', { count: result.added })} · {format.size(result.addedBytes)}
              </dd>
            </div>
            <div>
              <dt>{t('importWizard.import.present')}</dt>
              <dd data-testid="import-present">{t('importWizard.bundle.files', { count: result.alreadyPresent })}</dd>
            </div>
            <div>
              <dt>{t('importWizard.import.store')}</dt>
              <dd>
                <code>{result.storeDir}</code>
              </dd>
            </div>
            <div>
              <dt>{t('importWizard.import.proofs')}</dt>
              <dd data-testid="import-proofs" data-added={result.proofs.added}>
                {proofsWords(result.proofs, t, format)}
              </dd>
            </div>
            {result.signerNewlyTrusted && (
              <div>
                <dt>{t('importWizard.bundle.signer')}</dt>
                <dd>
                  <code>{result.signer}</code> {t('importWizard.import.nowTrusted')}
                </dd>
              </div>
            )}
          </dl>
          {result.restored.length > 0 && (
            <>
              <p>{t('importWizard.import.restored', { count: result.restored.length })}</p>
              <ul>
                {result.restored.map((file) => (
                  <li key={file.path}>
                    <code>{file.path}</code> → <code>{file.quarantined}</code>
                  </li>
                ))}
              </ul>
            </>
          )}
          {result.unmet.length > 0 && (
            <>
              <p>{t('importWizard.import.unmet', { count: result.unmet.length })}</p>
              <ul>
                {result.unmet.map((unmet) => (
                  <li key={`${unmet.path}@${unmet.version}`}>
                    <code>
                      {unmet.path}@{unmet.version}
                    </code>
                    : <span title={unmet.reason}>{t('plan.unmet.missing', { missing: unmet.missing })}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <button type="button" onClick={() => goTo('serve')} data-testid="go-serve">
            {t('importWizard.import.serve')}
          </button>
        </div>
      )}
      {(phase === 'failed' || phase === 'cancelled') && (
        <>
          {phase === 'cancelled' ? <p role="status">{t('importWizard.import.cancelled')}</p> : <FaultView title={t('importWizard.import.failed')} error={error} />}
          <button type="button" onClick={runImport}>
            {t('importWizard.import.retry')}
          </button>
        </>
      )}
    </section>
  );
}

/** The proofs an import added, and the newest signed tree head of each database the store now holds. */
function proofsWords(proofs: ImportRunResult['proofs'], t: Translate, format: Formatters): string {
  const heads = proofs.heads.map((head) => t('importWizard.import.head', { database: head.db, size: format.number(head.size) })).join('; ');
  if (proofs.added > 0) return t('importWizard.import.proofsAdded', { count: proofs.added, heads });
  return proofs.heads.length > 0 ? t('importWizard.import.proofsHeld', { heads }) : t('importWizard.import.proofsNone');
}
