import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Bus } from './bus.ts';
import { InvalidBusMessageError, InvalidBusTopicError } from './bus-message.ts';

export interface BusPair {
  /** Publishes; for a networked adapter a different instance (process) from `subscriber`. */
  publisher: Bus;
  subscriber: Bus;
  close(): Promise<void>;
}

/** Collects messages and lets a test wait for the n-th one without timing assumptions. */
function inbox<T = unknown>() {
  const messages: { message: T; topic: string }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  return {
    messages,
    handler: (message: T, topic: string) => {
      messages.push({ message, topic });
      for (const waiter of [...waiters]) {
        if (messages.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    },
    until(count: number): Promise<void> {
      if (messages.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

/**
 * One suite for every Bus adapter. Absence of delivery is proven with a marker message sent after
 * it on the same path: pub/sub keeps per-connection order, so once the marker arrived, anything
 * published before it would have arrived too.
 */
export function busContract(name: string, makePair: () => Promise<BusPair>): void {
  describe(`bus contract: ${name}`, () => {
    let pair: BusPair;
    let n = 0;
    const topic = (label: string) => `test.${label}.${++n}`;
    before(async () => {
      pair = await makePair();
    });
    after(() => pair.close());

    test('a message published on one instance reaches a subscriber on the other', async () => {
      const t = topic('basic');
      const box = inbox<{ episodeId: number }>();
      await pair.subscriber.subscribe(t, box.handler);
      await pair.publisher.publish(t, { episodeId: 7 });
      await box.until(1);
      assert.deepEqual(box.messages, [{ message: { episodeId: 7 }, topic: t }]);
    });

    test('payloads round-trip: unicode, nesting, arrays, numbers, null', async () => {
      const t = topic('payload');
      const box = inbox();
      await pair.subscriber.subscribe(t, box.handler);
      const payloads: unknown[] = [
        {
          text: '弹幕 🎬 ñ "quoted" \\ back\nline',
          nested: { deep: { list: [1, 2.5, -3, null] } },
        },
        ['a', { b: [true, false] }],
        'plain string',
        42,
        null,
      ];
      for (const payload of payloads) await pair.publisher.publish(t, payload);
      await box.until(payloads.length);
      assert.deepEqual(
        box.messages.map((m) => m.message),
        payloads,
      );
    });

    test('a subscriber gets its own copy: mutating it changes nothing elsewhere', async () => {
      const t = topic('copy');
      const first = inbox<{ list: number[] }>();
      const second = inbox<{ list: number[] }>();
      await pair.subscriber.subscribe<{ list: number[] }>(t, (message, tt) => {
        message.list.push(99);
        first.handler(message, tt);
      });
      await pair.subscriber.subscribe(t, second.handler);
      const original = { list: [1] };
      await pair.publisher.publish(t, original);
      await Promise.all([first.until(1), second.until(1)]);
      assert.deepEqual(original, { list: [1] });
      assert.deepEqual(second.messages[0]?.message, { list: [1] });
    });

    test('topics are isolated from each other', async () => {
      const topics = Array.from({ length: 8 }, () => topic('many'));
      const boxes = topics.map(() => inbox<{ topic: string }>());
      for (const [i, t] of topics.entries()) await pair.subscriber.subscribe(t, boxes[i]!.handler);
      for (const t of topics) await pair.publisher.publish(t, { topic: t });
      await Promise.all(boxes.map((box) => box.until(1)));
      // A second round proves no stray cross-delivery arrived in between.
      for (const t of topics) await pair.publisher.publish(t, { topic: t });
      await Promise.all(boxes.map((box) => box.until(2)));
      for (const [i, box] of boxes.entries()) {
        assert.deepEqual(
          box.messages.map((m) => m.message.topic),
          [topics[i], topics[i]],
        );
      }
    });

    test('unsubscribe stops delivery to that handler only', async () => {
      const t = topic('unsub');
      const leaving = inbox();
      const staying = inbox();
      const unsubscribe = await pair.subscriber.subscribe(t, leaving.handler);
      await pair.subscriber.subscribe(t, staying.handler);
      await pair.publisher.publish(t, 1);
      await Promise.all([leaving.until(1), staying.until(1)]);
      await unsubscribe();
      await unsubscribe();
      await pair.publisher.publish(t, 2);
      await pair.publisher.publish(t, 3);
      await staying.until(3);
      assert.deepEqual(
        leaving.messages.map((m) => m.message),
        [1],
      );
    });

    test('after the last unsubscribe a topic can be subscribed again', async () => {
      const t = topic('resub');
      const first = inbox();
      const unsubscribe = await pair.subscriber.subscribe(t, first.handler);
      await unsubscribe();
      const second = inbox();
      await pair.subscriber.subscribe(t, second.handler);
      await pair.publisher.publish(t, 'again');
      await second.until(1);
      assert.equal(first.messages.length, 0);
      assert.deepEqual(second.messages[0]?.message, 'again');
    });

    test('a throwing handler does not stop the other handlers nor the publisher', async () => {
      const t = topic('throws');
      const box = inbox();
      await pair.subscriber.subscribe(t, () => {
        throw new Error('handler bug');
      });
      await pair.subscriber.subscribe(t, async () => {
        throw new Error('async handler bug');
      });
      await pair.subscriber.subscribe(t, box.handler);
      await pair.publisher.publish(t, 'one');
      await pair.publisher.publish(t, 'two');
      await box.until(2);
      assert.deepEqual(
        box.messages.map((m) => m.message),
        ['one', 'two'],
      );
    });

    test('values JSON cannot carry and bad topics are refused with a coded error', async () => {
      await assert.rejects(pair.publisher.publish('test.bad', undefined), InvalidBusMessageError);
      await assert.rejects(pair.publisher.publish('test.bad', { n: 1n }), InvalidBusMessageError);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await assert.rejects(pair.publisher.publish('test.bad', cyclic), InvalidBusMessageError);
      await assert.rejects(pair.publisher.publish('', 1), InvalidBusTopicError);
      await assert.rejects(pair.publisher.publish('a\nb', 1), InvalidBusTopicError);
      await assert.rejects(
        pair.subscriber.subscribe('', () => undefined),
        InvalidBusTopicError,
      );
    });
  });
}
