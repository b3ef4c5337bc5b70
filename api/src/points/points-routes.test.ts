import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { users } from '@binge/core/db/schema';
import { createSqlPointsLedger } from '@binge/core/points/ledger-sql';
import type { PointsLedger } from '@binge/core/points/ledger';
import { rewards } from '@binge/core/protocol/points/rewards';
import type { RedemptionReceipt, VoucherView } from '@binge/core/protocol/points/responses';
import { assertProblem } from '../testing/assert-problem.ts';
import {
  accessTokenFor,
  clientFor,
  signInAsGuest,
  type SessionClient,
} from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { pointsClient, type PointsClient } from './points-client.ts';

const MISSING = 2147483647;
const dayMs = 86_400_000;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`points routes on ${kind}`, () => {
    let t: TestApp;
    let ledger: PointsLedger;
    let alice: SessionClient;
    let bob: SessionClient;
    let admin: SessionClient;
    let aliceApp: PointsClient;
    let bobApp: PointsClient;
    let adminApp: PointsClient;
    let anonymous: PointsClient;
    let n = 0;

    before(async () => {
      t = await openTestApp(kind, {}, { guestLimit: { max: 1_000, timeWindowMs: 3_600_000 } });
      ledger = createSqlPointsLedger(t.db.db);
      alice = await signInAsGuest(t.app);
      bob = await signInAsGuest(t.app);
      admin = await signInAsGuest(t.app);
      await t.db.db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.user.id));
      aliceApp = pointsClient(t.app, alice);
      bobApp = pointsClient(t.app, bob);
      adminApp = pointsClient(t.app, admin);
      anonymous = pointsClient(t.app, null);
    });
    after(() => t.close());

    const grant = (user: SessionClient, points: number) =>
      ledger.post(user.user.id, { delta: points, reason: 'grant', idempotencyKey: `g${++n}` });

    test('the rewards catalogue is public', async () => {
      const response = await anonymous.rewards();
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json().items, rewards);
      assert.match(String(response.headers['cache-control']), /^public/);
    });

    test('balance and ledger: the owner and admins read them, nobody else', async () => {
      await grant(alice, 500);
      await grant(alice, 20);
      const own = await aliceApp.balance();
      assert.equal(own.statusCode, 200, own.body);
      assert.deepEqual(own.json(), { userId: alice.user.id, balance: 520 });
      assert.deepEqual((await aliceApp.balance(alice.user.id)).json(), own.json());
      assert.deepEqual((await adminApp.balance(alice.user.id)).json(), own.json());
      assertProblem(await bobApp.balance(alice.user.id), 403, 'FORBIDDEN');
      assertProblem(await bobApp.ledger(undefined, alice.user.id), 403, 'FORBIDDEN');
      assertProblem(await bobApp.ledger('limit=abc', alice.user.id), 403, 'FORBIDDEN');
      assertProblem(await adminApp.balance(MISSING), 404, 'USER_NOT_FOUND');
      assertProblem(await aliceApp.balance('abc'), 400, 'INVALID_ID');

      const page = (await aliceApp.ledger('limit=1')).json();
      assert.deepEqual(
        page.items.map((e: { delta: number; balanceAfter: number; reason: string }) => [
          e.delta,
          e.balanceAfter,
          e.reason,
        ]),
        [[20, 520, 'grant']],
      );
      assert.ok(page.nextCursor);
      const rest = (await adminApp.ledger(`cursor=${page.nextCursor}`, alice.user.id)).json();
      assert.deepEqual(
        rest.items.map((e: { delta: number }) => e.delta),
        [500],
      );
      assert.equal(rest.nextCursor, null);
      for (const query of ['limit=0', 'limit=101', 'limit=-1'])
        assertProblem(await aliceApp.ledger(query), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await aliceApp.ledger('limit=1e1'), 400, 'VALIDATION_FAILED');
      for (const cursor of ['abc', '0', '-5', '99999999999999999'])
        assertProblem(await aliceApp.ledger(`cursor=${cursor}`), 400, 'INVALID_CURSOR');
    });

    test('redeeming spends points and issues a voucher; a retry answers the same, once', async () => {
      const carol = await signInAsGuest(t.app);
      const carolApp = pointsClient(t.app, carol);
      await grant(carol, 1_000);
      const response = await carolApp.redeem({ rewardId: 'free_episode' }, 'key-1', carol.user.id);
      assert.equal(response.statusCode, 201, response.body);
      const receipt: RedemptionReceipt = response.json();
      assert.equal(receipt.balance, 700);
      assert.deepEqual(
        [receipt.entry.delta, receipt.entry.reason, receipt.entry.balanceAfter],
        [-300, 'reward:free_episode', 700],
      );
      assert.deepEqual(
        [receipt.voucher.kind, receipt.voucher.amount, receipt.voucher.status],
        ['free_episode', 1, 'usable'],
      );
      const validFor =
        Date.parse(receipt.voucher.expiresAt) - Date.parse(receipt.voucher.createdAt);
      assert.ok(Math.abs(validFor - 30 * dayMs) < 60_000, `${validFor} ms`);

      const retry = await carolApp.redeem({ rewardId: 'free_episode' }, 'key-1');
      assert.equal(retry.statusCode, 200);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.deepEqual(retry.json(), receipt);
      assertProblem(
        await carolApp.redeem({ rewardId: 'coin_coupon_10' }, 'key-1'),
        409,
        'IDEMPOTENCY_KEY_REUSED',
      );
      assert.equal((await carolApp.balance()).json().balance, 700);

      const vouchers = (await carolApp.vouchers()).json();
      assert.deepEqual(
        vouchers.items.map((v: VoucherView) => v.id),
        [receipt.voucher.id],
      );
      assert.deepEqual((await carolApp.voucher(receipt.voucher.id)).json(), receipt.voucher);
      assertProblem(await aliceApp.voucher(receipt.voucher.id), 403, 'FORBIDDEN');
      assertProblem(await carolApp.voucher('999999999999'), 404, 'VOUCHER_NOT_FOUND');
      for (const id of ['abc', '0', '1.5'])
        assertProblem(await carolApp.voucher(id), 400, 'INVALID_ID');
      assertProblem(await carolApp.vouchers('cursor=x'), 400, 'INVALID_CURSOR');
    });

    test('refusals: too few points, unknown rewards, bad keys and bodies spend nothing', async () => {
      const dave = await signInAsGuest(t.app);
      const daveApp = pointsClient(t.app, dave);
      await grant(dave, 150);
      assertProblem(
        await daveApp.redeem({ rewardId: 'free_episode' }, 'k1'),
        409,
        'INSUFFICIENT_POINTS',
      );
      assertProblem(await daveApp.redeem({ rewardId: 'gold_bar' }, 'k2'), 404, 'REWARD_NOT_FOUND');
      const badKeys = [null, '', 'k'.repeat(129), 'has space', 'ключ'];
      for (const key of badKeys)
        assertProblem(
          await daveApp.redeem({ rewardId: 'coin_coupon_10' }, key),
          400,
          'VALIDATION_FAILED',
        );
      const badBodies: unknown[] = [
        undefined,
        {},
        { rewardId: 42 },
        { rewardId: ['coin_coupon_10'] },
        { rewardId: '' },
        { rewardId: 'x'.repeat(65) },
        { rewardId: 'coin_coupon_10', amount: 1 },
      ];
      for (const body of badBodies) {
        const response = await daveApp.redeem(body, 'k3');
        assertProblem(response, 400, 'VALIDATION_FAILED');
      }
      assert.equal((await daveApp.balance()).json().balance, 150);
      assert.deepEqual((await daveApp.vouchers()).json().items, []);
    });

    test('another user’s points are never spent, not even by an admin: 403 before anything else', async () => {
      await grant(bob, 1_000);
      for (const app of [aliceApp, adminApp]) {
        assertProblem(
          await app.redeem({ rewardId: 'coin_coupon_10' }, 'steal', bob.user.id),
          403,
          'FORBIDDEN',
        );
        assertProblem(await app.redeem({ rewardId: 42 }, null, bob.user.id), 403, 'FORBIDDEN');
      }
      assertProblem(await aliceApp.redeem({}, null, MISSING), 403, 'FORBIDDEN');
      assertProblem(await aliceApp.redeem({}, null, 'abc'), 400, 'INVALID_ID');
      assert.equal((await bobApp.balance()).json().balance, 1_000);
    });

    test('parallel redemptions over HTTP never overdraw or spend a key twice', async () => {
      const erin = await signInAsGuest(t.app);
      const erinApp = pointsClient(t.app, erin);
      await grant(erin, 1_000);
      const distinct = await Promise.all(
        Array.from({ length: 14 }, (_, i) =>
          erinApp.redeem({ rewardId: 'coin_coupon_10' }, `p${i}`),
        ),
      );
      assert.equal(distinct.filter((r) => r.statusCode === 201).length, 10);
      for (const r of distinct.filter((r) => r.statusCode !== 201))
        assertProblem(r, 409, 'INSUFFICIENT_POINTS');
      assert.equal((await erinApp.balance()).json().balance, 0);

      await grant(erin, 300);
      const same = await Promise.all(
        Array.from({ length: 8 }, () => erinApp.redeem({ rewardId: 'free_episode' }, 'once')),
      );
      assert.equal(same.filter((r) => r.statusCode === 201).length, 1);
      assert.equal(same.filter((r) => r.statusCode === 200).length, 7);
      assert.equal(new Set(same.map((r) => r.json().voucher.id)).size, 1);
      assert.equal((await erinApp.balance()).json().balance, 0);
    });

    test('no, garbled or expired sessions are 401 on every points route', async () => {
      const expired = pointsClient(
        t.app,
        clientFor(
          t.app,
          alice.user,
          await accessTokenFor(t.config, alice, { nowMs: Date.now() - 3_600_000 }),
        ),
      );
      const garbled = pointsClient(t.app, clientFor(t.app, alice.user, 'x.y.z'));
      const calls = (c: PointsClient) => [
        () => c.balance(),
        () => c.balance(alice.user.id),
        () => c.ledger(),
        () => c.ledger(undefined, alice.user.id),
        () => c.redeem({ rewardId: 'coin_coupon_10' }, 'k'),
        () => c.redeem({ rewardId: 'coin_coupon_10' }, 'k', alice.user.id),
        () => c.vouchers(),
        () => c.voucher('1'),
      ];
      for (const call of calls(anonymous)) assertProblem(await call(), 401, 'AUTH_REQUIRED');
      for (const call of calls(expired)) assertProblem(await call(), 401, 'SESSION_EXPIRED');
      for (const call of calls(garbled)) assertProblem(await call(), 401, 'SESSION_INVALID');
    });
  });
}
