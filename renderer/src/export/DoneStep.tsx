import type { ExportRunResult } from '../../../shared/ipc/exportChannel';
import { ErrorView } from '../ErrorView';
import { useI18n } from '../i18n/useI18n';
import { Fingerprint } from '../keys/Fingerprint';
import { useExportWizard } from './exportWizardStore';
import { planWarningWords } from './planNotesWords';
import { ProofsFacts } from './ProofsFacts';

/** Step 5: the bundle written, the fingerprint to compare on the offline side, and eject for a drive. */
export function DoneStep({ result }: { result: ExportRunResult }) {
  const { t, format } = useI18n();
  const { destination, ejected, ejectError, eject, startOver } = useExportWizard();
  const proof = result.check.status === 'passed' ? t('exportWizard.done.proved') : t(`exportWizard.done.notProved.${result.check.reason}`);
  return (
    <div className="export-step done-step" data-testid="done">
      <p className="export-notice export-notice-success" role="status">{t('exportWizard.done.written')}</p>
      <dl className="export-facts">
        <dt>{t('exportWizard.done.bundle')}</dt>
        <dd><code data-testid="done-bundle">{result.bundleId}</code></dd>
        <dt>{t('exportWizard.done.folder')}</dt>
        <dd><code data-testid="done-folder">{result.bundleDir}</code></dd>
        <dt>{t('exportWizard.done.size')}</dt>
        <dd data-testid="done-size">
          {t('exportWizard.done.sizeDetail', { size: format.size(result.bytes), files: result.files, count: result.moduleVersions })}
        </dd>
        <dt>{t('exportWizard.done.volumes')}</dt>
        <dd data-testid="done-volumes">{format.number(result.volumes)}</dd>
        <dt>{t('exportWizard.done.fingerprint')}</dt>
        <dd>
          <Fingerprint fingerprint={result.signer.fingerprint} testId="done-fingerprint" className="export-fingerprint" />
          <span className="hint block">{t(result.signer.created ? 'exportWizard.done.keyCreated' : 'exportWizard.done.compareKey')}</span>
        </dd>
        <dt>{t('exportWizard.done.readBack')}</dt>
        <dd data-testid="done-read-back">{t('exportWizard.done.readBackPassed', { count: result.files })}</dd>
        <dt>{t('exportWizard.done.proof')}</dt>
        <dd data-testid="done-proof">{proof}</dd>
        <dt>{t('proofs.title')}</dt>
        <dd><ProofsFacts proofs={result.proofs} testId="done-proofs" /></dd>
      </dl>
      {result.warnings.length > 0 && (
        <section aria-labelledby="done-warnings" className="export-notice export-notice-warning">
          <h4 id="done-warnings">{t('exportWizard.review.warnings', { count: result.warnings.length })}</h4>
          <ul>
            {result.warnings.map((warning, i) => (
              <li key={i} data-kind={warning.kind}>{planWarningWords(warning, t)}</li>
            ))}
          </ul>
        </section>
      )}
      {ejectError !== undefined && <ErrorView error={ejectError} />}
      {ejected === 'yes' && <p role="status" data-testid="done-ejected">{t('exportWizard.done.ejected')}</p>}
      <div className="export-actions">
        {destination?.kind === 'drive' && ejected !== 'yes' && (
          <button type="button" onClick={() => void eject()} disabled={ejected === 'ejecting'} data-testid="done-eject">
            {ejected === 'ejecting' ? t('exportWizard.done.ejecting') : t('exportWizard.done.eject')}
          </button>
        )}
        <button type="button" className="secondary" onClick={startOver} data-testid="done-again">{t('exportWizard.done.again')}</button>
      </div>
    </div>
  );
}
