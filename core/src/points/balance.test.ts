import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertChange, balanceAfter, isSameChange, maxDelta } from './balance.ts';

test('a spend the balance covers lands; one it does not is refused, down to exactly zero', () => {
  assert.equal(balanceAfter(100, 50), 150);
  assert.equal(balanceAfter(100, -100), 0);
  assert.equal(balanceAfter(100, -101), null);
  assert.equal(balanceAfter(0, -1), null);
});

test('a retry is the same delta and reason; anything else under the key is a reuse', () => {
  const entry = { delta: -300, reason: 'reward:free_episode' };
  assert.ok(isSameChange(entry, { delta: -300, reason: 'reward:free_episode' }));
  assert.ok(!isSameChange(entry, { delta: -100, reason: 'reward:free_episode' }));
  assert.ok(!isSameChange(entry, { delta: -300, reason: 'reward:coin_coupon_30' }));
});

test('malformed changes are RangeErrors', () => {
  const good = { delta: 10, reason: 'check_in', idempotencyKey: 'k' };
  assertChange(good);
  assertChange({ ...good, delta: -maxDelta });
  for (const delta of [0, 1.5, Number.NaN, maxDelta + 1, Number.POSITIVE_INFINITY])
    assert.throws(() => assertChange({ ...good, delta }), RangeError, String(delta));
  for (const reason of ['', 'r'.repeat(65)])
    assert.throws(() => assertChange({ ...good, reason }), RangeError);
  for (const idempotencyKey of ['', 'k'.repeat(201)])
    assert.throws(() => assertChange({ ...good, idempotencyKey }), RangeError);
});
