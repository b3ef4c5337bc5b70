import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { topics, type Bus, type MediaProgressMessage } from '@binge/core/bus';
import { createMemoryBus } from '@binge/core/bus/bus-memory';
import type { DatabaseHandle } from '@binge/core/db';
import { openTestDatabase } from '@binge/core/db/testing';
import { createSqlEngagementStore } from '@binge/core/engagement/store-sql';
import { createLogger } from '@binge/core/log';
import type { NotificationStore } from '@binge/core/notifications';
import {
  createEpisodeReminders,
  type EpisodeReminders,
} from '@binge/core/notifications/episode-reminders';
import { createSqlNotificationStore } from '@binge/core/notifications/store-sql';
import { FrameType } from '@binge/core/protocol/realtime/frames';
import type { NotifyData, PublicationPayload } from '@binge/core/protocol/realtime/payloads';
import { rtToken, seedWorld, type RealtimeWorld } from '../../realtime/src/testing/fixtures.ts';
import { connectRaw, type RawClient } from '../../realtime/src/testing/raw-client.ts';
import { startTestNode, type TestNode } from '../../realtime/src/testing/test-node.ts';

/**
 * Issue 4's done-when for follow-up (追剧) reminders: a new episode's notification reaches an
 * online follower through the gateway and lands in an offline follower's inbox. The gateway node
 * and the reminders reactor share one memory bus, as the embedded platform wires them.
 */
function publications(client: RawClient, ch: string): PublicationPayload[] {
  const out: PublicationPayload[] = [];
  for (const frame of client.frames) {
    if (frame.type === FrameType.publication && frame.payload.ch === ch) out.push(frame.payload);
    if (frame.type === FrameType.batch) out.push(...frame.payload.pubs.filter((p) => p.ch === ch));
  }
  return out;
}

async function waitForPubs(client: RawClient, ch: string, n: number, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (publications(client, ch).length < n) {
    if (Date.now() > deadline)
      throw new Error(
        `expected ${n} publications on ${ch}, got ${publications(client, ch).length}`,
      );
    await sleep(10);
  }
  return publications(client, ch);
}

describe('new-episode reminders through the gateway', () => {
  let database: DatabaseHandle;
  let world: RealtimeWorld;
  let bus: Bus;
  let node: TestNode;
  let reminders: EpisodeReminders;
  let store: NotificationStore;

  before(async () => {
    database = await openTestDatabase('pglite');
    world = await seedWorld(database.db, { users: 3, episodes: 2 });
    bus = createMemoryBus();
    node = await startTestNode({ db: database.db, bus });
    store = createSqlNotificationStore(database.db);
    reminders = await createEpisodeReminders({
      bus,
      store,
      logger: createLogger({ level: 'silent' }),
    });
  });
  after(async () => {
    await node.close();
    await reminders.close();
    await bus.close();
    await database.close();
  });

  test('an online follower gets it live, an offline follower finds it in the inbox, others get nothing', async () => {
    const [online, offline, bystander] = world.users as [number, number, number];
    const engagement = createSqlEngagementStore(database.db);
    let wallMs = Date.now();
    for (const userId of [online, offline])
      await engagement.write(userId, {
        kind: 'follow_up',
        targetType: 'series',
        targetId: world.seriesId,
        present: true,
        hlc: { wallMs: (wallMs += 1), counter: 0, node: 'phone' },
      });

    const client = await connectRaw(node.url);
    assert.equal((await client.hello(rtToken(online))).type, FrameType.welcome);
    const ch = `notify:${online}`;
    assert.equal((await client.request(FrameType.subscribe, { ch })).type, FrameType.subscribed);
    const watcher = await connectRaw(node.url);
    assert.equal((await watcher.hello(rtToken(bystander))).type, FrameType.welcome);
    await watcher.request(FrameType.subscribe, { ch: `notify:${bystander}` });

    const episodeId = world.episodeIds[1]!;
    const done: MediaProgressMessage = { jobId: 'job-1', episodeId, stage: 'done', progress: 1 };
    await bus.publish(topics.mediaProgress, done);
    // A re-transcode of the same episode: no second notification.
    await bus.publish(topics.mediaProgress, { ...done, jobId: 'job-2' });

    const [pub] = await waitForPubs(client, ch, 1);
    const data = pub!.d as NotifyData;
    assert.equal(data.k, 'episode.new');
    assert.equal(data.t, '《测试》 / Test series: episode 2 is out');
    assert.equal(data.url, `/watch/${episodeId}`);

    const inbox = await store.inbox(offline, null, 10);
    assert.equal(inbox.unread, 1);
    assert.equal(inbox.items[0]!.text, data.t);
    assert.equal(inbox.items[0]!.url, `/watch/${episodeId}`);
    // The online follower's pushed notification is the one in their inbox.
    const own = await store.inbox(online, null, 10);
    assert.equal(data.id, `n${own.items[0]!.id}`);

    await sleep(150);
    assert.equal(publications(client, ch).length, 1, 'pushed once');
    assert.equal(publications(watcher, `notify:${bystander}`).length, 0);
    assert.equal((await store.inbox(bystander, null, 10)).items.length, 0);
    client.close();
    watcher.close();
  });
});
