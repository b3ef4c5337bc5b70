import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  categories,
  coWatch,
  editorialPicks,
  engagementEdges,
  episodes,
  mediaAssets,
  series as seriesTable,
  userFeatures,
  watchProgress,
} from '@binge/core/db/schema';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { createTestSeeder, type TestSeeder } from '@binge/core/db/test-seed';
import { bumpSeriesActivity } from '@binge/core/rankings/activity';
import { createSqlRankingStore } from '@binge/core/rankings/store-sql';
import { CANDIDATE_SOURCES } from '@binge/core/feed/feed-service';
import { eq, inArray } from 'drizzle-orm';
import { generateCandidates, type Candidate } from './generate.ts';
import { keepStrongest } from './merge.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

function candidatesContract(kind: 'pglite' | 'postgres') {
  describe(`generateCandidates on ${kind}`, () => {
    let handle: TestDatabase;
    let seed: TestSeeder;
    let categoryN = 0;

    before(async () => {
      handle = await openTestDatabase(kind);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    async function category(): Promise<number> {
      const [row] = await handle.db
        .insert(categories)
        .values({ slug: `cand-${kind}-${++categoryN}`, nameEn: 'C', nameZh: '类' })
        .returning({ id: categories.id });
      return row!.id;
    }

    /** A published series with `count` playable episodes; returns its id and episode ids. */
    async function drama(
      count: number,
      values: { publishedAt?: Date; categoryId?: number; views?: number } = {},
    ): Promise<{ id: number; episodes: number[] }> {
      const id = await seed.series({ publishedAt: values.publishedAt ?? ago(30 * DAY) });
      if (values.categoryId !== undefined)
        await handle.db
          .update(seriesTable)
          .set({ categoryId: values.categoryId })
          .where(eq(seriesTable.id, id));
      const ids: number[] = [];
      for (let n = 1; n <= count; n += 1) ids.push(await seed.episode(id, n, true));
      if (values.views) await bumpSeriesActivity(handle.db, id, 'views', values.views, ago(HOUR));
      return { id, episodes: ids };
    }

    const refreshBoards = () => createSqlRankingStore(handle.db).refresh({ now: NOW });

    async function progress(userId: number, episodeId: number, positionMs: number, at: Date) {
      await handle.db.insert(watchProgress).values({
        userId,
        episodeId,
        positionMs,
        durationMs: 90_000,
        hlcWallMs: at.getTime(),
        hlcCounter: 0,
        hlcNode: 'test',
        updatedAt: at,
      });
    }

    const bySeries = (list: Candidate[], seriesId: number) =>
      list.filter((candidate) => candidate.seriesId === seriesId);

    test('an anonymous or new viewer gets hot, fresh, editorial and backfill only', async () => {
      const hot = await drama(2, { views: 50 });
      const fresh = await drama(2, { publishedAt: ago(DAY) });
      const picked = await drama(2);
      const old = await drama(2, { publishedAt: ago(300 * DAY) });
      await handle.db
        .insert(editorialPicks)
        .values({ seriesId: picked.id, position: 1, startsAt: ago(DAY) });
      await refreshBoards();
      const newcomer = await seed.user();
      for (const viewer of [null, newcomer]) {
        const list = await generateCandidates(handle.db, viewer, NOW, { perSource: 200 });
        const sources = new Set(list.map((candidate) => candidate.source));
        for (const source of sources)
          assert.ok(['hot', 'fresh', 'editorial', 'backfill'].includes(source), source);
        assert.deepEqual(bySeries(list, hot.id), [
          { episodeId: hot.episodes[0], seriesId: hot.id, source: 'hot', sourceScore: 1 },
        ]);
        const [newItem] = bySeries(list, fresh.id);
        assert.equal(newItem?.source, 'fresh', 'a new series without statistics is proposed');
        assert.equal(newItem?.episodeId, fresh.episodes[0]);
        assert.ok(newItem.sourceScore > 0.8 && newItem.sourceScore < 0.9);
        assert.equal(bySeries(list, picked.id)[0]?.source, 'editorial');
        assert.equal(bySeries(list, old.id)[0]?.source, 'backfill');
        assert.equal(new Set(list.map((c) => c.episodeId)).size, list.length, 'one per episode');
        for (const candidate of list) {
          assert.ok(CANDIDATE_SOURCES.includes(candidate.source));
          assert.ok(candidate.sourceScore >= 0 && candidate.sourceScore <= 1);
        }
      }
    });

    test('a viewer mid-way through a series continues at the resume episode and the next', async () => {
      const viewer = await seed.user();
      const show = await drama(4, { views: 10 });
      await refreshBoards();
      await progress(viewer, show.episodes[0]!, 88_000, ago(2 * DAY));
      await progress(viewer, show.episodes[1]!, 30_000, ago(HOUR));
      let list = bySeries(await generateCandidates(handle.db, viewer, NOW), show.id);
      assert.deepEqual(
        list.map((c) => [c.episodeId, c.source]),
        [
          [show.episodes[1], 'continue'],
          [show.episodes[2], 'continue'],
        ],
      );
      assert.ok(list[0]!.sourceScore > list[1]!.sourceScore);
      // Episode 3 watched to the end: the resume point moves on to 4, the last one.
      await progress(viewer, show.episodes[2]!, 85_000, ago(HOUR / 2));
      list = bySeries(await generateCandidates(handle.db, viewer, NOW), show.id);
      assert.deepEqual(
        list.map((c) => [c.episodeId, c.source]),
        [[show.episodes[3], 'continue']],
      );
      // The last episode watched too: nothing left of this series to propose.
      await progress(viewer, show.episodes[3]!, 90_000, ago(HOUR / 4));
      list = bySeries(
        await generateCandidates(handle.db, viewer, NOW, { perSource: 500 }),
        show.id,
      );
      assert.deepEqual(list, []);
    });

    test('a followed-up series without progress continues from episode 1', async () => {
      const viewer = await seed.user();
      const show = await drama(3);
      await handle.db.insert(engagementEdges).values({
        userId: viewer,
        kind: 'follow_up',
        targetType: 'series',
        targetId: show.id,
        present: true,
        hlcWallMs: ago(DAY).getTime(),
        hlcCounter: 0,
        hlcNode: 'test',
        updatedAt: ago(DAY),
      });
      const unfollowed = await drama(3);
      await handle.db.insert(engagementEdges).values({
        userId: viewer,
        kind: 'follow_up',
        targetType: 'series',
        targetId: unfollowed.id,
        present: false,
        hlcWallMs: ago(DAY).getTime(),
        hlcCounter: 0,
        hlcNode: 'test',
        updatedAt: ago(DAY),
      });
      const list = await generateCandidates(handle.db, viewer, NOW);
      assert.deepEqual(
        bySeries(list, show.id).map((c) => [c.episodeId, c.source]),
        [
          [show.episodes[0], 'continue'],
          [show.episodes[1], 'continue'],
        ],
      );
      assert.ok(bySeries(list, unfollowed.id).every((c) => c.source !== 'continue'));
    });

    test('co-watch neighbours of the recent series, strongest first', async () => {
      const viewer = await seed.user();
      const watched = await drama(2);
      const near = await drama(2);
      const far = await drama(2);
      const stranger = await drama(2);
      await handle.db
        .insert(userFeatures)
        .values({ userId: viewer, recentSeries: [watched.id], lastEventAt: ago(HOUR) });
      await handle.db.insert(coWatch).values([
        { seriesId: watched.id, otherId: near.id, weight: 3, updatedAt: ago(HOUR) },
        { seriesId: near.id, otherId: watched.id, weight: 3, updatedAt: ago(HOUR) },
        { seriesId: watched.id, otherId: far.id, weight: 1, updatedAt: ago(HOUR) },
        { seriesId: far.id, otherId: stranger.id, weight: 9, updatedAt: ago(HOUR) },
      ]);
      const list = await generateCandidates(handle.db, viewer, NOW);
      const [nearOne] = bySeries(list, near.id);
      const [farOne] = bySeries(list, far.id);
      assert.equal(nearOne?.source, 'cowatch');
      assert.equal(nearOne?.episodeId, near.episodes[0]);
      assert.equal(nearOne?.sourceScore, 1);
      assert.equal(farOne?.source, 'cowatch');
      assert.ok(Math.abs(farOne.sourceScore - 1 / 3) < 1e-6);
      assert.ok(bySeries(list, stranger.id).every((c) => c.source !== 'cowatch'));
    });

    test("the viewer's top categories bring their boards' series", async () => {
      const viewer = await seed.user();
      const liked = await category();
      const other = await category();
      const top = await drama(1, { categoryId: liked, views: 20 });
      const second = await drama(1, { categoryId: liked });
      const elsewhere = await drama(1, { categoryId: other });
      await refreshBoards();
      await handle.db.insert(userFeatures).values({
        userId: viewer,
        categoryAffinity: { [String(liked)]: 5, '999999': 'junk' as unknown as number },
      });
      const list = await generateCandidates(handle.db, viewer, NOW, { perSource: 200 });
      // The top series of the liked category is hot as well; category is the stronger source.
      assert.deepEqual(bySeries(list, top.id), [
        { episodeId: top.episodes[0], seriesId: top.id, source: 'category', sourceScore: 1 },
      ]);
      assert.equal(bySeries(list, second.id)[0]?.source, 'category');
      assert.ok(bySeries(list, second.id)[0]!.sourceScore < 1);
      assert.ok(bySeries(list, elsewhere.id).every((c) => c.source !== 'category'));
    });

    test('editorial picks count only inside their window, by position', async () => {
      const [active, later, expired, future] = [
        await drama(1),
        await drama(1),
        await drama(1),
        await drama(1),
      ];
      await handle.db.insert(editorialPicks).values([
        { seriesId: later!.id, position: 5, startsAt: ago(2 * DAY), endsAt: null },
        {
          seriesId: active!.id,
          position: 0,
          startsAt: ago(DAY),
          endsAt: new Date(NOW.getTime() + DAY),
        },
        { seriesId: expired!.id, position: 0, startsAt: ago(2 * DAY), endsAt: ago(HOUR) },
        { seriesId: future!.id, position: 0, startsAt: new Date(NOW.getTime() + HOUR) },
      ]);
      const list = await generateCandidates(handle.db, null, NOW, { perSource: 200 });
      const activeOne = bySeries(list, active!.id)[0];
      const laterOne = bySeries(list, later!.id)[0];
      assert.equal(activeOne?.source, 'editorial');
      assert.equal(laterOne?.source, 'editorial');
      assert.ok(activeOne.sourceScore > laterOne.sourceScore);
      assert.notEqual(bySeries(list, expired!.id)[0]?.source, 'editorial');
      assert.notEqual(bySeries(list, future!.id)[0]?.source, 'editorial');
    });

    test('excluded episodes are never proposed; backfill moves on to the next episode', async () => {
      const viewer = await seed.user();
      const show = await drama(3, { publishedAt: ago(2 * HOUR) });
      const first = await generateCandidates(handle.db, viewer, NOW, { perSource: 500 });
      assert.equal(bySeries(first, show.id)[0]?.episodeId, show.episodes[0]);
      const excluded = new Set(first.map((c) => c.episodeId));
      const second = await generateCandidates(handle.db, viewer, NOW, {
        perSource: 500,
        excludeEpisodes: excluded,
      });
      for (const candidate of second) assert.ok(!excluded.has(candidate.episodeId));
      assert.deepEqual(bySeries(second, show.id), [
        { episodeId: show.episodes[1], seriesId: show.id, source: 'backfill', sourceScore: 0 },
      ]);
    });

    test('nothing unplayable: drafts, pending episodes and unready assets are left out', async () => {
      const draft = await seed.series({ status: 'draft' });
      const draftEpisode = await seed.episode(draft, 1, true);
      const late = await seed.series({ publishedAt: ago(HOUR) });
      const pending = await seed.episode(late, 1, false);
      const ready = await seed.episode(late, 2, true);
      const broken = await seed.series({ publishedAt: ago(HOUR) });
      const brokenEpisode = await seed.episode(broken, 1, true);
      await handle.db
        .update(mediaAssets)
        .set({ status: 'processing' })
        .where(eq(mediaAssets.episodeId, brokenEpisode));
      await handle.db.insert(editorialPicks).values([
        { seriesId: draft, startsAt: ago(DAY) },
        { seriesId: broken, startsAt: ago(DAY) },
      ]);
      const viewer = await seed.user();
      for (const who of [null, viewer]) {
        const list = await generateCandidates(handle.db, who, NOW, { perSource: 500 });
        const ids = list.map((c) => c.episodeId);
        assert.ok(!ids.includes(draftEpisode) && !ids.includes(brokenEpisode));
        assert.ok(!ids.includes(pending));
        assert.equal(bySeries(list, late)[0]?.episodeId, ready, 'entry: first playable episode');
        const rows = await handle.db
          .select({ id: episodes.id, status: episodes.status, series: seriesTable.status })
          .from(episodes)
          .innerJoin(seriesTable, eq(seriesTable.id, episodes.seriesId))
          .where(inArray(episodes.id, ids));
        assert.equal(rows.length, ids.length);
        for (const row of rows) {
          assert.equal(row.status, 'ready');
          assert.equal(row.series, 'published');
        }
      }
    });

    test('bad options are refused with a clear error', async () => {
      await assert.rejects(generateCandidates(handle.db, null, NOW, { perSource: 0 }), /perSource/);
      await assert.rejects(generateCandidates(handle.db, -3, NOW), /not a viewer id/);
      await assert.rejects(generateCandidates(handle.db, null, new Date(NaN)), /invalid date/);
    });
  });
}

describe('keepStrongest', () => {
  test('keeps one candidate per episode, from the most specific source', () => {
    const kept = keepStrongest([
      { episodeId: 1, seriesId: 1, source: 'hot', sourceScore: 1 },
      { episodeId: 1, seriesId: 1, source: 'continue', sourceScore: 0.2 },
      { episodeId: 2, seriesId: 2, source: 'fresh', sourceScore: 0.5 },
      { episodeId: 2, seriesId: 2, source: 'fresh', sourceScore: 0.9 },
      { episodeId: 3, seriesId: 3, source: 'backfill', sourceScore: 0 },
    ]);
    assert.deepEqual(
      kept.map((c) => [c.episodeId, c.source, c.sourceScore]),
      [
        [1, 'continue', 0.2],
        [2, 'fresh', 0.9],
        [3, 'backfill', 0],
      ],
    );
  });
});

candidatesContract('pglite');
candidatesContract('postgres');
