import { useNavigation } from '../app/navigation';
import { useI18n } from '../i18n/useI18n';
import { RecentActivity } from './RecentActivity';
import { SIDES, useStartStore, type Side } from './startStore';

/** Which side of the air gap this machine is on: online goes on to Export; offline says how it imports and serves. */
export function StartScreen() {
  const { t } = useI18n();
  const { side: chosen, choose } = useStartStore();
  const go = useNavigation((state) => state.go);
  const pick = (side: Side): void => {
    choose(side);
    if (side === 'online') go('export');
  };
  return (
    <section aria-labelledby="start-question" className="screen start">
      <h2 id="start-question">{t('start.question')}</h2>
      <p className="hint">{t('start.hint')}</p>
      <div role="group" aria-labelledby="start-question" className="side-choices">
        {SIDES.map((side) => (
          <button
            key={side}
            type="button"
            className="side-choice"
            aria-pressed={side === chosen}
            data-testid={`side-${side}`}
            onClick={() => pick(side)}
          >
            <span className="side-title">{t(`start.${side}.title`)}</span>
            <span className="side-detail">{t(`start.${side}.detail`)}</span>
            {side === chosen && <span className="side-chosen">{t('start.chosen')}</span>}
          </button>
        ))}
      </div>
      {chosen === 'offline' && (
        <div className="offline-commands" data-testid="offline-commands">
          <p>{t('start.offline.commands')}</p>
          <dl>
            <dt><code>modferry verify /media/usb</code></dt>
            <dd>{t('start.offline.commandVerify')}</dd>
            <dt><code>modferry import /media/usb/mf-…</code></dt>
            <dd>{t('start.offline.commandImport')}</dd>
            <dt><code>modferry serve</code></dt>
            <dd>{t('start.offline.commandServe')}</dd>
          </dl>
        </div>
      )}
      {chosen !== undefined && <RecentActivity side={chosen} />}
    </section>
  );
}
