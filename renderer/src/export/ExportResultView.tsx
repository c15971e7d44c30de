import { formatBytes } from '../../../shared/bundle/formatBytes';
import type { ExportRunResult } from '../../../shared/ipc/exportChannel';

export function ExportResultView({ result }: { result: ExportRunResult }) {
  return (
    <section aria-label="Bundle written" data-testid="result">
      <h2>Bundle written</h2>
      <dl>
        <dt>Bundle</dt>
        <dd data-testid="result-bundle-id">{result.bundleId}</dd>
        <dt>Folder</dt>
        <dd>{result.bundleDir}</dd>
        <dt>Contents</dt>
        <dd data-testid="result-files">
          {result.files} files, {formatBytes(result.bytes)} in {result.volumes} volume{result.volumes === 1 ? '' : 's'} ({result.moduleVersions} module versions)
        </dd>
        <dt>Signed by</dt>
        <dd data-testid="result-signer">{result.signer.fingerprint}</dd>
        <dt>Proof</dt>
        <dd>{result.check.status === 'passed' ? 'The offline go command builds every project from the bundle alone' : `Not proved with go: ${result.check.reason === 'not-asked' ? 'not asked to' : 'no go command on this machine'}`}</dd>
      </dl>
      {result.warnings.length > 0 && (
        <ul aria-label="Warnings">
          {result.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
