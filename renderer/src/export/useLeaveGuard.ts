import { useEffect } from 'react';

/** While `active`, closing or reloading the page asks first: the browser's own prompt (beforeunload). */
export function useLeaveGuard(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const ask = (event: BeforeUnloadEvent): void => {
      event.preventDefault();
      // Chromium before 119 and Electron's older releases ask only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [active]);
}
