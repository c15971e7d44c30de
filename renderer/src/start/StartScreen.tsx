import { useNavigation } from '../app/navigation';
import { useI18n } from '../i18n/useI18n';
import { RecentActivity } from './RecentActivity';
import { SIDES, useStartStore, type Side } from './startStore';

/** Which side of the air gap this machine is on: online goes on to Export, offline to the Import wizard. */
export function StartScreen() {
  const { t } = useI18n();
  const { side: chosen, choose } = useStartStore();
  const go = useNavigation((state) => state.go);
  const pick = (side: Side): void => {
    choose(side);
    go(side === 'online' ? 'export' : 'import');
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
      {chosen !== undefined && <RecentActivity side={chosen} />}
    </section>
  );
}
