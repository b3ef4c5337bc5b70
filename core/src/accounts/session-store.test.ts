import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { newOpaqueToken, sha256 } from '../auth/opaque-token.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { authSessions, refreshTokens, users } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { createSqlSessionStore } from './session-store-sql.ts';
import type { SessionStore } from './session-store.ts';

const DAY = 24 * 3600 * 1000;
const origin = { deviceName: 'iPhone', userAgent: 'binge-ios/1', ip: '203.0.113.9' };

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`SQL session store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: SessionStore;
    let seed: TestSeeder;
    const t0 = new Date('2030-01-01T00:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlSessionStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    async function signIn(userId: number, now = t0) {
      const refresh = newOpaqueToken();
      const id = await store.create({
        userId,
        origin,
        refreshTokenHash: sha256(refresh),
        expiresAt: new Date(now.getTime() + 30 * DAY),
        now,
      });
      return { id, refresh };
    }

    function rotate(token: string, now: Date) {
      const next = newOpaqueToken();
      return store
        .rotate({
          tokenHash: sha256(token),
          nextTokenHash: sha256(next),
          expiresAt: new Date(now.getTime() + 30 * DAY),
          now,
        })
        .then((outcome) => ({ outcome, next }));
    }

    test('a session is created with its origin and only the hash of its refresh token', async () => {
      const userId = await seed.user();
      const { id, refresh } = await signIn(userId);
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      const [row] = await store.list(userId, t0);
      assert.deepEqual(
        { ...row, createdAt: row?.createdAt.toISOString() },
        {
          id,
          userId,
          ...origin,
          createdAt: t0.toISOString(),
          lastSeenAt: t0,
          expiresAt: at(30 * DAY),
          revokedAt: null,
          revokedReason: null,
        },
      );
      const tokens = await handle.db
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.sessionId, id));
      assert.equal(tokens.length, 1);
      assert.equal(tokens[0]!.tokenHash, sha256(refresh));
      assert.notEqual(tokens[0]!.tokenHash, refresh);
    });

    test('rotation slides the expiry; the rotated token and every later one are a family', async () => {
      const userId = await seed.user();
      const { id, refresh } = await signIn(userId);
      const first = await rotate(refresh, at(DAY));
      assert.deepEqual(first.outcome, { kind: 'rotated', sessionId: id, userId });
      const state = await store.state(id);
      assert.deepEqual(state?.expiresAt, at(31 * DAY));
      assert.deepEqual(state?.lastSeenAt, at(DAY));
      const second = await rotate(first.next, at(2 * DAY));
      assert.equal(second.outcome.kind, 'rotated');

      // The first token again: a replay. The session dies, and with it the newest token.
      assert.deepEqual((await rotate(refresh, at(2 * DAY + 1))).outcome, {
        kind: 'reused',
        sessionId: id,
        userId,
      });
      const revoked = await store.state(id);
      assert.deepEqual(revoked?.revokedAt, at(2 * DAY + 1));
      assert.deepEqual([revoked?.role, revoked?.banned], ['viewer', false]);
      const [row] = await handle.db.select().from(authSessions).where(eq(authSessions.id, id));
      assert.equal(row?.revokedReason, 'reuse');
      assert.deepEqual((await rotate(second.next, at(2 * DAY + 2))).outcome, {
        kind: 'revoked',
        sessionId: id,
        userId,
      });
      assert.deepEqual(await store.list(userId, at(2 * DAY + 3)), []);
    });

    test('two concurrent exchanges of one token: exactly one wins, the other is a replay', async () => {
      const userId = await seed.user();
      const { refresh } = await signIn(userId);
      const outcomes = await Promise.all([rotate(refresh, at(1000)), rotate(refresh, at(1000))]);
      assert.deepEqual(outcomes.map((o) => o.outcome.kind).sort(), ['reused', 'rotated']);
      // Strict: the winner's successor is dead too, since the session is revoked.
      const winner = outcomes.find((o) => o.outcome.kind === 'rotated')!;
      assert.equal((await rotate(winner.next, at(2000))).outcome.kind, 'revoked');
    });

    test('unknown and expired tokens are invalid and revoke nothing', async () => {
      const userId = await seed.user();
      const { id, refresh } = await signIn(userId);
      assert.deepEqual((await rotate(newOpaqueToken(), at(1))).outcome, { kind: 'invalid' });
      assert.deepEqual((await rotate(refresh, at(30 * DAY))).outcome, { kind: 'invalid' });
      assert.equal((await store.state(id))?.revokedAt, null);
    });

    test('used tokens older than a week are pruned at the next refresh', async () => {
      const userId = await seed.user();
      const { id, refresh } = await signIn(userId);
      let token = refresh;
      for (const day of [1, 5, 10]) token = (await rotate(token, at(day * DAY))).next;
      const hashes = (
        await handle.db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, id))
      ).map((row) => row.tokenHash);
      // Used at day 1 (the original), day 5 and day 10: only the first is past the week at day 10.
      assert.equal(hashes.length, 3);
      assert.ok(!hashes.includes(sha256(refresh)));
      assert.deepEqual((await rotate(refresh, at(11 * DAY))).outcome, { kind: 'invalid' });
    });

    test('revoke and revokeAll only touch the owner’s live sessions', async () => {
      const [alice, bob] = [await seed.user(), await seed.user()];
      const phone = await signIn(alice);
      const laptop = await signIn(alice);
      const bobs = await signIn(bob);
      assert.equal(await store.revoke(bob, phone.id, 'logout', at(1)), false);
      assert.equal(await store.find(bob, phone.id, at(1)), null);
      assert.equal((await store.find(alice, phone.id, at(1)))?.id, phone.id);
      assert.equal(await store.revoke(alice, phone.id, 'logout', at(1)), true);
      assert.equal(await store.revoke(alice, phone.id, 'logout', at(2)), false);
      assert.equal(await store.find(alice, phone.id, at(2)), null);
      assert.deepEqual(
        (await store.list(alice, at(2))).map((s) => s.id),
        [laptop.id],
      );
      assert.deepEqual(await store.revokeAll(alice, 'logout_all', at(3)), [laptop.id]);
      assert.deepEqual(await store.list(alice, at(4)), []);
      assert.equal((await store.list(bob, at(4)))[0]?.id, bobs.id);
      // Malformed ids are simply not found.
      assert.equal(await store.revoke(alice, "x' or 1=1 --", 'logout', at(5)), false);
      assert.equal(await store.state('x'.repeat(5000)), null);
    });

    test('touch moves last seen forward only; list orders by it', async () => {
      const userId = await seed.user();
      const older = await signIn(userId);
      const newer = await signIn(userId, at(10));
      await store.touch(older.id, at(100));
      await store.touch(older.id, at(50));
      assert.deepEqual((await store.state(older.id))?.lastSeenAt, at(100));
      assert.deepEqual(
        (await store.list(userId, at(200))).map((s) => s.id),
        [older.id, newer.id],
      );
    });

    test('the state carries the account’s role and ban as they are now', async () => {
      const userId = await seed.user();
      const { id } = await signIn(userId);
      await handle.db
        .update(users)
        .set({ role: 'creator', bannedAt: t0 })
        .where(eq(users.id, userId));
      const state = await store.state(id);
      assert.deepEqual([state?.userId, state?.role, state?.banned], [userId, 'creator', true]);
    });

    test('a deleted account takes its sessions and tokens with it', async () => {
      const userId = await seed.user();
      const { id } = await signIn(userId);
      await handle.db.delete(users).where(eq(users.id, userId));
      assert.equal(await store.state(id), null);
      assert.equal(
        (await handle.db.select().from(refreshTokens).where(eq(refreshTokens.sessionId, id)))
          .length,
        0,
      );
    });
  });
}
