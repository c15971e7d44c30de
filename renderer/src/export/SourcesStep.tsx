import { useState, type DragEvent, type FormEvent } from 'react';
import { ABSOLUTE_PATH } from '../../../shared/ipc/paths';
import { IpcError } from '../../../shared/ipc/ipcError';
import { ErrorView } from '../ErrorView';
import { useI18n } from '../i18n/useI18n';
import { droppedFileLines, droppedPaths, guessSourceKind } from './droppedSources';
import { exportBusy, SOURCE_KINDS, useExportWizard, type SourceKind } from './exportWizardStore';
import { pastedModules } from './pastedModules';
import { SourceFacts } from './SourceFacts';
import { StageBar, STAGE_TITLES, type StageName } from './StageBar';

/** Step 1: what to export, typed, pasted or dropped; each source listed; the plan made from them. */
export function SourcesStep() {
  const { t } = useI18n();
  const state = useExportWizard();
  const { sources, inspected, pasted, upstream, planPhase, planProgress, planError, plan } = state;
  const [path, setPath] = useState('');
  const [kind, setKind] = useState<SourceKind>('project');
  const [pathProblem, setPathProblem] = useState<string>();
  const [dropNotes, setDropNotes] = useState<string[]>([]);
  const planning = planPhase === 'running' || planPhase === 'cancelling';
  const lines = pastedModules(pasted);
  const badLines = lines.filter((line) => 'problem' in line);
  const usable = sources.every((source) => {
    const answer = inspected[source.path];
    return answer !== undefined && !('failed' in answer) && !('problem' in answer);
  });
  const ready = (sources.length > 0 || lines.length > 0) && usable && badLines.length === 0 && !exportBusy(state);

  const add = (event: FormEvent): void => {
    event.preventDefault();
    const typed = path.trim();
    if (!ABSOLUTE_PATH.test(typed)) {
      setPathProblem(t('exportWizard.sources.notAbsolute'));
      return;
    }
    state.addSource({ kind: kind === 'project' ? guessSourceKind(typed) : kind, path: typed });
    setPath('');
    setPathProblem(undefined);
  };

  const drop = async (event: DragEvent): Promise<void> => {
    event.preventDefault();
    const named = droppedPaths(event.dataTransfer.getData('text/uri-list'));
    named.forEach((source) => state.addSource(source));
    if (named.length > 0) return;
    const notes: string[] = [];
    let added = '';
    for (const file of Array.from(event.dataTransfer.files)) {
      const text = await file.text().catch(() => undefined);
      const read = text === undefined ? { problem: t('exportWizard.sources.dropUnreadable') } : droppedFileLines(file.name, text, t);
      if ('problem' in read) notes.push(`${file.name}: ${read.problem}`);
      else {
        added += `${read.lines}\n`;
        notes.push(t(file.name === 'go.mod' ? 'exportWizard.sources.droppedGoMod' : 'exportWizard.sources.droppedLines', { name: file.name }));
      }
    }
    if (added !== '') state.setPasted(`${pasted.trimEnd()}${pasted.trim() === '' ? '' : '\n'}${added}`);
    setDropNotes(notes);
  };

  return (
    <div className="export-step sources-step">
      <label className="field">
        {t('exportWizard.sources.upstream')}
        <input value={upstream} onChange={(event) => state.setUpstream(event.target.value)} placeholder="https://proxy.example.com" disabled={planning} data-testid="sources-upstream" />
        <span className="hint">{t('exportWizard.sources.upstreamHint')}</span>
      </label>

      <form onSubmit={add} className="add-source">
        <label className="inline-field">
          {t('exportWizard.sources.kind')}
          <select value={kind} onChange={(event) => setKind(event.target.value as SourceKind)} disabled={planning} data-testid="sources-kind">
            {SOURCE_KINDS.map((k) => (
              <option key={k} value={k}>{t(`exportWizard.sourceKind.${k}`)}</option>
            ))}
          </select>
        </label>
        <label className="inline-field grow">
          {t('exportWizard.sources.path')}
          <input value={path} onChange={(event) => setPath(event.target.value)} placeholder="/home/me/src/myservice" disabled={planning} aria-invalid={pathProblem !== undefined} aria-describedby="source-path-problem" data-testid="sources-path" />
        </label>
        <button type="submit" disabled={planning || path.trim() === ''} data-testid="sources-add">{t('exportWizard.sources.add')}</button>
        <p id="source-path-problem" role="alert" className="field-problem">{pathProblem}</p>
      </form>

      <div className="drop-zone" onDragOver={(event) => event.preventDefault()} onDrop={(event) => void drop(event)} data-testid="sources-drop">
        <p>{t('exportWizard.sources.drop')}</p>
        {dropNotes.length > 0 && (
          <ul aria-live="polite" data-testid="drop-notes">
            {dropNotes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        )}
      </div>

      <h4 id="sources-list-title">{t('exportWizard.sources.listTitle', { count: sources.length })}</h4>
      {sources.length === 0 ? (
        <p className="hint">{t('exportWizard.sources.none')}</p>
      ) : (
        <ul aria-labelledby="sources-list-title" className="source-list" data-testid="sources-list">
          {sources.map((source, index) => (
            <li key={source.path} className="source" data-testid="source">
              <span className="source-kind">{t(`exportWizard.sourceKind.${source.kind}`)}</span>
              <code className="source-path">{source.path}</code>
              <button type="button" className="secondary small" onClick={() => state.removeSource(index)} disabled={planning} aria-label={t('exportWizard.sources.remove', { path: source.path })}>
                {t('exportWizard.sources.removeShort')}
              </button>
              <SourceFacts answer={inspected[source.path]} />
            </li>
          ))}
        </ul>
      )}

      <label className="field wide">
        {t('exportWizard.sources.pasted')}
        <textarea value={pasted} onChange={(event) => state.setPasted(event.target.value)} rows={4} placeholder="golang.org/x/text@v0.14.0" spellCheck={false} disabled={planning} aria-describedby="pasted-problems" data-testid="sources-pasted" />
      </label>
      <ul id="pasted-problems" className="field-problem" data-testid="pasted-problems">
        {badLines.map((line) => (
          <li key={line.line} title={'problem' in line ? line.problem : undefined}>{t('exportWizard.sources.lineProblem', { line: line.line, reason: 'problem' in line ? (line.code === undefined ? line.problem : t(`exportWizard.sources.pasted.${line.code}`)) : '' })}</li>
        ))}
      </ul>

      {planning && (
        <div className="plan-progress" data-testid="plan-progress">
          {planProgress !== undefined && planProgress.stage in STAGE_TITLES ? (
            <StageBar stage={planProgress.stage as StageName} progress={planProgress} state="active" />
          ) : (
            <p>{t('exportWizard.sources.starting')}</p>
          )}
        </div>
      )}
      {planPhase === 'cancelled' && <p role="status" data-testid="plan-cancelled">{t('exportWizard.sources.planCancelled')}</p>}
      {planPhase === 'failed' && <PlanProblem error={planError} />}

      <div className="export-actions">
        {planning ? (
          <button type="button" className="secondary" onClick={() => void state.cancelPlan()} disabled={planPhase === 'cancelling'} data-testid="plan-cancel">
            {planPhase === 'cancelling' ? t('exportWizard.cancelling') : t('exportWizard.cancel')}
          </button>
        ) : (
          <>
            {plan !== undefined && <button type="button" className="secondary" onClick={() => state.goTo('review')}>{t('exportWizard.sources.backToPlan')}</button>}
            <button type="button" onClick={state.makePlan} disabled={!ready} data-testid="plan-make">{t('exportWizard.sources.makePlan')}</button>
          </>
        )}
      </div>
    </div>
  );
}

/** A failed plan; a fault in a file (a go.mod syntax error) is named by file and line first, where the operator fixes it. */
function PlanProblem({ error }: { error: unknown }) {
  const { t } = useI18n();
  const file = error instanceof IpcError ? error.fields.file : undefined;
  const line = error instanceof IpcError ? error.fields.line : undefined;
  return (
    <div className="plan-problem" data-testid="plan-problem">
      {file !== undefined && (
        <p className="problem-where" data-testid="plan-problem-where">
          {t('exportWizard.sources.problemIn')} <code>{line === undefined ? file : `${file}:${line}`}</code>
        </p>
      )}
      <ErrorView error={error} />
    </div>
  );
}
