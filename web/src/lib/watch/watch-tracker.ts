import type { WatchEventInput, WatchEventType } from '@binge/core/protocol/watch-events';

/**
 * Turns what happens to the playing element into watch events (docs/protocol.md, "Watch events")
 * and progress writes. The element is anything with the media events and properties used here,
 * so the tracker runs against a plain EventTarget in unit tests.
 */
export interface TrackedMedia extends EventTarget {
  readonly currentTime: number;
  readonly duration: number;
  readonly paused: boolean;
  readonly playbackRate: number;
}

export interface WatchTrackerOptions {
  /** Sends a batch; resolves when delivered (a refused event is not retried). */
  send: (events: WatchEventInput[]) => Promise<unknown>;
  /** Records progress (the realtime client's setProgress: stamped, queued offline). */
  progress: (episodeId: number, positionMs: number, durationMs: number) => void;
  now?: () => number;
  newId?: () => string;
  /** While playing: a heartbeat event and a progress write this often. */
  heartbeatMs?: number;
  progressMs?: number;
  /** Queued events go out after this long, or at once when this many wait. */
  flushMs?: number;
  flushCount?: number;
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

function randomId(): string {
  return `w${crypto.randomUUID().replaceAll('-', '')}`.slice(0, 32);
}

export class WatchTracker {
  private queue: WatchEventInput[] = [];
  private media: TrackedMedia | null = null;
  private episodeId = 0;
  private durationMs = 0;
  private impression: string | undefined;
  private started = false;
  private completed = false;
  private seekFrom: number | null = null;
  private lastPosMs = 0;
  private lastProgressAt = 0;
  private lastHeartbeatAt = 0;
  private detach: (() => void) | null = null;
  private readonly timer: unknown;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly clear: (handle: unknown) => void;

  constructor(private readonly options: WatchTrackerOptions) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomId;
    const every = options.setInterval ?? ((fn, ms) => setInterval(fn, ms));
    this.clear = options.clearInterval ?? ((handle) => clearInterval(handle as number));
    this.timer = every(() => this.tick(), 1_000);
  }

  /** Follows one play of an episode; the previous one ends (as a swipe away if it was playing). */
  follow(media: TrackedMedia, episodeId: number, durationMs: number, impression?: string): void {
    this.leave();
    this.media = media;
    this.episodeId = episodeId;
    this.durationMs = durationMs;
    this.impression = impression;
    this.started = false;
    this.completed = false;
    this.seekFrom = null;
    this.lastPosMs = this.positionMs();
    const handlers: Record<string, () => void> = {
      playing: () => {
        if (!this.started) {
          this.started = true;
          this.lastHeartbeatAt = this.now();
          this.record('start');
        }
      },
      pause: () => {
        if (this.started && !this.completed && !this.ended()) this.record('pause');
        this.writeProgress();
      },
      seeking: () => {
        this.seekFrom ??= this.lastPosMs;
      },
      seeked: () => {
        if (this.seekFrom !== null && this.started) this.record('seek', { from: this.seekFrom });
        this.seekFrom = null;
        this.writeProgress();
      },
      ratechange: () => {
        const rate = media.playbackRate;
        if (this.started && rate >= 0.25 && rate <= 4) this.record('speed', { rate });
      },
      ended: () => {
        if (!this.completed) {
          this.completed = true;
          this.record('complete');
          this.writeProgress();
          this.flush();
        }
      },
      timeupdate: () => {
        if (this.seekFrom === null) this.lastPosMs = this.positionMs();
      },
    };
    for (const [name, handler] of Object.entries(handlers)) media.addEventListener(name, handler);
    this.detach = () => {
      for (const [name, handler] of Object.entries(handlers))
        media.removeEventListener(name, handler);
    };
  }

  /** The viewer moved on (swiped away, navigated): records where, and flushes. */
  leave(): void {
    if (this.media && this.started) {
      if (!this.completed) this.record('swipe');
      this.writeProgress();
    }
    this.detach?.();
    this.detach = null;
    this.media = null;
    this.flush();
  }

  /** An action on the episode being watched: like, share, follow_up, unlock. */
  action(type: Extract<WatchEventType, 'like' | 'share' | 'follow_up' | 'unlock'>): void {
    if (this.media) this.record(type);
  }

  private positionMs(): number {
    const media = this.media;
    if (!media) return 0;
    const limit = this.durationMs + 2_000;
    return Math.min(Math.max(Math.round(media.currentTime * 1000), 0), limit);
  }

  private ended(): boolean {
    const media = this.media;
    return media !== null && media.duration > 0 && media.currentTime >= media.duration - 0.05;
  }

  private record(t: WatchEventType, extra: { from?: number; rate?: number } = {}): void {
    if (!this.media) return;
    const event: WatchEventInput = {
      id: this.newId(),
      t,
      eid: this.episodeId,
      pos: this.positionMs(),
      at: this.now(),
      ...(extra.from !== undefined ? { from: extra.from } : {}),
      ...(extra.rate !== undefined ? { rate: extra.rate } : {}),
      ...(this.impression ? { imp: this.impression } : {}),
    };
    this.queue.push(event);
    if (this.queue.length >= (this.options.flushCount ?? 20)) this.flush();
  }

  private writeProgress(): void {
    const media = this.media;
    if (!media || !this.started) return;
    const duration =
      Number.isFinite(media.duration) && media.duration > 0
        ? media.duration * 1000
        : this.durationMs;
    const position = Math.min(this.positionMs(), Math.round(duration));
    this.lastProgressAt = this.now();
    this.options.progress(this.episodeId, position, Math.round(duration));
  }

  private tick(): void {
    const media = this.media;
    const now = this.now();
    if (media && this.started && !media.paused) {
      if (now - this.lastHeartbeatAt >= (this.options.heartbeatMs ?? 15_000)) {
        this.lastHeartbeatAt = now;
        this.record('heartbeat');
      }
      if (now - this.lastProgressAt >= (this.options.progressMs ?? 5_000)) this.writeProgress();
    }
    if (
      this.queue.length > 0 &&
      now - (this.queue[0]?.at ?? now) >= (this.options.flushMs ?? 5_000)
    )
      this.flush();
  }

  /** Sends what is queued; a failed send keeps the events for the next try (ids dedupe). */
  flush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, 100);
    this.options.send(batch).catch(() => {
      this.queue.unshift(...batch);
      // Keep the queue bounded while offline: the oldest heartbeats matter least.
      if (this.queue.length > 500) this.queue.splice(0, this.queue.length - 500);
    });
  }

  pending(): readonly WatchEventInput[] {
    return this.queue;
  }

  destroy(): void {
    this.leave();
    this.clear(this.timer);
  }
}
