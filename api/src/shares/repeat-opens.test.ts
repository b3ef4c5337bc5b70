import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createMemoryRepeatOpens } from './repeat-opens-memory.ts';
import { createRedisRepeatOpens } from './repeat-opens-redis.ts';
import { repeatKey, type RepeatOpens } from './repeat-opens.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

test('repeatKey: fixed length, different for each code, address and agent', () => {
  const keys = new Set([
    repeatKey('Ab3dE6gH9k', '10.0.0.1', 'Firefox'),
    repeatKey('Ab3dE6gH9K', '10.0.0.1', 'Firefox'),
    repeatKey('Ab3dE6gH9k', '10.0.0.2', 'Firefox'),
    repeatKey('Ab3dE6gH9k', '10.0.0.1', 'Chrome'),
    // The separator keeps the fields apart: these two would collide if simply concatenated.
    repeatKey('Ab3dE6gH9k', '10.0.0.1x', 'y'),
    repeatKey('Ab3dE6gH9k', '10.0.0.1', 'xy'),
  ]);
  assert.equal(keys.size, 6);
  for (const key of keys) assert.match(key, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(repeatKey('c', 'i', 'u'.repeat(100_000)).length, 32);
});

/** The contract both adapters keep; `advance` moves their clock past a window of `windowMs`. */
function contract(name: string, make: () => { opens: RepeatOpens; advance: () => Promise<void> }) {
  test(`${name}: first open counts, repeats within the window do not, after it one does again`, async () => {
    const { opens, advance } = make();
    const key = randomBytes(8).toString('hex');
    const other = randomBytes(8).toString('hex');
    assert.equal(await opens.firstWithin(key), true);
    assert.equal(await opens.firstWithin(key), false);
    assert.equal(await opens.firstWithin(key), false);
    assert.equal(await opens.firstWithin(other), true);
    await advance();
    assert.equal(await opens.firstWithin(key), true);
    assert.equal(await opens.firstWithin(key), false);
  });
}

let now = 0;
contract('memory', () => ({
  opens: createMemoryRepeatOpens({ windowMs: 60_000, clock: () => now }),
  advance: async () => {
    now += 60_000;
  },
}));

test('memory: past maxKeys the oldest keys are forgotten first', async () => {
  let clock = 0;
  const opens = createMemoryRepeatOpens({ windowMs: 60_000, maxKeys: 3, clock: () => clock });
  for (const key of ['a', 'b', 'c']) assert.equal(await opens.firstWithin(key), true);
  clock += 1;
  assert.equal(await opens.firstWithin('d'), true);
  assert.equal(await opens.firstWithin('a'), true, 'a went to make room');
  assert.equal(await opens.firstWithin('d'), false);
});

describe('redis', () => {
  let redis: Redis;
  const prefix = `binge-test:${randomBytes(4).toString('hex')}:share-open:`;
  before(() => {
    redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  });
  after(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  contract('redis', () => ({
    opens: createRedisRepeatOpens(redis, { prefix, windowMs: 150 }),
    advance: () => new Promise((resolve) => setTimeout(resolve, 200)),
  }));

  test('redis: the keys carry the prefix and expire', async () => {
    const opens = createRedisRepeatOpens(redis, { prefix, windowMs: 60_000 });
    await opens.firstWithin('k1');
    const ttl = await redis.pttl(`${prefix}k1`);
    assert.ok(ttl > 0 && ttl <= 60_000, String(ttl));
  });
});
