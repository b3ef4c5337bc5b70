import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { openRedisConnection } from './redis-connection.ts';
import { redisScript } from './redis-script.ts';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;

before(() => {
  redis = new Redis(url);
});
after(async () => {
  await redis.quit();
});

// A unique comment gives a SHA Redis has never cached, so the first run meets NOSCRIPT without
// flushing the script cache other suites share.
const fresh = (body: string) => redisScript(`-- ${randomUUID()}\n${body}`);

test('a script Redis has not cached runs through the EVAL fallback, then by SHA', async () => {
  const script = fresh('return { KEYS[1], ARGV[1] }');
  assert.deepEqual(await script.run(redis, ['k'], ['v']), ['k', 'v']);
  assert.deepEqual(await script.run(redis, ['k'], ['w']), ['k', 'w']);
});

test('runBuffer returns bulk replies as bytes, binary-safe', async () => {
  const script = fresh('return ARGV[1]');
  const bytes = Buffer.from([0, 255, 128, 10]);
  const reply = (await script.runBuffer(redis, [], [bytes])) as Buffer;
  assert.ok(Buffer.isBuffer(reply));
  assert.deepEqual([...reply], [...bytes]);
});

test('errors other than NOSCRIPT reach the caller', async () => {
  const script = fresh("return redis.error_reply('BOOM from the script')");
  await assert.rejects(script.run(redis, [], []), /BOOM from the script/);
});

test('a shared connection is left open on close; exactly one of url and client', async () => {
  const shared = openRedisConnection({ client: redis }, 'test');
  await shared.close();
  assert.equal(await redis.ping(), 'PONG');
  const owned = openRedisConnection({ url }, 'test');
  assert.equal(await owned.redis.ping(), 'PONG');
  const ended = once(owned.redis, 'end');
  await owned.close();
  await ended;
  assert.throws(() => openRedisConnection({}, 'test'), /exactly one of url and client/);
  assert.throws(() => openRedisConnection({ url, client: redis }, 'test'), /exactly one/);
});
