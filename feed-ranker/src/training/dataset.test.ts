import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DatabaseHandle } from '@binge/core/db';
import { feedImpressions, watchEvents } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { SERVING_DIM } from '../features/spec.ts';
import { buildTrainingSet, labelPlay } from './dataset.ts';

const t0 = Date.parse('2025-03-10T12:00:00Z');
const minute = 60_000;

test('labelPlay: past 3 s is a play; seconds run from the start to the furthest point', () => {
  assert.deepEqual(
    labelPlay({ reachedMs: 20_000, startMs: 0, durationMs: 60_000, completed: false }),
    {
      watched: true,
      seconds: 20,
    },
  );
  assert.equal(
    labelPlay({ reachedMs: 2_000, startMs: 0, durationMs: 60_000, completed: false }).watched,
    false,
  );
  // Resumed at 40 s and left at 42 s: two seconds watched, not a play.
  assert.equal(
    labelPlay({ reachedMs: 42_000, startMs: 40_000, durationMs: 60_000, completed: false }).watched,
    false,
  );
  // A completion counts the rest of the episode; never more than its duration.
  assert.equal(
    labelPlay({ reachedMs: 10_000, startMs: 0, durationMs: 30_000, completed: true }).seconds,
    30,
  );
  assert.equal(
    labelPlay({ reachedMs: 31_500, startMs: null, durationMs: 30_000, completed: false }).seconds,
    30,
  );
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`training set on ${kind}`, () => {
    let handle: DatabaseHandle;
    before(async () => {
      handle = await openTestDatabase(kind);
    });
    after(() => handle.close());

    let eventNo = 0;
    const features = (marker: number) =>
      Array.from({ length: SERVING_DIM }, (_, i) => (i === 0 ? marker : 0.5));

    async function impression(
      id: string,
      at: number,
      values: { userId?: number | null; episodeId?: number; features?: number[] } = {},
    ): Promise<void> {
      await handle.db.insert(feedImpressions).values({
        servedAt: new Date(at),
        id,
        requestId: id.split('.')[0]!,
        userId: values.userId === undefined ? 7 : values.userId,
        position: Number(id.split('.')[1] ?? 0),
        episodeId: values.episodeId ?? 100,
        seriesId: 10,
        source: 'hot',
        score: 1,
        features: values.features ?? features(Number(id.split('.')[1] ?? 0)),
      });
    }

    async function event(
      type: 'start' | 'heartbeat' | 'seek' | 'complete' | 'swipe' | 'like',
      at: number,
      positionMs: number,
      values: {
        imp?: string | null;
        userId?: number;
        episodeId?: number;
        durationMs?: number;
        fromMs?: number;
      } = {},
    ): Promise<void> {
      eventNo += 1;
      await handle.db.insert(watchEvents).values({
        receivedAt: new Date(at),
        id: `e${eventNo}`,
        userId: values.userId ?? 7,
        episodeId: values.episodeId ?? 100,
        seriesId: 10,
        type,
        positionMs,
        durationMs: values.durationMs ?? 60_000,
        fromMs: values.fromMs ?? null,
        impression: values.imp ?? null,
        clientAt: new Date(at),
        source: 'ws',
      });
    }

    test('impressions are labelled from their token, else from the same play shortly after', async () => {
      // 1: token, played to 20 s, liked.
      await impression('r1.1', t0);
      await event('start', t0 + 1000, 0, { imp: 'r1.1' });
      await event('heartbeat', t0 + 11_000, 10_000, { imp: 'r1.1' });
      await event('like', t0 + 15_000, 14_000, { imp: 'r1.1' });
      await event('swipe', t0 + 21_000, 20_000, { imp: 'r1.1' });
      // 2: token, skipped at 2 s.
      await impression('r1.2', t0 + 1);
      await event('start', t0 + 30_000, 0, { imp: 'r1.2', episodeId: 101 });
      await event('swipe', t0 + 32_000, 2_000, { imp: 'r1.2', episodeId: 101 });
      // 3: no token; the same viewer completes the episode 10 minutes later.
      await impression('r2.3', t0 + minute, { episodeId: 102 });
      await event('start', t0 + 10 * minute, 0, { episodeId: 102, durationMs: 45_000 });
      await event('complete', t0 + 11 * minute, 45_000, { episodeId: 102, durationMs: 45_000 });
      // 4: no token; the play came 40 minutes later: not this impression's.
      await impression('r2.4', t0 + minute, { episodeId: 103 });
      await event('start', t0 + 41 * minute, 0, { episodeId: 103 });
      await event('heartbeat', t0 + 42 * minute, 30_000, { episodeId: 103 });
      // 5: a play on the same episode that carries another impression's token.
      await impression('r2.5', t0 + minute, { episodeId: 104 });
      await impression('r3.6', t0 + 2 * minute, { episodeId: 104, userId: 8 });
      await event('start', t0 + 3 * minute, 0, { episodeId: 104, imp: 'r3.6' });
      await event('heartbeat', t0 + 3 * minute + 20_000, 20_000, { episodeId: 104, imp: 'r3.6' });
      // 7: a heartbeat overshooting the duration is capped at it.
      await impression('r4.7', t0 + 3 * minute, { episodeId: 105 });
      await event('start', t0 + 3 * minute + 100, 0, {
        episodeId: 105,
        imp: 'r4.7',
        durationMs: 30_000,
      });
      await event('heartbeat', t0 + 3 * minute + 5_000, 31_500, {
        episodeId: 105,
        imp: 'r4.7',
        durationMs: 30_000,
      });
      // 8: a seek that ends the play counts where it started, not where it jumped to.
      await impression('r4.8', t0 + 3 * minute, { episodeId: 106 });
      await event('start', t0 + 3 * minute + 100, 0, { episodeId: 106, imp: 'r4.8' });
      await event('seek', t0 + 3 * minute + 2_100, 50_000, {
        episodeId: 106,
        imp: 'r4.8',
        fromMs: 2_000,
      });
      // Left out: anonymous, an older feature list, outside the window.
      await impression('r5.1', t0 + 4 * minute, { userId: null });
      await impression('r5.2', t0 + 4 * minute, { features: [1, 2, 3] });
      await impression('r5.3', t0 + 4 * minute, {
        features: [...features(0).slice(1), Number.NaN],
      });
      await impression('r6.1', t0 - 2 * 86_400_000);

      const { set, servedAt, counts } = await buildTrainingSet(handle.db, {
        since: new Date(t0 - 86_400_000),
        until: new Date(t0 + 86_400_000),
      });
      assert.deepEqual(counts, {
        impressions: 10,
        rows: 8,
        positives: 4,
        liked: 1,
        joinedByToken: 5,
        joinedByTime: 1,
        skipped: 2,
      });
      assert.equal(set.rows, 8);
      assert.equal(set.x.length, 8 * SERVING_DIM);
      // Rows in serving order; feature 0 carries each impression's position as a marker.
      const markers = Array.from({ length: set.rows }, (_, r) => set.x[r * SERVING_DIM]);
      assert.deepEqual(markers, [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.ok(servedAt.every((at, i) => i === 0 || at >= servedAt[i - 1]!));
      assert.equal(servedAt[0], t0);
      assert.deepEqual([...set.watched], [1, 0, 1, 0, 0, 1, 1, 0]);
      assert.deepEqual([...set.weight], [20, 1, 45, 1, 1, 20, 30, 1]);
      assert.deepEqual([...set.liked], [1, 0, 0, 0, 0, 0, 0, 0]);
    });

    test('maxRows keeps the most recent impressions; bad windows are refused', async () => {
      const { set, counts } = await buildTrainingSet(handle.db, {
        since: new Date(t0 - 86_400_000),
        until: new Date(t0 + 86_400_000),
        maxRows: 3,
      });
      assert.equal(counts.impressions, 3);
      // The three latest signed-in impressions: r5.3 and r5.2 (skipped), then r4.8.
      assert.equal(set.rows, 1);
      assert.equal(set.x[0], 8);
      await assert.rejects(
        buildTrainingSet(handle.db, { since: new Date(t0), until: new Date(t0) }),
        RangeError,
      );
      await assert.rejects(
        buildTrainingSet(handle.db, { since: new Date(t0 - 1), until: new Date(t0), maxRows: 0 }),
        RangeError,
      );
    });
  });
}
