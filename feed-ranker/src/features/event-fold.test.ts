import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { coWatchGains, COWATCH_RANK_DECAY, COWATCH_RECENT } from './co-watch.ts';
import {
  ADVANCE_SLACK_MS,
  emptyUserFeatures,
  foldWatchEvents,
  type FoldEvent,
  type SeriesInfo,
  type UserFeatureState,
} from './event-fold.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const DAY = 24 * 3_600_000;
const USER = 7;
const S1 = 100;
const S2 = 200;
const E1 = 1001; // S1 episode 1
const E2 = 1002; // S1 episode 2
const E3 = 2001; // S2 episode 1
const seriesOf: Record<number, number> = { [E1]: S1, [E2]: S1, [E3]: S2 };
const series = new Map<number, SeriesInfo>([
  [S1, { categoryId: 1, tagIds: [11, 12] }],
  [S2, { categoryId: 2, tagIds: [] }],
]);

function ev(
  atMs: number,
  type: FoldEvent['type'],
  episodeId: number,
  positionMs = 0,
  extra: Partial<FoldEvent> = {},
): FoldEvent {
  return {
    userId: USER,
    episodeId,
    seriesId: seriesOf[episodeId]!,
    type,
    positionMs,
    durationMs: 90_000,
    fromMs: null,
    clientAt: T0 + atMs,
    receivedAt: T0 + atMs,
    ...extra,
  };
}

/** The scripted session of the hand-computed example (see the expectations below). */
const session: FoldEvent[] = [
  ev(0, 'start', E1, 0),
  ev(10_000, 'heartbeat', E1, 10_000),
  ev(20_000, 'seek', E1, 80_000, { fromMs: 20_000 }),
  ev(30_000, 'complete', E1, 90_000),
  ev(31_000, 'like', E1, 90_000),
  ev(40_000, 'start', E3, 0),
  ev(41_000, 'swipe', E3, 1_500),
  ev(50_000, 'start', E2, 0),
  ev(DAY + 50_000, 'like', E2, 0),
];

function fold(
  events: FoldEvent[],
  prior?: UserFeatureState,
  history: FoldEvent[] = [],
): ReturnType<typeof foldWatchEvents> {
  return foldWatchEvents({
    users: new Map(prior ? [[USER, prior]] : []),
    history: new Map([[USER, history]]),
    events,
    series,
  });
}

const near = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-4,
    `${what}: ${actual} ≠ ${expected}`,
  );

