import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../crdt/seeded-random.ts';
import { closeCodes } from '../realtime/codes.ts';
import { connectionOpened, createBackoff, nextDelay, type BackoffState } from './backoff.ts';

const backoff = closeCodes.IDLE_TIMEOUT.code;

function run(state: BackoffState, times: number, random: () => number): number[] {
  const delays: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const decision = nextDelay(state, backoff, random);
    assert.equal(decision.action, 'reconnect');
    if (decision.action !== 'reconnect') return delays;
    delays.push(decision.delayMs);
    state = decision.state;
  }
  return delays;
}

test('full jitter stays within [min, min(max, min·2^(attempt+1))]', () => {
  const random = seededRandom(1);
  for (let trial = 0; trial < 200; trial += 1) {
    const delays = run(createBackoff(), 12, random.next);
    delays.forEach((delay, attempt) => {
      assert.ok(Number.isInteger(delay));
      assert.ok(delay >= 1_000, `attempt ${attempt}: ${delay}`);
      assert.ok(delay <= Math.min(30_000, 1_000 * 2 ** (attempt + 1)), `attempt ${attempt}`);
    });
  }
});

test('the delay grows with each failed attempt and is capped', () => {
  // The top of the range every time shows the ceiling itself: 2 s, 4 s, 8 s, 16 s, then 30 s.
  const delays = run(createBackoff(), 8, () => 0.999_999_9);
  assert.deepEqual(delays, [1_999, 3_999, 7_999, 15_999, 29_999, 29_999, 29_999, 29_999]);
  const low = run(createBackoff(), 3, () => 0);
  assert.deepEqual(low, [1_000, 1_000, 1_000]);
});

test('full jitter spreads clients over the whole range (seeded)', () => {
  const random = seededRandom(42);
  let state = createBackoff();
  for (let i = 0; i < 5; i += 1) {
    const d = nextDelay(state, backoff, random.next);
    state = d.state;
  }
  // Attempt 5: range [1 s, 30 s]; 10 000 clients should fill every 3 s bucket.
  const buckets = Array.from({ length: 10 }, () => 0);
  for (let i = 0; i < 10_000; i += 1) {
    const decision = nextDelay(state, backoff, random.next);
    assert.equal(decision.action, 'reconnect');
    if (decision.action === 'reconnect') {
      buckets[Math.min(9, Math.floor((decision.delayMs - 1_000) / 2_900))]! += 1;
    }
  }
  for (const count of buckets) assert.ok(count > 800 && count < 1_200, `bucket ${count}`);
});

test('decorrelated jitter stays within [min, max] and grows from the previous delay', () => {
  const random = seededRandom(7);
  for (let trial = 0; trial < 200; trial += 1) {
    let state = createBackoff({ jitter: 'decorrelated' });
    for (let i = 0; i < 15; i += 1) {
      const previous = Math.max(state.lastDelayMs, 1_000);
      const decision = nextDelay(state, backoff, random.next);
      assert.equal(decision.action, 'reconnect');
      if (decision.action !== 'reconnect') return;
      assert.ok(decision.delayMs >= 1_000 && decision.delayMs <= 30_000);
      assert.ok(decision.delayMs <= previous * 3);
      state = decision.state;
    }
  }
  const top = run(createBackoff({ jitter: 'decorrelated' }), 6, () => 0.999_999_9);
  assert.deepEqual(top, [2_999, 8_996, 26_987, 30_000, 30_000, 30_000]);
});

test('a connection that stayed healthy resets the backoff; a short one does not', () => {
  let state = createBackoff({ healthyAfterMs: 10_000 });
  for (let i = 0; i < 4; i += 1) state = nextDelay(state, backoff, () => 0.5).state;
  assert.equal(state.attempt, 4);

  const short = nextDelay(connectionOpened(state, 100_000), backoff, () => 0.999, 105_000);
  assert.equal(short.state.attempt, 5);
  assert.equal(short.state.openedAtMs, null);

  const long = nextDelay(connectionOpened(state, 100_000), backoff, () => 0.999, 110_000);
  assert.equal(long.action, 'reconnect');
  if (long.action === 'reconnect') assert.ok(long.delayMs < 2_000);
  assert.equal(long.state.attempt, 1);
});

test('restart codes reconnect after a random 0–5 s and do not count as failures', () => {
  const random = seededRandom(3);
  let state = createBackoff();
  state = nextDelay(state, backoff, random.next).state;
  for (const code of [closeCodes.SERVER_RESTART.code, 1012]) {
    for (let i = 0; i < 500; i += 1) {
      const decision = nextDelay(state, code, random.next);
      assert.equal(decision.action, 'reconnect');
      if (decision.action === 'reconnect') {
        assert.ok(decision.delayMs >= 0 && decision.delayMs < 5_000);
      }
      assert.equal(decision.state.attempt, 1);
    }
  }
});

test('backoff codes, RFC 6455 drop codes and unknown reconnect-range codes back off', () => {
  for (const code of [4001, 4002, 4004, 1001, 1006, 1011, 1013, 4321]) {
    const decision = nextDelay(createBackoff(), code, () => 0);
    assert.deepEqual(
      { action: decision.action, attempt: decision.state.attempt },
      { action: 'reconnect', attempt: 1 },
      `code ${code}`,
    );
  }
});

test('token expired means refresh the token first, with backoff', () => {
  const first = nextDelay(createBackoff(), closeCodes.AUTH_EXPIRED.code, () => 0.5);
  assert.equal(first.action, 'refresh-token-then-reconnect');
  if (first.action === 'refresh-token-then-reconnect') assert.equal(first.delayMs, 1_500);
  const second = nextDelay(first.state, closeCodes.AUTH_EXPIRED.code, () => 0.5);
  assert.equal(second.action, 'refresh-token-then-reconnect');
  if (second.action === 'refresh-token-then-reconnect') assert.equal(second.delayMs, 2_500);
});

test('no-reconnect codes stop with the code as the reason', () => {
  const expected: [number, string][] = [
    [4500, 'PROTOCOL_VIOLATION'],
    [4501, 'PAYLOAD_TOO_LARGE'],
    [4502, 'AUTH_INVALID'],
    [4503, 'UNSUPPORTED_VERSION'],
    [4504, 'BANNED'],
    [4999, 'close code 4999'],
    [1000, 'close code 1000'],
    [1008, 'close code 1008'],
    [1009, 'close code 1009'],
  ];
  for (const [code, reason] of expected) {
    assert.deepEqual(
      (({ action, ...rest }) => ({ action, reason: 'reason' in rest ? rest.reason : null }))(
        nextDelay(createBackoff(), code, () => 0.5),
      ),
      { action: 'stop', reason },
    );
  }
});

test('bad options and a bad random source are refused', () => {
  assert.throws(() => createBackoff({ minDelayMs: 0 }), RangeError);
  assert.throws(() => createBackoff({ minDelayMs: 5_000, maxDelayMs: 1_000 }), RangeError);
  assert.throws(() => createBackoff({ jitter: 'none' as 'full' }), RangeError);
  assert.throws(() => nextDelay(createBackoff(), backoff, () => 1), RangeError);
  assert.throws(() => nextDelay(createBackoff(), backoff, () => Number.NaN), RangeError);
});
