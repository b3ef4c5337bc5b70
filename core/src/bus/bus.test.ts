import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { createLogger } from '../log/logger.ts';
import { busContract } from './bus.contract.ts';
import { createMemoryBus } from './bus-memory.ts';
import { createRedisBus } from './bus-redis.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });

busContract('memory', async () => {
  const bus = createMemoryBus({ logger: quiet });
  return { publisher: bus, subscriber: bus, close: () => bus.close() };
});

busContract('redis', async () => {
  // Two instances, as two processes would have, sharing a random prefix that isolates this run.
  const prefix = `binge-test-${randomBytes(4).toString('hex')}:`;
  const publisher = createRedisBus({ url: redisUrl, prefix, logger: quiet });
  const subscriber = createRedisBus({ url: redisUrl, prefix, logger: quiet });
  return {
    publisher,
    subscriber,
    close: async () => {
      await publisher.close();
      await subscriber.close();
    },
  };
});

test('memory bus: delivery reaches only subscribers present at publish time', async () => {
  const bus = createMemoryBus({ logger: quiet });
  const seen: unknown[] = [];
  await bus.publish('early', 'before anyone listened');
  await bus.subscribe('early', (message) => seen.push(message));
  await bus.publish('early', 'after');
  assert.deepEqual(seen, ['after']);
  await bus.close();
});

test('redis bus: a malformed message from Redis is ignored, later ones still arrive', async () => {
  const prefix = `binge-test-${randomBytes(4).toString('hex')}:`;
  const warnings: string[] = [];
  const logger = createLogger({ level: 'warn' });
  logger.warn = ((_: unknown, message: string) => {
    warnings.push(message);
  }) as typeof logger.warn;
  const bus = createRedisBus({ url: redisUrl, prefix, logger });
  const raw = new Redis(redisUrl);
  try {
    const seen: unknown[] = [];
    let resolveGood!: () => void;
    const good = new Promise<void>((resolve) => (resolveGood = resolve));
    await bus.subscribe('t', (message) => {
      seen.push(message);
      resolveGood();
    });
    await raw.publish(`${prefix}t`, '{not json');
    await raw.publish(`${prefix}t`, JSON.stringify({ ok: true }));
    await good;
    assert.deepEqual(seen, [{ ok: true }]);
    assert.deepEqual(warnings, ['ignored a malformed bus message']);
  } finally {
    raw.disconnect();
    await bus.close();
  }
});

test('redis bus: channels carry the prefix, so other deployments are not heard', async () => {
  const a = createRedisBus({
    url: redisUrl,
    prefix: `binge-test-${randomBytes(4).toString('hex')}:`,
    logger: quiet,
  });
  const b = createRedisBus({
    url: redisUrl,
    prefix: `binge-test-${randomBytes(4).toString('hex')}:`,
    logger: quiet,
  });
  try {
    const seenByA: unknown[] = [];
    const seenByB: unknown[] = [];
    let resolveB!: () => void;
    const bGot = new Promise<void>((resolve) => (resolveB = resolve));
    await a.subscribe('shared', (m) => seenByA.push(m));
    await b.subscribe('shared', (m) => {
      seenByB.push(m);
      resolveB();
    });
    // Published on B's connection; had A's subscription matched, A's marker below would show it.
    await b.publish('shared', 'for b');
    await bGot;
    let resolveA!: () => void;
    const aGot = new Promise<void>((resolve) => (resolveA = resolve));
    await a.subscribe('marker', () => resolveA());
    await b.publish('shared', 'for b again');
    await a.publish('marker', 1);
    await aGot;
    assert.deepEqual(seenByA, []);
  } finally {
    await a.close();
    await b.close();
  }
});
