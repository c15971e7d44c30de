import { ErrorView } from '../ErrorView';
import { useI18n } from '../i18n/useI18n';
import { useExportWizard, type StageProgress } from './exportWizardStore';
import { StageBar, type StageName, type StageState } from './StageBar';

/** The run's stages in order; the go proof runs beside writing and reading back. */
export const RUN_STAGES: readonly StageName[] = ['download', 'prove', 'write', 'read-back'];

/**
 * A stage never heard from is done once a later one reports (the download cache had every file); one at
 * its total is done. One under way when the run failed or was cancelled is shown stopped, not under way.
 */
export function stageState(stages: StageProgress, stage: StageName, stopped: boolean): StageState {
  const progress = stages[stage];
  if (progress === undefined) return RUN_STAGES.slice(RUN_STAGES.indexOf(stage) + 1).some((later) => later !== 'prove' && stages[later] !== undefined) ? 'done' : 'waiting';
  const complete = progress.totalBytes !== undefined ? progress.bytes === progress.totalBytes : progress.totalFiles !== undefined && progress.files === progress.totalFiles;
  return complete && stage !== 'prove' ? 'done' : stopped ? 'stopped' : 'active';
}

/**
 * Step 4: a bar per stage with files, bytes, rate and time left; Cancel removes what was written. A run
 * the drive stopped (full, pulled) is offered again: the same plan, to the same destination.
 */
export function RunStep() {
  const { t } = useI18n();
  const { stages, runPhase, runError, check, run, cancelRun, goTo } = useExportWizard();
  const running = runPhase === 'running' || runPhase === 'cancelling';
  return (
    <div className="export-step run-step" data-testid="run" data-phase={runPhase}>
      <div className="stages" aria-live="off">
        {RUN_STAGES.filter((stage) => stage !== 'prove' || check).map((stage) => (
          <StageBar key={stage} stage={stage} progress={stages[stage]} state={stageState(stages, stage, runPhase === 'failed' || runPhase === 'cancelled')} />
        ))}
      </div>
      {running && <p className="hint">{t('exportWizard.run.leaveHint')}</p>}
      {runPhase === 'cancelled' && <p role="status" data-testid="run-cancelled">{t('exportWizard.run.cancelled')}</p>}
      {runPhase === 'failed' && <ErrorView error={runError} onRetry={run} />}
      <div className="export-actions">
        {running ? (
          <button type="button" className="secondary" onClick={() => void cancelRun()} disabled={runPhase === 'cancelling'} data-testid="run-cancel">
            {runPhase === 'cancelling' ? t('exportWizard.cancelling') : t('exportWizard.cancel')}
          </button>
        ) : (
          <button type="button" className="secondary" onClick={() => goTo('destination')} data-testid="run-back">{t('exportWizard.back')}</button>
        )}
      </div>
    </div>
  );
}
