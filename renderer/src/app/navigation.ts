import { create } from 'zustand';
import type { MessageKey } from '../i18n/catalog';
import { useStartStore } from '../start/startStore';

/** The screens that exist, in the order the navigation lists them. */
export const SCREENS = ['start', 'export', 'import', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export const SCREEN_TITLES = {
  start: 'screen.start',
  export: 'screen.export',
  import: 'screen.import',
  settings: 'screen.settings',
} as const satisfies Readonly<Record<Screen, MessageKey>>;

/** The screen a location hash (`#/export`) names, if it names one. */
export function screenFromHash(hash: string): Screen | undefined {
  const name = hash.replace(/^#\/?/, '');
  return (SCREENS as readonly string[]).includes(name) ? (name as Screen) : undefined;
}

export function hashOf(screen: Screen): string {
  return `#/${screen}`;
}

/** With no screen in the address, a machine known to be online opens on Export, one known to be offline on Import, any other on Start. */
function firstScreen(): Screen {
  const side = useStartStore.getState().side;
  return side === 'online' ? 'export' : side === 'offline' ? 'import' : 'start';
}

interface NavigationState {
  screen: Screen;
  go(screen: Screen): void;
  /** The address bar or the back button changed the hash. */
  hashChanged(hash: string): void;
}

/** Where the app is. The hash carries it, so back and forward move between screens. */
export const useNavigation = create<NavigationState>((set) => ({
  screen: screenFromHash(location.hash) ?? firstScreen(),
  go: (screen) => {
    if (location.hash !== hashOf(screen)) location.hash = hashOf(screen);
    set({ screen });
  },
  hashChanged: (hash) => set({ screen: screenFromHash(hash) ?? firstScreen() }),
}));
