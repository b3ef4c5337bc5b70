import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { createSqlSessionStore } from '@binge/core/accounts/session-store-sql';
import { REALTIME_AUDIENCE } from '@binge/core/auth/access-token';
import type { DatabaseHandle } from '@binge/core/db';
import { authSessions, users } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { closeCodes, errorCodeName } from '@binge/core/protocol/realtime/codes';
import { FrameType, type ServerFrame } from '@binge/core/protocol/realtime/frames';
import {
  newSession,
  rtToken,
  seedWorld,
  TEST_AUTH_SECRET,
  type RealtimeWorld,
} from '../testing/fixtures.ts';
import { connectRaw } from '../testing/raw-client.ts';
import { startTestNode, type TestNode } from '../testing/test-node.ts';
import { createSessionAuth, type GatewayAuth } from './session-auth.ts';

const errorOf = (frame: ServerFrame) =>
  frame.type === FrameType.error ? errorCodeName((frame.payload as { c: number }).c) : null;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`the gateway's token check on ${kind}`, () => {
    let database: DatabaseHandle;
    let world: RealtimeWorld;
    let auth: GatewayAuth;

    before(async () => {
      database = await openTestDatabase(kind);
      world = await seedWorld(database.db, { users: 3 });
      auth = createSessionAuth({
        authSecret: TEST_AUTH_SECRET,
        sessions: createSqlSessionStore(database.db),
      });
    });
    after(() => database.close());

    test('an API access token and a gateway-only token of a live session are accepted', async () => {
      const userId = world.users[0]!;
      for (const audience of [undefined, REALTIME_AUDIENCE] as const) {
        const now = Date.now();
        const result = await auth.authenticate(rtToken(userId, { audience, nowMs: now }), now);
        assert.ok(result.ok, JSON.stringify(result));
        assert.equal(result.userId, userId);
        assert.equal(result.role, 'viewer');
        assert.ok(result.expiresAtMs > now);
      }
    });

    test('the role is the account’s now, not the token’s', async () => {
      const result = await auth.authenticate(
        rtToken(world.creatorId, { role: 'viewer' }),
        Date.now(),
      );
      assert.ok(result.ok && result.role === 'creator');
    });

    test('expired, forged, sessionless, revoked and banned are each refused', async () => {
      const userId = world.users[1]!;
      const now = Date.now();
      const refusal = async (token: string) => {
        const result = await auth.authenticate(token, now);
        assert.equal(result.ok, false);
        return !result.ok && result.reason;
      };
      assert.equal(await refusal(rtToken(userId, { nowMs: now - 3_600_000 })), 'expired');
      assert.equal(await refusal(rtToken(userId, { secret: 'x'.repeat(40) })), 'invalid');
      assert.equal(
        await refusal(rtToken(userId, { sessionId: 'AAAAAAAAAAAAAAAAAAAAAA' })),
        'invalid',
      );
      // A session of another user named in the token: refused, not taken over.
      assert.equal(
        await refusal(
          rtToken(userId, { sessionId: await newSession(database.db, world.users[2]!) }),
        ),
        'invalid',
      );
      const laptop = await newSession(database.db, userId);
      await database.db
        .update(authSessions)
        .set({ revokedAt: new Date(now), revokedReason: 'logout' })
        .where(eq(authSessions.id, laptop));
      assert.equal(await refusal(rtToken(userId, { sessionId: laptop })), 'revoked');
      assert.ok((await auth.authenticate(rtToken(userId), now)).ok, 'the other session lives on');

      const banned = world.users[2]!;
      await database.db
        .update(users)
        .set({ bannedAt: new Date(now) })
        .where(eq(users.id, banned));
      assert.equal(await refusal(rtToken(banned)), 'banned');
    });
  });
}

describe('the gateway with session-checked tokens', () => {
  let database: DatabaseHandle;
  let world: RealtimeWorld;
  let node: TestNode;

  before(async () => {
    database = await openTestDatabase('pglite');
    world = await seedWorld(database.db, { users: 2 });
    node = await startTestNode({ db: database.db });
  });
  after(async () => {
    await node.close();
    await database.close();
  });

  test('the access token works in hello and on the upgrade URL', async () => {
    const userId = world.users[0]!;
    const inHello = await connectRaw(node.url);
    assert.equal((await inHello.hello(rtToken(userId))).type, FrameType.welcome);
    const onUpgrade = await connectRaw(`${node.url}?token=${rtToken(userId)}`);
    const welcome = await onUpgrade.hello();
    assert.equal((welcome.payload as { uid: number }).uid, userId);
    inHello.close();
    onUpgrade.close();
  });

  test('a signed-out session is refused at hello (4502) and at refresh', async () => {
    const userId = world.users[1]!;
    const signedOut = await newSession(database.db, userId);
    const open = await connectRaw(node.url);
    await open.hello(rtToken(userId, { sessionId: signedOut }));
    await database.db
      .update(authSessions)
      .set({ revokedAt: new Date(), revokedReason: 'logout' })
      .where(eq(authSessions.id, signedOut));

    const refreshed = await open.request(FrameType.refresh, {
      tk: rtToken(userId, { sessionId: signedOut }),
    });
    assert.equal(errorOf(refreshed), 'TOKEN_INVALID');
    assert.equal((await open.closed).code, closeCodes.AUTH_INVALID.code);

    const again = await connectRaw(node.url);
    assert.equal(
      errorOf(await again.hello(rtToken(userId, { sessionId: signedOut }))),
      'TOKEN_INVALID',
    );
    assert.equal((await again.closed).code, closeCodes.AUTH_INVALID.code);
  });

  test('a creator whose token says viewer still gets the creator channel', async () => {
    const client = await connectRaw(node.url);
    await client.hello(rtToken(world.creatorId, { role: 'viewer' }));
    const reply = await client.request(FrameType.subscribe, {
      ch: `live:creator:${world.creatorId}`,
    });
    assert.equal(reply.type, FrameType.subscribed, JSON.stringify(reply));
    client.close();
  });
});
