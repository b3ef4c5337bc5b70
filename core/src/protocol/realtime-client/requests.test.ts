import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameType, type ServerFrame } from '../realtime/frames.ts';
import { MAX_RID } from '../realtime/limits.ts';
import type { RealtimeError } from './realtime-error.ts';
import { createRequestTable, nextRid } from './requests.ts';
import { createTimerSet, type Timers } from './timers.ts';

test('rids count up, wrap past the uint32 range to 1, never 0, and skip rids in flight', () => {
  const none = () => false;
  assert.equal(nextRid(0, none), 1);
  assert.equal(nextRid(41, none), 42);
  assert.equal(nextRid(MAX_RID - 1, none), MAX_RID);
  assert.equal(nextRid(MAX_RID, none), 1);
  const inFlight = new Set([1, 2, 4]);
  assert.equal(
    nextRid(MAX_RID, (rid) => inFlight.has(rid)),
    3,
  );
});

function manualTimers() {
  const due = new Map<number, () => void>();
  let id = 0;
  const timers: Timers = {
    setTimeout: (callback) => {
      due.set(++id, callback);
      return id;
    },
    clearTimeout: (handle) => void due.delete(handle as number),
  };
  return {
    timers,
    fireAll() {
      for (const [key, callback] of [...due]) {
        due.delete(key);
        callback();
      }
    },
  };
}

function recorder() {
  const seen: Array<ServerFrame | RealtimeError> = [];
  return {
    seen,
    handlers: (expect: number, timeoutMs: number | null = null) => ({
      expect,
      timeoutMs,
      onReply: (frame: ServerFrame) => seen.push(frame),
      onFail: (error: RealtimeError) => seen.push(error),
    }),
  };
}

test('replies settle their own request, whatever the order; late ones are unknown', () => {
  const clock = manualTimers();
  const table = createRequestTable(createTimerSet(clock.timers));
  const a = recorder();
  const b = recorder();
  const ridA = table.add(a.handlers(FrameType.pong));
  const ridB = table.add(b.handlers(FrameType.ok));
  assert.deepEqual([ridA, ridB], [1, 2]);

  assert.equal(table.settle({ type: FrameType.ok, rid: ridB, payload: { off: 3 } }), 'reply');
  assert.equal(table.settle({ type: FrameType.pong, rid: ridA, payload: { ts: 9 } }), 'reply');
  assert.deepEqual(a.seen, [{ type: FrameType.pong, rid: 1, payload: { ts: 9 } }]);
  assert.deepEqual(b.seen, [{ type: FrameType.ok, rid: 2, payload: { off: 3 } }]);
  assert.equal(table.settle({ type: FrameType.ok, rid: ridB, payload: {} }), 'unknown');
  assert.equal(table.size, 0);
});

test('error, wrong-type replies, timeouts and failAll fail requests with typed errors', () => {
  const clock = manualTimers();
  const table = createRequestTable(createTimerSet(clock.timers));
  const r = recorder();
  const erred = table.add(r.handlers(FrameType.ok));
  const mismatched = table.add(r.handlers(FrameType.ok));
  table.add(r.handlers(FrameType.pong, 5_000));
  table.add(r.handlers(FrameType.subscribed));

  table.settle({ type: FrameType.error, rid: erred, payload: { c: 119, m: 'no', ch: 'chat:1' } });
  assert.equal(
    table.settle({ type: FrameType.pong, rid: mismatched, payload: { ts: 1 } }),
    'mismatch',
  );
  clock.fireAll();
  table.failAll({ kind: 'disconnected' } as RealtimeError);
  const [server, protocol, timeout, disconnected] = r.seen as RealtimeError[];
  assert.deepEqual(
    [server!.kind, server!.code, server!.codeName, server!.ch],
    ['server', 119, 'TEXT_REJECTED', 'chat:1'],
  );
  assert.equal(protocol!.kind, 'protocol');
  assert.equal(timeout!.kind, 'timeout');
  assert.equal(disconnected!.kind, 'disconnected');
  assert.equal(r.seen.length, 4);
  assert.equal(table.size, 0);
});