describe('foldWatchEvents', () => {
  test('a scripted session gives the hand-computed features', () => {
    const { users, items, coWatch } = fold(session);
    const user = users.get(USER)!;
    // Watched: E1 10 s (heartbeat) + 10 s (up to the seek's start) + 10 s (80→90 s) = 30 s;
    // E3 1.5 s before the swipe, an early skip.
    assert.deepEqual(
      {
        events: user.events,
        starts: user.starts,
        completes: user.completes,
        earlySkips: user.earlySkips,
        likes: user.likes,
        shares: user.shares,
        watchMs: user.watchMs,
      },
      {
        events: 9,
        starts: 3,
        completes: 1,
        earlySkips: 1,
        likes: 2,
        shares: 0,
        watchMs: 31_500,
      },
    );
    // Play 1 completed (k = 1 sets the average), play 2 skipped (k = 2 moves it half way);
    // play 3 is still open.
    near(user.completionEwma, 0.5, 'completion');
    near(user.skipEwma, 0.5, 'skip');
    // Category 1 and tags 11, 12: 30 s × 0.02 + like 2 = 2.6, a day later × 0.95 + like 2.
    // Category 2: 1.5 s × 0.02 − 0.5 for the skip is below 0, so dropped.
    near(user.categoryAffinity['1'], 2.6 * 0.95 + 2, 'category 1');
    assert.equal(user.categoryAffinity['2'], undefined);
    near(user.tagAffinity['11'], 4.47, 'tag 11');
    near(user.tagAffinity['12'], 4.47, 'tag 12');
    assert.equal(user.activeHours.length, 24);
    assert.equal(user.activeHours[10], 3);
    assert.equal(
      user.activeHours.reduce((a, b) => a + b, 0),
      3,
    );
    assert.deepEqual(user.recentSeries, [S1, S2]);
    assert.equal(user.lastEventAt, T0 + DAY + 50_000);

    assert.deepEqual(items.get(E1), {
      episodeId: E1,
      seriesId: S1,
      starts: 1,
      completes: 1,
      earlySkips: 0,
      likes: 1,
      shares: 0,
      watchMs: 30_000,
    });
    assert.deepEqual(
      { ...items.get(E3) },
      {
        episodeId: E3,
        seriesId: S2,
        starts: 1,
        completes: 0,
        earlySkips: 1,
        likes: 0,
        shares: 0,
        watchMs: 1_500,
      },
    );
    assert.equal(items.get(E2)!.starts, 1);
    assert.equal(items.get(E2)!.likes, 1);
    // S1 → S2 and S2 → S1 were each a transition worth 1 to both directions.
    assert.equal(coWatch.get(`${S1}:${S2}`)!.weight, 2);
    assert.equal(coWatch.get(`${S2}:${S1}`)!.weight, 2);
    assert.equal(coWatch.size, 2);
  });

  test('folding a session in two batches gives what one batch gives, at every split', () => {
    const whole = fold(session).users.get(USER)!;
    for (let k = 1; k < session.length; k += 1) {
      const first = fold(session.slice(0, k));
      const second = fold(session.slice(k), first.users.get(USER), session.slice(0, k));
      const split = second.users.get(USER)!;
      assert.equal(split.watchMs, whole.watchMs, `watch ms, split at ${k}`);
      assert.equal(split.earlySkips, whole.earlySkips, `skips, split at ${k}`);
      assert.equal(split.completes, whole.completes, `completes, split at ${k}`);
      near(split.completionEwma, whole.completionEwma, `completion, split at ${k}`);
      near(split.skipEwma, whole.skipEwma, `skip, split at ${k}`);
      near(split.categoryAffinity['1'], whole.categoryAffinity['1']!, `affinity, split at ${k}`);
      assert.deepEqual(split.recentSeries, whole.recentSeries);
      // Item deltas of the two batches add up to those of the whole.
      for (const episodeId of [E1, E2, E3]) {
        const sum = (field: 'starts' | 'completes' | 'earlySkips' | 'watchMs' | 'likes') =>
          (first.items.get(episodeId)?.[field] ?? 0) + (second.items.get(episodeId)?.[field] ?? 0);
        const all = fold(session).items.get(episodeId)!;
        for (const field of ['starts', 'completes', 'earlySkips', 'watchMs', 'likes'] as const)
          assert.equal(sum(field), all[field], `${field} of ${episodeId}, split at ${k}`);
      }
    }
  });

  test('a pause in the first 3 s followed by another play is an early skip', () => {
    const { users, items } = fold([
      ev(0, 'start', E1, 0),
      ev(2_000, 'pause', E1, 2_000),
      ev(60_000, 'start', E3, 0),
    ]);
    assert.equal(users.get(USER)!.earlySkips, 1);
    assert.equal(items.get(E1)!.earlySkips, 1);
    assert.equal(items.get(E1)!.watchMs, 2_000);
  });

  test('leaving after 3 s, restarting, or a swipe with no play are not early skips', () => {
    const { users } = fold([
      ev(0, 'start', E1, 0),
      ev(3_000, 'swipe', E1, 3_000),
      ev(10_000, 'start', E3, 0),
      ev(11_000, 'start', E3, 0),
      ev(12_000, 'swipe', E2, 500),
    ]);
    const user = users.get(USER)!;
    // Play 1 watched exactly 3 s; play 2 was restarted; the swipe of an episode with no open play
    // (a late event of a play already over) ends nothing: play 3 is still open, judged later.
    assert.equal(user.earlySkips, 0);
    assert.equal(user.starts, 3);
    // Its next event finds it open: a complete after 60 s is a completion, not a skip.
    const later = fold([
      ev(0, 'start', E3, 0),
      ev(1_000, 'swipe', E2, 500),
      ev(60_000, 'complete', E3, 59_000),
    ]);
    assert.equal(later.users.get(USER)!.earlySkips, 0);
    assert.equal(later.items.get(E3)!.completes, 1);
  });

  test('watch time is capped by the client time between events', () => {
    const { users, items } = fold([ev(0, 'start', E1, 0), ev(0, 'complete', E1, 90_000)]);
    assert.equal(users.get(USER)!.watchMs, ADVANCE_SLACK_MS);
    assert.equal(items.get(E1)!.completes, 1);
    // A rewind credits nothing, and a heartbeat cannot credit beyond the duration.
    const rewound = fold([
      ev(0, 'start', E1, 50_000),
      ev(10_000, 'seek', E1, 0, { fromMs: 50_000 }),
      ev(20_000, 'heartbeat', E1, 5_000),
    ]);
    assert.equal(rewound.users.get(USER)!.watchMs, 5_000);
    const overshoot = fold([ev(0, 'start', E1, 85_000), ev(30_000, 'heartbeat', E1, 91_500)]);
    assert.equal(overshoot.users.get(USER)!.watchMs, 5_000);
  });

  test('heartbeats without a start make an implicit play: watched, but no start or skip', () => {
    const { users, items } = fold([
      ev(0, 'heartbeat', E1, 30_000),
      ev(1_000, 'heartbeat', E1, 31_000),
      ev(2_000, 'start', E3, 0),
    ]);
    const user = users.get(USER)!;
    assert.equal(user.starts, 1);
    assert.equal(user.earlySkips, 0);
    assert.equal(user.watchMs, 1_000);
    assert.equal(items.get(E1)!.starts, 0);
  });

  test('affinity decays per day between events and keeps prior weights', () => {
    const prior: UserFeatureState = {
      ...emptyUserFeatures(),
      categoryAffinity: { '1': 10, '9': 0.0101 },
      lastEventAt: T0 - 10 * DAY,
    };
    const { users } = fold([ev(0, 'share', E1)], prior);
    const user = users.get(USER)!;
    near(user.categoryAffinity['1'], 10 * 0.95 ** 10 + 3, 'decayed and shared');
    // 0.0101 × 0.95^10 is under AFFINITY_MIN: pruned.
    assert.equal(user.categoryAffinity['9'], undefined);
    assert.equal(user.shares, 1);
  });

  test('recent series stay distinct, most recent first, at most 20', () => {
    const many = new Map<number, SeriesInfo>();
    const events: FoldEvent[] = [];
    for (let i = 0; i < 25; i += 1) {
      many.set(500 + i, { categoryId: 1, tagIds: [] });
      events.push({ ...ev(i * 1000, 'start', E1), episodeId: 9000 + i, seriesId: 500 + i });
    }
    events.push({ ...ev(30_000, 'start', E1), episodeId: 9010, seriesId: 510 });
    const { users, coWatch } = foldWatchEvents({
      users: new Map(),
      history: new Map(),
      events,
      series: many,
    });
    const recent = users.get(USER)!.recentSeries;
    assert.equal(recent.length, 20);
    assert.equal(recent[0], 510);
    assert.equal(new Set(recent).size, 20);
    assert.equal(recent[1], 524);
    for (const gain of coWatch.values()) assert.notEqual(gain.seriesId, gain.otherId);
  });
});

describe('coWatchGains', () => {
  test('shares a weight of 1 by recency, both directions, never with itself', () => {
    const recent = [3, 2, 1];
    const gains = coWatchGains(recent, 2);
    const total = 1 + COWATCH_RANK_DECAY;
    assert.deepEqual(
      gains.map((g) => [g.seriesId, g.otherId, Number(g.weight.toFixed(6))]),
      [
        [3, 2, Number((1 / total).toFixed(6))],
        [2, 3, Number((1 / total).toFixed(6))],
        [1, 2, Number((COWATCH_RANK_DECAY / total).toFixed(6))],
        [2, 1, Number((COWATCH_RANK_DECAY / total).toFixed(6))],
      ],
    );
    assert.deepEqual(coWatchGains([2, 1], 2), [], 'already on this series: no transition');
    assert.deepEqual(coWatchGains([], 2), []);
    const long = coWatchGains(
      Array.from({ length: 20 }, (_, i) => i + 1),
      99,
    );
    assert.equal(long.length, COWATCH_RECENT * 2);
    near(
      long.filter((g) => g.otherId === 99).reduce((sum, g) => sum + g.weight, 0),
      1,
      'one transition is worth 1',
    );
  });
});
