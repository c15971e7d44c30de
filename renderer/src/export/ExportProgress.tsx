import { formatBytes } from '../../../shared/bundle/formatBytes';
import type { ProgressUpdate } from '../../../shared/work/progressUpdate';

const STAGE_NAMES: Readonly<Record<string, string>> = {
  resolve: 'Resolving',
  download: 'Downloading',
  prove: 'Proving with go',
  write: 'Writing',
  'read-back': 'Reading back',
};

/** One bar for the stage under way, with its files, bytes, rate and time left. */
export function ExportProgress({ progress }: { progress: ProgressUpdate | undefined }) {
  if (progress === undefined) return <p data-testid="progress-stage">Starting…</p>;
  const { stage, files, totalFiles, bytes, totalBytes, rateBytesPerSecond, etaSeconds } = progress;
  const fraction = totalBytes ? (bytes ?? 0) / totalBytes : totalFiles ? (files ?? 0) / totalFiles : undefined;
  return (
    <section aria-label="Progress" data-testid="progress" data-stage={stage}>
      <p data-testid="progress-stage">{STAGE_NAMES[stage] ?? stage}{progress.message ? `: ${progress.message}` : ''}</p>
      <progress aria-label={`${STAGE_NAMES[stage] ?? stage} progress`} style={{ width: '100%' }} {...(fraction === undefined ? {} : { value: fraction, max: 1 })} />
      <p data-testid="progress-figures">
        {totalFiles !== undefined && <span>{files ?? 0} of {totalFiles} files · </span>}
        {bytes !== undefined && <span>{totalBytes !== undefined ? `${formatBytes(bytes)} of ${formatBytes(totalBytes)}` : formatBytes(bytes)}</span>}
        {rateBytesPerSecond !== undefined && <span> · {formatBytes(Math.round(rateBytesPerSecond))}/s</span>}
        {etaSeconds !== undefined && <span> · about {Math.ceil(etaSeconds)} s left</span>}
      </p>
    </section>
  );
}
