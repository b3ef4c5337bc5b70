import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  categories,
  coWatch,
  engagementEdges,
  itemFeatures,
  series as seriesTable,
  seriesTags,
  tags,
  userFeatures,
  watchProgress,
} from '@binge/core/db/schema';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { createTestSeeder } from '@binge/core/db/test-seed';
import { eq } from 'drizzle-orm';
import type { Candidate } from '../candidates/merge.ts';
import { COWATCH_RANK_DECAY } from './co-watch.ts';
import { heuristicScores } from './heuristic.ts';
import { SERVING_DIM, SERVING_FEATURES, type ServingFeature } from './spec.ts';
import { buildFeatureRows } from './vector.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

function vectorContract(kind: 'pglite' | 'postgres') {
  describe(`buildFeatureRows on ${kind}`, () => {
    let handle: TestDatabase;
    let viewer: number;
    let catA: number;
    let catB: number;
    let tag: number;
    let showA: number;
    let showB: number;
    let a1: number;
    let a2: number;
    let b1: number;
    let candidates: Candidate[];

    before(async () => {
      handle = await openTestDatabase(kind);
      const seed = createTestSeeder(handle.db);
      viewer = await seed.user();
      showA = await seed.series({ publishedAt: ago(10 * DAY), views: 99 });
      showB = await seed.series({ publishedAt: ago(2 * DAY) });
      const [own] = await handle.db
        .select({ id: seriesTable.categoryId })
        .from(seriesTable)
        .where(eq(seriesTable.id, showA));
      catA = own!.id;
      const [other] = await handle.db
        .insert(categories)
        .values({ slug: `vec-${kind}`, nameEn: 'B', nameZh: '乙' })
        .returning({ id: categories.id });
      catB = other!.id;
      await handle.db
        .update(seriesTable)
        .set({ categoryId: catB })
        .where(eq(seriesTable.id, showB));
      const [t] = await handle.db
        .insert(tags)
        .values({ slug: `vec-tag-${kind}`, nameEn: 'Revenge', nameZh: '复仇' })
        .returning({ id: tags.id });
      tag = t!.id;
      await handle.db.insert(seriesTags).values({ seriesId: showA, tagId: tag });
      a1 = await seed.episode(showA, 1, true);
      a2 = await seed.episode(showA, 2, true);
      await seed.episode(showA, 3, true);
      b1 = await seed.episode(showB, 1, true);
      await handle.db.insert(itemFeatures).values({
        episodeId: a1,
        seriesId: showA,
        impressions: 10,
        starts: 5,
        completes: 5,
        watchMs: 450_000,
      });
      const hours = new Array<number>(24).fill(0);
      hours[12] = 3;
      hours[20] = 1;
      await handle.db.insert(userFeatures).values({
        userId: viewer,
        events: 40,
        starts: 4,
        completes: 3,
        completionEwma: 0.75,
        skipEwma: 0.25,
        categoryAffinity: { [String(catA)]: 3, [String(catB)]: 1 },
        tagAffinity: { [String(tag)]: 2, '424242': 2 },
        activeHours: hours,
        recentSeries: [showA],
        lastEventAt: ago(HOUR),
      });
      await handle.db.insert(watchProgress).values({
        userId: viewer,
        episodeId: a1,
        positionMs: 88_000,
        durationMs: 90_000,
        hlcWallMs: ago(HOUR).getTime(),
        hlcCounter: 0,
        hlcNode: 'test',
        updatedAt: ago(HOUR),
      });
      await handle.db.insert(engagementEdges).values({
        userId: viewer,
        kind: 'follow_up',
        targetType: 'series',
        targetId: showA,
        present: true,
        hlcWallMs: ago(DAY).getTime(),
        hlcCounter: 0,
        hlcNode: 'test',
      });
      await handle.db
        .insert(coWatch)
        .values({ seriesId: showA, otherId: showB, weight: 2, updatedAt: NOW });
      candidates = [
        { episodeId: a2, seriesId: showA, source: 'continue', sourceScore: 1 },
        { episodeId: b1, seriesId: showB, source: 'cowatch', sourceScore: 1 },
        { episodeId: a1, seriesId: showA, source: 'hot', sourceScore: 0.5 },
      ];
    });
    after(() => handle.close());

    const valueOf = (x: Float32Array, row: number, name: ServingFeature) =>
      x[row * SERVING_DIM + SERVING_FEATURES.indexOf(name)]!;
    const close = (actual: number, expected: number, what: string) =>
      assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} ≠ ${expected}`);

    test('a known viewer: item, habit and cross features in spec order, all finite', async () => {
      const { x, rows, contexts } = await buildFeatureRows(handle.db, viewer, candidates, NOW);
      assert.equal(rows, 3);
      assert.equal(x.length, 3 * SERVING_DIM);
      for (const value of x) assert.ok(Number.isFinite(value));

      // Row 0: episode 2 of the followed series whose episode 1 was just watched to the end.
      close(valueOf(x, 0, 'cross_is_next_episode'), 1, 'next episode');
      close(valueOf(x, 0, 'cross_follows_series'), 1, 'follows');
      close(valueOf(x, 0, 'cross_series_recent'), 1, 'most recent series');
      close(valueOf(x, 0, 'cross_series_progress'), 1 / 3, 'one of three episodes');
      close(valueOf(x, 0, 'cross_category_affinity'), 3 / 4, 'category share');
      close(valueOf(x, 0, 'cross_tag_affinity'), 2 / 4, 'tag share');
      close(valueOf(x, 0, 'cross_hour_activity'), 3 / 4, 'plays at 12:00 UTC');
      close(valueOf(x, 0, 'item_episode_number'), 2, 'episode number');
      close(valueOf(x, 0, 'item_log_series_popularity'), Math.log1p(99), 'series views');
      close(valueOf(x, 0, 'item_log_age_days'), Math.log1p(10), 'age');
      close(valueOf(x, 0, 'item_log_duration_s'), Math.log1p(90), 'duration');
      close(valueOf(x, 0, 'src_continue'), 1, 'source');
      close(valueOf(x, 0, 'src_hot'), 0, 'source');
      close(valueOf(x, 0, 'user_completion_ewma'), 0.75, 'habit');
      close(valueOf(x, 0, 'user_is_new'), 0, 'four plays');
      close(valueOf(x, 0, 'user_log_events'), Math.log1p(40), 'events');
      assert.deepEqual(contexts[0], {
        categoryId: catA,
        isFree: true,
        episodeNumber: 2,
        binging: true,
        watchedRatio: 0,
        tagIds: [tag],
      });

      // Row 1: a co-watch neighbour in the other category.
      close(valueOf(x, 1, 'cross_cowatch'), Math.log1p(2 * COWATCH_RANK_DECAY ** 0), 'co-watch');
      close(valueOf(x, 1, 'cross_category_affinity'), 1 / 4, 'category share');
      close(valueOf(x, 1, 'cross_tag_affinity'), 0, 'no tags');
      close(valueOf(x, 1, 'cross_is_next_episode'), 0, 'not next');
      close(valueOf(x, 1, 'cross_series_recent'), 0, 'not recent');
      close(valueOf(x, 1, 'src_cowatch'), 1, 'source');
      assert.equal(contexts[1]!.binging, false);
      assert.equal(contexts[1]!.categoryId, catB);

      // Row 2: episode 1, already watched, with its item statistics smoothed.
      close(valueOf(x, 2, 'item_start_rate'), (5 + 6) / 30, 'start rate');
      close(valueOf(x, 2, 'item_completion_rate'), (5 + 3.5) / 15, 'completion rate');
      close(valueOf(x, 2, 'item_mean_watch_ratio'), (5 + 4) / 15, 'watch ratio');
      close(valueOf(x, 2, 'item_log_impressions'), Math.log1p(10), 'impressions');
      close(valueOf(x, 2, 'cross_is_next_episode'), 0, 'not next');
      close(contexts[2]!.watchedRatio, 88 / 90, 'watched ratio');
      assert.equal(contexts[2]!.binging, true);

      // The heuristic ranks the viewer's next episode above the neighbour it knows less of.
      const scores = heuristicScores(x, rows);
      assert.ok(scores[0]! > scores[1]!);
    });

    test('an anonymous viewer: no cross signal, new-user habits, still finite', async () => {
      const { x, rows, contexts } = await buildFeatureRows(handle.db, null, candidates, NOW);
      assert.equal(rows, 3);
      for (const value of x) assert.ok(Number.isFinite(value));
      for (let r = 0; r < rows; r += 1) {
        for (const name of SERVING_FEATURES.filter((n) => n.startsWith('cross_')))
          assert.equal(valueOf(x, r, name), 0, `${name} of row ${r}`);
        assert.equal(valueOf(x, r, 'user_is_new'), 1);
        assert.equal(valueOf(x, r, 'user_log_events'), 0);
        assert.equal(contexts[r]!.binging, false);
        assert.equal(contexts[r]!.watchedRatio, 0);
      }
      close(valueOf(x, 2, 'item_start_rate'), 11 / 30, 'item features do not need a viewer');
    });

    test('a viewer without features, an unknown episode and no candidates', async () => {
      const stranger = (await createTestSeeder(handle.db).user()) as number;
      const { x, contexts } = await buildFeatureRows(
        handle.db,
        stranger,
        [
          ...candidates,
          { episodeId: 2_000_000, seriesId: 2_000_000, source: 'backfill', sourceScore: 0 },
        ],
        NOW,
      );
      for (const value of x) assert.ok(Number.isFinite(value));
      assert.equal(valueOf(x, 0, 'user_is_new'), 1);
      assert.equal(valueOf(x, 3, 'src_backfill'), 1);
      assert.equal(contexts[3]!.episodeNumber, 1);
      const empty = await buildFeatureRows(handle.db, viewer, [], NOW);
      assert.deepEqual([empty.rows, empty.x.length, empty.contexts], [0, 0, []]);
    });
  });
}

vectorContract('pglite');
vectorContract('postgres');
