import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EpisodeSummary } from '@binge/core/protocol/catalog';
import { continueTarget, episodeProgress } from './episode-progress.ts';

function episode(id: number, status: EpisodeSummary['status'] = 'ready'): EpisodeSummary {
  return {
    id,
    number: id,
    title: { zh: '', en: '' },
    durationMs: 60_000,
    isFree: id <= 3,
    priceCoins: 10,
    status,
    posterUrl: null,
  };
}

test('unwatched, in progress, watched at 90%', () => {
  assert.deepEqual(episodeProgress(undefined), { kind: 'unwatched' });
  assert.deepEqual(episodeProgress({ positionMs: 0, durationMs: 60_000 }), { kind: 'unwatched' });
  assert.deepEqual(episodeProgress({ positionMs: 30_000, durationMs: 60_000 }), {
    kind: 'in-progress',
    fraction: 0.5,
  });
  assert.deepEqual(episodeProgress({ positionMs: 54_000, durationMs: 60_000 }), {
    kind: 'watched',
  });
  assert.deepEqual(episodeProgress({ positionMs: 5, durationMs: 0 }), { kind: 'unwatched' });
});

test('continue picks the episode in progress, else the one after the last watched', () => {
  const episodes = [episode(1), episode(2), episode(3), episode(4, 'processing')];
  const at = (entries: Array<[number, number]>) =>
    new Map(entries.map(([id, position]) => [id, { positionMs: position, durationMs: 60_000 }]));
  assert.equal(continueTarget(episodes, at([]))?.episode.id, 1);
  assert.deepEqual(
    [
      continueTarget(episodes, at([[1, 59_000]]))?.episode.id,
      continueTarget(episodes, at([[1, 59_000]]))?.resume,
    ],
    [2, false],
  );
  assert.deepEqual(
    continueTarget(
      episodes,
      at([
        [1, 59_000],
        [2, 10_000],
      ]),
    ),
    {
      episode: episodes[1],
      resume: true,
    },
  );
  // Everything ready watched: back to the last one's successor or, at the end, episode 1.
  assert.equal(
    continueTarget(
      episodes,
      at([
        [1, 59_000],
        [2, 59_000],
        [3, 59_000],
      ]),
    )?.episode.id,
    1,
  );
  assert.equal(continueTarget([episode(1, 'pending')], at([])), null);
});
