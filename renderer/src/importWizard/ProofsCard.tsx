import type { ServeFactsAnswer } from '../../../shared/ipc/serveChannels';
import type { StoreFactsAnswer } from '../../../shared/ipc/storeChannels';
import { useI18n } from '../i18n/useI18n';

/** Why the lines to paste are what they are: GOPROXY alone when the store's proofs cover all it serves, else the checksum database turned off, for modules alone while toolchains keep their proofs. */
export function ProofCoverage({ facts }: { facts: ServeFactsAnswer }) {
  const { t } = useI18n();
  const { database, proven, toolchainsProven } = facts.proofs;
  return (
    <p className="hint" data-testid="serve-proofs-coverage" data-proven={proven}>
      {database === null
        ? t('importWizard.proofs.off')
        : proven
          ? t('importWizard.proofs.proven', { database })
          : toolchainsProven
            ? t('importWizard.proofs.toolchainsOnly', { database })
            : t('importWizard.proofs.notProven', { database })}
    </p>
  );
}

/** The checksum-database proofs the store holds and the versions without one; the Go toolchains it serves, or the advice to set GOTOOLCHAIN=local. */
export function ProofsCard({ store, serving }: { store: StoreFactsAnswer | undefined; serving: ServeFactsAnswer | undefined }) {
  const { t } = useI18n();
  const proofs = store?.exists ? store.proofs : undefined;
  const more = proofs !== undefined && proofs.withoutProof > proofs.firstWithout.length ? ', …' : '';
  return (
    <section aria-labelledby="serve-proofs-title" className="dashboard-card" data-testid="serve-proofs">
      <h4 id="serve-proofs-title">{t('importWizard.proofs.title')}</h4>
      {proofs !== undefined && (
        <div className="card-lines">
          <p data-testid="store-proofs">
            <span className="card-label">{t('importWizard.proofs.held')}</span>{' '}
            {proofs.databases.length === 0
              ? t('importWizard.proofs.none')
              : proofs.databases.map((db, i) => (
                  <span key={db.name} data-testid="store-proofs-database">
                    {i > 0 && '; '}
                    {t('importWizard.import.head', { database: db.name, size: db.size })}
                  </span>
                ))}
          </p>
          {(proofs.databases.length > 0 || proofs.withoutProof > 0) && (
            <p data-testid="store-proofs-cover" data-without={proofs.withoutProof} className={proofs.withoutProof > 0 ? 'warning' : undefined}>
              {proofs.withoutProof === 0
                ? t('importWizard.proofs.every', { count: proofs.withProof })
                : t('importWizard.proofs.lacking', { count: proofs.withoutProof, modules: `${proofs.firstWithout.join(', ')}${more}` })}
            </p>
          )}
        </div>
      )}
      <h5 className="card-subtitle">{t('importWizard.toolchains.title')}</h5>
      {serving === undefined ? (
        <p className="hint" data-testid="serve-toolchains" data-state="stopped">{t('importWizard.toolchains.whenServing')}</p>
      ) : serving.toolchains.held.length === 0 ? (
        <p data-testid="serve-toolchains" data-state="none">
          {t('importWizard.toolchains.none', { setting: 'GOTOOLCHAIN=local' })}
        </p>
      ) : (
        <div className="card-lines" data-testid="serve-toolchains" data-state="held">
          <p>{t('importWizard.toolchains.held')}</p>
          <ul className="plain-list">
            {serving.toolchains.held.map((toolchain) => (
              <li key={toolchain.name} data-testid="serve-toolchain">
                <code>{toolchain.name}</code> ({toolchain.platforms.join(', ')})
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
