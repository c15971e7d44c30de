import type { ProgressUpdate } from '../../../shared/work/progressUpdate';
import { useI18n } from '../i18n/useI18n';

const STAGES: Readonly<Record<string, 'importWizard.stage.verify' | 'importWizard.stage.commit'>> = {
  verify: 'importWizard.stage.verify',
  commit: 'importWizard.stage.commit',
};

/** One bar for the work under way: the stage, files and bytes done, the rate and the time left. */
export function JobProgress({ progress, label }: { progress: ProgressUpdate | undefined; label: string }) {
  const { t, format } = useI18n();
  const stageKey = progress === undefined ? undefined : STAGES[progress.stage];
  const stage = progress === undefined ? t('importWizard.stage.starting') : stageKey === undefined ? progress.stage : t(stageKey);
  const { files, totalFiles, bytes, totalBytes, rateBytesPerSecond, etaSeconds } = progress ?? {};
  const fraction = totalBytes ? (bytes ?? 0) / totalBytes : totalFiles ? (files ?? 0) / totalFiles : undefined;
  const figures = [
    totalFiles === undefined ? undefined : t('importWizard.progress.files', { done: format.number(files ?? 0), count: totalFiles }),
    bytes === undefined ? undefined : totalBytes ? t('importWizard.progress.bytes', { done: format.size(bytes), total: format.size(totalBytes) }) : format.size(bytes),
    rateBytesPerSecond === undefined ? undefined : format.rate(rateBytesPerSecond),
    etaSeconds === undefined ? undefined : t('importWizard.progress.eta', { time: format.duration(etaSeconds) }),
  ].filter((text): text is string => text !== undefined);
  return (
    <div className="job-progress" data-testid="progress" data-stage={progress?.stage ?? 'starting'}>
      <p className="job-stage" role="status">
        {stage}
      </p>
      <progress aria-label={label} {...(fraction === undefined ? {} : { value: fraction, max: 1 })} />
      {figures.length > 0 && <p className="job-figures">{figures.join(' · ')}</p>}
    </div>
  );
}
