import { useEffect, useId, useState, type FormEvent } from 'react';
import { ErrorView } from '../ErrorView';
import { useI18n } from '../i18n/useI18n';
import { Fingerprint } from '../keys/Fingerprint';
import { useKeysStore } from './keysStore';

const FOLDER = 'folder';

/** This machine's signing key: its fingerprint to read out across the gap, and its public half written to a drive or folder. */
export function OwnKey() {
  const { t, format } = useI18n();
  const { own, drives, drivesError, busy, done, failed, loadDrives, writePublic } = useKeysStore();
  const mounts = (drives ?? []).flatMap((drive) => drive.mounts.filter((mount) => !mount.readOnly).map((mount) => ({ drive, mount })));
  const [target, setTarget] = useState<string>(FOLDER);
  const [folder, setFolder] = useState('');
  const id = useId();
  useEffect(() => {
    void loadDrives();
  }, [loadDrives]);
  const destination = target === FOLDER ? folder.trim() : target;
  const write = (event: FormEvent): void => {
    event.preventDefault();
    void writePublic(destination);
  };
  return (
    <section aria-labelledby={`${id}-title`} className="settings-group" data-testid="own-key">
      <h4 id={`${id}-title`}>{t('settings.ownKey')}</h4>
      {own === null && <p data-testid="own-key-none">{t('settings.ownKey.none')}</p>}
      {own !== undefined && own !== null && (
        <>
          <dl className="key-facts">
            <dt>{t('settings.ownKey.fingerprint')}</dt>
            <dd><Fingerprint fingerprint={own.fingerprint} testId="own-fingerprint" /></dd>
            <dt>{t('settings.ownKey.created')}</dt>
            <dd>{format.dateTime(new Date(own.createdAt))}</dd>
          </dl>
          <p className="hint">{t('settings.ownKey.hint')}</p>
          <form onSubmit={write}>
            <fieldset className="field">
              <legend>{t('settings.ownKey.writeTo')}</legend>
              {mounts.map(({ drive, mount }) => (
                <label key={mount.path} className="radio">
                  <input type="radio" name={`${id}-target`} value={mount.path} checked={target === mount.path} onChange={() => setTarget(mount.path)} />
                  {t('settings.ownKey.drive', { name: mount.label ?? drive.description, path: mount.path, free: mount.freeBytes === null ? '?' : format.size(mount.freeBytes) })}
                </label>
              ))}
              {drives !== undefined && mounts.length === 0 && <p className="hint" data-testid="no-drives">{t('settings.ownKey.noDrives')}</p>}
              <label className="radio">
                <input type="radio" name={`${id}-target`} value={FOLDER} checked={target === FOLDER} onChange={() => setTarget(FOLDER)} data-testid="write-to-folder" />
                {t('settings.ownKey.folder')}
              </label>
              <label htmlFor={`${id}-folder`} className="visually-hidden">{t('settings.ownKey.folderPath')}</label>
              <input id={`${id}-folder`} className="wide" value={folder} disabled={target !== FOLDER} onChange={(event) => setFolder(event.target.value)} spellCheck={false} placeholder="/media/usb" data-testid="write-folder" />
              <div className="actions">
                <button type="submit" disabled={busy !== undefined || destination === ''} data-testid="write-public">{t('settings.ownKey.write')}</button>
                <button type="button" className="secondary" onClick={() => void loadDrives()}>{t('settings.ownKey.lookAgain')}</button>
              </div>
            </fieldset>
          </form>
          {done?.work === 'write' && <p role="status" data-testid="public-written">{t('settings.ownKey.written', { file: done.file })}</p>}
          {failed?.work === 'write' && <ErrorView error={failed.error} />}
          {drivesError !== undefined && <ErrorView error={drivesError} onRetry={() => void loadDrives()} />}
        </>
      )}
    </section>
  );
}
