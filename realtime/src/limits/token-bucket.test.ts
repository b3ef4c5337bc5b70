import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidRateCostError, InvalidRateRuleError } from './rate-limit-error.ts';
import { msUntilFull, refill, take, wholeTokens, type TokenBucketState } from './token-bucket.ts';

const danmu = { ratePerSecond: 0.5, burst: 3 };

/** Deterministic PRNG (mulberry32), so a failing property run can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('one danmu per 2 s with a burst of 3: 3 at once, the 4th waits 2 s, then one more', () => {
  let state: TokenBucketState | undefined;
  for (let i = 0; i < 3; i += 1) {
    const r = take(state, danmu, 1_000);
    assert.equal(r.allowed, true);
    assert.equal(r.retryAfterMs, 0);
    state = r.state;
  }
  const fourth = take(state, danmu, 1_000);
  assert.equal(fourth.allowed, false);
  assert.equal(fourth.retryAfterMs, 2_000);
  state = fourth.state;
  const early = take(state, danmu, 2_999);
  assert.equal(early.allowed, false);
  assert.equal(early.retryAfterMs, 1);
  const onTime = take(early.state, danmu, 3_000);
  assert.equal(onTime.allowed, true);
  assert.equal(take(onTime.state, danmu, 3_000).allowed, false);
});

test('a key never seen is a full bucket', () => {
  const r = take(undefined, danmu, 5, 3);
  assert.deepEqual(r, { allowed: true, state: { tokens: 0, updatedMs: 5 }, retryAfterMs: 0 });
});

test('refill is capped at the burst', () => {
  const empty: TokenBucketState = { tokens: 0, updatedMs: 0 };
  assert.deepEqual(refill(empty, danmu, 1_000_000), { tokens: 3, updatedMs: 1_000_000 });
  const r = take(empty, danmu, 1_000_000, 3);
  assert.equal(r.allowed, true);
  assert.equal(take(r.state, danmu, 1_000_000).allowed, false);
  // A bucket stored under a larger burst (the rule was tightened) is cut down to the new one.
  assert.equal(refill({ tokens: 10, updatedMs: 0 }, danmu, 0).tokens, 3);
});

test('a clock going backwards never mints tokens, nor counts an interval twice', () => {
  const rule = { ratePerSecond: 1, burst: 2 };
  let state = take(undefined, rule, 10_000, 2).state;
  const back = take(state, rule, 4_000);
  assert.equal(back.allowed, false);
  assert.deepEqual(back.state, { tokens: 0, updatedMs: 10_000 });
  // 6 s until the clock is back at 10 000, then 1 s for the token.
  assert.equal(back.retryAfterMs, 7_000);
  state = back.state;
  const caughtUp = take(state, rule, 11_000);
  assert.equal(caughtUp.allowed, true);
  assert.equal(take(caughtUp.state, rule, 11_000).allowed, false);
});

test('a refused take consumes nothing', () => {
  const rule = { ratePerSecond: 1, burst: 5 };
  const after3 = take(undefined, rule, 0, 3).state;
  const refused = take(after3, rule, 0, 3);
  assert.equal(refused.allowed, false);
  assert.equal(refused.retryAfterMs, 1_000);
  assert.equal(refused.state.tokens, 2);
  assert.equal(take(refused.state, rule, 0, 2).allowed, true);
});

test('waiting exactly retryAfterMs is always enough (floating point included)', () => {
  const next = random(42);
  for (let i = 0; i < 2_000; i += 1) {
    const rule = { ratePerSecond: 0.01 + next() * 100, burst: 1 + Math.floor(next() * 20) };
    const cost = 0.1 + next() * (rule.burst - 0.1);
    const start = next() * 1e12;
    const drained = { tokens: next() * cost * 0.99, updatedMs: start };
    const refused = take(drained, rule, start, cost);
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs >= 1);
    assert.equal(
      take(refused.state, rule, start + refused.retryAfterMs, cost).allowed,
      true,
      JSON.stringify({ rule, cost, drained }),
    );
    // And not much earlier: one millisecond less is too soon, unless the rounding ate it.
    if (refused.retryAfterMs > 1) {
      const tooSoon = take(refused.state, rule, start + refused.retryAfterMs - 1.001, cost);
      assert.equal(tooSoon.allowed, false, JSON.stringify({ rule, cost, drained }));
    }
  }
});

test('property: over any window, allowed cost never exceeds burst + rate × window', () => {
  const next = random(7);
  for (let run = 0; run < 200; run += 1) {
    const rule = { ratePerSecond: 0.1 + next() * 50, burst: 1 + Math.floor(next() * 10) };
    let state: TokenBucketState | undefined;
    let now = next() * 1e9;
    let start: number | undefined;
    let allowedCost = 0;
    for (let i = 0; i < 200; i += 1) {
      // Mostly forward, sometimes a step back in time.
      now += next() < 0.1 ? -next() * 5_000 : next() * 200;
      const cost = Math.min(rule.burst, 1 + Math.floor(next() * 3));
      start ??= now;
      const r = take(state, rule, now, cost);
      if (r.allowed) allowedCost += cost;
      state = r.state;
      assert.ok(state.tokens >= 0 && state.tokens <= rule.burst);
    }
    // The bucket starts full at the first take; `updatedMs` is the latest time it has seen.
    const window = state!.updatedMs - start!;
    assert.ok(allowedCost <= rule.burst + (rule.ratePerSecond * window) / 1000 + 1e-6);
  }
});

test('msUntilFull and wholeTokens', () => {
  assert.equal(msUntilFull({ tokens: 2, updatedMs: 0 }, danmu), 2_000);
  assert.equal(msUntilFull({ tokens: 3, updatedMs: 0 }, danmu), 0);
  assert.equal(msUntilFull({ tokens: 0.5, updatedMs: 0 }, danmu), 5_000);
  assert.equal(wholeTokens({ tokens: 2.999_999_999_9, updatedMs: 0 }), 3);
  assert.equal(wholeTokens({ tokens: 2.5, updatedMs: 0 }), 2);
  assert.equal(wholeTokens({ tokens: 0, updatedMs: 0 }), 0);
});

test('parameters are validated: finite and positive, cost within the burst', () => {
  for (const ratePerSecond of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => take(undefined, { ratePerSecond, burst: 3 }, 0), InvalidRateRuleError);
  }
  for (const burst of [0, 0.5, -3, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => take(undefined, { ratePerSecond: 1, burst }, 0), {
      code: 'INVALID_RATE_RULE',
    });
  }
  for (const cost of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 3.5]) {
    assert.throws(() => take(undefined, danmu, 0, cost), InvalidRateCostError);
  }
  assert.throws(() => take(undefined, danmu, Number.NaN), RangeError);
  // Fractional costs and bursts are fine.
  assert.equal(take(undefined, { ratePerSecond: 1, burst: 1.5 }, 0, 1.5).allowed, true);
});
