import { useEffect } from 'react';
import { ErrorView } from '../ErrorView';
import { useI18n } from '../i18n/useI18n';
import { useStartStore, type Side } from './startStore';

/** What this machine did last on its side of the gap: the bundles it wrote (online) or imported (offline). */
export function RecentActivity({ side }: { side: Side }) {
  const { t, format } = useI18n();
  const { activity, activityError, loadActivity } = useStartStore();
  useEffect(() => {
    void loadActivity();
  }, [loadActivity]);

  const title = side === 'online' ? t('start.recent.exports') : t('start.recent.imports');
  let body;
  if (activityError !== undefined) body = <ErrorView error={activityError} />;
  else if (activity === undefined) body = <p className="hint">{t('start.recent.loading')}</p>;
  else if (side === 'online') {
    body = activity.exports.length === 0 ? <p className="hint">{t('start.recent.noExports')}</p> : (
      <table className="activity-table">
        <thead>
          <tr>
            <th scope="col">{t('start.recent.date')}</th>
            <th scope="col">{t('start.recent.bundle')}</th>
            <th scope="col">{t('start.recent.modules')}</th>
            <th scope="col">{t('start.recent.files')}</th>
            <th scope="col">{t('start.recent.size')}</th>
          </tr>
        </thead>
        <tbody>
          {activity.exports.map((entry) => (
            <tr key={entry.bundleId} data-testid="recent-export">
              <td>{format.dateTime(new Date(entry.createdAt))}</td>
              <td><code>{entry.bundleId}</code><div className="hint">{entry.outDir}</div></td>
              <td className="num">{format.number(entry.modules)}</td>
              <td className="num">{format.number(entry.files)}</td>
              <td className="num">{format.size(entry.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  } else {
    body = activity.imports.length === 0 ? <p className="hint">{t('start.recent.noImports')}</p> : (
      <table className="activity-table">
        <thead>
          <tr>
            <th scope="col">{t('start.recent.imported')}</th>
            <th scope="col">{t('start.recent.bundle')}</th>
            <th scope="col">{t('start.recent.signer')}</th>
            <th scope="col">{t('start.recent.files')}</th>
            <th scope="col">{t('start.recent.size')}</th>
          </tr>
        </thead>
        <tbody>
          {activity.imports.map((entry) => (
            <tr key={`${entry.bundleId}-${entry.importedAt}`} data-testid="recent-import">
              <td>{format.dateTime(new Date(entry.importedAt))}</td>
              <td><code>{entry.bundleId}</code><div className="hint">{t('start.recent.made', { date: format.dateTime(new Date(entry.createdAt)) })}</div></td>
              <td><code className="fingerprint">{entry.signer}</code></td>
              <td className="num">{format.number(entry.files)}</td>
              <td className="num">{format.size(entry.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return (
    <section aria-labelledby="recent-title" className="recent-activity" data-testid="recent-activity">
      <h3 id="recent-title">{title}</h3>
      {body}
    </section>
  );
}
