import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import { smsCodes } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { deriveSmsCodeKey, hashSmsCode, smsCodeMatches } from './sms-code.ts';
import { createSqlSmsCodeStore } from './sms-code-store-sql.ts';
import type { SmsCodeStore } from './sms-code-store.ts';

const key = deriveSmsCodeKey('sms-store-test-secret-0123456789abcdef');
const MINUTE = 60_000;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`SQL SMS code store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: SmsCodeStore;
    let n = 0;
    const t0 = new Date('2030-01-01T00:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const phone = () => `+86137${String(++n).padStart(8, '0')}`;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlSmsCodeStore(handle.db);
    });
    after(() => handle.close());

    const issue = (to: string, code: string, now = t0) =>
      store.issue({
        phone: to,
        codeHash: hashSmsCode(key, to, code),
        ip: '198.51.100.4',
        expiresAt: new Date(now.getTime() + 5 * MINUTE),
        now,
      });
    const verify = (to: string, code: string, now = at(MINUTE)) =>
      store.verify({
        phone: to,
        matches: (hash) => smsCodeMatches(key, to, code, hash),
        maxAttempts: 5,
        now,
      });

    test('the right code verifies once; only its hash is stored', async () => {
      const to = phone();
      await issue(to, '123456');
      const [row] = await handle.db.select().from(smsCodes).where(eq(smsCodes.phone, to));
      assert.notEqual(row?.codeHash, '123456');
      assert.equal(row?.ip, '198.51.100.4');
      assert.deepEqual(await verify(to, '123456'), { kind: 'verified' });
      assert.deepEqual(await verify(to, '123456'), { kind: 'none' });
    });

    test('five wrong guesses kill the code, the right one included after', async () => {
      const to = phone();
      await issue(to, '654321');
      for (let left = 4; left >= 0; left--)
        assert.deepEqual(await verify(to, '000000'), { kind: 'wrong', attemptsLeft: left });
      assert.deepEqual(await verify(to, '654321'), { kind: 'none' });
    });

    test('a code expires after its lifetime', async () => {
      const to = phone();
      await issue(to, '111111');
      assert.deepEqual(await verify(to, '111111', at(5 * MINUTE)), { kind: 'none' });
    });

    test('a new code retires the previous one', async () => {
      const to = phone();
      await issue(to, '222222');
      await issue(to, '333333', at(MINUTE));
      assert.deepEqual(await verify(to, '222222', at(2 * MINUTE)), {
        kind: 'wrong',
        attemptsLeft: 4,
      });
      assert.deepEqual(await verify(to, '333333', at(2 * MINUTE)), { kind: 'verified' });
    });

    test('codes are per phone; a never-sent phone has none', async () => {
      const [a, b] = [phone(), phone()];
      await issue(a, '444444');
      assert.deepEqual(await verify(b, '444444'), { kind: 'none' });
      assert.deepEqual(await verify(a, '444444'), { kind: 'verified' });
    });

    test('concurrent guesses are all counted, and a right code wins once', async () => {
      const to = phone();
      await issue(to, '555555');
      const wrong = await Promise.all(Array.from({ length: 3 }, () => verify(to, '000001')));
      assert.deepEqual(
        wrong.map((o) => (o.kind === 'wrong' ? o.attemptsLeft : -1)).sort(),
        [2, 3, 4],
      );
      const right = await Promise.all([verify(to, '555555'), verify(to, '555555')]);
      assert.deepEqual(right.map((o) => o.kind).sort(), ['none', 'verified']);
    });

    test('old rows of a phone are pruned when it is sent a new code', async () => {
      const to = phone();
      await issue(to, '666666');
      await issue(to, '777777', at(25 * 60 * MINUTE));
      const rows = await handle.db.select().from(smsCodes).where(eq(smsCodes.phone, to));
      assert.equal(rows.length, 1);
    });

    test('malformed phones and limits are refused', async () => {
      await assert.rejects(issue('13800138000', '123456'), RangeError);
      await assert.rejects(
        store.verify({ phone: '+8613800138000', matches: () => true, maxAttempts: 0, now: t0 }),
        RangeError,
      );
    });
  });
}
