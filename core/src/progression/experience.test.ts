import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nthOfDayAward, onceADayAward, watchAwards } from './experience.ts';

const day = '2026-11-23';

test('watch time earns a step per 5 minutes of the day, up to an hour', () => {
  assert.deepEqual(watchAwards(day, 0, 299), []);
  assert.deepEqual(watchAwards(day, 0, 300), [{ key: `watch:${day}:5`, amount: 2 }]);
  assert.deepEqual(
    watchAwards(day, 290, 910).map((a) => a.key),
    [`watch:${day}:5`, `watch:${day}:10`, `watch:${day}:15`],
  );
  assert.deepEqual(watchAwards(day, 300, 599), [], 'the 5-minute step was already granted');
  assert.equal(watchAwards(day, 0, 50_000).length, 12);
  assert.deepEqual(watchAwards(day, 3_600, 7_200), [], 'nothing past the hour');
});

test('danmu and comments earn within their daily caps; once-a-day awards are keyed by day', () => {
  assert.deepEqual(nthOfDayAward('danmu', day, 1), [{ key: `danmu:${day}:1`, amount: 1 }]);
  assert.deepEqual(nthOfDayAward('danmu', day, 10), [{ key: `danmu:${day}:10`, amount: 1 }]);
  assert.deepEqual(nthOfDayAward('danmu', day, 11), []);
  assert.deepEqual(nthOfDayAward('comment', day, 6), []);
  assert.deepEqual(nthOfDayAward('comment', day, 0), []);
  assert.deepEqual(onceADayAward('share', day), { key: `share:${day}`, amount: 5 });
  assert.deepEqual(onceADayAward('check-in', day), { key: `check-in:${day}`, amount: 5 });
});
