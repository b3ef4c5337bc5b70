import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../model/ranker-model.ts';
import {
  categoryCap,
  exploreSlots,
  rerank,
  type PaywallPolicy,
  type RerankCandidate,
  type RerankContext,
  type RerankOptions,
} from './rerank.ts';
import { beta } from '../stats/draws.ts';

let nextEpisode = 1;
function candidate(
  values: Partial<Omit<RerankCandidate, 'context'>> & {
    seriesId: number;
    score: number;
    context?: Partial<RerankContext>;
  },
) {
  const { context, ...rest } = values;
  return {
    episodeId: nextEpisode++,
    source: 'hot',
    impressions: 1000,
    starts: 100,
    row: 0,
    ...rest,
    context: { categoryId: 1, isFree: true, binging: false, watchedRatio: 0, ...context },
  } satisfies RerankCandidate;
}

/** `count` series of one episode each, spread over `categories` categories, scores descending. */
function catalog(count: number, categories: number): RerankCandidate[] {
  return Array.from({ length: count }, (_, i) =>
    candidate({
      seriesId: 100 + i,
      score: count - i,
      context: { categoryId: 1 + (i % categories) },
    }),
  );
}

const base: Omit<RerankOptions, 'limit'> = { explorePercent: 0, random: seededRandom(7) };

test('slots and caps follow the page size', () => {
  assert.equal(exploreSlots(20, 10), 2);
  assert.equal(exploreSlots(5, 10), 1, 'at least one slot on a page of 5 or more');
  assert.equal(exploreSlots(4, 10), 0);
  assert.equal(exploreSlots(20, 0), 0);
  assert.equal(categoryCap(20), 7);
  assert.equal(categoryCap(3), 1);
});

test('best score first; watched, served and duplicate episodes are dropped', () => {
  const [a, b, c, d] = catalog(4, 4);
  const watched = { ...a!, context: { ...a!.context, watchedRatio: 0.95 } };
  const dup = { ...c!, score: 1000, source: 'cowatch' as const };
  const page = rerank([watched, b!, c!, dup, d!], {
    ...base,
    limit: 10,
    exclude: new Set([d!.episodeId]),
  });
  assert.deepEqual(
    page.map((e) => e.candidate.episodeId),
    [c!.episodeId, b!.episodeId],
  );
  assert.equal(page[0]!.candidate.source, 'cowatch', 'the better-scored proposal of an episode');
  const kept = rerank([watched], { ...base, limit: 1, watchedRatio: Infinity });
  assert.equal(kept.length, 1, 'Infinity keeps watched episodes');
});

test('no two adjacent entries of one series unless the viewer is binging it', () => {
  const series = [
    candidate({ seriesId: 1, score: 10 }),
    candidate({ seriesId: 1, score: 9 }),
    candidate({ seriesId: 1, score: 8 }),
    candidate({ seriesId: 2, score: 1, context: { categoryId: 2 } }),
    candidate({ seriesId: 3, score: 0.5, context: { categoryId: 3 } }),
  ];
  const page = rerank(series, { ...base, limit: 5 }).map((e) => e.candidate.seriesId);
  assert.deepEqual(page, [1, 2, 1, 3, 1]);

  const binged = series.map((c) =>
    c.seriesId === 1 ? { ...c, context: { ...c.context, binging: true } } : c,
  );
  const run = rerank(binged, { ...base, limit: 5 }).map((e) => e.candidate.seriesId);
  // A run of the binged series, until the category cap (2 of 5) stops it; relaxed at the end.
  assert.deepEqual(run, [1, 1, 2, 3, 1]);
});

test('at most ceil(limit / 3) entries of one category, unless nothing else is left', () => {
  const many = [
    ...Array.from({ length: 12 }, (_, i) =>
      candidate({ seriesId: 200 + i, score: 100 - i, context: { categoryId: 1 } }),
    ),
    ...Array.from({ length: 12 }, (_, i) =>
      candidate({ seriesId: 300 + i, score: 50 - i, context: { categoryId: 2 } }),
    ),
    ...Array.from({ length: 12 }, (_, i) =>
      candidate({ seriesId: 400 + i, score: 10 - i, context: { categoryId: 3 } }),
    ),
  ];
  const page = rerank(many, { ...base, limit: 12 });
  assert.equal(page.length, 12);
  const counts = new Map<number | null, number>();
  for (const e of page)
    counts.set(
      e.candidate.context.categoryId,
      (counts.get(e.candidate.context.categoryId) ?? 0) + 1,
    );
  assert.deepEqual([...counts.entries()].sort(), [
    [1, 4],
    [2, 4],
    [3, 4],
  ]);

  // One category only: the page still fills, the cap gives way.
  const single = rerank(catalog(10, 1), { ...base, limit: 10 });
  assert.equal(single.length, 10);
  // One series only, not binged: the series rule gives way too.
  const lone = rerank(
    [candidate({ seriesId: 9, score: 2 }), candidate({ seriesId: 9, score: 1 })],
    { ...base, limit: 2 },
  );
  assert.equal(lone.length, 2);
});

