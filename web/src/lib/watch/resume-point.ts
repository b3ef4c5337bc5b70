/**
 * Where to pick an episode up from its synced progress, in seconds: nowhere (0) when it was barely
 * started or practically finished (its last 5 s, or last tenth when shorter), since resuming into
 * the credits helps nobody.
 */
export const resumeMinMs = 3_000;
export const resumeTailMs = 5_000;

export function resumePoint(
  progress: { positionMs: number; durationMs: number } | undefined,
): number {
  if (!progress) return 0;
  const { positionMs: pos, durationMs: dur } = progress;
  if (!(pos >= resumeMinMs) || !(dur > 0) || pos >= dur - Math.min(resumeTailMs, dur / 10))
    return 0;
  return pos / 1000;
}
