import { errorMessage } from '../../../shared/errorMessage';
import { ERROR_FIELD_NAMES } from '../../../shared/errorRecord';
import { IpcError } from '../../../shared/ipc/ipcError';
import { CoreDetail } from '../errors/CoreDetail';
import { ERROR_PROBLEM_KEYS } from '../errors/errorText';
import { useI18n } from '../i18n/useI18n';

/** A failure as the app reported it: a calm heading in the reader's language, the app's reason (or the screen's own), and each place it names (volume, entry, file…). */
export function FaultView({ title, error, reason }: { title: string; error: unknown; reason?: string }) {
  const { t } = useI18n();
  const problem = error instanceof IpcError ? error.problem : undefined;
  const fields = error instanceof IpcError ? ERROR_FIELD_NAMES.flatMap((name) => (error.fields[name] === undefined ? [] : [[name, String(error.fields[name])] as const])) : [];
  return (
    <div role="alert" className="fault" data-testid="error" data-kind={error instanceof IpcError ? error.kind : 'internal'}>
      <p className="fault-title">{title}</p>
      {reason !== undefined && <p className="fault-reason">{reason}</p>}
      {reason === undefined && problem !== undefined && <p className="fault-reason" data-testid="error-problem">{t(ERROR_PROBLEM_KEYS[problem])}</p>}
      {reason === undefined && <CoreDetail className="fault-reason" text={errorMessage(error)} />}
      {fields.length > 0 && (
        <dl className="facts">
          {fields.map(([name, value]) => (
            <div key={name} data-field={name}>
              <dt>{t(`importWizard.field.${name}`)}</dt>
              <dd>
                <code>{value}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
