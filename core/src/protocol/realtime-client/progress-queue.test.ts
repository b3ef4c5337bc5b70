import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHlc } from '../crdt/hlc.ts';
import type { HlcStamp } from '../crdt/hlc-stamp.ts';
import { seededRandom } from '../crdt/seeded-random.ts';
import {
  ProgressQueueError,
  createProgressQueue,
  progressData,
  progressQueueErrorCodes,
  restoreProgressQueue,
  type ProgressWrite,
} from './progress-queue.ts';

function stamp(wallMs: number, counter = 0, node = 'phone'): HlcStamp {
  return { wallMs, counter, node };
}

function write(episodeId: number, positionMs: number, at: HlcStamp): ProgressWrite {
  return { episodeId, positionMs, durationMs: 120_000, stamp: at };
}

test('two writes for one episode keep only the newest stamp', () => {
  let clock = 1_000;
  const hlc = createHlc({ node: 'phone', now: () => clock });
  const queue = createProgressQueue();
  assert.deepEqual(queue.record(write(5, 10_000, hlc.now())), { kind: 'queued', evicted: [] });
  clock += 5_000;
  const newest = hlc.now();
  assert.deepEqual(queue.record(write(5, 15_000, newest)), { kind: 'queued', evicted: [] });
  assert.equal(queue.size, 1);
  assert.deepEqual(queue.drain(), [write(5, 15_000, newest)]);
});

test('an older stamp arriving later never rewinds the pending write', () => {
  const queue = createProgressQueue();
  queue.record(write(5, 50_000, stamp(2_000)));
  assert.deepEqual(queue.record(write(5, 10_000, stamp(1_000))), { kind: 'superseded' });
  // Same wallMs: the counter, then the node id, orders them.
  assert.deepEqual(queue.record(write(5, 20_000, stamp(2_000, 0, 'laptop'))), {
    kind: 'superseded',
  });
  assert.equal(queue.record(write(5, 60_000, stamp(2_000, 1))).kind, 'queued');
  assert.equal(queue.get(5)?.positionMs, 60_000);
});

test('the result does not depend on the order writes arrive in (seeded)', () => {
  const random = seededRandom(11);
  const writes = Array.from({ length: 60 }, (_, i) =>
    write(
      random.int(1, 6),
      random.int(0, 120) * 1_000,
      stamp(random.int(0, 20), i, random.pick(['a', 'b'])),
    ),
  );
  const expected = createProgressQueue();
  for (const w of writes) expected.record(w);
  for (let trial = 0; trial < 50; trial += 1) {
    const queue = createProgressQueue();
    for (const w of random.shuffle(writes)) queue.record(w);
    assert.deepEqual(queue.drain(), expected.drain());
  }
});

test('drain returns the pending writes in stamp order, across episodes', () => {
  const queue = createProgressQueue();
  queue.record(write(3, 1, stamp(300)));
  queue.record(write(1, 1, stamp(100)));
  queue.record(write(2, 1, stamp(200)));
  queue.record(write(1, 2, stamp(400)));
  assert.deepEqual(
    queue.drain().map((w) => [w.episodeId, w.stamp.wallMs]),
    [
      [2, 200],
      [3, 300],
      [1, 400],
    ],
  );
  assert.equal(queue.size, 3, 'drain does not remove: only acknowledgements do');
  assert.deepEqual(progressData(queue.get(1)!), { eid: 1, pos: 2, dur: 120_000, hlc: stamp(400) });
});

test('acknowledged writes leave; an ack for an older stamp keeps the newer pending write', () => {
  const queue = createProgressQueue();
  queue.record(write(1, 1_000, stamp(100)));
  queue.record(write(2, 1_000, stamp(110)));
  const [first, second] = queue.drain();
  // While the write of episode 1 was in flight, the viewer watched on.
  queue.record(write(1, 9_000, stamp(150)));
  assert.equal(queue.acknowledge(1, first!.stamp), false);
  assert.equal(queue.get(1)?.positionMs, 9_000);
  assert.equal(queue.acknowledge(2, second!.stamp), true);
  assert.deepEqual(
    queue.drain().map((w) => w.episodeId),
    [1],
  );
  // Another device's newer winner also settles our pending write.
  assert.equal(queue.acknowledge(1, stamp(900, 0, 'laptop')), true);
  assert.equal(queue.size, 0);
  assert.equal(queue.acknowledge(1, stamp(900)), false);
});

