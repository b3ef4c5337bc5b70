import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEpisodeCache, type PlayableEpisode } from './episode-cache.ts';

function catalog(rows: Record<number, PlayableEpisode>) {
  const calls: number[][] = [];
  return {
    calls,
    lookup: async (ids: readonly number[]) => {
      calls.push([...ids]);
      const found = new Map<number, PlayableEpisode>();
      for (const id of ids) if (rows[id]) found.set(id, rows[id]);
      return found;
    },
  };
}

test('a heartbeat for a cached episode costs no lookup; a batch asks once for what is missing', async () => {
  const source = catalog({
    1: { seriesId: 9, durationMs: 60_000 },
    2: { seriesId: 9, durationMs: 0 },
  });
  const cache = createEpisodeCache({ lookup: source.lookup });
  const first = await cache.get([1, 1, 2, 3]);
  assert.deepEqual(first.get(1), { seriesId: 9, durationMs: 60_000 });
  assert.equal(first.get(3), null);
  for (let i = 0; i < 20; i += 1) await cache.get([1, 2, 3]);
  assert.deepEqual(source.calls, [[1, 2, 3]]);
});

test('entries lapse: a hit after its TTL, a miss sooner', async () => {
  let clock = 0;
  const rows: Record<number, PlayableEpisode> = { 1: { seriesId: 1, durationMs: 1000 } };
  const source = catalog(rows);
  const cache = createEpisodeCache({
    lookup: source.lookup,
    ttlMs: 1000,
    missTtlMs: 100,
    now: () => clock,
  });
  await cache.get([1, 2]);
  rows[2] = { seriesId: 1, durationMs: 2000 };
  clock = 150;
  assert.deepEqual((await cache.get([1, 2])).get(2), { seriesId: 1, durationMs: 2000 });
  assert.deepEqual(source.calls, [[1, 2], [2]]);
  clock = 1200;
  await cache.get([1]);
  assert.deepEqual(source.calls.at(-1), [1]);
});

test('least recently used goes first past the size; concurrent misses share a lookup', async () => {
  const source = catalog({
    1: { seriesId: 1, durationMs: 1 },
    2: { seriesId: 1, durationMs: 2 },
    3: { seriesId: 1, durationMs: 3 },
  });
  const cache = createEpisodeCache({ lookup: source.lookup, maxEntries: 2 });
  await Promise.all([cache.get([1]), cache.get([1]), cache.get([1, 2])]);
  assert.deepEqual(source.calls, [[1], [2]]);
  await cache.get([1]); // 1 is now the most recently used
  await cache.get([3]); // evicts 2
  await cache.get([1]);
  assert.equal(source.calls.length, 3);
  await cache.get([2]);
  assert.deepEqual(source.calls.at(-1), [2]);
});

test('a failed lookup rejects, and the next call asks again', async () => {
  let fail = true;
  const cache = createEpisodeCache({
    lookup: async () => {
      if (fail) throw new Error('database unreachable');
      return new Map([[1, { seriesId: 1, durationMs: 5 }]]);
    },
  });
  await assert.rejects(cache.get([1]), /unreachable/);
  fail = false;
  assert.deepEqual((await cache.get([1])).get(1), { seriesId: 1, durationMs: 5 });
});
