import { useI18n } from '../i18n/useI18n';
import { FindStep } from './FindStep';
import { ImportStep } from './ImportStep';
import { useImportWizard } from './importStore';
import { ServeDashboard } from './ServeDashboard';
import { VerifyStep } from './VerifyStep';
import { WizardSteps } from './WizardSteps';

/** The offline side: find a bundle, verify it, import it, serve the store. */
export function ImportWizardScreen() {
  const { t } = useI18n();
  const step = useImportWizard((state) => state.step);
  return (
    <section aria-labelledby="import-title" className="screen import-wizard">
      <h2 id="import-title">{t('screen.import')}</h2>
      <WizardSteps />
      {step === 'find' && <FindStep />}
      {step === 'verify' && <VerifyStep />}
      {step === 'import' && <ImportStep />}
      {step === 'serve' && <ServeDashboard />}
    </section>
  );
}
