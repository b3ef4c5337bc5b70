import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import {
  InvalidRateCostError,
  InvalidRateKeyError,
  InvalidRateRuleError,
  RateLimiterClosedError,
} from './rate-limit-error.ts';
import type { RateLimiter, RateRule } from './rate-limiter.ts';

export interface RateLimiterPair {
  /** Two gateway nodes; for a networked adapter two instances (connections), else the same one. */
  first: RateLimiter;
  second: RateLimiter;
  close(): Promise<void>;
}

/**
 * One suite for every RateLimiter adapter. Waits are real but the assertions are only on
 * allow/deny outcomes with wide margins: rules whose refill is either far slower than the test
 * (0.5/s, 0.01/s) or far faster than the wait (20/s against 300 ms), never timing in between.
 */
export function rateLimiterContract(name: string, makePair: () => Promise<RateLimiterPair>): void {
  describe(`rate limiter contract: ${name}`, () => {
    let pair: RateLimiterPair;
    let limiter: RateLimiter;
    let n = 0;
    /** A fresh rule name per test, so no test sees another's buckets. */
    const rule = (ratePerSecond: number, burst: number): RateRule => ({
      name: `test.r${++n}`,
      ratePerSecond,
      burst,
    });
    before(async () => {
      pair = await makePair();
      limiter = pair.first;
    });
    after(() => pair.close());

    test('a burst is allowed at once, then refused with a retryAfterMs of about one token', async () => {
      const danmu = rule(0.5, 3);
      const taken = [];
      for (let i = 0; i < 4; i += 1) taken.push(await limiter.take('user:1', danmu));
      assert.deepEqual(
        taken.map((d) => [d.allowed, d.remaining]),
        [
          [true, 2],
          [true, 1],
          [true, 0],
          [false, 0],
        ],
      );
      assert.deepEqual(
        taken.slice(0, 3).map((d) => d.retryAfterMs),
        [0, 0, 0],
      );
      // One token takes 2000 ms at 0.5/s; a little of it may have passed since the first take.
      const retry = taken[3]!.retryAfterMs;
      assert.ok(retry > 1000 && retry <= 2000, `retryAfterMs ${retry}`);
      assert.ok(Number.isInteger(retry));
    });

    test('the bucket refills with time, up to the burst and no further', async () => {
      const fast = rule(20, 2);
      assert.equal((await limiter.take('k', fast)).allowed, true);
      assert.equal((await limiter.take('k', fast)).allowed, true);
      const refused = await limiter.take('k', fast);
      assert.equal(refused.allowed, false);
      assert.ok(
        refused.retryAfterMs > 0 && refused.retryAfterMs <= 50,
        `retryAfterMs ${refused.retryAfterMs}`,
      );
      // 300 ms at 20/s would be 6 tokens; the cap keeps 2. `remaining` is computed within the same
      // atomic take as the refill, so it reflects the cap whatever the scheduling delays.
      await sleep(300);
      const whole = await limiter.take('k', fast, 2);
      assert.deepEqual(whole, { allowed: true, retryAfterMs: 0, remaining: 0 });
    });

    test('a rule whose numbers change under the same name still caps at the new burst', async () => {
      const name = rule(0.01, 2).name;
      // Empty, and with 0.01/s the stored bucket (or its expiry) is good for 200 s.
      await limiter.take('k', { name, ratePerSecond: 0.01, burst: 2 }, 2);
      await sleep(50);
      // At 1000/s, 50 ms would be 50 tokens: the new burst of 2 is all there is.
      const faster = await limiter.take('k', { name, ratePerSecond: 1000, burst: 2 }, 1);
      assert.deepEqual(faster, { allowed: true, retryAfterMs: 0, remaining: 1 });
    });

    test('waiting the announced retryAfterMs is enough', async () => {
      const fast = rule(20, 1);
      assert.equal((await limiter.take('k', fast)).allowed, true);
      const refused = await limiter.take('k', fast);
      assert.equal(refused.allowed, false);
      await sleep(refused.retryAfterMs + 20);
      assert.equal((await limiter.take('k', fast)).allowed, true);
    });

    test('keys and rules have independent buckets', async () => {
      const a = rule(0.01, 1);
      const b = rule(0.01, 1);
      assert.equal((await limiter.take('alice', a)).allowed, true);
      assert.equal((await limiter.take('alice', a)).allowed, false);
      assert.equal((await limiter.take('bob', a)).allowed, true);
      assert.equal((await limiter.take('alice', b)).allowed, true);
      // Keys may contain the separator (IPv6) without colliding with other keys.
      assert.equal((await limiter.take('2001:db8::1', a)).allowed, true);
      assert.equal((await limiter.take('2001:db8::1', a)).allowed, false);
      assert.equal((await limiter.take('2001:db8::2', a)).allowed, true);
    });

    test('a cost above 1 takes that many tokens; a refused one takes none', async () => {
      const costly = rule(0.5, 5);
      assert.deepEqual(await limiter.take('k', costly, 3), {
        allowed: true,
        retryAfterMs: 0,
        remaining: 2,
      });
      const refused = await limiter.take('k', costly, 3);
      assert.equal(refused.allowed, false);
      assert.equal(refused.remaining, 2);
      // One token short at 0.5/s.
      assert.ok(
        refused.retryAfterMs > 1000 && refused.retryAfterMs <= 2000,
        `retryAfterMs ${refused.retryAfterMs}`,
      );
      assert.deepEqual(await limiter.take('k', costly, 2), {
        allowed: true,
        retryAfterMs: 0,
        remaining: 0,
      });
      assert.equal((await limiter.take('k', costly, 1)).allowed, false);
    });

    test('two gateway nodes draw from one bucket per key', async () => {
      const shared = rule(0.01, 4);
      const outcomes = [];
      for (let i = 0; i < 8; i += 1) {
        const node = i % 2 === 0 ? pair.first : pair.second;
        outcomes.push((await node.take('user:42', shared)).allowed);
      }
      assert.deepEqual(outcomes, [true, true, true, true, false, false, false, false]);
    });

    test('concurrent takes: 50 at once against a burst of 10 allow exactly 10', async () => {
      const burst10 = rule(0.01, 10);
      const decisions = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? pair.first : pair.second).take('ip:203.0.113.9', burst10),
        ),
      );
      assert.equal(decisions.filter((d) => d.allowed).length, 10);
      assert.deepEqual(
        decisions.map((d) => d.remaining).sort((x, y) => x - y),
        [...Array.from({ length: 41 }, () => 0), 1, 2, 3, 4, 5, 6, 7, 8, 9],
      );
    });

    test('bad rules, keys and costs are refused with a coded error', async () => {
      const good = rule(1, 3);
      const badRules: RateRule[] = [
        { ...good, ratePerSecond: 0 },
        { ...good, ratePerSecond: -1 },
        { ...good, ratePerSecond: Number.NaN },
        { ...good, ratePerSecond: Number.POSITIVE_INFINITY },
        { ...good, burst: 0 },
        { ...good, burst: 0.5 },
        { ...good, burst: Number.NaN },
        { ...good, burst: Number.POSITIVE_INFINITY },
        { ...good, name: '' },
        { ...good, name: 'danmu:user' },
        { ...good, name: 'with space' },
        { ...good, name: 'x'.repeat(65) },
        { ...good, ratePerSecond: '1' as unknown as number },
      ];
      for (const bad of badRules) {
        await assert.rejects(limiter.take('k', bad), (error: unknown) => {
          assert.ok(error instanceof InvalidRateRuleError, String(error));
          assert.equal(error.code, 'INVALID_RATE_RULE');
          return true;
        });
      }
      await assert.rejects(limiter.take('', good), { code: 'INVALID_RATE_KEY' });
      await assert.rejects(limiter.take('k'.repeat(257), good), InvalidRateKeyError);
      for (const cost of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 4]) {
        await assert.rejects(limiter.take('k', good, cost), (error: unknown) => {
          assert.ok(error instanceof InvalidRateCostError, String(error));
          assert.equal(error.code, 'INVALID_RATE_COST');
          return true;
        });
      }
      // Nothing was consumed by the refused calls.
      assert.deepEqual(await limiter.take('k', good, 3), {
        allowed: true,
        retryAfterMs: 0,
        remaining: 0,
      });
    });
  });
}

/** Separate from the shared pair, since it closes its limiter. */
export function rateLimiterCloseContract(
  name: string,
  make: () => Promise<{ limiter: RateLimiter; cleanUp(): Promise<void> }>,
): void {
  test(`rate limiter contract: ${name}: a closed limiter refuses takes with a coded error`, async () => {
    const { limiter, cleanUp } = await make();
    try {
      const ok = { name: 'test.close', ratePerSecond: 1, burst: 1 };
      assert.equal((await limiter.take('k', ok)).allowed, true);
      await limiter.close();
      await limiter.close();
      await assert.rejects(limiter.take('k', ok), RateLimiterClosedError);
    } finally {
      await cleanUp();
    }
  });
}
