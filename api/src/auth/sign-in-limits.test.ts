import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { createRecordingSmsSender } from '@binge/core/accounts/sms-sender-recording';
import { AppError } from '../errors/app-error.ts';
import { assertProblem } from '../testing/assert-problem.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { authClient } from './auth-client.ts';
import { createSignInLimits, type SignInLimits } from './sign-in-limits.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const uniquePrefix = () => `binge-test-${randomBytes(6).toString('hex')}:`;

async function refusal(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  assert.fail('was allowed');
}

describe('sign-in limits', () => {
  let redis: Redis;
  before(() => {
    redis = new Redis(redisUrl);
  });
  after(() => redis.quit());

  const stores: Array<[string, () => SignInLimits]> = [
    [
      'memory',
      () =>
        createSignInLimits({
          prefix: 'x:',
          settings: { failuresPerPhone: { points: 3, durationSeconds: 60, lockSeconds: 120 } },
        }),
    ],
    [
      'redis',
      () =>
        createSignInLimits({
          redis,
          prefix: uniquePrefix(),
          settings: { failuresPerPhone: { points: 3, durationSeconds: 60, lockSeconds: 120 } },
        }),
    ],
  ];

  for (const [name, make] of stores) {
    test(`${name}: the failure that reaches the limit locks, for the lock time`, async () => {
      const limits = make();
      await limits.assertNotLocked('+8613800000001', '203.0.113.1');
      await limits.recordFailure('+8613800000001', '203.0.113.1');
      await limits.recordFailure('+8613800000001', '203.0.113.1');
      const locking = await refusal(limits.recordFailure('+8613800000001', '203.0.113.1'));
      assert.equal(locking.code, 'SIGN_IN_LOCKED');
      assert.equal(locking.headers?.['retry-after'], '120');
      const locked = await refusal(limits.assertNotLocked('+8613800000001', '203.0.113.2'));
      assert.equal(locked.code, 'SIGN_IN_LOCKED');
      const wait = Number(locked.headers?.['retry-after']);
      assert.ok(wait > 110 && wait <= 120, String(wait));
      await limits.assertNotLocked('+8613800000002', '203.0.113.1');
    });

    test(`${name}: a right code clears the number's failures`, async () => {
      const limits = make();
      await limits.recordFailure('+8613800000003', '203.0.113.3');
      await limits.recordFailure('+8613800000003', '203.0.113.3');
      await limits.recordSuccess('+8613800000003');
      await limits.recordFailure('+8613800000003', '203.0.113.3');
      await limits.recordFailure('+8613800000003', '203.0.113.3');
      await limits.assertNotLocked('+8613800000003', '203.0.113.3');
    });

    test(`${name}: sends are limited, and a refund gives the minute back`, async () => {
      const limits = make();
      // The provider did not take the first message: its send is given back.
      await limits.takeSend('+8613800000004', '203.0.113.4');
      await limits.refundSend('+8613800000004');
      await limits.takeSend('+8613800000004', '203.0.113.4');
      const refused = await refusal(limits.takeSend('+8613800000004', '203.0.113.4'));
      assert.equal(refused.code, 'RATE_LIMITED');
    });
  }
});

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`sign-in limits shared by two API processes on one Redis, ${kind}`, () => {
    let redis: Redis;
    let a: TestApp;
    let b: TestApp;
    const sms = createRecordingSmsSender();

    before(async () => {
      redis = new Redis(redisUrl);
      // Two processes of one deployment: one database, one Redis, one REDIS_PREFIX, one secret.
      const env = { REDIS_PREFIX: uniquePrefix() };
      a = await openTestApp(kind, { redis, smsSender: sms, env });
      b = await openTestApp(kind, {
        db: a.db,
        redis,
        smsSender: sms,
        env: { ...env, AUTH_SECRET: a.config.authSecret },
      });
    });
    after(async () => {
      await b.close();
      await a.close();
      await redis.quit();
    });

    test('a code just sent through one process cannot be re-sent through the other', async () => {
      const phone = '+8613900001111';
      assert.equal((await authClient(a.app, { ip: '192.0.2.1' }).smsSend(phone)).statusCode, 202);
      assertProblem(
        await authClient(b.app, { ip: '192.0.2.2' }).smsSend(phone),
        429,
        'RATE_LIMITED',
      );
    });

    test('wrong codes through both processes add up to one lockout', async () => {
      const phone = '+8613900002222';
      await authClient(a.app, { ip: '192.0.2.3' }).smsSend(phone);
      const code = sms.lastCodeTo(phone);
      const wrong = code === '000000' ? '000001' : '000000';
      const apps = [a, b];
      // Five guesses kill the code on the shared database; each process then sees "no code".
      for (let i = 0; i < 9; i++)
        assertProblem(
          await authClient(apps[i % 2]!.app, { ip: `192.0.2.${10 + i}` }).smsVerify({
            phone,
            code: wrong,
          }),
          400,
          'SMS_CODE_INVALID',
        );
      assertProblem(
        await authClient(b.app, { ip: '192.0.2.30' }).smsVerify({ phone, code: wrong }),
        429,
        'SIGN_IN_LOCKED',
      );
      assertProblem(
        await authClient(a.app, { ip: '192.0.2.31' }).smsVerify({ phone, code }),
        429,
        'SIGN_IN_LOCKED',
      );
    });

    test('another deployment on the same Redis (another prefix) has its own counters', async () => {
      const other = await openTestApp(kind, {
        db: a.db,
        redis,
        smsSender: sms,
        env: { REDIS_PREFIX: uniquePrefix() },
      });
      try {
        assert.equal(
          (await authClient(other.app, { ip: '192.0.2.40' }).smsSend('+8613900001111')).statusCode,
          202,
        );
      } finally {
        await other.close();
      }
    });
  });
}
