import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Announcement, Broker } from './broker.ts';
import { createMemoryBroker } from './broker-memory.ts';
import { createRedisBroker, parseAnnouncement } from './broker-redis.ts';
import { deleteKeysUnder, testKeyPrefix, testRedisUrl } from '../redis/redis-test-keys.ts';

/**
 * The broker contract, run on both adapters (the Redis one against the real server): what the
 * gateway's relays rely on.
 */
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function until(probe: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

function brokerContract(name: string, open: () => Broker | Promise<Broker>) {
  describe(`${name} broker`, () => {
    const opened: Broker[] = [];
    const make = async () => {
      const broker = await open();
      opened.push(broker);
      return broker;
    };
    after(async () => {
      await Promise.all(opened.map((b) => b.close()));
    });

    test('a publication is stored and announced with its epoch and offset, in order', async () => {
      const broker = await make();
      const seen: Announcement[] = [];
      await broker.follow('chat:1', (a) => seen.push(a));
      const results = [];
      for (const t of ['a', 'b', 'c']) results.push(await broker.publish('chat:1', bytes(t)));
      await until(() => seen.length === 3);
      assert.deepEqual(
        seen.map((a) => [a.channel, a.epoch, a.offset, text(a.data)]),
        results.map((r, i) => ['chat:1', r.epoch, r.offset, ['a', 'b', 'c'][i]]),
      );
      assert.deepEqual(
        results.map((r) => r.offset),
        [1, 2, 3],
      );
      const since = await broker.history.since('chat:1', { epoch: results[0]!.epoch, offset: 1 });
      assert.equal(since.kind, 'recovered');
    });

    test('a retried publication (same key) is stored once and announced once', async () => {
      const broker = await make();
      const seen: Announcement[] = [];
      await broker.follow('danmu:7', (a) => seen.push(a));
      const first = await broker.publish('danmu:7', bytes('x'), { idempotencyKey: 'u1:c1' });
      const again = await broker.publish('danmu:7', bytes('x'), { idempotencyKey: 'u1:c1' });
      assert.equal(again.duplicate, true);
      assert.equal(again.offset, first.offset);
      await sleep(50);
      assert.equal(seen.length, 1);
    });

    test('ephemeral announcements carry no position; unfollowed channels hear nothing', async () => {
      const broker = await make();
      const seen: Announcement[] = [];
      await broker.follow('live:3', (a) => seen.push(a));
      await broker.announce('live:3', bytes('{"vn":1}'));
      await until(() => seen.length === 1);
      assert.equal(seen[0]!.epoch, null);
      assert.equal(seen[0]!.offset, null);
      assert.equal(text(seen[0]!.data), '{"vn":1}');
      await broker.unfollow('live:3');
      await broker.announce('live:3', bytes('{"vn":2}'));
      await broker.publish('live:3-other', bytes('z'));
      await sleep(50);
      assert.equal(seen.length, 1);
    });

    test('publications from two brokers on one store keep one gapless order', async () => {
      const a = await make();
      const b = name === 'memory' ? a : await make();
      const seen: number[] = [];
      await a.follow('chat:9', (x) => seen.push(x.offset!));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).publish('chat:9', bytes(`m${i}`))),
      );
      await until(() => seen.length === 20);
      assert.deepEqual(
        seen,
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    });
  });
}

brokerContract('memory', () => createMemoryBroker({ capacity: 100, ttlSeconds: 60 }));

const prefix = testKeyPrefix('broker');
brokerContract('redis', () =>
  createRedisBroker({ url: testRedisUrl, prefix, capacity: 100, ttlSeconds: 60 }),
);
after(() => deleteKeysUnder(prefix));

test('announcements that are not ours are ignored, never thrown', () => {
  assert.equal(parseAnnouncement('c', Buffer.from('')), null);
  assert.equal(parseAnnouncement('c', Buffer.from('x:y:z')), null);
  assert.equal(parseAnnouncement('c', Buffer.from('0:ep:data')), null);
  assert.equal(parseAnnouncement('c', Buffer.from('5:bad epoch:data')), null);
  assert.deepEqual(parseAnnouncement('c', Buffer.from('12:ep_1:da:ta')), {
    channel: 'c',
    epoch: 'ep_1',
    offset: 12,
    data: Buffer.from('da:ta'),
  });
});
