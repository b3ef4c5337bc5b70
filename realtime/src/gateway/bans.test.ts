import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { topics, type Bus, type UserBannedMessage } from '@binge/core/bus';
import { createMemoryBus } from '@binge/core/bus/bus-memory';
import type { DatabaseHandle } from '@binge/core/db';
import { users } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import { closeCodes, errorCodes } from '@binge/core/protocol/realtime/codes';
import { FrameType, PROTOCOL_VERSION } from '@binge/core/protocol/realtime/frames';
import { connectRaw } from '../testing/raw-client.ts';
import { rtToken, seedWorld, type RealtimeWorld } from '../testing/fixtures.ts';
import { startTestNode, type TestNode } from '../testing/test-node.ts';

/**
 * What a moderator's ban does to the gateway. The API's part (banned_at set and the sessions
 * revoked in one transaction, then `user.banned` on the bus) is played here by its two effects:
 * the row and the bus message, as api/src/moderation/admin-routes.ts produces them.
 */
describe('bans on the gateway', () => {
  let database: DatabaseHandle;
  let world: RealtimeWorld;
  let bus: Bus;
  let nodes: TestNode[];

  before(async () => {
    database = await openTestDatabase('pglite');
    world = await seedWorld(database.db, { users: 4 });
    bus = createMemoryBus({ logger: createLogger({ level: 'silent', name: 'bans-bus' }) });
    // Two nodes hearing one bus: a ban reaches the sockets of the account on every node.
    nodes = [
      await startTestNode({ db: database.db, nodeId: 'ban-a', bus }),
      await startTestNode({ db: database.db, nodeId: 'ban-b', bus }),
    ];
  });
  after(async () => {
    for (const node of nodes) await node.close();
    await bus.close();
    await database.close();
  });

  async function ban(userId: number): Promise<void> {
    await database.db
      .update(users)
      .set({ bannedAt: new Date(), banReason: 'abuse' })
      .where(eq(users.id, userId));
    const message: UserBannedMessage = { userId, reason: 'abuse', ts: Date.now() };
    await bus.publish(topics.userBanned, message);
  }

  test("a ban closes the banned account's open sockets on every node with 4504, and no other", async () => {
    const [banned, bystander] = world.users;
    const onA = await connectRaw(nodes[0]!.url);
    const onB = await connectRaw(nodes[1]!.url);
    const other = await connectRaw(nodes[0]!.url);
    for (const [client, userId] of [
      [onA, banned],
      [onB, banned],
      [other, bystander],
    ] as const) {
      const welcome = await client.hello(rtToken(userId!));
      assert.equal(welcome.type, FrameType.welcome);
      const sub = await client.request(FrameType.subscribe, { ch: `chat:${world.seriesId}` });
      assert.equal(sub.type, FrameType.subscribed);
    }

    await ban(banned!);
    const closes = await Promise.all([onA.closed, onB.closed]);
    for (const close of closes) assert.equal(close.code, closeCodes.BANNED.code);
    assert.equal(closeCodes.BANNED.reconnect, 'never');

    const pong = await other.request(FrameType.ping, {});
    assert.equal(pong.type, FrameType.pong, 'the other account keeps its socket');
    other.close();
  });

  test('a banned account cannot connect again with a token that has not expired', async () => {
    const userId = world.users[2]!;
    await ban(userId);
    const client = await connectRaw(nodes[1]!.url);
    const reply = await client.hello(rtToken(userId));
    assert.equal(reply.type, FrameType.error);
    assert.equal((reply.payload as { c: number }).c, errorCodes.ACCOUNT_BANNED.code);
    assert.equal((await client.closed).code, closeCodes.BANNED.code);
    // Anonymous viewing is still open to the device: the account is banned, not the address.
    const anonymous = await connectRaw(nodes[1]!.url);
    assert.equal((await anonymous.hello()).type, FrameType.welcome);
    anonymous.close();
  });

  test('frames sent before the welcome wait for the ban check, then run as the account', async () => {
    const userId = world.users[3]!;
    const client = await connectRaw(nodes[0]!.url);
    // No waiting between the frames: the subscribe and the ping arrive while the hello's account
    // is still being checked. Without the wait the ping, answered at once, would beat the welcome.
    client.send({
      type: FrameType.hello,
      rid: 1,
      payload: { v: PROTOCOL_VERSION, tk: rtToken(userId) },
    });
    client.send({ type: FrameType.subscribe, rid: 2, payload: { ch: `chat:${world.seriesId}` } });
    client.send({ type: FrameType.ping, rid: 3, payload: {} });
    await Promise.all([client.next((f) => f.rid === 2), client.next((f) => f.rid === 3)]);
    assert.deepEqual(
      [client.frames[0]!.rid, client.frames[0]!.type],
      [1, FrameType.welcome],
      'the welcome comes first',
    );
    // Replies match requests by rid (docs/protocol.md); the subscribe to a chat room, which
    // needs sign-in, was served as the account.
    const byRid = new Map(client.frames.map((f) => [f.rid, f.type]));
    assert.equal(byRid.get(2), FrameType.subscribed);
    assert.equal(byRid.get(3), FrameType.pong);
    client.close();
  });

  test('a malformed ban message is ignored and closes nothing', async () => {
    const client = await connectRaw(nodes[0]!.url);
    await client.hello(rtToken(world.users[3]!));
    await bus.publish(topics.userBanned, { userId: 'everyone' });
    await bus.publish(topics.userBanned, { userId: 0 });
    const pong = await client.request(FrameType.ping, {});
    assert.equal(pong.type, FrameType.pong);
    client.close();
  });
});
