import type { FormEvent } from 'react';
import { ErrorView } from '../ErrorView';
import { ExportProgress } from './ExportProgress';
import { ExportResultView } from './ExportResultView';
import { useExportStore, type ExportForm } from './exportStore';

const TEXT_FIELDS: ReadonlyArray<{ name: Exclude<keyof ExportForm, 'check'>; label: string; placeholder: string }> = [
  { name: 'projectDir', label: 'Project folder', placeholder: '/home/me/src/myproject' },
  { name: 'upstream', label: 'Upstream (GOPROXY)', placeholder: 'https://proxy.example.com' },
  { name: 'outDir', label: 'Write the bundle into', placeholder: '/media/me/USB' },
];

export function ExportScreen() {
  const { form, phase, progress, result, error, setField, start, cancel } = useExportStore();
  const busy = phase === 'running' || phase === 'cancelling';
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    start();
  };
  return (
    <section aria-label="Export">
      <h2>Export</h2>
      <form onSubmit={submit} style={{ display: 'grid', gap: 8, maxWidth: 640 }}>
        {TEXT_FIELDS.map(({ name, label, placeholder }) => (
          <label key={name} style={{ display: 'grid', gap: 2 }}>
            {label}
            <input name={name} value={form[name]} placeholder={placeholder} disabled={busy} onChange={(e) => setField(name, e.target.value)} />
          </label>
        ))}
        <label>
          <input type="checkbox" name="check" checked={form.check} disabled={busy} onChange={(e) => setField('check', e.target.checked)} /> Prove the bundle with the go command
        </label>
        <div style={{ display: 'flex', gap: 8 }}>
          <button type="submit" disabled={busy}>Export</button>
          {busy && (
            <button type="button" onClick={() => void cancel()} disabled={phase === 'cancelling'}>
              {phase === 'cancelling' ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
        </div>
      </form>
      {busy && <ExportProgress progress={progress} />}
      {phase === 'done' && result && <ExportResultView result={result} />}
      {phase === 'cancelled' && (
        <div data-testid="cancelled">
          <p>Cancelled. What the export had written is removed.</p>
        </div>
      )}
      {(phase === 'failed' || phase === 'cancelled') && error !== undefined && <ErrorView error={error} />}
    </section>
  );
}
