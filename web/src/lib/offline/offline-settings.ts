/**
 * The viewer's offline choices kept on this device. The cap is not here: the service worker
 * enforces it and keeps it in its own store (media-manifest.ts).
 */
export interface OfflineSettings {
  allowCellular: boolean;
}

export const offlineSettingsKey = 'binge.offline';
export const defaultOfflineSettings: OfflineSettings = { allowCellular: false };

/** Reads the stored JSON; anything unreadable is the defaults, never an exception. */
export function parseOfflineSettings(raw: string | null): OfflineSettings {
  if (raw === null) return { ...defaultOfflineSettings };
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value === 'object' && value !== null && 'allowCellular' in value)
      return { allowCellular: (value as { allowCellular: unknown }).allowCellular === true };
  } catch {
    // fall through to the defaults
  }
  return { ...defaultOfflineSettings };
}

export function loadOfflineSettings(storage: Pick<Storage, 'getItem'> | null): OfflineSettings {
  try {
    return parseOfflineSettings(storage?.getItem(offlineSettingsKey) ?? null);
  } catch {
    // Storage blocked (privacy mode, sandboxed frame).
    return { ...defaultOfflineSettings };
  }
}

export function saveOfflineSettings(
  storage: Pick<Storage, 'setItem'> | null,
  settings: OfflineSettings,
): void {
  try {
    storage?.setItem(offlineSettingsKey, JSON.stringify(settings));
  } catch {
    // Storage full or blocked: the choice lasts for this page only.
  }
}
