import { useEffect, type ComponentType } from 'react';
import { AppShell } from './app/AppShell';
import { useNavigation, type Screen } from './app/navigation';
import { useDocumentState } from './app/useDocumentState';
import { useAppStore } from './appStore';
import { ExportScreen } from './export/ExportScreen';
import { ImportWizardScreen } from './importWizard/ImportWizardScreen';
import { keepChoicesSaved } from './settings/savedChoices';
import { SettingsScreen } from './settings/SettingsScreen';
import { StartScreen } from './start/StartScreen';

const SCREEN_VIEWS: Readonly<Record<Screen, ComponentType>> = {
  start: StartScreen,
  export: ExportScreen,
  import: ImportWizardScreen,
  settings: SettingsScreen,
};

export function App() {
  const load = useAppStore((state) => state.load);
  const screen = useNavigation((state) => state.screen);
  useDocumentState();
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(keepChoicesSaved, []);
  const View = SCREEN_VIEWS[screen];
  return (
    <AppShell>
      <View />
    </AppShell>
  );
}
