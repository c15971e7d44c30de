import type { ModFerryBridge } from '../../shared/ipc/contract';

declare global {
  interface Window {
    modferry?: ModFerryBridge;
  }
}

/** The typed API from preload (or from the dev bridge in browser tests). */
export function bridge(): ModFerryBridge {
  if (!window.modferry) throw new Error('ModFerry bridge is missing: the page was opened outside the app');
  return window.modferry;
}
