import type { FoundBundleAnswer } from '../../../shared/ipc/bundleChannels';
import { isErrorProblem } from '../../../shared/errorRecord';
import { ERROR_PROBLEM_KEYS } from '../errors/errorText';
import { useI18n } from '../i18n/useI18n';
import { Fingerprint } from '../keys/Fingerprint';
import { volumeProblemWords } from './volumeProblemWords';

/** One bundle found on the drive: when it was made, its size, who signed it and whether that signer is trusted, and what is missing. */
export function BundleCard({ bundle, onChoose, disabled }: { bundle: FoundBundleAnswer; onChoose(): void; disabled: boolean }) {
  const { t, format } = useI18n();
  const titleId = `bundle-${bundle.dir.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const missing = bundle.volumes?.missing ?? [];
  const usable = bundle.problem === undefined && bundle.bundleId !== undefined && missing.length === 0;
  return (
    <li className="bundle-card" data-testid="bundle" data-dir={bundle.dir}>
      <h4 id={titleId} className="bundle-name">
        {bundle.bundleId ?? bundle.dir}
      </h4>
      <dl className="facts">
        <div>
          <dt>{t('importWizard.bundle.folder')}</dt>
          <dd>
            <code>{bundle.dir}</code>
          </dd>
        </div>
        {bundle.createdAt !== undefined && (
          <div>
            <dt>{t('importWizard.bundle.created')}</dt>
            <dd>{format.dateTime(new Date(bundle.createdAt))}</dd>
          </div>
        )}
        {bundle.bytes !== undefined && (
          <div>
            <dt>{t('importWizard.bundle.size')}</dt>
            <dd data-testid="bundle-size">
              {format.size(bundle.bytes)}
              {bundle.files !== undefined && ` · ${t('importWizard.bundle.files', { count: bundle.files })}`}
            </dd>
          </div>
        )}
        <div>
          <dt>{t('importWizard.bundle.signer')}</dt>
          <dd>
            {bundle.signer === undefined ? t('importWizard.bundle.signerUnknown') : <Fingerprint fingerprint={bundle.signer} testId="bundle-signer" />}
            <span className={bundle.trusted ? 'badge badge-ok' : 'badge badge-warn'} data-testid="bundle-trust" data-trusted={bundle.trusted}>
              {bundle.trusted ? t('importWizard.bundle.trusted') : t('importWizard.bundle.notTrusted')}
            </span>
          </dd>
        </div>
        {bundle.volumes !== undefined && (
          <div>
            <dt>{t('importWizard.bundle.volumes')}</dt>
            <dd data-testid="bundle-volumes">
              {t('importWizard.bundle.volumesPresent', { present: bundle.volumes.present.length, count: bundle.volumes.count })}
              {missing.length > 0 && (
                <span className="bundle-missing" data-testid="bundle-missing">
                  {' '}
                  {t('importWizard.bundle.volumesMissing', { names: missing.join(', ') })}
                </span>
              )}
            </dd>
          </div>
        )}
        {bundle.volumes?.problems.map((problem) => (
          <div key={problem.volume}>
            <dt>{t('importWizard.field.volume')}</dt>
            <dd>
              <code>{problem.volume}</code>: <span title={problem.reason} data-kind={problem.code.kind}>{volumeProblemWords(problem, t, format.size)}</span>
            </dd>
          </div>
        ))}
        {bundle.problem !== undefined && (
          <div>
            <dt>{t('importWizard.bundle.problem')}</dt>
            <dd>
              {isErrorProblem(bundle.problem.problem) ? <span title={bundle.problem.message}>{t(ERROR_PROBLEM_KEYS[bundle.problem.problem])}</span> : bundle.problem.message}
              {bundle.problem.file !== undefined && (
                <>
                  {' '}
                  (<code>{bundle.problem.file}</code>)
                </>
              )}
            </dd>
          </div>
        )}
      </dl>
      {!bundle.trusted && bundle.signer !== undefined && <p className="hint">{t('importWizard.bundle.trustLater')}</p>}
      <button type="button" onClick={onChoose} disabled={disabled || !usable} aria-describedby={titleId} data-testid="bundle-verify">
        {t('importWizard.bundle.verify')}
      </button>
      {!usable && <p className="hint">{missing.length > 0 ? t('importWizard.bundle.cannotMissing') : t('importWizard.bundle.cannotRead')}</p>}
    </li>
  );
}