test('beyond capacity the episodes with the oldest pending stamps are evicted', () => {
  const queue = createProgressQueue({ capacity: 3 });
  queue.record(write(1, 0, stamp(10)));
  queue.record(write(2, 0, stamp(20)));
  queue.record(write(3, 0, stamp(30)));
  queue.record(write(1, 0, stamp(40))); // episode 1 is now the newest
  assert.deepEqual(queue.record(write(4, 0, stamp(50))), { kind: 'queued', evicted: [2] });
  assert.deepEqual(
    queue.drain().map((w) => w.episodeId),
    [3, 1, 4],
  );
  assert.deepEqual(queue.record(write(5, 0, stamp(5))), { kind: 'queued', evicted: [5] });
  assert.equal(queue.size, 3);
});

test('invalid writes are refused with a coded error', () => {
  const queue = createProgressQueue();
  const bad: unknown[] = [
    { ...write(1, 0, stamp(1)), positionMs: 130_000 },
    { ...write(0, 0, stamp(1)) },
    { ...write(1, -1, stamp(1)) },
    { ...write(1, 0, stamp(1)), durationMs: 0 },
    { ...write(1, 0, { wallMs: 1, counter: 0, node: 'bad node' }) },
  ];
  for (const w of bad) {
    assert.throws(
      () => queue.record(w as ProgressWrite),
      (error: unknown) => error instanceof ProgressQueueError && error.code === 'INVALID_PROGRESS',
    );
  }
  assert.equal(queue.size, 0);
  assert.throws(() => createProgressQueue({ capacity: 0 }), RangeError);
});

test('the queue round-trips through JSON', () => {
  const queue = createProgressQueue({ capacity: 10 });
  queue.record(write(1, 5_000, stamp(100)));
  queue.record(write(2, 6_000, stamp(50, 3, 'tablet')));
  const text = JSON.stringify(queue);
  const restored = restoreProgressQueue(text, { capacity: 10 });
  assert.deepEqual(restored.errors, []);
  assert.deepEqual(restored.queue.drain(), queue.drain());
  // Nothing stored (localStorage.getItem returned null) is an empty queue, not an error.
  const empty = restoreProgressQueue(null);
  assert.deepEqual([empty.queue.size, empty.errors], [0, []]);
});

test('corrupt stored JSON is discarded with a coded error and never throws', () => {
  const corrupt: unknown[] = [
    '',
    '{',
    'null',
    '[]',
    '42',
    '"text"',
    '{"v":2,"entries":[]}',
    '{"entries":[]}',
    '{"v":1,"entries":{}}',
    '{"v":1}',
    'x'.repeat(1_000_001),
    12,
  ];
  for (const text of corrupt) {
    const restored = restoreProgressQueue(text as string);
    assert.equal(restored.queue.size, 0);
    assert.deepEqual(
      restored.errors.map((e) => e.code),
      ['STORED_QUEUE_CORRUPT'],
      String(text).slice(0, 40),
    );
  }
});

test('invalid stored entries are dropped one by one, valid ones kept and coalesced', () => {
  const text = JSON.stringify({
    v: 1,
    entries: [
      write(1, 1_000, stamp(100)),
      { ...write(2, 1_000, stamp(100)), positionMs: 200_000 },
      null,
      { ...write(3, 1_000, stamp(100)), stamp: { wallMs: 2 ** 49, counter: 0, node: 'x' } },
      write(1, 500, stamp(90)),
      write(4, 1_000, stamp(120)),
      { ...write(5, 1_000, stamp(130)), __proto__: { polluted: true }, extra: 'ignored' },
    ],
  });
  const restored = restoreProgressQueue(text, { capacity: 2 });
  assert.deepEqual(
    restored.errors.map((e) => [e.code, e.detail.split(':')[0]]),
    [
      ['STORED_ENTRY_INVALID', 'entry 1'],
      ['STORED_ENTRY_INVALID', 'entry 2'],
      ['STORED_ENTRY_INVALID', 'entry 3'],
    ],
  );
  assert.deepEqual(restored.queue.drain(), [
    write(4, 1_000, stamp(120)),
    write(5, 1_000, stamp(130)),
  ]);
  assert.ok(Object.keys(progressQueueErrorCodes).includes('STORED_ENTRY_INVALID'));
});
