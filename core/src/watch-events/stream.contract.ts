import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { StreamFullError, type EventStream } from './stream.ts';

export interface StreamFixture {
  /** A fresh, empty stream (with this cap, when given); every call gives a stream of its own. */
  make(cap?: number): Promise<EventStream>;
  cleanup(): Promise<void>;
}

/** One suite for every EventStream adapter. */
export function streamContract(name: string, setup: () => Promise<StreamFixture>): void {
  describe(`event stream contract: ${name}`, () => {
    let fixture: StreamFixture;
    const opened: EventStream[] = [];
    const fresh = async (cap?: number) => {
      const stream = await fixture.make(cap);
      opened.push(stream);
      return stream;
    };
    before(async () => {
      fixture = await setup();
    });
    after(async () => {
      for (const stream of opened) await stream.close();
      await fixture.cleanup();
    });

    test('entries appended before the group exists are read in order, each once', async () => {
      const stream = await fresh();
      await stream.append(['a', 'b']);
      await stream.append(['c']);
      await stream.ensureGroup('g');
      await stream.ensureGroup('g');
      const first = await stream.read('g', 'c1', 2);
      assert.deepEqual(
        first.map((e) => [e.payload, e.deliveries]),
        [
          ['a', 1],
          ['b', 1],
        ],
      );
      const second = await stream.read('g', 'c1', 10);
      assert.deepEqual(
        second.map((e) => e.payload),
        ['c'],
      );
      assert.deepEqual(await stream.read('g', 'c1', 10), []);
      const ids = [...first, ...second].map((e) => e.id);
      assert.equal(new Set(ids).size, 3);
      assert.equal(await stream.pending('g'), 3);
      assert.equal(await stream.length(), 3);
    });

    test('two consumers of a group share the entries without overlap', async () => {
      const stream = await fresh();
      await stream.ensureGroup('g');
      await stream.append(['1', '2', '3', '4', '5']);
      const a = await stream.read('g', 'a', 2);
      const b = await stream.read('g', 'b', 10);
      assert.deepEqual(
        [...a, ...b].map((e) => e.payload),
        ['1', '2', '3', '4', '5'],
      );
    });

    test('ack removes entries from the pending list and from the stream', async () => {
      const stream = await fresh();
      await stream.ensureGroup('g');
      await stream.append(['x', 'y', 'z']);
      const read = await stream.read('g', 'c', 10);
      await stream.ack(
        'g',
        read.slice(0, 2).map((e) => e.id),
      );
      assert.equal(await stream.pending('g'), 1);
      assert.equal(await stream.length(), 1);
      await stream.ack('g', []);
      assert.equal(await stream.pending('g'), 1);
    });

    test('an idle pending entry is claimed by another consumer, with its delivery count', async () => {
      const stream = await fresh();
      await stream.ensureGroup('g');
      await stream.append(['p', 'q']);
      const read = await stream.read('g', 'dead', 10);
      assert.equal(read.length, 2);
      assert.deepEqual(await stream.claimIdle('g', 'alive', 3_600_000, 10), []);
      const claimed = await stream.claimIdle('g', 'alive', 0, 10);
      assert.deepEqual(
        claimed.map((e) => [e.id, e.payload, e.deliveries]),
        read.map((e) => [e.id, e.payload, 2]),
      );
      const again = await stream.claimIdle('g', 'third', 0, 1);
      assert.deepEqual(
        again.map((e) => [e.payload, e.deliveries]),
        [['p', 3]],
      );
      // Claimed entries are pending, not new: a read does not hand them out again.
      assert.deepEqual(await stream.read('g', 'alive', 10), []);
      await stream.ack(
        'g',
        claimed.map((e) => e.id),
      );
      assert.equal(await stream.pending('g'), 0);
      assert.deepEqual(await stream.claimIdle('g', 'alive', 0, 10), []);
    });

    test('a dead letter leaves the stream and keeps its payload and reason', async () => {
      const stream = await fresh();
      await stream.ensureGroup('g');
      await stream.append(['good', 'garbage']);
      const [good, garbage] = await stream.read('g', 'c', 10);
      await stream.deadLetter('g', [garbage!], 'not JSON');
      assert.equal(await stream.pending('g'), 1);
      assert.equal(await stream.length(), 1);
      assert.deepEqual(await stream.deadLetters(10), [
        { id: garbage!.id, payload: 'garbage', reason: 'not JSON' },
      ]);
      assert.deepEqual(await stream.claimIdle('g', 'other', 0, 10), [{ ...good!, deliveries: 2 }]);
    });

    test('a blocked read answers as soon as an entry is appended', async () => {
      const stream = await fresh();
      await stream.ensureGroup('g');
      const waiting = stream.read('g', 'c', 10, 30_000);
      // Appended from another consumer's point of view while the read waits.
      await new Promise((resolve) => setImmediate(resolve));
      await stream.append(['late']);
      const got = await waiting;
      assert.deepEqual(
        got.map((e) => e.payload),
        ['late'],
      );
    });

    test('past its cap an append is refused, all or none, and nothing accepted is dropped', async () => {
      const stream = await fresh(3);
      await stream.ensureGroup('g');
      await stream.append(['1', '2']);
      await assert.rejects(stream.append(['3', '4']), StreamFullError);
      assert.equal(await stream.length(), 2);
      await stream.append(['3']);
      await assert.rejects(stream.append(['4']), StreamFullError);
      const read = await stream.read('g', 'c', 10);
      assert.deepEqual(
        read.map((e) => e.payload),
        ['1', '2', '3'],
      );
      // Stored and acknowledged entries leave the stream and make room again.
      await stream.ack(
        'g',
        read.map((e) => e.id),
      );
      await stream.append(['4', '5', '6']);
      assert.deepEqual(
        (await stream.read('g', 'c', 10)).map((e) => e.payload),
        ['4', '5', '6'],
      );
    });

    test('close ends a blocked read empty', async () => {
      const stream = await fixture.make();
      await stream.ensureGroup('g');
      const waiting = stream.read('g', 'c', 10, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await stream.close();
      assert.deepEqual(await waiting, []);
      await assert.rejects(stream.append(['after']), /closed/);
    });
  });
}
