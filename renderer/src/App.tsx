import { useEffect } from 'react';
import { useAppStore } from './appStore';
import { ExportScreen } from './export/ExportScreen';

export function App() {
  const { info, error, load } = useAppStore();
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 32 }}>
      <h1>ModFerry</h1>
      <p>Carry Go modules across an air gap.</p>
      {info && <p data-testid="version">Version {info.version} on {info.platform}</p>}
      {error && <p role="alert">{error}</p>}
      <ExportScreen />
    </main>
  );
}
