import { useI18n } from '../i18n/useI18n';
import { reachable, STEPS, useImportWizard } from './importStore';

/** The four steps, the current one marked; a step opens once what it needs is done, and not while a job runs. */
export function WizardSteps() {
  const { t } = useI18n();
  const state = useImportWizard();
  const busy = state.job !== undefined;
  return (
    <nav aria-label={t('importWizard.steps')}>
      <ol className="wizard-steps">
        {STEPS.map((step, index) => (
          <li key={step}>
            <button
              type="button"
              className="wizard-step"
              aria-current={step === state.step ? 'step' : undefined}
              disabled={busy || !reachable(state, step)}
              onClick={() => state.goTo(step)}
              data-testid={`step-${step}`}
            >
              <span className="wizard-step-number">{index + 1}</span>
              {t(`importWizard.step.${step}`)}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
