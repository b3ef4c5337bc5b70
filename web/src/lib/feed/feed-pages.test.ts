import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendPage, needsMore, step } from './feed-pages.ts';

test('pages append in order without repeating an episode already listed', () => {
  const first = appendPage([], {
    items: [
      { eid: 1, sid: 10, imp: 'a.0' },
      { eid: 2, sid: 10, imp: 'a.1' },
    ],
  });
  const second = appendPage(first, {
    items: [
      { eid: 2, sid: 10, imp: 'b.0' },
      { eid: 3, sid: 11, imp: 'b.1' },
      { eid: 3, sid: 11, imp: 'b.2' },
    ],
  });
  assert.deepEqual(
    second.map((entry) => [entry.episodeId, entry.impression]),
    [
      [1, 'a.0'],
      [2, 'a.1'],
      [3, 'b.1'],
    ],
  );
});

test('an episode may come back once it is out of the repeat window', () => {
  const shown = appendPage([], {
    items: Array.from({ length: 9 }, (_, i) => ({ eid: i + 1, sid: 1, imp: `a.${i}` })),
  });
  const next = appendPage(shown, {
    items: [
      { eid: 1, sid: 1, imp: 'b.0' },
      { eid: 9, sid: 1, imp: 'b.1' },
    ],
  });
  assert.deepEqual(
    next.slice(9).map((entry) => entry.episodeId),
    [1],
  );
});

test('a narrower window lets a small catalog come round, never an episode after itself', () => {
  const shown = appendPage([], {
    items: [1, 2, 3].map((eid) => ({ eid, sid: 1, imp: `a.${eid}` })),
  });
  const again = appendPage(
    shown,
    {
      items: [
        { eid: 3, sid: 1, imp: 'b.0' },
        { eid: 1, sid: 1, imp: 'b.1' },
      ],
    },
    1,
  );
  assert.deepEqual(
    again.map((entry) => entry.episodeId),
    [1, 2, 3, 1],
  );
});

test('refill starts four entries before the end; steps clamp to the list', () => {
  assert.equal(needsMore(new Array(10), 4), false);
  assert.equal(needsMore(new Array(10), 6), true);
  assert.equal(needsMore([], 0), true);
  assert.equal(step(0, 'prev', 5), 0);
  assert.equal(step(4, 'next', 5), 4);
  assert.equal(step(2, 'next', 5), 3);
  assert.equal(step(0, 'next', 0), 0);
});
