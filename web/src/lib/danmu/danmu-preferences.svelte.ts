import {
  defaultDanmuSettings,
  loadSettings,
  normalizeSettings,
  saveSettings,
  type DanmuSettings,
} from './danmu-settings.ts';

/**
 * The page's danmu settings as reactive state, shared by every player on the page (the watch page
 * and the swipe feed show the same choices) and kept in localStorage. `load()` reads them in the
 * browser; during SSR and before it the defaults hold.
 */
const state = $state<{ current: DanmuSettings; loaded: boolean }>({
  current: { ...defaultDanmuSettings },
  loaded: false,
});

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export const danmuPreferences = {
  get current(): DanmuSettings {
    return state.current;
  },
  /** Reads the stored settings once (call from onMount: reading state must not write it). */
  load(): void {
    if (state.loaded || typeof window === 'undefined') return;
    state.loaded = true;
    state.current = loadSettings(storage());
  },
  /** Applies and stores new settings (validated and clamped first). */
  update(next: Partial<DanmuSettings>): void {
    state.current = normalizeSettings({ ...state.current, ...next });
    saveSettings(storage(), state.current);
  },
  reset(): void {
    state.current = { ...defaultDanmuSettings };
    saveSettings(storage(), state.current);
  },
};
