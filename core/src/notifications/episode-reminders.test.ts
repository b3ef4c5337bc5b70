import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { topics, type Bus, type MediaProgressMessage, type NotifyMessage } from '../bus/bus.ts';
import { createMemoryBus } from '../bus/bus-memory.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createSqlEngagementStore } from '../engagement/store-sql.ts';
import { createLogger } from '../log/logger.ts';
import { createEpisodeReminders, type EpisodeReminders } from './episode-reminders.ts';
import { createSqlNotificationStore } from './store-sql.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { followUps } from './notification-fixtures.ts';

const ceo = { zh: '霸道总裁', en: 'The CEO' };

const logger = createLogger({ level: 'silent' });

const done = (episodeId: number, jobId = `job-${episodeId}`): MediaProgressMessage => ({
  jobId,
  episodeId,
  stage: 'done',
  progress: 1,
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}

describe('episode reminders on the memory bus', () => {
  let handle: DatabaseHandle;
  let bus: Bus;
  let reminders: EpisodeReminders[];
  let seed: TestSeeder;
  let edges: ReturnType<typeof followUps>;
  const pushed: NotifyMessage[] = [];

  before(async () => {
    handle = await openTestDatabase('pglite');
    bus = createMemoryBus();
    seed = createTestSeeder(handle.db);
    edges = followUps(createSqlEngagementStore(handle.db));
    await bus.subscribe<NotifyMessage>(topics.notify, (message) => pushed.push(message));
    // Two reactors, as two API processes would run: each notification is still pushed once.
    reminders = await Promise.all(
      [1, 2].map(() =>
        createEpisodeReminders({ bus, store: createSqlNotificationStore(handle.db), logger }),
      ),
    );
  });
  after(async () => {
    for (const reactor of reminders) await reactor.close();
    await bus.close();
    await handle.close();
  });

  test('done pushes one notify message per follower; progress and a repeated done push none', async () => {
    pushed.length = 0;
    const seriesId = await seed.series({ titles: ceo });
    const [alice, bob, carol] = await Promise.all([seed.user(), seed.user(), seed.user()]);
    await edges.follow(alice!, seriesId);
    await edges.follow(bob!, seriesId);
    const episodeId = await seed.episode(seriesId, 2);

    await bus.publish(topics.mediaProgress, {
      ...done(episodeId),
      stage: 'transcode',
      progress: 0.5,
    });
    await bus.publish(topics.mediaProgress, done(episodeId));
    await until(() => pushed.length >= 2);
    // A re-transcode reports done again.
    await bus.publish(topics.mediaProgress, done(episodeId, 'job-again'));
    await sleep(100);

    assert.equal(pushed.length, 2);
    assert.deepEqual(pushed.map((m) => m.userId).sort(), [alice, bob].sort());
    for (const message of pushed) {
      assert.match(message.id, /^n[1-9][0-9]*$/);
      assert.equal(message.kind, 'episode.new');
      assert.equal(message.text, '《霸道总裁》 / The CEO: episode 2 is out');
      assert.equal(message.url, `/watch/${episodeId}`);
      assert.equal(typeof message.ts, 'number');
    }
    const store = createSqlNotificationStore(handle.db);
    const [inbox] = (await store.inbox(alice!, null, 10)).items;
    assert.equal(pushed.find((m) => m.userId === alice)!.id, `n${inbox!.id}`);
    assert.equal((await store.inbox(carol!, null, 10)).items.length, 0);
  });

  test('a malformed progress message is ignored and the reactor keeps working', async () => {
    pushed.length = 0;
    await bus.publish(topics.mediaProgress, { stage: 'done', episodeId: 'seven' });
    await bus.publish(topics.mediaProgress, null);
    const seriesId = await seed.series({ titles: ceo });
    const alice = await seed.user();
    await edges.follow(alice, seriesId);
    await bus.publish(topics.mediaProgress, done(await seed.episode(seriesId, 1)));
    await until(() => pushed.length >= 1);
    assert.equal(pushed[0]!.userId, alice);
  });

  test('after close, done produces nothing', async () => {
    pushed.length = 0;
    for (const reactor of reminders) await reactor.close();
    const seriesId = await seed.series({ titles: ceo });
    const alice = await seed.user();
    await edges.follow(alice, seriesId);
    await bus.publish(topics.mediaProgress, done(await seed.episode(seriesId, 1)));
    await sleep(100);
    assert.equal(pushed.length, 0);
  });
});
