import { useId, type FormEvent } from 'react';
import { useI18n } from '../i18n/useI18n';
import { FaultView } from './FaultView';
import { useServeStore } from './serveStore';
import { useDrives } from './useDrives';

/** What developers asked for that the store lacks, and the request file that carries it to the online side. */
export function MissesPanel() {
  const { t, format } = useI18n();
  const { misses, requestFolder, writing, written, writeError, setRequestFolder, writeRequest } = useServeStore();
  const drives = useDrives();
  const folderId = useId();
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void writeRequest();
  };
  const list = misses?.misses ?? [];
  return (
    <section aria-labelledby="misses-title" className="dashboard-card" data-testid="misses">
      <h4 id="misses-title">{t('importWizard.misses.title')}</h4>
      {list.length === 0 ? (
        <p className="hint">{t('importWizard.misses.none')}</p>
      ) : (
        <table aria-labelledby="misses-title">
          <thead>
            <tr>
              <th scope="col">{t('importWizard.log.module')}</th>
              <th scope="col">{t('importWizard.misses.version')}</th>
              <th scope="col">{t('importWizard.misses.count')}</th>
              <th scope="col">{t('importWizard.misses.lastSeen')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((miss) => (
              <tr key={`${miss.module}@${miss.version}`} data-testid="miss">
                <td>{miss.module}</td>
                <td>{miss.version}</td>
                <td>{format.number(miss.count)}</td>
                <td>{format.dateTime(new Date(miss.lastSeen))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {misses !== undefined && misses.dropped.length > 0 && (
        <p className="hint">{t('importWizard.misses.dropped', { count: misses.dropped.reduce((sum, d) => sum + d.count, 0) })}</p>
      )}
      <p className="hint">{t('importWizard.misses.requestHint')}</p>
      {drives !== undefined && drives.length > 0 && (
        <div className="drive-choices" role="group" aria-label={t('importWizard.find.drives')}>
          {drives.flatMap((drive) =>
            drive.mounts
              .filter((mount) => !mount.readOnly)
              .map((mount) => (
                <button key={`${drive.device}:${mount.path}`} type="button" className="secondary" onClick={() => setRequestFolder(mount.path)}>
                  {t('importWizard.misses.useDrive', { drive: mount.label ?? drive.description, path: mount.path })}
                </button>
              )),
          )}
        </div>
      )}
      <form className="inline-form" onSubmit={submit}>
        <label htmlFor={folderId}>{t('importWizard.misses.folder')}</label>
        <input id={folderId} value={requestFolder} onChange={(event) => setRequestFolder(event.target.value)} placeholder="/media/usb" spellCheck={false} data-testid="request-folder" />
        <button type="submit" disabled={writing || requestFolder.trim() === ''} data-testid="request-write">
          {t('importWizard.misses.write')}
        </button>
      </form>
      {written !== undefined && (
        <p role="status" data-testid="request-written" data-file={written.written ? written.file : ''}>
          {written.written ? t('importWizard.misses.written', { file: written.file, count: written.requests.length + written.askedAsLatest.length }) : t('importWizard.misses.nothing')}
        </p>
      )}
      {writeError !== undefined && <FaultView title={t('importWizard.misses.writeFailed')} error={writeError} />}
    </section>
  );
}
