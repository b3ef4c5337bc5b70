import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import { categories, series, seriesCounters } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { hotScore, hotScoreSql } from './hot-score.ts';

test('matches the formula', () => {
  assert.equal(hotScore(0, 0, 0), 1 / 2 ** 1.5);
  assert.equal(hotScore(94, 1, 2), 100 / 8);
});

test('decays with age and grows with engagement', () => {
  assert.ok(hotScore(100, 0, 1) > hotScore(100, 0, 10));
  assert.ok(hotScore(101, 0, 5) > hotScore(100, 0, 5));
  assert.ok(hotScore(0, 1, 5) > hotScore(4, 0, 5), 'a like outweighs four views');
  // A day-old series needs far more traction to beat a fresh one.
  assert.ok(hotScore(50, 0, 1) > hotScore(500, 0, 48));
});

test('future publication dates count as age zero', () => {
  assert.equal(hotScore(10, 0, -5), hotScore(10, 0, 0));
});

const HOUR = 3_600_000;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`hotScoreSql on ${kind}`, () => {
    let handle: DatabaseHandle;
    before(async () => {
      handle = await openTestDatabase(kind);
    });
    after(() => handle.close());

    test('equals the pure function, with and without counters, past and future', async () => {
      const { db } = handle;
      const [category] = await db
        .insert(categories)
        .values({ slug: 'drama', nameEn: 'Drama', nameZh: '剧情' })
        .returning({ id: categories.id });
      const now = new Date('2026-03-01T12:00:00.000Z');
      const cases = [
        { views: 94, likes: 1, ageHours: 2 },
        { views: 12_345, likes: 678, ageHours: 49.5 },
        { views: null, likes: null, ageHours: 0.25 },
        { views: 3, likes: 0, ageHours: -7 },
      ];
      for (const [i, c] of cases.entries()) {
        const [row] = await db
          .insert(series)
          .values({
            slug: `hot-${i}`,
            titleEn: 't',
            titleZh: 't',
            synopsisEn: 's',
            synopsisZh: 's',
            categoryId: category!.id,
            status: 'published',
            publishedAt: new Date(now.getTime() - c.ageHours * HOUR),
          })
          .returning({ id: series.id });
        if (c.views !== null)
          await db
            .insert(seriesCounters)
            .values({ seriesId: row!.id, views: c.views, likes: c.likes ?? 0 });
        const [scored] = await db
          .select({ score: hotScoreSql(now).mapWith(Number) })
          .from(series)
          .leftJoin(seriesCounters, eq(seriesCounters.seriesId, series.id))
          .where(eq(series.id, row!.id));
        const expected = hotScore(c.views ?? 0, c.likes ?? 0, c.ageHours);
        assert.ok(
          Math.abs(scored!.score - expected) <= 1e-12 * expected,
          `case ${i}: SQL ${scored!.score} vs ${expected}`,
        );
      }
    });
  });
}
