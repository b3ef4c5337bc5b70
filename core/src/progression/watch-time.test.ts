import assert from 'node:assert/strict';
import { test } from 'node:test';
import { creditWatch, maxCreditedGapMs, type WatchStep } from './watch-time.ts';

const step = (values: Partial<WatchStep>): WatchStep => ({
  previousPosMs: 10_000,
  positionMs: 20_000,
  durationMs: 100_000,
  sinceLastWriteMs: 10_000,
  ...values,
});

test('playback at normal speed counts in full', () => {
  assert.deepEqual(creditWatch(step({})), { creditedMs: 10_000, completed: false });
});

test('a seek forward counts only what three-times speed could cover since the last write', () => {
  const seek = creditWatch(step({ positionMs: 80_000, sinceLastWriteMs: 5_000 }));
  assert.equal(seek.creditedMs, 15_000);
  assert.equal(creditWatch(step({ sinceLastWriteMs: 0 })).creditedMs, 0, 'two writes at once');
  assert.equal(creditWatch(step({ sinceLastWriteMs: -50 })).creditedMs, 0, 'clock went back');
});

test('a long silence counts as the longest playing gap, not as an hour of watching', () => {
  const forged = creditWatch(
    step({ previousPosMs: 0, positionMs: 3_600_000, durationMs: 0, sinceLastWriteMs: 3_600_000 }),
  );
  assert.equal(forged.creditedMs, maxCreditedGapMs * 3);
});

test('backwards, standing still and first writes count nothing', () => {
  assert.equal(creditWatch(step({ positionMs: 5_000 })).creditedMs, 0);
  assert.equal(creditWatch(step({ positionMs: 10_000 })).creditedMs, 0);
  assert.deepEqual(creditWatch(step({ previousPosMs: null, positionMs: 95_000 })), {
    creditedMs: 0,
    completed: false,
  });
  assert.equal(creditWatch(step({ sinceLastWriteMs: null })).creditedMs, 0);
});

test('completion: crossing 90 % by playback counts, jumping to the end does not', () => {
  assert.equal(creditWatch(step({ previousPosMs: 85_000, positionMs: 91_000 })).completed, true);
  assert.equal(creditWatch(step({ previousPosMs: 85_000, positionMs: 90_000 })).completed, true);
  assert.equal(
    creditWatch(step({ previousPosMs: 85_000, positionMs: 89_999 })).completed,
    false,
    'not there yet',
  );
  assert.equal(
    creditWatch(step({ previousPosMs: 91_000, positionMs: 99_000 })).completed,
    false,
    'already past the line: it counted when it crossed',
  );
  const jump = creditWatch(step({ previousPosMs: 1_000, positionMs: 95_000 }));
  assert.equal(jump.completed, false, 'a seek to the end');
  assert.equal(jump.creditedMs, 30_000);
  assert.equal(creditWatch(step({ durationMs: 0, positionMs: 95_000 })).completed, false);
});
