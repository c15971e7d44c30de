import type { MouseEvent } from 'react';
import { useI18n } from '../i18n/useI18n';
import { hashOf, SCREEN_TITLES, SCREENS, useNavigation, type Screen } from './navigation';

export function NavBar() {
  const { t } = useI18n();
  const { screen: current, go } = useNavigation();
  const follow = (screen: Screen) => (event: MouseEvent) => {
    event.preventDefault();
    go(screen);
  };
  return (
    <nav aria-label={t('shell.navigation')} className="nav">
      <ul>
        {SCREENS.map((screen) => (
          <li key={screen}>
            <a href={hashOf(screen)} aria-current={screen === current ? 'page' : undefined} onClick={follow(screen)} data-testid={`nav-${screen}`}>
              {t(SCREEN_TITLES[screen])}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
