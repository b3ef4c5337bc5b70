import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SeriesSummary } from '@binge/core/protocol/catalog';
import { catalogProgress } from './catalog-progress.ts';

const series = (id: number, ready: number, total: number) =>
  ({ id, readyEpisodeCount: ready, episodeCount: total }) as SeriesSummary;

test('sums ready and total episodes across lists, counting each series once', () => {
  const hot = [series(1, 2, 5), series(2, 5, 5)];
  const fresh = [series(2, 5, 5), series(3, 0, 4)];
  assert.deepEqual(catalogProgress(hot, fresh), { ready: 7, total: 14, generating: true });
});

test('is done when every episode is ready, and with nothing listed', () => {
  assert.deepEqual(catalogProgress([series(1, 3, 3)]), { ready: 3, total: 3, generating: false });
  assert.deepEqual(catalogProgress([]), { ready: 0, total: 0, generating: false });
});