test('exploration slots go to under-exposed candidates by Thompson sampling', () => {
  const known = catalog(30, 6);
  const fresh = Array.from({ length: 6 }, (_, i) =>
    candidate({
      seriesId: 500 + i,
      score: -1,
      impressions: 10,
      starts: i,
      context: { categoryId: 10 + i },
    }),
  );
  const options = { limit: 20, explorePercent: 10, random: seededRandom(3) };
  const page = rerank([...known, ...fresh], options);
  assert.equal(page.length, 20);
  const explored = page.filter((e) => e.explore);
  assert.equal(explored.length, 2);
  for (const e of explored) assert.ok(e.candidate.impressions < 200);
  assert.ok(page.findIndex((e) => e.explore) > 0, 'the first entry is never an exploration slot');
  // Seeded: the same page again.
  const again = rerank([...known, ...fresh], { ...options, random: seededRandom(3) });
  assert.deepEqual(
    again.map((e) => e.candidate.episodeId),
    page.map((e) => e.candidate.episodeId),
  );
  // Without under-exposed candidates there is nothing to explore.
  assert.equal(
    rerank(known, { ...options, random: seededRandom(3) }).filter((e) => e.explore).length,
    0,
  );
  assert.equal(
    rerank([...known, ...fresh], { ...options, explorePercent: 0 }).filter((e) => e.explore).length,
    0,
  );
});

test('Thompson sampling favours the candidate more likely to be started', () => {
  const random = seededRandom(11);
  const good = candidate({
    seriesId: 1,
    score: 0,
    impressions: 40,
    starts: 30,
    context: { categoryId: 1 },
  });
  const poor = candidate({
    seriesId: 2,
    score: 0,
    impressions: 40,
    starts: 4,
    context: { categoryId: 2 },
  });
  const filler = catalog(10, 5).map((c) => ({ ...c, score: c.score + 100 }));
  let goodWins = 0;
  for (let trial = 0; trial < 200; trial += 1) {
    const page = rerank([...filler, good, poor], { limit: 5, explorePercent: 20, random });
    const explored = page.find((e) => e.explore)!.candidate.episodeId;
    if (explored === good.episodeId) goodWins += 1;
  }
  assert.ok(goodWins > 180, `the well-started candidate explored ${goodWins} times of 200`);

  const draws = Array.from({ length: 4000 }, () => beta(random, 3, 7));
  const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
  assert.ok(Math.abs(mean - 0.3) < 0.02, `Beta(3, 7) mean ${mean}`);
  assert.ok(draws.every((d) => d > 0 && d < 1));
});

test('the paywall policy decides the paid/free mix and is never relaxed', () => {
  const mixed = catalog(10, 5).map((c, i) => ({
    ...c,
    context: { ...c.context, isFree: i % 2 === 1 },
  }));
  const onePaid: PaywallPolicy = {
    admit: (entry, pageSoFar) =>
      entry.context.isFree || pageSoFar.every((e) => e.candidate.context.isFree),
  };
  const page = rerank(mixed, { ...base, limit: 6, paywall: onePaid });
  assert.equal(page.filter((e) => !e.candidate.context.isFree).length, 1);
  assert.equal(page.length, 6);
  const none = rerank(mixed, { ...base, limit: 6, paywall: { admit: () => false } });
  assert.deepEqual(none, []);
});

test('a continuation keeps the given order and counts the entries before it', () => {
  const [a, b, c] = [
    candidate({ seriesId: 1, score: 1 }),
    candidate({ seriesId: 1, score: 3 }),
    candidate({ seriesId: 2, score: 2, context: { categoryId: 2 } }),
  ];
  const prefix = [{ candidate: candidate({ seriesId: 1, score: 9 }), explore: false }];
  const rest = rerank([a, b, c], { ...base, limit: 3, prefix, keepOrder: true });
  assert.deepEqual(
    rest.map((e) => e.candidate.episodeId),
    [c.episodeId, a.episodeId, b.episodeId],
    'series 1 may not follow the prefix entry of series 1',
  );
});
