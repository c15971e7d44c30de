import { useId, type FormEvent } from 'react';
import { useI18n } from '../i18n/useI18n';
import { BundleCard } from './BundleCard';
import { FaultView } from './FaultView';
import { useImportWizard } from './importStore';
import { StepHeading } from './StepHeading';
import { useDrives } from './useDrives';

/** Step 1: a drive or folder, and the bundles on it. */
export function FindStep() {
  const { t } = useI18n();
  const { dir, finding, found, findError, job, setDir, find, choose } = useImportWizard();
  const drives = useDrives();
  const inputId = useId();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void find();
  };
  return (
    <section aria-labelledby="import-find-title" className="wizard-panel">
      <StepHeading id="import-find-title">{t('importWizard.find.title')}</StepHeading>
      <p className="hint">{t('importWizard.find.hint')}</p>
      <div className="drive-choices" role="group" aria-label={t('importWizard.find.drives')}>
        {drives?.flatMap((drive) =>
          drive.mounts.map((mount) => (
            <button key={`${drive.device}:${mount.path}`} type="button" className="secondary" onClick={() => void find(mount.path)} disabled={finding}>
              {t('importWizard.find.lookOnDrive', { drive: mount.label ?? drive.description, path: mount.path })}
            </button>
          )),
        )}
        {drives !== undefined && drives.length === 0 && <p className="hint">{t('importWizard.find.noDrives')}</p>}
      </div>
      <form className="inline-form" onSubmit={submit}>
        <label htmlFor={inputId}>{t('importWizard.find.folder')}</label>
        <input id={inputId} value={dir} onChange={(event) => setDir(event.target.value)} placeholder="/media/usb" spellCheck={false} data-testid="find-dir" />
        <button type="submit" disabled={finding || dir.trim() === ''}>
          {t('importWizard.find.look')}
        </button>
      </form>
      {finding && <p role="status">{t('importWizard.find.looking')}</p>}
      {findError !== undefined && <FaultView title={t('importWizard.find.failed')} error={findError} />}
      {found !== undefined && (
        <div>
          {found.length === 0 ? (
            <p role="status" data-testid="no-bundles">
              {t('importWizard.find.none', { dir })}
            </p>
          ) : (
            <>
              <p role="status">{t('importWizard.find.found', { count: found.length })}</p>
              <ul className="bundle-list" aria-label={t('importWizard.find.list')}>
                {found.map((bundle) => (
                  <BundleCard key={bundle.dir} bundle={bundle} disabled={job !== undefined} onChoose={() => choose(bundle)} />
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </section>
  );
}
