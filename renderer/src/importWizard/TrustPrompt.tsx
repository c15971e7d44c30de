import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/useI18n';
import { Fingerprint } from '../keys/Fingerprint';

/** "Trust this key?": the signer's fingerprint, to compare with the online machine's, and nothing trusted until the operator says so. */
export function TrustPrompt({ fingerprint, onAnswer }: { fingerprint: string; onAnswer(trust: boolean): void }) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, [fingerprint]);
  return (
    <section className="trust-prompt" aria-labelledby="trust-title" aria-describedby="trust-why" data-testid="trust-prompt">
      <h4 id="trust-title" ref={heading} tabIndex={-1}>
        {t('importWizard.trust.title')}
      </h4>
      <p id="trust-why">{t('importWizard.trust.why')}</p>
      <p className="fingerprint">
        <span className="visually-hidden">{t('importWizard.trust.fingerprint')} </span>
        <Fingerprint fingerprint={fingerprint} testId="trust-fingerprint" />
      </p>
      <p className="hint">{t('importWizard.trust.compare')}</p>
      <div className="actions">
        <button type="button" onClick={() => onAnswer(true)} data-testid="trust-yes">
          {t('importWizard.trust.yes')}
        </button>
        <button type="button" className="secondary" onClick={() => onAnswer(false)} data-testid="trust-no">
          {t('importWizard.trust.no')}
        </button>
      </div>
    </section>
  );
}
