import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '@binge/core/log';
import { Redis } from 'ioredis';
import type { ChannelHistory, ChannelHistoryOptions } from './history.ts';
import { historyContract } from './history.contract.ts';
import { createMemoryHistory } from './history-memory.ts';
import { createRedisHistory } from './history-redis.ts';
import { deleteKeysUnder, testRedisUrl } from '../redis/redis-test-keys.ts';

const redisUrl = testRedisUrl;
const deleteUnder = (redis: Redis, prefix: string) => deleteKeysUnder(prefix, redis);
const quiet = createLogger({ level: 'silent' });

historyContract('memory', async () => ({
  make: (options) => createMemoryHistory(options),
  cleanup: async () => undefined,
}));

historyContract('redis', async () => {
  const prefix = `binge-test-${randomBytes(4).toString('hex')}:history:`;
  return {
    make: (options) => createRedisHistory({ ...options, url: redisUrl, prefix, logger: quiet }),
    cleanup: async () => {
      const redis = new Redis(redisUrl);
      try {
        await deleteUnder(redis, prefix);
      } finally {
        await redis.quit();
      }
    },
  };
});

describe('redis channel history', () => {
  const prefix = `binge-test-${randomBytes(4).toString('hex')}:history:`;
  const options: ChannelHistoryOptions = { capacity: 1000, ttlSeconds: 60 };
  let admin: Redis;
  const open: ChannelHistory[] = [];
  let n = 0;
  const channel = () => `chat:${++n}`;
  const node = (extra: Partial<ChannelHistoryOptions> = {}) => {
    const history = createRedisHistory({
      ...options,
      ...extra,
      url: redisUrl,
      prefix,
      logger: quiet,
    });
    open.push(history);
    return history;
  };
  const keyOf = (ch: string, part: string) => `${prefix}{${ch}}:${part}`;

  before(() => {
    admin = new Redis(redisUrl);
  });
  after(async () => {
    await Promise.all(open.map((history) => history.close()));
    await deleteUnder(admin, prefix);
    await admin.quit();
  });

  test('two gateway nodes appending to one channel interleave into one gapless sequence', async () => {
    const [a, b] = [node(), node()];
    const ch = channel();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).append(ch, `m${i}`)),
    );
    assert.equal(new Set(results.map((r) => r.epoch)).size, 1);
    assert.deepEqual(
      results.map((r) => r.offset).sort((x, y) => x - y),
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    const epoch = results[0]!.epoch;
    const expected = results
      .map((r, i): [number, string] => [r.offset, `m${i}`])
      .sort((x, y) => x[0] - y[0]);
    for (const reader of [a, b]) {
      const replay = await reader.since(ch, { epoch, offset: 0 });
      assert.equal(replay.kind, 'recovered');
      if (replay.kind !== 'recovered') continue;
      assert.deepEqual(
        replay.publications.map((p) => [p.offset, Buffer.from(p.data).toString()]),
        expected,
      );
    }
  });

  test("after the channel's keys are lost, the next append starts a new epoch and old clients refetch", async () => {
    const history = node();
    const ch = channel();
    await history.append(ch, 'a', { idempotencyKey: 'k' });
    const old = await history.append(ch, 'b');
    // What a restart without persistence (or FLUSHDB) leaves: nothing under the prefix.
    await deleteUnder(admin, prefix);
    const fresh = await history.append(ch, 'c');
    assert.notEqual(fresh.epoch, old.epoch);
    assert.deepEqual([fresh.offset, fresh.duplicate], [1, false]);
    assert.deepEqual(await history.since(ch, old), {
      kind: 'refetch',
      epoch: fresh.epoch,
      offset: 1,
    });
    assert.deepEqual(await history.since(ch, { epoch: old.epoch, offset: 0 }), {
      kind: 'refetch',
      epoch: fresh.epoch,
      offset: 1,
    });
  });

  test('a stream lost apart from its meta is refetch, never an empty recovery', async () => {
    const history = node();
    const ch = channel();
    await history.append(ch, 'a');
    const { epoch } = await history.append(ch, 'b');
    await admin.del(keyOf(ch, 'stream'));
    assert.deepEqual(await history.since(ch, { epoch, offset: 0 }), {
      kind: 'refetch',
      epoch,
      offset: 2,
    });
    // Appends continue the sequence, and recovery works again from there.
    assert.equal((await history.append(ch, 'c')).offset, 3);
    const since2 = await history.since(ch, { epoch, offset: 2 });
    assert.equal(since2.kind, 'recovered');
    assert.equal(since2.kind === 'recovered' && since2.publications[0]?.offset, 3);
  });

  test('a meta hash lost apart from its stream starts a new epoch over an emptied stream', async () => {
    const history = node();
    const ch = channel();
    await history.append(ch, 'a');
    const old = await history.append(ch, 'b');
    await admin.del(keyOf(ch, 'meta'));
    const fresh = await history.append(ch, 'c');
    assert.notEqual(fresh.epoch, old.epoch);
    assert.equal(fresh.offset, 1);
    assert.equal(await admin.xlen(keyOf(ch, 'stream')), 1);
    const replay = await history.since(ch, { epoch: fresh.epoch, offset: 0 });
    assert.equal(replay.kind, 'recovered');
    assert.deepEqual(
      replay.kind === 'recovered' && replay.publications.map((p) => Buffer.from(p.data).toString()),
      ['c'],
    );
  });

  test('keys carry their TTLs; offsets are the stream ids; trimming bounds the stream', async () => {
    const history = node({ capacity: 5, ttlSeconds: 30, idempotencyTtlSeconds: 120 });
    const ch = channel();
    await history.append(ch, 'x', { idempotencyKey: 'k' });
    for (const part of ['meta', 'stream']) {
      const ttl = await admin.pttl(keyOf(ch, part));
      assert.ok(ttl > 25_000 && ttl <= 30_000, `${part} ${ttl}`);
    }
    const idemTtl = await admin.pttl(keyOf(ch, 'idem:k'));
    assert.ok(idemTtl > 115_000 && idemTtl <= 120_000, `idem ${idemTtl}`);
    for (let i = 0; i < 499; i++) await history.append(ch, `m${i}`);
    const length = await admin.xlen(keyOf(ch, 'stream'));
    // MAXLEN ~ keeps at least the capacity and at most about one radix node (100 entries) more.
    assert.ok(length >= 5 && length <= 200, `length ${length}`);
    const [[lastId]] = (await admin.xrevrange(keyOf(ch, 'stream'), '+', '-', 'COUNT', 1)) as [
      [string, string[]],
    ];
    assert.equal(lastId, '500-0');
  });

  test('a shared client is left open by close()', async () => {
    const client = new Redis(redisUrl);
    try {
      const history = createRedisHistory({ ...options, client, prefix });
      const ch = channel();
      await history.append(ch, 'a');
      await history.close();
      assert.equal(await client.ping(), 'PONG');
      assert.throws(() => createRedisHistory({ ...options, client, url: redisUrl }), TypeError);
    } finally {
      await client.quit();
    }
  });
});

describe('memory channel history', () => {
  test('expiry follows the injected clock, with no timer', async () => {
    let now = 1_000;
    const history = createMemoryHistory({
      capacity: 10,
      ttlSeconds: 10,
      idempotencyTtlSeconds: 5,
      now: () => now,
    });
    const first = await history.append('chat:1', 'a', { idempotencyKey: 'k' });
    now += 4_999;
    assert.equal((await history.append('chat:1', 'a', { idempotencyKey: 'k' })).duplicate, true);
    now += 1;
    const second = await history.append('chat:1', 'a', { idempotencyKey: 'k' });
    assert.deepEqual([second.offset, second.duplicate], [2, false]);
    // Reads do not extend the TTL: 10 s after the last append the epoch is gone.
    now += 9_999;
    assert.deepEqual(await history.position('chat:1'), { epoch: first.epoch, offset: 2 });
    now += 1;
    const after = await history.position('chat:1');
    assert.notEqual(after.epoch, first.epoch);
    assert.equal(after.offset, 0);
    await history.close();
  });
});
