/**
 * Where to pick an episode up from its synced progress, in seconds: nowhere (0) when it was barely
 * started or practically finished, since resuming into the credits helps nobody.
 */
export const resumeMinMs = 3_000;
export const resumeTailMs = 5_000;

export function resumePoint(progress: { pos: number; dur: number } | undefined): number {
  if (!progress) return 0;
  const { pos, dur } = progress;
  if (!(pos >= resumeMinMs) || !(dur > 0) || pos >= dur - resumeTailMs) return 0;
  return pos / 1000;
}
