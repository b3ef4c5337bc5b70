import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  categories,
  coWatch,
  itemFeatures,
  series as seriesTable,
  seriesTags,
  tags,
  userFeatures,
  users,
  watchEvents,
} from '@binge/core/db/schema';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { createTestSeeder, type TestSeeder } from '@binge/core/db/test-seed';
import type { StoredWatchEvent } from '@binge/core/watch-events/event';
import { and, eq, inArray, or } from 'drizzle-orm';
import { applyEventFeatures, recordImpressions } from './apply-events.ts';

const T0 = Date.parse('2026-11-20T10:00:00Z');
const DAY = 24 * 3_600_000;

function applyContract(kind: 'pglite' | 'postgres') {
  describe(`applyEventFeatures on ${kind}`, () => {
    let handle: TestDatabase;
    let seed: TestSeeder;
    let n = 0;
    let S1: number;
    let S2: number;
    let E1: number;
    let E2: number;
    let E3: number;
    let C1: number;
    let C2: number;
    let T1: number;
    let T2: number;
    const seriesOf = new Map<number, number>();

    before(async () => {
      handle = await openTestDatabase(kind);
      seed = createTestSeeder(handle.db);
      S1 = await seed.series();
      S2 = await seed.series();
      const [own] = await handle.db
        .select({ id: seriesTable.categoryId })
        .from(seriesTable)
        .where(eq(seriesTable.id, S1));
      C1 = own!.id;
      const [c2] = await handle.db
        .insert(categories)
        .values({ slug: `c2-${kind}`, nameEn: 'Romance', nameZh: '爱情' })
        .returning({ id: categories.id });
      C2 = c2!.id;
      await handle.db.update(seriesTable).set({ categoryId: C2 }).where(eq(seriesTable.id, S2));
      const tagRows = await handle.db
        .insert(tags)
        .values([
          { slug: `revenge-${kind}`, nameEn: 'Revenge', nameZh: '复仇' },
          { slug: `ceo-${kind}`, nameEn: 'CEO', nameZh: '霸总' },
        ])
        .returning({ id: tags.id });
      [T1, T2] = tagRows.map((row) => row.id) as [number, number];
      await handle.db.insert(seriesTags).values([
        { seriesId: S1, tagId: T1 },
        { seriesId: S1, tagId: T2 },
      ]);
      E1 = await seed.episode(S1, 1, true);
      E2 = await seed.episode(S1, 2, true);
      E3 = await seed.episode(S2, 1, true);
      seriesOf.set(E1, S1).set(E2, S1).set(E3, S2);
    });
    after(() => handle.close());

    function ev(
      userId: number,
      atMs: number,
      type: StoredWatchEvent['type'],
      episodeId: number,
      positionMs = 0,
      fromMs: number | null = null,
    ): StoredWatchEvent {
      const clientId = `ev-${kind}-${++n}-abcdef`;
      return {
        id: `${userId}:${clientId}`,
        clientId,
        userId,
        episodeId,
        seriesId: seriesOf.get(episodeId)!,
        type,
        positionMs,
        durationMs: 90_000,
        fromMs,
        rate: null,
        impression: null,
        clientAt: T0 + atMs,
        receivedAt: T0 + atMs,
        source: 'ws',
      };
    }

    /** What the event consumer does: store the batch and update features in one transaction. */
    async function consume(batch: StoredWatchEvent[]): Promise<void> {
      await handle.db.transaction(async (tx) => {
        await tx.insert(watchEvents).values(
          batch.map((event) => ({
            receivedAt: new Date(event.receivedAt),
            id: event.id,
            userId: event.userId,
            episodeId: event.episodeId,
            seriesId: event.seriesId,
            type: event.type,
            positionMs: event.positionMs,
            durationMs: event.durationMs,
            fromMs: event.fromMs,
            rate: event.rate,
            impression: event.impression,
            clientAt: new Date(event.clientAt),
            source: event.source,
          })),
        );
        await applyEventFeatures(tx, batch);
      });
    }

    /** The hand-computed session of event-fold.test.ts, for one user. */
    const session = (userId: number) => [
      ev(userId, 0, 'start', E1, 0),
      ev(userId, 10_000, 'heartbeat', E1, 10_000),
      ev(userId, 20_000, 'seek', E1, 80_000, 20_000),
      ev(userId, 30_000, 'complete', E1, 90_000),
      ev(userId, 31_000, 'like', E1, 90_000),
      ev(userId, 40_000, 'start', E3, 0),
      ev(userId, 41_000, 'swipe', E3, 1_500),
      ev(userId, 50_000, 'start', E2, 0),
      ev(userId, DAY + 50_000, 'like', E2, 0),
    ];

    async function featuresOf(userId: number) {
      const [row] = await handle.db
        .select()
        .from(userFeatures)
        .where(eq(userFeatures.userId, userId));
      return row!;
    }

    const near = (actual: number | undefined, expected: number, what: string) =>
      assert.ok(
        actual !== undefined && Math.abs(actual - expected) < 1e-4,
        `${what}: ${actual} ≠ ${expected}`,
      );

    test('a scripted session stores the hand-computed features, in one batch or split', async () => {
      const whole = await seed.user();
      await consume(session(whole));
      const row = await featuresOf(whole);
      assert.equal(row.events, 9);
      assert.equal(row.starts, 3);
      assert.equal(row.completes, 1);
      assert.equal(row.earlySkips, 1);
      assert.equal(row.likes, 2);
      assert.equal(row.watchMs, 31_500);
      near(row.completionEwma, 0.5, 'completion');
      near(row.skipEwma, 0.5, 'skip');
      near(row.categoryAffinity[String(C1)], 2.6 * 0.95 + 2, 'category');
      assert.equal(row.categoryAffinity[String(C2)], undefined);
      near(row.tagAffinity[String(T1)], 4.47, 'tag 1');
      near(row.tagAffinity[String(T2)], 4.47, 'tag 2');
      assert.equal(row.activeHours.length, 24);
      assert.equal(row.activeHours[10], 3);
      assert.deepEqual(row.recentSeries, [S1, S2]);
      assert.equal(row.lastEventAt?.getTime(), T0 + DAY + 50_000);

      // The same session cut into two batches at every point: each later batch rebuilds the
      // play left open by the one before from watch_events, and adds to what it stored.
      const events = session(whole).length;
      for (let k = 1; k < events; k += 1) {
        const user = await seed.user();
        const all = session(user);
        await consume(all.slice(0, k));
        await consume(all.slice(k));
        const split = await featuresOf(user);
        for (const field of [
          'events',
          'starts',
          'completes',
          'earlySkips',
          'likes',
          'watchMs',
        ] as const)
          assert.equal(split[field], row[field], `${field}, split at ${k}`);
        near(split.completionEwma, row.completionEwma, `completion, split at ${k}`);
        near(split.skipEwma, row.skipEwma, `skip, split at ${k}`);
        near(
          split.categoryAffinity[String(C1)],
          row.categoryAffinity[String(C1)]!,
          `affinity, split at ${k}`,
        );
        assert.deepEqual(split.recentSeries, row.recentSeries);
        assert.deepEqual(split.activeHours, row.activeHours);
      }

      // Nine users (one whole, eight split) played the session: item counters add up.
      const items = await handle.db
        .select()
        .from(itemFeatures)
        .where(inArray(itemFeatures.episodeId, [E1, E2, E3]));
      const byEpisode = new Map(items.map((item) => [item.episodeId, item]));
      const viewers = events;
      assert.deepEqual(
        (({ starts, completes, earlySkips, likes, watchMs, seriesId }) => ({
          starts,
          completes,
          earlySkips,
          likes,
          watchMs,
          seriesId,
        }))(byEpisode.get(E1)!),
        {
          starts: viewers,
          completes: viewers,
          earlySkips: 0,
          likes: viewers,
          watchMs: viewers * 30_000,
          seriesId: S1,
        },
      );
      assert.equal(byEpisode.get(E3)!.earlySkips, viewers);
      assert.equal(byEpisode.get(E3)!.watchMs, viewers * 1_500);
      assert.equal(byEpisode.get(E2)!.starts, viewers);

      // Co-watch: each viewer went S1 → S2 → S1, worth 2 in both directions (decay over the
      // seconds between viewers' batches is below the tolerance).
      const pairs = await handle.db
        .select()
        .from(coWatch)
        .where(or(eq(coWatch.seriesId, S1), eq(coWatch.seriesId, S2)));
      assert.equal(pairs.length, 2);
      for (const pair of pairs) {
        assert.notEqual(pair.seriesId, pair.otherId);
        near(pair.weight / viewers, 2, `co-watch ${pair.seriesId} → ${pair.otherId}`);
      }
    });

    test('co-watch rows decay with time between updates and stay symmetric', async () => {
      const a = await seed.series();
      const b = await seed.series();
      const ea = await seed.episode(a, 1, true);
      const eb = await seed.episode(b, 1, true);
      seriesOf.set(ea, a).set(eb, b);
      const u1 = await seed.user();
      const u2 = await seed.user();
      await consume([ev(u1, 0, 'start', ea), ev(u1, 5_000, 'start', eb)]);
      // Thirty days later (one half-life) another viewer makes the same transition.
      await consume([ev(u2, 30 * DAY, 'start', ea), ev(u2, 30 * DAY + 5_000, 'start', eb)]);
      const rows = await handle.db
        .select()
        .from(coWatch)
        .where(
          or(
            and(eq(coWatch.seriesId, a), eq(coWatch.otherId, b)),
            and(eq(coWatch.seriesId, b), eq(coWatch.otherId, a)),
          ),
        );
      assert.equal(rows.length, 2);
      for (const row of rows) {
        near(row.weight, 1.5, 'half of the first transition plus the second');
        assert.equal(row.updatedAt.getTime(), T0 + 30 * DAY + 5_000);
      }
    });

    test('events of deleted users or episodes are skipped without failing the batch', async () => {
      const gone = await seed.user();
      const kept = await seed.user();
      await handle.db.delete(users).where(eq(users.id, gone));
      const ghostSeries = await seed.series();
      const ghostEpisode = await seed.episode(ghostSeries, 1, true);
      seriesOf.set(ghostEpisode, ghostSeries);
      const ghostEvent = ev(kept, 1_000, 'start', ghostEpisode);
      await handle.db.delete(seriesTable).where(eq(seriesTable.id, ghostSeries));
      await consume([
        ev(gone, 0, 'start', E1),
        ev(kept, 0, 'start', E3),
        ghostEvent,
        ev(kept, 2_000, 'start', E1),
      ]);
      const rows = await handle.db
        .select()
        .from(userFeatures)
        .where(inArray(userFeatures.userId, [gone, kept]));
      assert.deepEqual(
        rows.map((row) => [row.userId, row.starts]),
        [[kept, 3]],
      );
      const ghost = await handle.db
        .select()
        .from(itemFeatures)
        .where(eq(itemFeatures.episodeId, ghostEpisode));
      assert.equal(ghost.length, 0);
      const self = await handle.db
        .select()
        .from(coWatch)
        .where(eq(coWatch.seriesId, coWatch.otherId));
      assert.equal(self.length, 0);
    });

    test('recordImpressions adds up per episode and refuses a bad id', async () => {
      const before = await handle.db
        .select({ impressions: itemFeatures.impressions })
        .from(itemFeatures)
        .where(eq(itemFeatures.episodeId, E2));
      const start = before[0]?.impressions ?? 0;
      await handle.db.transaction((tx) =>
        recordImpressions(tx, [
          { episodeId: E2, seriesId: S1 },
          { episodeId: E2, seriesId: S1 },
          { episodeId: E3, seriesId: S2 },
        ]),
      );
      await recordImpressions(handle.db, [{ episodeId: E2, seriesId: S1 }]);
      await recordImpressions(handle.db, []);
      const [row] = await handle.db
        .select({ impressions: itemFeatures.impressions, starts: itemFeatures.starts })
        .from(itemFeatures)
        .where(eq(itemFeatures.episodeId, E2));
      assert.equal(row!.impressions, start + 3);
      await assert.rejects(
        recordImpressions(handle.db, [{ episodeId: -1, seriesId: S1 }]),
        /not an episode id/,
      );
    });
  });
}

applyContract('pglite');
applyContract('postgres');
