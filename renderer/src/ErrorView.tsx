import { CoreDetail } from './errors/CoreDetail';
import { errorText } from './errors/errorText';
import { useI18n } from './i18n/useI18n';

/**
 * A failure as the app reported it: what went wrong in the operator's language, each field that says
 * where the fault lies, the core's own message as the detail, and Retry when running it again may help.
 */
export function ErrorView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const text = errorText(error, t);
  return (
    <div role="alert" data-testid="error" data-kind={text.kind} className="error-view">
      <p className="error-summary">{text.summary}</p>
      {text.problem !== undefined && <p className="error-problem" data-testid="error-problem">{text.problem}</p>}
      {text.places.length > 0 && (
        <dl className="error-places">
          {text.places.map(({ place, label, value }) => (
            <div key={place} data-field={place}>
              <dt>{label}</dt>
              <dd><code>{value}</code></dd>
            </div>
          ))}
        </dl>
      )}
      <CoreDetail className="error-detail" text={text.detail} />
      {text.retryable && onRetry && (
        <button type="button" onClick={onRetry} data-testid="error-retry">{t('errors.retry')}</button>
      )}
    </div>
  );
}
