import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bayesianRating,
  decayFactor,
  engagementOf,
  HOT_WEIGHTS,
  hotScore,
  inHotWindow,
  RATING_PRIOR_WEIGHT,
} from './scores.ts';

const HOUR = 3_600_000;
const now = new Date('2026-03-01T12:00:00.000Z');
/** The bucket whose midpoint is `hours` before now. */
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * HOUR - 30 * 60_000);

test('engagementOf weighs each field, a missing one as 0', () => {
  assert.equal(engagementOf({}), 0);
  assert.equal(engagementOf({ views: 2, likes: 1 }), 2 * HOT_WEIGHTS.views + HOT_WEIGHTS.likes);
  assert.equal(
    engagementOf({ views: 1, likes: 1, favourites: 1, followUps: 1, shares: 1, comments: 1 }),
    1 + 3 + 4 + 5 + 6 + 4,
  );
  assert.ok(
    HOT_WEIGHTS.shares > HOT_WEIGHTS.followUps && HOT_WEIGHTS.followUps > HOT_WEIGHTS.likes,
  );
});

test('decayFactor halves every 24 hours and treats the future as now', () => {
  assert.equal(decayFactor(0), 1);
  assert.equal(decayFactor(24 * HOUR), 0.5);
  assert.equal(decayFactor(72 * HOUR), 0.125);
  assert.equal(decayFactor(-5 * HOUR), 1);
});

test('the window is the 7 days up to now; buckets after now do not count', () => {
  assert.equal(inHotWindow(new Date(now.getTime() - 7 * 24 * HOUR), now), true);
  assert.equal(inHotWindow(new Date(now.getTime() - 7 * 24 * HOUR - 1), now), false);
  assert.equal(inHotWindow(new Date(now.getTime() + HOUR), now), false);
  assert.equal(hotScore([{ hour: new Date(now.getTime() - 8 * 24 * HOUR), likes: 1000 }], now), 0);
});

test('an older burst ranks below a fresh smaller one exactly as the half-life says', () => {
  // 40 likes three days ago: 120 · 2^-3 = 15; 6 likes an hour ago: 18 · 2^(-1/24) ≈ 17.5.
  const burst = hotScore([{ hour: hoursAgo(72), likes: 40 }], now);
  const fresh = hotScore([{ hour: hoursAgo(1), likes: 6 }], now);
  assert.ok(Math.abs(burst - 15) < 1e-12, String(burst));
  assert.ok(Math.abs(fresh - 18 * 2 ** (-1 / 24)) < 1e-12, String(fresh));
  assert.ok(fresh > burst);
  // ... and 48 likes three days ago would still win: 144 / 8 = 18.
  assert.ok(hotScore([{ hour: hoursAgo(72), likes: 48 }], now) > fresh);
});

test('an unlike hours after its like leaves at most 0, never below', () => {
  const score = hotScore(
    [
      { hour: hoursAgo(10), likes: 1 },
      { hour: hoursAgo(0), likes: -1 },
    ],
    now,
  );
  assert.equal(score, 0);
});

test('bayesianRating shrinks few reviews towards the prior, many barely', () => {
  assert.equal(bayesianRating(0, 0, 3.5), 3.5);
  const one = bayesianRating(1, 5, 3.5);
  const many = bayesianRating(200, 200 * 4.8, 3.5);
  assert.equal(one, (RATING_PRIOR_WEIGHT * 3.5 + 5) / (RATING_PRIOR_WEIGHT + 1));
  assert.ok(many > one, 'two hundred 4.8s beat one 5');
  assert.ok(many < 4.8 && many > 4.7);
});
