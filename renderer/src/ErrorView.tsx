import { IpcError } from '../../shared/ipc/ipcError';
import { errorMessage } from '../../shared/errorMessage';

/** A failure as the app reported it: the message, and each field that says where the fault lies. */
export function ErrorView({ error }: { error: unknown }) {
  const fields = error instanceof IpcError ? Object.entries(error.fields) : [];
  return (
    <div role="alert" data-testid="error" data-kind={error instanceof IpcError ? error.kind : 'internal'} style={{ border: '1px solid #b3261e', padding: 12, borderRadius: 6 }}>
      <p style={{ margin: 0 }}>{errorMessage(error)}</p>
      {fields.length > 0 && (
        <dl style={{ margin: '8px 0 0' }}>
          {fields.map(([name, value]) => (
            <div key={name} data-field={name}>
              <dt style={{ display: 'inline', fontWeight: 600 }}>{name}: </dt>
              <dd style={{ display: 'inline', margin: 0 }}>{String(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
