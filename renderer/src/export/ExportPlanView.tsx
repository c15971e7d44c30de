import { formatBytes } from '../../../shared/bundle/formatBytes';
import type { ExportPlanAnswer, PlannedModuleAnswer } from '../../../shared/ipc/exportChannel';

function shippedBytes(m: PlannedModuleAnswer): number {
  return m.files.filter((f) => !f.heldOffline).reduce((sum, f) => sum + f.size, 0);
}

function counts(c: { modules: number; files: number; bytes: number }): string {
  return `${c.modules} module version${c.modules === 1 ? '' : 's'}, ${c.files} file${c.files === 1 ? '' : 's'}, ${formatBytes(c.bytes)}`;
}

/** What the export would ship, for the operator to review before anything is written. */
export function ExportPlanView({ plan }: { plan: ExportPlanAnswer }) {
  const { heldOffline, exportedBefore } = plan.alreadyCarried;
  return (
    <section aria-label="Plan" data-testid="plan">
      <h3>Plan</h3>
      <p data-testid="plan-totals">
        Ships {counts(plan.totals)} ({plan.totals.zips} with source zips)
      </p>
      {(heldOffline.files > 0 || exportedBefore.files > 0) && (
        <ul aria-label="Already carried">
          {heldOffline.files > 0 && <li>Left out, the offline store holds them: {counts(heldOffline)}</li>}
          {exportedBefore.files > 0 && <li>Shipped again, though earlier exports carried them ({exportedBefore.bundles.join(', ')}): {counts(exportedBefore)}</li>}
        </ul>
      )}
      {plan.warnings.length > 0 && (
        <ul aria-label="Warnings" data-testid="plan-warnings">
          {plan.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      {plan.unmet.length > 0 && (
        <ul aria-label="Requests not met" data-testid="plan-unmet">
          {plan.unmet.map((u) => (
            <li key={`${u.path}@${u.version}`}>
              {u.path}@{u.version}: {u.reason}
            </li>
          ))}
        </ul>
      )}
      <table aria-label="Module versions">
        <thead>
          <tr>
            <th scope="col">Module</th>
            <th scope="col">Version</th>
            <th scope="col">Carries</th>
            <th scope="col">Size</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {plan.modules.map((m) => (
            <tr key={`${m.path}@${m.version}`} data-testid="plan-module">
              <td data-testid="plan-module-path">{m.path}</td>
              <td data-testid="plan-module-version">{m.version}</td>
              <td>{m.zip ? 'source zip' : 'go.mod only'}</td>
              <td>{formatBytes(shippedBytes(m))}</td>
              <td>{m.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
