import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import type { ChannelHistory, ChannelHistoryOptions, Publication, SinceResult } from './history.ts';
import { InvalidHistoryInputError } from './history-input.ts';

export interface HistoryFixture {
  /** A new ChannelHistory instance; for a networked adapter, over the same store as the others. */
  make(options: ChannelHistoryOptions): ChannelHistory;
  cleanup(): Promise<void>;
}

/** Publications as (offset, UTF-8 text) pairs, for readable assertions. */
function texts(publications: Publication[]): Array<[number, string]> {
  return publications.map((p) => [p.offset, Buffer.from(p.data).toString('utf8')]);
}

function recovered(result: SinceResult): Publication[] {
  assert.equal(result.kind, 'recovered', JSON.stringify(result));
  return result.kind === 'recovered' ? result.publications : [];
}

const roomy: ChannelHistoryOptions = { capacity: 1000, ttlSeconds: 60 };

/** One suite for every ChannelHistory adapter; each test uses its own channels. */
export function historyContract(adapter: string, makeFixture: () => Promise<HistoryFixture>): void {
  describe(`channel history contract: ${adapter}`, () => {
    let fixture: HistoryFixture;
    const open: ChannelHistory[] = [];
    let n = 0;
    const channel = (kind = 'chat') => `${kind}:${++n}`;
    const make = (options: ChannelHistoryOptions = roomy) => {
      const history = fixture.make(options);
      open.push(history);
      return history;
    };
    before(async () => {
      fixture = await makeFixture();
    });
    after(async () => {
      await Promise.all(open.map((history) => history.close()));
      await fixture.cleanup();
    });

    test('an empty channel has an epoch and offset 0, and keeps that epoch for its first append', async () => {
      const history = make();
      const ch = channel();
      const empty = await history.position(ch);
      assert.match(empty.epoch, /^[A-Za-z0-9_-]{1,32}$/);
      assert.equal(empty.offset, 0);
      assert.deepEqual(await history.position(ch), empty);
      assert.deepEqual(recovered(await history.since(ch, empty)), []);
      const first = await history.append(ch, 'hello');
      assert.deepEqual(first, { epoch: empty.epoch, offset: 1, duplicate: false });
      assert.deepEqual(await history.position(ch), { epoch: empty.epoch, offset: 1 });
      assert.deepEqual(texts(recovered(await history.since(ch, empty))), [[1, 'hello']]);
    });

    test('200 concurrent appends get offsets 1..200, each once, and replay in offset order', async () => {
      const history = make();
      const ch = channel();
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => history.append(ch, `m${i}`)),
      );
      const epochs = new Set(results.map((r) => r.epoch));
      assert.equal(epochs.size, 1);
      assert.equal(
        results.every((r) => !r.duplicate),
        true,
      );
      const offsets = results.map((r) => r.offset).sort((a, b) => a - b);
      assert.deepEqual(
        offsets,
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      const [epoch] = epochs;
      assert.deepEqual(await history.position(ch), { epoch, offset: 200 });
      // Each offset holds the data of the append that was given it.
      const expected = results
        .map((r, i): [number, string] => [r.offset, `m${i}`])
        .sort((a, b) => a[0] - b[0]);
      const replay = await history.since(ch, { epoch: epoch!, offset: 0 });
      assert.deepEqual(texts(recovered(replay)), expected);
      assert.equal(replay.offset, 200);
    });

    test('since() returns exactly the missed publications, in order, and the top', async () => {
      const history = make();
      const ch = channel();
      let epoch = '';
      for (let i = 1; i <= 10; i++) ({ epoch } = await history.append(ch, `p${i}`));
      const result = await history.since(ch, { epoch, offset: 4 });
      assert.deepEqual(texts(recovered(result)), [
        [5, 'p5'],
        [6, 'p6'],
        [7, 'p7'],
        [8, 'p8'],
        [9, 'p9'],
        [10, 'p10'],
      ]);
      assert.deepEqual({ epoch: result.epoch, offset: result.offset }, { epoch, offset: 10 });
      assert.deepEqual(texts(recovered(await history.since(ch, { epoch, offset: 9 }))), [
        [10, 'p10'],
      ]);
    });

    test('since() at the top is recovered with nothing to replay', async () => {
      const history = make();
      const ch = channel();
      await history.append(ch, 'a');
      const { epoch } = await history.append(ch, 'b');
      assert.deepEqual(await history.since(ch, { epoch, offset: 2 }), {
        kind: 'recovered',
        epoch,
        offset: 2,
        publications: [],
      });
    });

    test('another epoch is told to refetch, with the current position', async () => {
      const history = make();
      const ch = channel();
      await history.append(ch, 'a');
      const { epoch } = await history.append(ch, 'b');
      for (const offset of [0, 1, 2, 3]) {
        assert.deepEqual(await history.since(ch, { epoch: 'not-this-epoch', offset }), {
          kind: 'refetch',
          epoch,
          offset: 2,
        });
      }
    });

    test('a client from the future (offset beyond the top) is told to refetch', async () => {
      const history = make();
      const ch = channel();
      const { epoch } = await history.append(ch, 'a');
      assert.deepEqual(await history.since(ch, { epoch, offset: 2 }), {
        kind: 'refetch',
        epoch,
        offset: 1,
      });
      const empty = await history.position(channel());
      assert.equal((await history.since(channel(), { ...empty, offset: 5 })).kind, 'refetch');
    });

    test('beyond capacity: recovered within the window, refetch when too far behind', async () => {
      const history = make({ capacity: 5, ttlSeconds: 60 });
      const ch = channel();
      let epoch = '';
      for (let i = 1; i <= 12; i++) ({ epoch } = await history.append(ch, `p${i}`));
      assert.deepEqual(texts(recovered(await history.since(ch, { epoch, offset: 7 }))), [
        [8, 'p8'],
        [9, 'p9'],
        [10, 'p10'],
        [11, 'p11'],
        [12, 'p12'],
      ]);
      for (const offset of [0, 1, 6]) {
        assert.deepEqual(await history.since(ch, { epoch, offset }), {
          kind: 'refetch',
          epoch,
          offset: 12,
        });
      }
    });

    test('more missed than the limit is refetch, never a partial replay', async () => {
      const history = make();
      const ch = channel();
      let epoch = '';
      for (let i = 1; i <= 10; i++) ({ epoch } = await history.append(ch, `p${i}`));
      assert.deepEqual(await history.since(ch, { epoch, offset: 4 }, 5), {
        kind: 'refetch',
        epoch,
        offset: 10,
      });
      assert.deepEqual(
        recovered(await history.since(ch, { epoch, offset: 5 }, 5)).map((p) => p.offset),
        [6, 7, 8, 9, 10],
      );
      assert.deepEqual(recovered(await history.since(ch, { epoch, offset: 10 }, 0)), []);
    });

    test('history idle past its TTL is gone: a new epoch, and the old one refetches', async () => {
      const history = make({ capacity: 100, ttlSeconds: 1 });
      const ch = channel();
      const first = await history.append(ch, 'a');
      await sleep(600);
      // An append restarts the idle clock.
      await history.append(ch, 'b');
      await sleep(600);
      assert.deepEqual(
        texts(recovered(await history.since(ch, { epoch: first.epoch, offset: 0 }))),
        [
          [1, 'a'],
          [2, 'b'],
        ],
      );
      await sleep(1300);
      const after = await history.since(ch, { epoch: first.epoch, offset: 2 });
      assert.equal(after.kind, 'refetch');
      assert.notEqual(after.epoch, first.epoch);
      assert.equal(after.offset, 0);
      assert.deepEqual(await history.append(ch, 'c'), {
        epoch: after.epoch,
        offset: 1,
        duplicate: false,
      });
    });

    test('an idempotent append retried returns the original position and adds nothing', async () => {
      const history = make();
      const ch = channel();
      const original = await history.append(ch, 'x', { idempotencyKey: 'c-1' });
      assert.deepEqual(original, { epoch: original.epoch, offset: 1, duplicate: false });
      await history.append(ch, 'y');
      const retried = await history.append(ch, 'x (retried)', { idempotencyKey: 'c-1' });
      assert.deepEqual(retried, { epoch: original.epoch, offset: 1, duplicate: true });
      assert.deepEqual(await history.position(ch), { epoch: original.epoch, offset: 2 });
      assert.deepEqual(
        texts(recovered(await history.since(ch, { epoch: original.epoch, offset: 0 }))),
        [
          [1, 'x'],
          [2, 'y'],
        ],
      );
      // Keys are per channel.
      const other = channel();
      assert.equal((await history.append(other, 'x', { idempotencyKey: 'c-1' })).duplicate, false);
    });

    test('concurrent retries of one idempotent append store it once', async () => {
      const history = make();
      const ch = channel();
      const results = await Promise.all(
        Array.from({ length: 20 }, () => history.append(ch, 'once', { idempotencyKey: 'k' })),
      );
      assert.equal(results.filter((r) => !r.duplicate).length, 1);
      assert.deepEqual(new Set(results.map((r) => r.offset)), new Set([1]));
      assert.equal((await history.position(ch)).offset, 1);
    });

    test('an idempotency key is forgotten after its window', async () => {
      const history = make({ capacity: 10, ttlSeconds: 60, idempotencyTtlSeconds: 1 });
      const ch = channel();
      await history.append(ch, 'x', { idempotencyKey: 'k' });
      assert.equal((await history.append(ch, 'x', { idempotencyKey: 'k' })).duplicate, true);
      await sleep(1200);
      const again = await history.append(ch, 'x', { idempotencyKey: 'k' });
      assert.deepEqual([again.offset, again.duplicate], [2, false]);
    });

    test('binary data round-trips byte for byte; strings come back as UTF-8 bytes', async () => {
      const history = make();
      const ch = channel();
      const every = Uint8Array.from({ length: 256 }, (_, i) => i);
      const invalidUtf8 = Uint8Array.from([0xff, 0xfe, 0xc3, 0x28, 0x00, 0xed, 0xa0, 0x80]);
      // A view into a larger buffer: only the viewed bytes are stored.
      const backing = Uint8Array.from([9, 9, 1, 2, 3, 9, 9]);
      const view = backing.subarray(2, 5);
      const mutable = Uint8Array.from([4, 5, 6]);
      const { epoch } = await history.append(ch, every);
      await history.append(ch, invalidUtf8);
      await history.append(ch, new Uint8Array(0));
      await history.append(ch, view);
      await history.append(ch, 'danmu ✨ 弹幕');
      await history.append(ch, mutable);
      mutable[0] = 99;
      const replay = recovered(await history.since(ch, { epoch, offset: 0 }));
      const expected = [
        every,
        invalidUtf8,
        new Uint8Array(0),
        Uint8Array.from([1, 2, 3]),
        new TextEncoder().encode('danmu ✨ 弹幕'),
        Uint8Array.from([4, 5, 6]),
      ];
      assert.equal(replay.length, expected.length);
      for (const [i, publication] of replay.entries()) {
        assert.ok(publication.data instanceof Uint8Array);
        assert.deepEqual([...publication.data], [...expected[i]!], `offset ${i + 1}`);
      }
    });

    test('channels are independent streams', async () => {
      const history = make();
      const [a, b] = [channel('danmu'), channel('danmu')];
      const fromA = await history.append(a, 'a1');
      const fromB = await history.append(b, 'b1');
      await history.append(a, 'a2');
      assert.deepEqual([fromA.offset, fromB.offset], [1, 1]);
      assert.notEqual(fromA.epoch, fromB.epoch);
      assert.deepEqual(texts(recovered(await history.since(b, { ...fromB, offset: 0 }))), [
        [1, 'b1'],
      ]);
    });

    test('bad input is refused before it reaches storage', async () => {
      const history = make();
      const ch = channel();
      const { epoch } = await history.append(ch, 'a');
      const refused = (promise: Promise<unknown>) =>
        assert.rejects(promise, InvalidHistoryInputError);
      await refused(history.append('', 'x'));
      await refused(history.append('chat:{1}', 'x'));
      await refused(history.append('x'.repeat(257), 'x'));
      await refused(history.append(ch, 42 as unknown as string));
      await refused(history.append(ch, 'x', { idempotencyKey: '' }));
      await refused(history.position(''));
      await refused(history.since(ch, { epoch, offset: -1 }));
      await refused(history.since(ch, { epoch, offset: 1.5 }));
      await refused(history.since(ch, { epoch: 7 as unknown as string, offset: 1 }));
      await refused(history.since(ch, { epoch, offset: 0 }, -1));
      assert.throws(() => fixture.make({ capacity: 0, ttlSeconds: 1 }), InvalidHistoryInputError);
      assert.throws(() => fixture.make({ capacity: 1, ttlSeconds: 0 }), InvalidHistoryInputError);
      assert.deepEqual(await history.position(ch), { epoch, offset: 1 });
    });

    test('a closed history refuses further calls', async () => {
      const history = make();
      await history.close();
      await history.close();
      await assert.rejects(history.append(channel(), 'x'), /closed/);
      await assert.rejects(history.position(channel()), /closed/);
    });
  });
}
