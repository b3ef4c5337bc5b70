import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { categories, series as seriesTable, watchEvents } from '@binge/core/db/schema';
import { openTestDatabase, type TestDatabase } from '@binge/core/db/testing';
import { createTestSeeder } from '@binge/core/db/test-seed';
import { createSqlRankingStore } from '@binge/core/rankings/store-sql';
import type { StoredWatchEvent } from '@binge/core/watch-events/event';
import { eq } from 'drizzle-orm';
import { applyEventFeatures } from '../features/apply-events.ts';
import { heuristicScores } from '../features/heuristic.ts';
import { buildFeatureRows } from '../features/vector.ts';
import { generateCandidates, type Candidate } from './generate.ts';

/**
 * The loop the ranker closes, without a model: watch events update the viewer's features, and
 * the next candidates, feature rows and fallback scores favour what they watched.
 */
const NOW = new Date('2026-11-20T20:00:00Z');
const DAY = 24 * 3_600_000;

function tasteLoop(kind: 'pglite' | 'postgres') {
  describe(`the taste loop on ${kind}`, () => {
    let handle: TestDatabase;
    before(async () => {
      handle = await openTestDatabase(kind);
    });
    after(() => handle.close());

    test('a viewer who watches one category sees it rise', async () => {
      const seed = createTestSeeder(handle.db);
      const inCategory = async (slug: string) => {
        const [row] = await handle.db
          .insert(categories)
          .values({ slug: `${slug}-${kind}`, nameEn: slug, nameZh: slug })
          .returning({ id: categories.id });
        const ids: { series: number; episode: number }[] = [];
        for (let i = 0; i < 3; i += 1) {
          const id = await seed.series({ publishedAt: new Date(NOW.getTime() - 30 * DAY) });
          await handle.db
            .update(seriesTable)
            .set({ categoryId: row!.id })
            .where(eq(seriesTable.id, id));
          ids.push({ series: id, episode: await seed.episode(id, 1, true) });
          await seed.episode(id, 2, true);
        }
        return ids;
      };
      const romance = await inCategory('romance');
      const thriller = await inCategory('thriller');
      await createSqlRankingStore(handle.db).refresh({ now: NOW });
      const viewer = await seed.user();

      const scoresOf = async (candidates: Candidate[]) => {
        const { x, rows } = await buildFeatureRows(handle.db, viewer, candidates, NOW);
        const scores = heuristicScores(x, rows);
        return new Map(candidates.map((c, i) => [c.seriesId, scores[i]!]));
      };
      const untouchedRomance = romance[2]!.series;
      const thrillers = thriller.map((t) => t.series);

      const before = await generateCandidates(handle.db, viewer, NOW);
      assert.ok(before.every((c) => ['backfill', 'hot', 'fresh', 'editorial'].includes(c.source)));
      const scoresBefore = await scoresOf(before);
      assert.ok(
        Math.abs(scoresBefore.get(untouchedRomance)! - scoresBefore.get(thrillers[0]!)!) < 1e-6,
        'a new viewer has no preference',
      );

      // An evening of romance: two series watched to the end and liked, a thriller skipped.
      let n = 0;
      const at = NOW.getTime() - 3_600_000;
      const event = (
        offsetMs: number,
        type: StoredWatchEvent['type'],
        target: { series: number; episode: number },
        positionMs = 0,
      ): StoredWatchEvent => ({
        id: `${viewer}:loop-${kind}-${++n}`,
        clientId: `loop-${kind}-${n}`,
        userId: viewer,
        episodeId: target.episode,
        seriesId: target.series,
        type,
        positionMs,
        durationMs: 90_000,
        fromMs: null,
        rate: null,
        impression: null,
        clientAt: at + offsetMs,
        receivedAt: at + offsetMs,
        source: 'ws',
      });
      const session: StoredWatchEvent[] = [];
      let t = 0;
      for (const show of [romance[0]!, romance[1]!]) {
        session.push(event(t, 'start', show));
        for (let pos = 30_000; pos <= 90_000; pos += 30_000)
          session.push(event((t += 30_000), pos === 90_000 ? 'complete' : 'heartbeat', show, pos));
        session.push(event((t += 1_000), 'like', show, 90_000));
        t += 5_000;
      }
      session.push(event(t, 'start', thriller[0]!));
      session.push(event((t += 1_500), 'swipe', thriller[0]!, 1_500));
      await handle.db.transaction(async (tx) => {
        await tx.insert(watchEvents).values(
          session.map((e) => ({
            ...e,
            receivedAt: new Date(e.receivedAt),
            clientAt: new Date(e.clientAt),
          })),
        );
        await applyEventFeatures(tx, session);
      });

      const after = await generateCandidates(handle.db, viewer, NOW);
      const untouched = after.find((c) => c.seriesId === untouchedRomance);
      assert.equal(untouched?.source, 'category', 'the favourite category brings its series');
      const scoresAfter = await scoresOf(after);
      for (const other of thrillers)
        assert.ok(
          scoresAfter.get(untouchedRomance)! > (scoresAfter.get(other) ?? 0),
          `romance ${scoresAfter.get(untouchedRomance)} above thriller ${scoresAfter.get(other)}`,
        );
    });
  });
}

tasteLoop('pglite');
tasteLoop('postgres');
