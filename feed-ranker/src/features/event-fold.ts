import { MAX_RATE } from '@binge/core/protocol/watch-events';
import type { StoredWatchEvent } from '@binge/core/watch-events/event';
import { coWatchGains } from './co-watch.ts';

/**
 * Online features from watch events, as a pure fold: the prior features of each user, the events
 * of their play still open before the batch, and the batch itself in, the new user features, the
 * per-episode counter deltas and the co-watch gains out. apply-events.ts reads the inputs and
 * writes the outputs in a few set-based statements; everything that decides a number is here.
 *
 * Plays. A viewer watches one episode at a time. A play begins with a `start`, or implicitly with
 * a position event (heartbeat, pause, seek, speed) on an episode other than the open play's (the
 * start was lost), and ends at the first of: a `complete` or `swipe` on its episode, a position
 * event or `start` on another episode (the viewer left), or a `start` on the same episode (a
 * restart). Until then the other events of its episode (like, share, follow-up, unlock) belong to
 * it. A `complete` or `swipe` with no open play on its episode ends nothing and counts nothing.
 *
 * Watch time is the video time the playhead moved forward: each position event credits
 * `pos − last`, a seek credits `from − last` and then jumps to `pos`, rewinds credit nothing. A
 * step's credit is capped by the client time since the previous event times MAX_RATE (plus
 * ADVANCE_SLACK_MS), so a client that reports `start 0` then `complete 90000` in the same second
 * is credited about a second, and by what is left of the episode's duration.
 *
 * An early skip is a play begun by a `start` that ended by a swipe or by leaving (not completed,
 * not restarted) with less than EARLY_SKIP_MS of video watched: a swipe within the first 3 s, or
 * a pause-then-leave within them. A viewer who pauses in the first 3 s and closes the app sends
 * nothing more, so that play stays open and is judged when their next play begins.
 *
 * Habits are exponentially weighted over finished started plays (restarts excepted): 1 when the
 * play completed (completion) or was an early skip (skip), else 0. The k-th play moves the average
 * by max(EWMA_ALPHA, 1/k), so the first play sets it and the first ten are a plain mean.
 *
 * Affinity (per category id and tag id of the played series) decays by AFFINITY_DECAY_PER_DAY for
 * each day between a viewer's events, then gains AFFINITY_GAIN per watched second, like, share,
 * follow-up and unlock, and loses AFFINITY_GAIN.earlySkip per early skip (never below 0).
 * Weights under AFFINITY_MIN are dropped and at most MAX_AFFINITY_KEYS of each kind are kept.
 */

export const EARLY_SKIP_MS = 3_000;
export const EWMA_ALPHA = 0.1;
export const AFFINITY_DECAY_PER_DAY = 0.95;
export const AFFINITY_GAIN = {
  watchedSecond: 0.02,
  like: 2,
  share: 3,
  followUp: 4,
  unlock: 4,
  earlySkip: -0.5,
} as const;
export const AFFINITY_MIN = 0.01;
export const MAX_AFFINITY_KEYS = 64;
export const RECENT_SERIES_MAX = 20;
/** Client-time slack per step of the watch-time cap (heartbeats are not sent on the dot). */
export const ADVANCE_SLACK_MS = 1_000;

const DAY_MS = 24 * 3_600_000;

export type FoldEvent = Pick<
  StoredWatchEvent,
  | 'userId'
  | 'episodeId'
  | 'seriesId'
  | 'type'
  | 'positionMs'
  | 'durationMs'
  | 'fromMs'
  | 'clientAt'
  | 'receivedAt'
>;

export interface UserFeatureState {
  events: number;
  starts: number;
  completes: number;
  earlySkips: number;
  likes: number;
  shares: number;
  watchMs: number;
  completionEwma: number;
  skipEwma: number;
  categoryAffinity: Record<string, number>;
  tagAffinity: Record<string, number>;
  /** 24 counts of plays started per UTC hour. */
  activeHours: number[];
  /** Most recent first, distinct, at most RECENT_SERIES_MAX. */
  recentSeries: number[];
  /** Server time (ms) of the latest event applied; null before the first. */
  lastEventAt: number | null;
}

export interface ItemDelta {
  episodeId: number;
  seriesId: number;
  starts: number;
  completes: number;
  earlySkips: number;
  likes: number;
  shares: number;
  watchMs: number;
}

export interface SeriesInfo {
  categoryId: number;
  tagIds: readonly number[];
}

export interface FoldInput {
  /** Each user's features before the batch; a user missing here starts from none. */
  users: ReadonlyMap<number, UserFeatureState>;
  /** Each user's stored events before the batch (oldest first): their open play is rebuilt. */
  history: ReadonlyMap<number, readonly FoldEvent[]>;
  /** The batch, in the order it was received. */
  events: readonly FoldEvent[];
  /** Category and tags of every series the batch and history name (missing: no affinity). */
  series: ReadonlyMap<number, SeriesInfo>;
}

export interface FoldOutput {
  users: Map<number, UserFeatureState>;
  items: Map<number, ItemDelta>;
  /** Summed gains per (series, other), keyed `series:other`, stamped with the latest event. */
  coWatch: Map<string, { seriesId: number; otherId: number; weight: number; atMs: number }>;
}

