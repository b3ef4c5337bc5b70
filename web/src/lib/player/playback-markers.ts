import type { PlaybackInfo } from '@binge/core/protocol/catalog';

export interface MarkerState {
  /** Inside the intro: offer "Skip intro". */
  skipIntro: boolean;
  /** Past the outro start (or in the final seconds when there is no outro): offer the next episode. */
  nextPrompt: boolean;
}

/** Without an outro marker the next-episode prompt shows this long before the end. */
export const nextPromptLeadMs = 5000;

export function markerState(
  positionMs: number,
  info: Pick<PlaybackInfo, 'intro' | 'outro' | 'next' | 'durationMs'>,
): MarkerState {
  const skipIntro =
    info.intro !== null && positionMs >= info.intro.startMs && positionMs < info.intro.endMs - 250;
  let nextPrompt = false;
  if (info.next) {
    if (info.outro) nextPrompt = positionMs >= info.outro.startMs;
    else if (info.durationMs > nextPromptLeadMs * 2)
      nextPrompt = positionMs >= info.durationMs - nextPromptLeadMs;
  }
  return { skipIntro, nextPrompt };
}
