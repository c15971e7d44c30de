import { useState } from 'react';
import { useI18n } from '../i18n/useI18n';

type CopyState = 'idle' | 'copied' | 'failed';

/** Lines to paste, shown as they are and copied exactly by one button; where the clipboard is refused, the text stays there to select. */
export function CopyBlock({ id, title, lines }: { id: string; title: string; lines: string[] }) {
  const { t } = useI18n();
  const [state, setState] = useState<CopyState>('idle');
  const text = lines.join('\n');
  const copy = (): void => {
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <div className="copy-block">
      <div className="copy-head">
        <span id={`copy-${id}-title`} className="copy-title">
          {title}
        </span>
        <button type="button" className="secondary" onClick={copy} aria-label={t('importWizard.serve.copyNamed', { what: title })} data-testid={`copy-${id}`}>
          {t('importWizard.serve.copy')}
        </button>
        <span role="status" className="copy-state">
          {state === 'copied' ? t('importWizard.serve.copied') : state === 'failed' ? t('importWizard.serve.copyFailed') : ''}
        </span>
      </div>
      <pre className="copy-text" tabIndex={0} role="region" aria-labelledby={`copy-${id}-title`} data-testid={`env-${id}`}>
        {text}
      </pre>
    </div>
  );
}