export function emptyUserFeatures(): UserFeatureState {
  return {
    events: 0,
    starts: 0,
    completes: 0,
    earlySkips: 0,
    likes: 0,
    shares: 0,
    watchMs: 0,
    completionEwma: 0,
    skipEwma: 0,
    categoryAffinity: {},
    tagAffinity: {},
    activeHours: new Array<number>(24).fill(0),
    recentSeries: [],
    lastEventAt: null,
  };
}

function cloneState(state: UserFeatureState): UserFeatureState {
  const activeHours = new Array<number>(24).fill(0);
  state.activeHours.slice(0, 24).forEach((n, hour) => {
    activeHours[hour] = Number.isFinite(n) ? n : 0;
  });
  return {
    ...state,
    categoryAffinity: { ...state.categoryAffinity },
    tagAffinity: { ...state.tagAffinity },
    activeHours,
    recentSeries: [...state.recentSeries],
  };
}

interface Play {
  episodeId: number;
  seriesId: number;
  durationMs: number;
  /** Begun by a `start` (an implicit play is neither a skip nor a habit sample). */
  started: boolean;
  /** Which of the user's starts began it (1 = their first). */
  ordinal: number;
  lastPos: number;
  lastClientAt: number;
  watchedMs: number;
}

type PlayEnd = 'complete' | 'swipe' | 'left' | 'restart';

/** One user's events applied to their features, the shared item deltas and co-watch gains. */
class UserFold {
  play: Play | null = null;

  constructor(
    readonly state: UserFeatureState,
    private readonly items: FoldOutput['items'],
    private readonly coWatch: FoldOutput['coWatch'],
    private readonly series: ReadonlyMap<number, SeriesInfo>,
  ) {}

  private item(episodeId: number, seriesId: number): ItemDelta {
    let delta = this.items.get(episodeId);
    if (!delta) {
      delta = {
        episodeId,
        seriesId,
        starts: 0,
        completes: 0,
        earlySkips: 0,
        likes: 0,
        shares: 0,
        watchMs: 0,
      };
      this.items.set(episodeId, delta);
    }
    return delta;
  }

  private decayTo(at: number): void {
    const last = this.state.lastEventAt;
    if (last !== null && at > last) {
      const factor = AFFINITY_DECAY_PER_DAY ** ((at - last) / DAY_MS);
      for (const weights of [this.state.categoryAffinity, this.state.tagAffinity])
        for (const key of Object.keys(weights)) weights[key] = weights[key]! * factor;
    }
    if (last === null || at > last) this.state.lastEventAt = at;
  }

  private addAffinity(seriesId: number, amount: number): void {
    const info = this.series.get(seriesId);
    if (!info || amount === 0) return;
    const add = (weights: Record<string, number>, key: string) => {
      const next = (weights[key] ?? 0) + amount;
      if (next > 0) weights[key] = next;
      else delete weights[key];
    };
    add(this.state.categoryAffinity, String(info.categoryId));
    for (const tagId of new Set(info.tagIds)) add(this.state.tagAffinity, String(tagId));
  }

  private advance(play: Play, toPos: number, clientAt: number): void {
    const moved = toPos - play.lastPos;
    if (moved > 0) {
      const elapsed = Math.max(0, clientAt - play.lastClientAt);
      let credit = Math.min(moved, elapsed * MAX_RATE + ADVANCE_SLACK_MS);
      if (play.durationMs > 0)
        credit = Math.min(credit, Math.max(0, play.durationMs - play.lastPos));
      credit = Math.floor(credit);
      if (credit > 0) {
        play.watchedMs += credit;
        this.state.watchMs += credit;
        this.item(play.episodeId, play.seriesId).watchMs += credit;
        this.addAffinity(play.seriesId, (credit / 1000) * AFFINITY_GAIN.watchedSecond);
      }
    }
    play.lastPos = toPos;
    play.lastClientAt = Math.max(play.lastClientAt, clientAt);
  }

  private endPlay(how: PlayEnd): void {
    const play = this.play;
    this.play = null;
    if (!play) return;
    const completed = how === 'complete';
    const earlySkip =
      play.started && (how === 'swipe' || how === 'left') && play.watchedMs < EARLY_SKIP_MS;
    const item = this.item(play.episodeId, play.seriesId);
    if (completed) {
      this.state.completes += 1;
      item.completes += 1;
    }
    if (earlySkip) {
      this.state.earlySkips += 1;
      item.earlySkips += 1;
      this.addAffinity(play.seriesId, AFFINITY_GAIN.earlySkip);
    }
    if (play.started && how !== 'restart') {
      const alpha = play.ordinal <= 1 ? 1 : Math.max(EWMA_ALPHA, 1 / play.ordinal);
      this.state.completionEwma += alpha * ((completed ? 1 : 0) - this.state.completionEwma);
      this.state.skipEwma += alpha * ((earlySkip ? 1 : 0) - this.state.skipEwma);
    }
  }

