import { useEffect, useRef, type ReactNode } from 'react';
import { LanguageSelect } from '../i18n/LanguageSelect';
import { useI18n } from '../i18n/useI18n';
import { useAppStore } from '../appStore';
import { NavBar } from './NavBar';
import { useNavigation } from './navigation';

/** Skip link, header with the navigation and language, the screen as the main landmark, and the version. */
export function AppShell({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const { info, error } = useAppStore();
  const screen = useNavigation((state) => state.screen);
  const main = useRef<HTMLElement>(null);
  const shown = useRef(screen);
  // A new screen takes the focus, so keyboard and screen-reader users start at its top rather than on a link.
  useEffect(() => {
    if (shown.current === screen) return;
    shown.current = screen;
    main.current?.focus();
  }, [screen]);

  return (
    <>
      <a className="skip-link" href="#main" onClick={(event) => {
        event.preventDefault();
        main.current?.focus();
      }}>
        {t('shell.skipToContent')}
      </a>
      <header className="app-header">
        <div className="brand">
          <h1 className="app-name">{t('app.name')}</h1>
          <p className="app-tagline">{t('app.tagline')}</p>
        </div>
        <NavBar />
        <LanguageSelect label={t('shell.languageSwitch')} className="language-switch" />
      </header>
      <main id="main" ref={main} tabIndex={-1} className="app-main">
        {children}
      </main>
      <footer className="app-footer">
        {info && <p data-testid="version">{t('app.version', { version: info.version, platform: info.platform })}</p>}
        {error && <p role="alert">{t('app.loadFailed', { reason: error })}</p>}
      </footer>
    </>
  );
}
