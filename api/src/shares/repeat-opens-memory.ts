import { REPEAT_WINDOW_MS, type RepeatOpens } from './repeat-opens.ts';

/**
 * RepeatOpens in process memory. Every key lives the same window, so the Map's insertion order is
 * expiry order: expired keys are swept from the front, and past `maxKeys` (a flood of distinct
 * clients) the oldest go early, which at worst counts one of their later repeats again.
 */
export function createMemoryRepeatOpens(
  options: { windowMs?: number; maxKeys?: number; clock?: () => number } = {},
): RepeatOpens {
  const windowMs = options.windowMs ?? REPEAT_WINDOW_MS;
  const maxKeys = options.maxKeys ?? 100_000;
  const clock = options.clock ?? Date.now;
  const seenUntil = new Map<string, number>();

  return {
    async firstWithin(key) {
      const now = clock();
      for (const [oldest, until] of seenUntil) {
        if (until > now && seenUntil.size < maxKeys) break;
        seenUntil.delete(oldest);
      }
      const until = seenUntil.get(key);
      if (until !== undefined && until > now) return false;
      seenUntil.delete(key);
      seenUntil.set(key, now + windowMs);
      return true;
    },
  };
}