  private openPlay(event: FoldEvent, started: boolean): void {
    this.play = {
      episodeId: event.episodeId,
      seriesId: event.seriesId,
      durationMs: Math.max(0, event.durationMs),
      started,
      ordinal: started ? this.state.starts : 0,
      lastPos: Math.max(0, event.positionMs),
      lastClientAt: event.clientAt,
      watchedMs: 0,
    };
  }

  private onThisEpisode(event: FoldEvent): Play | null {
    return this.play && this.play.episodeId === event.episodeId ? this.play : null;
  }

  apply(event: FoldEvent): void {
    const state = this.state;
    state.events += 1;
    this.decayTo(event.receivedAt);
    const pos = Math.max(0, event.positionMs);
    switch (event.type) {
      case 'start': {
        this.endPlay(this.play?.episodeId === event.episodeId ? 'restart' : 'left');
        state.starts += 1;
        this.item(event.episodeId, event.seriesId).starts += 1;
        const hour = new Date(event.clientAt).getUTCHours();
        if (Number.isInteger(hour)) state.activeHours[hour] = (state.activeHours[hour] ?? 0) + 1;
        for (const gain of coWatchGains(state.recentSeries, event.seriesId)) {
          const key = `${gain.seriesId}:${gain.otherId}`;
          const sum = this.coWatch.get(key);
          if (sum) {
            sum.weight += gain.weight;
            sum.atMs = Math.max(sum.atMs, event.receivedAt);
          } else this.coWatch.set(key, { ...gain, atMs: event.receivedAt });
        }
        state.recentSeries = [
          event.seriesId,
          ...state.recentSeries.filter((id) => id !== event.seriesId),
        ].slice(0, RECENT_SERIES_MAX);
        this.openPlay(event, true);
        return;
      }
      case 'heartbeat':
      case 'pause':
      case 'speed':
      case 'seek': {
        const play = this.onThisEpisode(event);
        if (!play) {
          this.endPlay('left');
          this.openPlay(event, false);
          return;
        }
        if (event.type === 'seek') {
          this.advance(play, Math.max(0, event.fromMs ?? pos), event.clientAt);
          play.lastPos = pos;
        } else this.advance(play, pos, event.clientAt);
        return;
      }
      case 'complete':
      case 'swipe': {
        const play = this.onThisEpisode(event);
        // Late for a play that already ended (the next one's start came first): nothing to end.
        if (!play) return;
        this.advance(play, pos, event.clientAt);
        this.endPlay(event.type);
        return;
      }
      case 'like':
        state.likes += 1;
        this.item(event.episodeId, event.seriesId).likes += 1;
        this.addAffinity(event.seriesId, AFFINITY_GAIN.like);
        return;
      case 'share':
        state.shares += 1;
        this.item(event.episodeId, event.seriesId).shares += 1;
        this.addAffinity(event.seriesId, AFFINITY_GAIN.share);
        return;
      case 'follow_up':
        this.addAffinity(event.seriesId, AFFINITY_GAIN.followUp);
        return;
      case 'unlock':
        this.addAffinity(event.seriesId, AFFINITY_GAIN.unlock);
        return;
    }
  }

  finish(): UserFeatureState {
    for (const weights of [this.state.categoryAffinity, this.state.tagAffinity]) {
      const kept = Object.entries(weights)
        .filter(([, weight]) => Number.isFinite(weight) && weight >= AFFINITY_MIN)
        .sort((a, b) => b[1] - a[1])
        .slice(0, MAX_AFFINITY_KEYS);
      for (const key of Object.keys(weights)) delete weights[key];
      for (const [key, weight] of kept) weights[key] = weight;
    }
    return this.state;
  }
}

/** The events of a user's play still open before the batch: from their last `start` on. */
function openPlayEvents(history: readonly FoldEvent[]): readonly FoldEvent[] {
  for (let i = history.length - 1; i >= 0; i -= 1)
    if (history[i]!.type === 'start') return history.slice(i);
  return history;
}

export function foldWatchEvents(input: FoldInput): FoldOutput {
  const output: FoldOutput = { users: new Map(), items: new Map(), coWatch: new Map() };
  const byUser = new Map<number, FoldEvent[]>();
  for (const event of input.events) {
    const list = byUser.get(event.userId);
    if (list) list.push(event);
    else byUser.set(event.userId, [event]);
  }
  for (const [userId, events] of byUser) {
    const prior = input.users.get(userId) ?? emptyUserFeatures();
    // Rebuild the open play on a scratch copy whose counters end where the real ones stand, so
    // the replayed start gets the ordinal it had, and nothing replayed is counted again.
    const scratchState = cloneState(prior);
    scratchState.starts = Math.max(0, prior.starts - 1);
    const scratch = new UserFold(scratchState, new Map(), new Map(), input.series);
    for (const event of openPlayEvents(input.history.get(userId) ?? [])) scratch.apply(event);
    const fold = new UserFold(cloneState(prior), output.items, output.coWatch, input.series);
    fold.play = scratch.play;
    for (const event of events) fold.apply(event);
    output.users.set(userId, fold.finish());
  }
  return output;
}
