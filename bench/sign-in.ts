/**
 * Phone sign-in: SMS code verification through the real route (POST /api/v1/auth/sms/verify,
 * app.inject, so no socket or HTTP parsing is in the figure), on PostgreSQL, with the sign-in
 * limits kept in process memory (the embedded platform) and in Redis (several API processes share
 * them). The peer is the other limiter store, measured in the same run and round by round: the
 * question for a deployment is what sharing the counters costs a sign-in.
 *
 * Two paths per store:
 *  - right code: lock check, the code row locked and used, account found or made, session and
 *    token pair issued — what a user's sign-in costs;
 *  - wrong code: lock check, the guess counted on the row, the failure counted per number and per
 *    address — what each guess of an attacker costs us.
 *
 *   npm run bench:sign-in                        # 600 verifications per round, 5 rounds
 *   ROUNDS=3 PER_ROUND=300 npm run bench:sign-in
 *   BENCH_DB=pglite npm run bench:sign-in        # the embedded database (memory limits only make sense there)
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { deriveSmsCodeKey, hashSmsCode } from '@binge/core/accounts/sms-code';
import { createRecordingSmsSender } from '@binge/core/accounts/sms-sender-recording';
import { smsCodes } from '@binge/core/db/schema';
import { openTestApp, type TestApp } from '@binge/api/testing/test-app';
import { median } from './support/load.ts';

const rounds = Number(process.env.ROUNDS ?? 5);
const perRound = Number(process.env.PER_ROUND ?? 600);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const dbKind = (process.env.BENCH_DB ?? 'postgres') as 'pglite' | 'postgres';
const redisUrl = process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** High enough never to refuse: the limits are consulted (their cost is measured), not hit. */
const unlimited = {
  sendPerPhone: { points: 1_000_000, durationSeconds: 60 },
  sendPerPhoneDaily: { points: 1_000_000, durationSeconds: 86_400 },
  sendPerIp: { points: 1_000_000, durationSeconds: 3600 },
  failuresPerPhone: { points: 1_000_000, durationSeconds: 3600, lockSeconds: 3600 },
  failuresPerIp: { points: 1_000_000, durationSeconds: 3600, lockSeconds: 3600 },
};

interface Figure {
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

let phoneCounter = 0;
/** Fresh +86 mobile numbers: a new account per right-code sign-in, as a first sign-in is. */
function phones(count: number): string[] {
  const prefix = 130 + (Number.parseInt(randomBytes(1).toString('hex'), 16) % 10);
  return Array.from(
    { length: count },
    () => `+86${prefix}${String(++phoneCounter).padStart(8, '0')}`,
  );
}

/** Stores a live code for each number, as /auth/sms/send would (not measured). */
async function seedCodes(t: TestApp, numbers: string[], code: string): Promise<void> {
  const key = deriveSmsCodeKey(t.config.authSecret);
  const now = Date.now();
  for (let i = 0; i < numbers.length; i += 500)
    await t.db.db.insert(smsCodes).values(
      numbers.slice(i, i + 500).map((phone) => ({
        phone,
        codeHash: hashSmsCode(key, phone, code),
        createdAt: new Date(now),
        expiresAt: new Date(now + 300_000),
      })),
    );
}

/** Verifies every number with `concurrency` requests in flight; every answer must be `status`. */
async function verifyAll(
  t: TestApp,
  numbers: string[],
  code: string,
  status: number,
): Promise<Figure> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < numbers.length) {
      const phone = numbers[next++]!;
      const at = performance.now();
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sms/verify',
        payload: { phone, code },
        // Spread over addresses as real users are, so no address counter grows hot.
        remoteAddress: `10.${next % 200}.${Math.floor(next / 200) % 250}.1`,
      });
      latencies.push(performance.now() - at);
      if (response.statusCode !== status)
        throw new Error(`expected ${status}, got ${response.statusCode}: ${response.body}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: numbers.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const redis = new Redis(redisUrl);
const sms = createRecordingSmsSender();
const memoryApp = await openTestApp(dbKind, { smsSender: sms }, { signIn: { limits: unlimited } });
const redisApp = await openTestApp(
  dbKind,
  {
    db: memoryApp.db,
    redis,
    smsSender: sms,
    env: { AUTH_SECRET: memoryApp.config.authSecret, REDIS_PREFIX: `bench-signin-${Date.now()}:` },
  },
  { signIn: { limits: unlimited } },
);

const variants = [
  ['memory limits', memoryApp],
  ['Redis limits', redisApp],
] as const;
const results: Record<string, Record<'right' | 'wrong', Figure[]>> = {};
for (const [name] of variants) results[name] = { right: [], wrong: [] };

try {
  // One warm-up pass each (JIT, connection pools, prepared plans), not counted.
  for (const [, t] of variants) {
    const warm = phones(100);
    await seedCodes(t, warm, '123456');
    await verifyAll(t, warm, '123456', 200);
  }
  for (let round = 1; round <= rounds; round++) {
    for (const [name, t] of round % 2 ? variants : [...variants].reverse()) {
      const right = phones(perRound);
      await seedCodes(t, right, '123456');
      results[name]!.right.push(await verifyAll(t, right, '123456', 200));
      const wrong = phones(perRound);
      await seedCodes(t, wrong, '123456');
      results[name]!.wrong.push(await verifyAll(t, wrong, '654321', 400));
    }
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }

  const med = (figures: Figure[], key: keyof Figure) => median(figures.map((f) => f[key]));
  console.log(
    `\nSMS code verification, POST /api/v1/auth/sms/verify via inject, ${dbKind}, ` +
      `${concurrency} in flight, ${perRound} per round, median of ${rounds} rounds\n`,
  );
  console.log('| path        | limits        | verifications/s | p50 ms | p99 ms |');
  console.log('| ----------- | ------------- | --------------: | -----: | -----: |');
  for (const path of ['right', 'wrong'] as const)
    for (const [name] of variants) {
      const figures = results[name]![path];
      console.log(
        `| ${path === 'right' ? 'right code ' : 'wrong code '} | ${name.padEnd(13)} | ` +
          `${med(figures, 'perSecond').toFixed(0).padStart(15)} | ` +
          `${med(figures, 'p50').toFixed(1).padStart(6)} | ${med(figures, 'p99').toFixed(1).padStart(6)} |`,
      );
    }
  for (const path of ['right', 'wrong'] as const) {
    const ratio =
      med(results['Redis limits']![path], 'perSecond') /
      med(results['memory limits']![path], 'perSecond');
    console.log(`\n${path} code: Redis limits / memory limits = ${ratio.toFixed(2)}×`);
  }
} finally {
  await redisApp.close();
  await memoryApp.close();
  await redis.quit();
}
