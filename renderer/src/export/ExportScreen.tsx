import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/useI18n';
import { DestinationStep } from './DestinationStep';
import { DoneStep } from './DoneStep';
import { exportBusy, useExportWizard, WIZARD_STEPS, type WizardStep } from './exportWizardStore';
import { ReviewStep } from './ReviewStep';
import { RunStep } from './RunStep';
import { SourcesStep } from './SourcesStep';
import { useLeaveGuard } from './useLeaveGuard';

/** The export wizard: sources, review of the plan, destination, the run, and what was written. */
export function ExportScreen() {
  const { t } = useI18n();
  const state = useExportWizard();
  const { step, plan, result, runPhase, goTo, loadDefaults } = state;
  const busy = exportBusy(state);
  const heading = useRef<HTMLHeadingElement>(null);
  const shown = useRef(step);
  useLeaveGuard(busy);
  useEffect(() => {
    void loadDefaults();
  }, [loadDefaults]);
  // A new step takes the focus at its heading, so keyboard and screen-reader users start at its top.
  useEffect(() => {
    if (shown.current === step) return;
    shown.current = step;
    heading.current?.focus();
  }, [step]);

  const reachable = (target: WizardStep): boolean => {
    if (target === step) return true;
    if (runPhase === 'running' || runPhase === 'cancelling') return false;
    if (target === 'sources') return true;
    if (target === 'review' || target === 'destination') return plan !== undefined && !busy;
    if (target === 'run') return runPhase !== 'idle';
    return result !== undefined;
  };
  const number = WIZARD_STEPS.indexOf(step) + 1;

  return (
    <section aria-labelledby="export-title" className="screen export-wizard">
      <h2 id="export-title">{t('screen.export')}</h2>
      <nav aria-label={t('exportWizard.steps')} className="export-steps">
        <ol>
          {WIZARD_STEPS.map((s, index) => (
            <li key={s} className={s === step ? 'current' : ''}>
              {s !== step && reachable(s) ? (
                <button type="button" className="step-link" onClick={() => goTo(s)} data-testid={`step-${s}`}>
                  <span className="step-number">{index + 1}</span> {t(`exportWizard.step.${s}`)}
                </button>
              ) : (
                <span aria-current={s === step ? 'step' : undefined} className="step-label" data-testid={`step-${s}`}>
                  <span className="step-number">{index + 1}</span> {t(`exportWizard.step.${s}`)}
                </span>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <h3 ref={heading} tabIndex={-1} className="export-step-heading" data-testid="step-heading" data-step={step}>
        {t('exportWizard.stepHeading', { number, total: WIZARD_STEPS.length, name: t(`exportWizard.step.${step}`) })}
      </h3>
      <p className="hint">{t(`exportWizard.intro.${step}`)}</p>
      {step === 'sources' && <SourcesStep />}
      {step === 'review' && plan !== undefined && <ReviewStep plan={plan} />}
      {step === 'destination' && plan !== undefined && <DestinationStep plan={plan} />}
      {step === 'run' && <RunStep />}
      {step === 'done' && result !== undefined && <DoneStep result={result} />}
    </section>
  );
}
