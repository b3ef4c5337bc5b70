import type { LaneMode } from './lane-allocator.ts';

/**
 * What a viewer chooses about danmu, kept per device in localStorage. Every value read back is
 * validated and clamped: storage is user-editable and survives app versions, so anything unknown
 * or out of range falls back to its default instead of breaking the player.
 */
export interface DanmuSettings {
  enabled: boolean;
  /** Share of other viewers' danmu shown, 0.1–1 (your own always show). */
  density: number;
  /** Share of the height danmu may use. */
  area: DisplayArea;
  /** 0.2–1. */
  opacity: number;
  /** Font size of a normal-size danmu in CSS pixels, 14–36. */
  fontSize: number;
  /** Danmu containing any of these (case-insensitive) are hidden. */
  blockedKeywords: string[];
  /** Modes hidden altogether. */
  blockedModes: LaneMode[];
}

export const displayAreas = [0.25, 0.5, 0.75, 1] as const;
export type DisplayArea = (typeof displayAreas)[number];

export const danmuModes: readonly LaneMode[] = ['scroll', 'top', 'bottom'];

export const settingsLimits = {
  density: { min: 0.1, max: 1, step: 0.1 },
  opacity: { min: 0.2, max: 1, step: 0.05 },
  fontSize: { min: 14, max: 36, step: 1 },
  /** Most blocked keywords, and the longest one in characters. */
  keywords: 100,
  keywordLength: 30,
} as const;

export const defaultDanmuSettings: Readonly<DanmuSettings> = Object.freeze({
  enabled: true,
  density: 1,
  area: 0.5,
  opacity: 0.9,
  fontSize: 20,
  blockedKeywords: [],
  blockedModes: [],
});

export const danmuSettingsKey = 'binge.danmu.settings';

function clamp(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}

/** One blocked keyword as stored: trimmed, single-spaced, bounded; null when nothing is left. */
export function cleanKeyword(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(/\s+/g, ' ').trim().slice(0, settingsLimits.keywordLength);
  return text === '' ? null : text;
}

/** Any value (parsed JSON, a form's state) as valid settings. */
export function normalizeSettings(value: unknown): DanmuSettings {
  const input =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const d = defaultDanmuSettings;
  const keywords: string[] = [];
  const seen = new Set<string>();
  if (Array.isArray(input.blockedKeywords)) {
    for (const raw of input.blockedKeywords) {
      const keyword = cleanKeyword(raw);
      if (keyword === null || seen.has(keyword.toLowerCase())) continue;
      seen.add(keyword.toLowerCase());
      keywords.push(keyword);
      if (keywords.length === settingsLimits.keywords) break;
    }
  }
  const modes = Array.isArray(input.blockedModes)
    ? danmuModes.filter((mode) => (input.blockedModes as unknown[]).includes(mode))
    : [];
  const area = displayAreas.find((option) => option === input.area) ?? d.area;
  const { density, opacity, fontSize } = settingsLimits;
  return {
    enabled: typeof input.enabled === 'boolean' ? input.enabled : d.enabled,
    density: Math.round(clamp(input.density, density.min, density.max, d.density) * 10) / 10,
    area,
    opacity: Math.round(clamp(input.opacity, opacity.min, opacity.max, d.opacity) * 100) / 100,
    fontSize: Math.round(clamp(input.fontSize, fontSize.min, fontSize.max, d.fontSize)),
    blockedKeywords: keywords,
    blockedModes: modes,
  };
}

type ReadableStorage = Pick<Storage, 'getItem'>;
type WritableStorage = Pick<Storage, 'setItem'>;

/** The stored settings, or the defaults when there are none, they are garbage or storage fails. */
export function loadSettings(storage: ReadableStorage | null): DanmuSettings {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(danmuSettingsKey) ?? null;
  } catch {
    // Storage disabled (privacy mode, a sandboxed webview): defaults for this page.
  }
  if (raw === null) return normalizeSettings({});
  try {
    return normalizeSettings(JSON.parse(raw));
  } catch {
    return normalizeSettings({});
  }
}

/** Stores the settings; false when storage refused (full, disabled): they still apply now. */
export function saveSettings(storage: WritableStorage | null, settings: DanmuSettings): boolean {
  if (!storage) return false;
  try {
    storage.setItem(danmuSettingsKey, JSON.stringify(normalizeSettings(settings)));
    return true;
  } catch {
    return false;
  }
}
