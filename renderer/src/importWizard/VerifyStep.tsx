import { useI18n } from '../i18n/useI18n';
import { Fingerprint } from '../keys/Fingerprint';
import { FaultView } from './FaultView';
import { JobProgress } from './JobProgress';
import { useImportWizard } from './importStore';
import { StepHeading } from './StepHeading';
import { TrustPrompt } from './TrustPrompt';

/** Step 2: every volume and byte checked against the signed manifest; an unknown signer is asked about, never trusted silently. */
export function VerifyStep() {
  const { t, format } = useI18n();
  const { bundle, verify, askTrust, declined, cancelling, runVerify, answerTrust, runImport, cancel, goTo } = useImportWizard();
  if (bundle === undefined) return null;
  const { phase, result, error, progress } = verify;
  return (
    <section aria-labelledby="import-verify-title" className="wizard-panel" data-testid="verify-step" data-phase={phase}>
      <StepHeading id="import-verify-title">{t('importWizard.verify.title')}</StepHeading>
      <p>
        {t('importWizard.verify.bundle')} <code>{bundle.bundleId ?? bundle.dir}</code>
      </p>
      {phase === 'running' && (
        <>
          <JobProgress progress={progress} label={t('importWizard.verify.progress')} />
          <button type="button" className="secondary" onClick={() => void cancel()} disabled={cancelling}>
            {cancelling ? t('importWizard.cancelling') : t('importWizard.cancel')}
          </button>
        </>
      )}
      {phase === 'untrusted' && askTrust !== undefined && <TrustPrompt fingerprint={askTrust} onAnswer={answerTrust} />}
      {phase === 'done' && result !== undefined && (
        <div className="outcome outcome-ok" data-testid="verify-ok">
          <p className="outcome-title" role="status">
            {t('importWizard.verify.ok')}
          </p>
          <dl className="facts">
            <div>
              <dt>{t('importWizard.bundle.created')}</dt>
              <dd>{format.dateTime(new Date(result.createdAt))}</dd>
            </div>
            <div>
              <dt>{t('importWizard.bundle.size')}</dt>
              <dd>
                {format.size(result.bytes)} · {t('importWizard.bundle.files', { count: result.files })} · {t('importWizard.verify.volumes', { count: result.volumes })}
              </dd>
            </div>
            <div>
              <dt>{t('importWizard.bundle.signer')}</dt>
              <dd>
                <Fingerprint fingerprint={result.signer} />
              </dd>
            </div>
          </dl>
          {result.signerNewlyTrusted && <p className="hint" data-testid="verify-trusted">{t('importWizard.verify.nowTrusted')}</p>}
          <button type="button" onClick={runImport} data-testid="import-run">
            {t('importWizard.verify.import')}
          </button>
        </div>
      )}
      {(phase === 'failed' || phase === 'cancelled') && (
        <>
          {phase === 'cancelled' ? (
            <p role="status">{t('importWizard.verify.cancelled')}</p>
          ) : (
            <FaultView
              title={declined === undefined ? t('importWizard.verify.failed') : t('importWizard.verify.declined')}
              error={error}
            />
          )}
          <div className="actions">
            <button type="button" onClick={runVerify}>
              {t('importWizard.verify.again')}
            </button>
            <button type="button" className="secondary" onClick={() => goTo('find')}>
              {t('importWizard.verify.other')}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
