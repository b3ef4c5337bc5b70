import type { PlaybackInfo } from '@binge/core/protocol/catalog';
import { planSlots } from './slot-plan.ts';
import { VideoSlot, type VideoSlotOptions } from './video-slot.ts';

export interface VideoPoolOptions extends VideoSlotOptions {
  /** Elements kept; the feed uses 4 (previous, current, two ahead). */
  size: number;
  /**
   * Buffer the neighbours' first segments before they are shown. Off, only the current episode is
   * loaded (the benchmark's peer: what a feed without a pool does).
   */
  preload: boolean;
}

/**
 * A fixed set of video elements reused across a feed's episodes (video-slot.ts says why). The feed
 * tells it which episodes it wants warm, in priority order; slot-plan.ts decides which element
 * holds which, so an element that already buffered an episode keeps it.
 */
export class VideoPool {
  readonly slots: VideoSlot[];
  private readonly preload: boolean;

  constructor(document: Document, options: VideoPoolOptions) {
    this.slots = Array.from({ length: options.size }, () => new VideoSlot(document, options));
    this.preload = options.preload;
  }

  slotFor(episodeId: number): VideoSlot | null {
    return this.slots.find((slot) => slot.episodeId === episodeId) ?? null;
  }

  /**
   * Loads what is wanted and not held. `info` gives an episode's playback (undefined: not known
   * yet, the slot stays free for now); `startAt` its resume point in seconds.
   */
  arrange(
    wanted: readonly number[],
    info: (episodeId: number) => PlaybackInfo | undefined,
    startAt: (episodeId: number) => number,
  ): void {
    const known = wanted.filter((episodeId) => info(episodeId) !== undefined);
    const target = this.preload ? known : known.slice(0, 1);
    const plan = planSlots(
      target,
      this.slots.map((slot) => slot.episodeId),
    );
    plan.forEach((episodeId, index) => {
      const slot = this.slots[index]!;
      if (slot.episodeId === episodeId) return;
      if (episodeId === null) {
        if (slot.episodeId !== null) slot.unload();
        return;
      }
      void slot.load(info(episodeId)!, startAt(episodeId), episodeId === target[0]);
    });
  }

  destroy(): void {
    for (const slot of this.slots) slot.destroy();
  }
}
