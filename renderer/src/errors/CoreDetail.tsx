import { useI18n } from '../i18n/useI18n';

/**
 * The core's own words about a failure, which are English: shown as they are in the English app, and
 * folded away under a heading in the reader's language otherwise (for a search or a support request),
 * so a screen in Chinese does not read as English.
 */
export function CoreDetail({ text, className }: { text: string; className: string }) {
  const { language, t } = useI18n();
  if (language === 'en') return <p className={className} lang="en" data-testid="error-detail">{text}</p>;
  return (
    <details className="core-detail">
      <summary>{t('errors.detail')}</summary>
      <p className={className} lang="en" data-testid="error-detail">{text}</p>
    </details>
  );
}
