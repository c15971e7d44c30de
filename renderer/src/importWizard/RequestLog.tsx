import { memo, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Formatters } from '../i18n/format';
import { useI18n } from '../i18n/useI18n';
import { LOG_CAP, type LoggedRequest } from './serveStore';

// Within this many pixels of the end counts as at the end: the log follows new requests there.
const AT_END = 8;
// A scroll this soon after the reader's wheel, key or touch is theirs.
const READER_SCROLL_MS = 1000;
/** Rows on the page while the log follows the newest: the rest of the log is drawn only when the reader scrolls up into it. */
export const FOLLOWING_ROWS = 200;

/**
 * The requests the proxy answers, newest last. It follows new requests while scrolled to the end;
 * scrolled up, it holds still so a row can be read, and says how many came in meanwhile. While it
 * follows, only the newest rows are drawn, so a busy proxy costs the page little.
 */
export function RequestLog({ log, heard }: { log: readonly LoggedRequest[]; heard: number }) {
  const { t, format, language } = useI18n();
  const time = useMemo(() => new Intl.DateTimeFormat(language, { timeStyle: 'medium' }), [language]);
  const box = useRef<HTMLDivElement>(null);
  const [held, setHeld] = useState<readonly LoggedRequest[] | undefined>(undefined);
  const shown = held ?? log.slice(-FOLLOWING_ROWS);
  const newer = held === undefined ? 0 : heard - (held.at(-1)?.seq ?? -1) - 1;
  // How far from the end the reader was when the log was held: the rows drawn above then must not move what they read.
  const heldFromEnd = useRef<number | undefined>(undefined);

  useLayoutEffect(() => {
    const element = box.current;
    if (element === null) return;
    if (held === undefined) element.scrollTop = element.scrollHeight;
    else if (heldFromEnd.current !== undefined) {
      element.scrollTop = element.scrollHeight - heldFromEnd.current;
      heldFromEnd.current = undefined;
    }
  }, [shown, held]);

  // Only the reader's own scrolling holds the log: rows leaving the top as new ones come in move it too.
  const reading = useRef(0);
  const readerScrolls = (): void => {
    reading.current = performance.now();
  };
  const onScroll = (): void => {
    const element = box.current;
    if (element === null) return;
    const atEnd = element.scrollHeight - element.scrollTop - element.clientHeight <= AT_END;
    if (!atEnd && held === undefined && performance.now() - reading.current < READER_SCROLL_MS) {
      heldFromEnd.current = element.scrollHeight - element.scrollTop;
      setHeld(log);
    }
    else if (atEnd && held !== undefined) setHeld(undefined);
  };

  return (
    <div className="request-log">
      <div className="request-log-head">
        <p className="hint">{t('importWizard.log.hint', { cap: format.number(LOG_CAP) })}</p>
        {held !== undefined && (
          <p className="log-paused" role="status" data-testid="log-paused">
            {t('importWizard.log.paused', { count: newer })}{' '}
            <button type="button" className="secondary" onClick={() => setHeld(undefined)}>
              {t('importWizard.log.resume')}
            </button>
          </p>
        )}
      </div>
      <div
        ref={box}
        className="request-log-box"
        tabIndex={0}
        role="region"
        aria-label={t('importWizard.log.title')}
        onScroll={onScroll}
        onWheel={readerScrolls}
        onKeyDown={readerScrolls}
        onPointerDown={readerScrolls}
        onTouchStart={readerScrolls}
        data-testid="request-log"
        data-kept={log.length}
        data-heard={heard}
      >
        {shown.length === 0 ? (
          <p className="hint">{t('importWizard.log.empty')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('importWizard.log.time')}</th>
                <th scope="col">{t('importWizard.log.status')}</th>
                <th scope="col">{t('importWizard.log.module')}</th>
                <th scope="col">{t('importWizard.log.target')}</th>
                <th scope="col">{t('importWizard.log.size')}</th>
                <th scope="col">{t('importWizard.log.ms')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((request) => (
                <LogRow key={request.seq} request={request} format={format} time={time} />
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}

/** A row renders once: a busy log re-renders only the rows that came in, not the thousand before them. */
const LogRow = memo(function LogRow({ request, format, time }: { request: LoggedRequest; format: Formatters; time: Intl.DateTimeFormat }) {
  return (
    <tr data-testid="log-row" data-status={request.status} className={request.status >= 400 ? 'log-miss' : undefined}>
      <td>{time.format(new Date(request.at))}</td>
      <td>{request.status}</td>
      <td className="log-module">{request.module === undefined ? '' : `${request.module}${request.version === undefined ? '' : `@${request.version}`}`}</td>
      <td className="log-target">
        {request.method} {request.target}
      </td>
      <td>{format.size(request.bytes)}</td>
      <td>{format.number(request.ms)}</td>
    </tr>
  );
});
