import type { ProgressUpdate } from '../../../shared/work/progressUpdate';
import type { MessageKey } from '../i18n/catalog';
import { useI18n } from '../i18n/useI18n';

/** waiting: not reached yet; active: reporting; done: finished or passed over; stopped: cut short by a failure or cancel. */
export type StageState = 'waiting' | 'active' | 'done' | 'stopped';

export const STAGE_TITLES = {
  resolve: 'exportWizard.stage.resolve',
  download: 'exportWizard.stage.download',
  prove: 'exportWizard.stage.prove',
  write: 'exportWizard.stage.write',
  'read-back': 'exportWizard.stage.readBack',
} as const satisfies Readonly<Record<string, MessageKey>>;
export type StageName = keyof typeof STAGE_TITLES;

function fractionOf(progress: ProgressUpdate | undefined): number | undefined {
  if (progress === undefined) return undefined;
  if (progress.totalBytes) return Math.min(1, (progress.bytes ?? 0) / progress.totalBytes);
  if (progress.totalFiles) return Math.min(1, (progress.files ?? 0) / progress.totalFiles);
  return undefined;
}

/** One stage as a labelled bar with its files, bytes, rate and time left. */
export function StageBar({ stage, progress, state }: { stage: StageName; progress: ProgressUpdate | undefined; state: StageState }) {
  const { t, format, language } = useI18n();
  const title = t(STAGE_TITLES[stage]);
  // The core's line is English: another language shows only what it is about (a file, a volume, a project).
  const line = language === 'en' ? progress?.message : progress?.subject;
  const fraction = state === 'done' ? 1 : fractionOf(progress);
  const figures: string[] = [];
  if (progress?.totalFiles !== undefined) figures.push(t('exportWizard.progress.files', { done: progress.files ?? 0, total: progress.totalFiles }));
  if (progress?.bytes !== undefined) {
    figures.push(progress.totalBytes === undefined ? format.size(progress.bytes) : t('exportWizard.progress.bytes', { done: format.size(progress.bytes), total: format.size(progress.totalBytes) }));
  }
  if (state === 'active' && progress?.rateBytesPerSecond !== undefined) figures.push(format.rate(progress.rateBytesPerSecond));
  if (state === 'active' && progress?.etaSeconds !== undefined) figures.push(t('exportWizard.progress.eta', { time: format.duration(progress.etaSeconds) }));
  return (
    <div className={`stage stage-${state}`} data-testid={`stage-${stage}`} data-state={state}>
      <div className="stage-head">
        <span className="stage-title" id={`stage-title-${stage}`}>{title}</span>
        <span className="stage-state">{t(`exportWizard.stageState.${state}`)}</span>
      </div>
      {/* Without a value the bar is indeterminate: the stage runs but cannot say how far it is. */}
      <progress aria-labelledby={`stage-title-${stage}`} {...(fraction === undefined ? (state === 'waiting' ? { value: 0, max: 1 } : {}) : { value: fraction, max: 1 })} />
      <p className="stage-figures" data-testid={`stage-figures-${stage}`}>
        {figures.join(' · ')}
        {state === 'active' && line ? <span className="stage-message">{line}</span> : null}
      </p>
    </div>
  );
}
