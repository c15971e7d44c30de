import { useEffect, type FormEvent } from 'react';
import { ErrorView } from '../ErrorView';
import { ExportPlanView } from './ExportPlanView';
import { ExportProgress } from './ExportProgress';
import { ExportResultView } from './ExportResultView';
import { useExportStore, type ExportForm } from './exportStore';

const TEXT_FIELDS: ReadonlyArray<{ name: Exclude<keyof ExportForm, 'check'>; label: string; placeholder: string }> = [
  { name: 'projectDir', label: 'Project folder', placeholder: '/home/me/src/myproject' },
  { name: 'upstream', label: 'Upstream (GOPROXY)', placeholder: 'https://proxy.example.com' },
  { name: 'outDir', label: 'Write the bundle into', placeholder: '/media/me/USB' },
];

/** Plan first (resolve and download, nothing written), review, then export exactly that plan. */
export function ExportScreen() {
  const { form, phase, cancelling, progress, plan, result, error, setField, loadDefaults, makePlan, runPlan, cancel } = useExportStore();
  useEffect(() => {
    void loadDefaults();
  }, [loadDefaults]);
  const busy = phase === 'planning' || phase === 'exporting';
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    makePlan();
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
          <button type="submit" disabled={busy}>Plan</button>
          {plan !== undefined && (
            <button type="button" disabled={busy} onClick={runPlan}>Export</button>
          )}
          {busy && (
            <button type="button" onClick={() => void cancel()} disabled={cancelling}>
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
        </div>
      </form>
      {busy && <ExportProgress progress={progress} />}
      {plan !== undefined && phase !== 'done' && <ExportPlanView plan={plan} />}
      {phase === 'done' && result && <ExportResultView result={result} />}
      {phase === 'cancelled' && (
        <div data-testid="cancelled">
          <p>Cancelled. What was written is removed.</p>
        </div>
      )}
      {(phase === 'failed' || phase === 'cancelled') && error !== undefined && <ErrorView error={error} />}
    </section>
  );
}
