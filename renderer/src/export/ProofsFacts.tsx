import type { PlanProofsAnswer } from '../../../shared/ipc/exportChannel';
import { useI18n } from '../i18n/useI18n';

/**
 * Whether the bundle carries the checksum database's proofs, and of what: the database, the versions
 * covered, the private ones left out and those it does not know; or why it carries none. `proofs`
 * is absent when the export asked no database (GOSUMDB=off).
 */
export function ProofsFacts({ proofs, testId }: { proofs: PlanProofsAnswer | undefined; testId: string }) {
  const { t, format } = useI18n();
  if (proofs === undefined) {
    return <p className="proofs-facts" data-testid={testId} data-status="off">{t('proofs.off')}</p>;
  }
  if (proofs.status === 'unavailable') {
    return (
      <p className="proofs-facts" data-testid={testId} data-status="unavailable" title={proofs.reason}>
        {t('proofs.unavailable', { database: proofs.database })}
      </p>
    );
  }
  return (
    <div className="proofs-facts" data-testid={testId} data-status="carried" data-database={proofs.database} data-versions={proofs.versions}>
      <p>{t('proofs.carried', { database: proofs.database, count: proofs.versions, size: format.size(proofs.bytes) })}</p>
      {proofs.treeSize !== undefined && <p>{t('proofs.tree', { size: format.number(proofs.treeSize) })}</p>}
      {proofs.private > 0 && <p data-testid={`${testId}-private`}>{t('proofs.private', { count: proofs.private })}</p>}
      {proofs.unknown.length > 0 && <p data-testid={`${testId}-unknown`}>{t('proofs.unknown', { count: proofs.unknown.length, modules: proofs.unknown.join(', ') })}</p>}
    </div>
  );
}
