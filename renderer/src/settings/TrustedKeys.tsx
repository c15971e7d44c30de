import { useId, useState, type FormEvent } from 'react';
import { ErrorView } from '../ErrorView';
import { useI18n } from '../i18n/useI18n';
import { useKeysStore } from './keysStore';

/** Asks before a signer stops being trusted: its bundles are refused from then on. */
function RemoveKey({ fingerprint, describedBy }: { fingerprint: string; describedBy: string }) {
  const { t } = useI18n();
  const { busy, untrust } = useKeysStore();
  const [asking, setAsking] = useState(false);
  const id = useId();
  if (!asking) {
    return (
      <button type="button" className="secondary" aria-describedby={describedBy} onClick={() => setAsking(true)} data-testid="key-remove">
        {t('settings.keys.remove')}
      </button>
    );
  }
  return (
    <div role="group" aria-labelledby={id} className="confirm" data-testid="key-remove-confirm">
      <p id={id}>{t('settings.keys.removeQuestion', { fingerprint })}</p>
      <button type="button" className="danger" disabled={busy !== undefined} onClick={() => void untrust(fingerprint)} data-testid="key-remove-yes">
        {t('settings.keys.removeYes')}
      </button>
      <button type="button" className="secondary" autoFocus onClick={() => setAsking(false)} data-testid="key-remove-no">
        {t('settings.keys.removeNo')}
      </button>
    </div>
  );
}

/** The signers whose bundles this machine accepts: each by fingerprint, one added from its public key file, one removed after asking. */
export function TrustedKeys() {
  const { t } = useI18n();
  const { trusted, busy, done, failed, trustFile } = useKeysStore();
  const [file, setFile] = useState('');
  const id = useId();
  const add = (event: FormEvent): void => {
    event.preventDefault();
    void trustFile(file.trim());
  };
  return (
    <section aria-labelledby={`${id}-title`} className="settings-group" data-testid="trusted-keys">
      <h4 id={`${id}-title`}>{t('settings.keys.trusted')}</h4>
      <p className="hint">{t('settings.keys.trustedHint')}</p>
      {trusted !== undefined && trusted.length === 0 && <p data-testid="trusted-none">{t('settings.keys.noneTrusted')}</p>}
      {trusted !== undefined && trusted.length > 0 && (
        <ul className="key-list">
          {trusted.map((key, index) => (
            <li key={key.fingerprint} data-testid="trusted-key" data-fingerprint={key.fingerprint}>
              <code id={`${id}-key-${index}`} className="fingerprint">{key.fingerprint}</code>
              <RemoveKey fingerprint={key.fingerprint} describedBy={`${id}-key-${index}`} />
            </li>
          ))}
        </ul>
      )}
      {done?.work === 'untrust' && <p role="status" data-testid="key-removed">{t('settings.keys.removed', { fingerprint: done.key.fingerprint })}</p>}
      {failed?.work === 'untrust' && <ErrorView error={failed.error} />}
      <form onSubmit={add} className="field">
        <label htmlFor={`${id}-file`}>{t('settings.keys.addLabel')}</label>
        <input id={`${id}-file`} className="wide" value={file} onChange={(event) => setFile(event.target.value)} spellCheck={false} placeholder="/media/usb/modferry-signing-key.pub.pem" data-testid="trust-file" />
        <button type="submit" disabled={busy !== undefined || file.trim() === ''}>{t('settings.keys.add')}</button>
      </form>
      {done?.work === 'trust' && (
        <p role="status" data-testid="key-added">
          {done.key.added ? t('settings.keys.added', { fingerprint: done.key.fingerprint }) : t('settings.keys.alreadyTrusted', { fingerprint: done.key.fingerprint })}
        </p>
      )}
      {failed?.work === 'trust' && <ErrorView error={failed.error} />}
    </section>
  );
}
