import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { listensBeyondLoopback } from '../../../shared/settings/appSettings';
import { useI18n } from '../i18n/useI18n';
import { client } from '../ipc/client';
import { CopyBlock } from './CopyBlock';
import { FaultView } from './FaultView';
import { MissesPanel } from './MissesPanel';
import { ProofCoverage, ProofsCard } from './ProofsCard';
import { RequestLog } from './RequestLog';
import { StepHeading } from './StepHeading';
import { useServeStore } from './serveStore';

/** Step 4: the proxy started and stopped, the lines developers paste, the store's figures, the live log and the misses. */
export function ServeDashboard() {
  const { t, format } = useI18n();
  const serve = useServeStore();
  const { refresh } = serve;
  const [host, setHost] = useState('127.0.0.1');
  const [port, setPort] = useState('3000');
  const edited = useRef(false);
  const hostId = useId();
  const portId = useId();
  useEffect(() => {
    void refresh();
    // The listen address the settings keep; the operator may change it here for this run.
    client.call('settings:get', {}).then(
      ({ settings }) => {
        if (edited.current) return;
        setHost(settings.serveListen.host);
        setPort(String(settings.serveListen.port));
      },
      () => undefined,
    );
  }, [refresh]);
  const portNumber = Number(port);
  const portValid = /^\d{1,5}$/.test(port) && portNumber <= 65535;
  const start = (event: FormEvent): void => {
    event.preventDefault();
    if (portValid && host.trim() !== '') serve.start({ host: host.trim(), port: portNumber });
  };
  const { started, facts } = serve;
  return (
    <section aria-labelledby="import-serve-title" className="wizard-panel" data-testid="serve-step" data-phase={serve.phase}>
      <StepHeading id="import-serve-title">{t('importWizard.serve.title')}</StepHeading>
      <p className="hint">{t('importWizard.serve.hint')}</p>

      <section aria-labelledby="serve-proxy-title" className="dashboard-card">
        <h4 id="serve-proxy-title">{t('importWizard.serve.proxy')}</h4>
        <p role="status" data-testid="serve-state">
          {serve.phase === 'running' && started !== undefined
            ? t('importWizard.serve.running', { url: started.facts.proxyUrl })
            : serve.phase === 'starting'
              ? t('importWizard.serve.starting')
              : serve.phase === 'stopping'
                ? t('importWizard.serve.stopping')
                : t('importWizard.serve.stopped')}
        </p>
        {serve.phase === 'stopped' ? (
          <form className="inline-form" onSubmit={start}>
            <label htmlFor={hostId}>{t('importWizard.serve.host')}</label>
            <input id={hostId} value={host} onChange={(event) => {
                edited.current = true;
                setHost(event.target.value);
              }} spellCheck={false} data-testid="serve-host" />
            <label htmlFor={portId}>{t('importWizard.serve.port')}</label>
            <input id={portId} value={port} inputMode="numeric" onChange={(event) => {
                edited.current = true;
                setPort(event.target.value);
              }} aria-invalid={!portValid} className="port-input" data-testid="serve-port" />
            <button type="submit" disabled={!portValid || host.trim() === ''} data-testid="serve-start">
              {t('importWizard.serve.start')}
            </button>
          </form>
        ) : (
          <button type="button" onClick={() => void serve.stop()} disabled={serve.phase !== 'running'} data-testid="serve-stop">
            {t('importWizard.serve.stop')}
          </button>
        )}
        {serve.phase === 'stopped' && serve.counts !== undefined && (
          <p data-testid="serve-last-run">{t('importWizard.serve.lastRun', { count: serve.counts.requests, misses: serve.counts.misses })}</p>
        )}
        {serve.phase === 'stopped' && listensBeyondLoopback(host.trim()) && <p className="warning">{t('importWizard.serve.lanWarning')}</p>}
        {!portValid && <p className="warning">{t('importWizard.serve.portInvalid')}</p>}
        {serve.error !== undefined && <FaultView title={t('importWizard.serve.failed')} error={serve.error} />}
        {started !== undefined && serve.phase === 'running' && (
          <>
            <dl className="facts">
              <div>
                <dt>{t('importWizard.serve.url')}</dt>
                <dd>
                  {started.facts.urls.map((url) => (
                    <code key={url} className="serve-url" data-testid="serve-url">
                      {url}
                    </code>
                  ))}
                </dd>
              </div>
              {started.readOnly && (
                <div>
                  <dt>{t('importWizard.import.store')}</dt>
                  <dd>{t('importWizard.serve.readOnly')}</dd>
                </div>
              )}
            </dl>
            {started.facts.allInterfaces && <p className="warning">{t('importWizard.serve.lanWarning')}</p>}
            <p>{t('importWizard.serve.paste')}</p>
            <ProofCoverage facts={started.facts} />
            <CopyBlock id="posix" title={t('importWizard.serve.posix')} lines={started.facts.envLines.posix} />
            <CopyBlock id="powershell" title={t('importWizard.serve.powershell')} lines={started.facts.envLines.powershell} />
            <CopyBlock id="goenv" title={t('importWizard.serve.goEnv')} lines={[started.facts.envLines.goEnvWrite]} />
            {serve.startedElsewhere && <p className="hint">{t('importWizard.serve.elsewhere')}</p>}
          </>
        )}
      </section>

      <section aria-labelledby="serve-store-title" className="dashboard-card" data-testid="store-facts">
        <h4 id="serve-store-title">{t('importWizard.store.title')}</h4>
        {facts === undefined ? null : facts.exists ? (
          <dl className="facts facts-row">
            <div>
              <dt>{t('importWizard.store.size')}</dt>
              <dd data-testid="store-size">{format.size(facts.bytes)}</dd>
            </div>
            <div>
              <dt>{t('importWizard.store.modules')}</dt>
              <dd data-testid="store-modules">{format.number(facts.modules)}</dd>
            </div>
            <div>
              <dt>{t('importWizard.store.versions')}</dt>
              <dd data-testid="store-versions">{format.number(facts.versions)}</dd>
            </div>
            <div>
              <dt>{t('importWizard.store.bundles')}</dt>
              <dd>{format.number(facts.bundles)}</dd>
            </div>
          </dl>
        ) : (
          <p className="hint" data-testid="store-empty">{t('importWizard.store.none', { dir: facts.dir })}</p>
        )}
        <button type="button" className="secondary" onClick={() => void refresh()}>
          {t('importWizard.store.refresh')}
        </button>
      </section>

      <ProofsCard store={facts} serving={serve.phase === 'running' ? started?.facts : undefined} />

      <section aria-labelledby="serve-log-title" className="dashboard-card">
        <h4 id="serve-log-title">{t('importWizard.log.title')}</h4>
        <RequestLog log={serve.log} heard={serve.heard} />
      </section>

      <MissesPanel />
    </section>
  );
}
