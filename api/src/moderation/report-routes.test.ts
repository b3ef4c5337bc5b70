import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { reports, users } from '@binge/core/db/schema';
import {
  createContentSeeder,
  type ContentSeeder,
} from '@binge/core/moderation/moderation-fixtures';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { accessTokenFor, signInAsGuest, type SessionClient } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { moderationClient, type ModerationClient } from './moderation-client.ts';

const MISSING = 2_147_483_647;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`report routes on ${kind}`, () => {
    let t: TestApp;
    let content: ContentSeeder;
    let categoryId: number;
    let n = 0;

    before(async () => {
      t = await openTestApp(
        kind,
        {},
        {
          guestLimit: { max: 1_000, timeWindowMs: 3_600_000 },
          reportLimit: { max: 1_000, timeWindowMs: 3_600_000 },
        },
      );
      content = createContentSeeder(t.db.db);
      categoryId = await insertCategory(t.db.db, { slug: 'drama' });
    });
    after(() => t.close());

    async function person(): Promise<{ session: SessionClient; app: ModerationClient }> {
      const session = await signInAsGuest(t.app);
      return { session, app: moderationClient(t.app, session) };
    }

    /** A series with an episode, and one of every kind of content by `author`. */
    async function world() {
      n += 1;
      const author = await person();
      const reporter = await person();
      const seriesId = await insertSeries(t.db.db, { slug: `s-${n}`, categoryId });
      const { episodeId } = await insertEpisode(t.db.db, { seriesId, number: 1 });
      const by = author.session.user.id;
      return {
        author,
        reporter,
        seriesId,
        episodeId,
        targets: {
          comment: await content.comment(episodeId, by),
          review: await content.review(seriesId, by),
          danmu: await content.danmu(episodeId, by),
          chat: await content.chat(seriesId, by),
          dm: await content.dm(by, reporter.session.user.id),
          user: by,
          series: seriesId,
          episode: episodeId,
        },
      };
    }

    async function storedReports(): Promise<number> {
      return (await t.db.db.select({ id: reports.id }).from(reports)).length;
    }

    test('each kind of target: 201 the first time, 200 with the same report while it is open', async () => {
      const w = await world();
      for (const [targetType, targetId] of Object.entries(w.targets)) {
        const filed = await w.reporter.app.report({
          targetType,
          targetId: String(targetId),
          reason: 'abuse',
          detail: `about this ${targetType}`,
        });
        assert.equal(filed.statusCode, 201, filed.body);
        assert.equal(filed.headers['cache-control'], 'private, no-store');
        const body = filed.json();
        assert.deepEqual(
          { ...body, id: 0, createdAt: '' },
          {
            id: 0,
            targetType,
            targetId,
            reason: 'abuse',
            detail: `about this ${targetType}`,
            status: 'open',
            createdAt: '',
            resolvedAt: null,
          },
        );
        // A JSON number is as good as its decimal string.
        const again = await w.reporter.app.report({ targetType, targetId, reason: 'spam' });
        assert.equal(again.statusCode, 200, again.body);
        assert.equal(again.json().id, body.id);
      }
      const mine = await w.reporter.app.myReports('limit=3');
      assert.equal(mine.statusCode, 200);
      const first = mine.json();
      assert.deepEqual(
        first.items.map((r: { targetType: string }) => r.targetType),
        ['episode', 'series', 'user'],
        'newest first',
      );
      const next = (await w.reporter.app.myReports(`limit=10&cursor=${first.nextCursor}`)).json();
      assert.equal(next.items.length, 5);
      assert.equal(next.nextCursor, null);
      // Nobody sees another person's reports.
      assert.deepEqual((await w.author.app.myReports()).json(), { items: [], nextCursor: null });
    });

    test('a detail is plain text: stored and answered as written, markup included', async () => {
      const w = await world();
      const detail = '<script>alert(1)</script> & "quotes" 傻逼';
      const filed = await w.reporter.app.report({
        targetType: 'comment',
        targetId: w.targets.comment,
        reason: 'other',
        detail,
      });
      assert.equal(filed.json().detail, detail);
      assert.match(String(filed.headers['content-type']), /^application\/json/);
    });

    test('what does not exist is TARGET_NOT_FOUND; a stranger’s DM FORBIDDEN; oneself CANNOT_REPORT_SELF', async () => {
      const w = await world();
      for (const targetType of Object.keys(w.targets))
        assertProblem(
          await w.reporter.app.report({ targetType, targetId: MISSING, reason: 'spam' }),
          404,
          'TARGET_NOT_FOUND',
        );
      // Past int32 no user, series or episode can exist: still a 404, never a database error.
      assertProblem(
        await w.reporter.app.report({ targetType: 'user', targetId: 2 ** 40, reason: 'spam' }),
        404,
        'TARGET_NOT_FOUND',
      );
      const stranger = await person();
      assertProblem(
        await stranger.app.report({ targetType: 'dm', targetId: w.targets.dm, reason: 'abuse' }),
        403,
        'FORBIDDEN',
      );
      for (const [targetType, targetId] of Object.entries(w.targets)) {
        if (targetType === 'series' || targetType === 'episode') continue; // no creator here
        assertProblem(
          await w.author.app.report({ targetType, targetId, reason: 'abuse' }),
          400,
          'CANNOT_REPORT_SELF',
        );
      }
    });

    test('abuse: no token, forged or expired token, a banned account, bad bodies, bad pages', async () => {
      const w = await world();
      const before = await storedReports();
      const valid = { targetType: 'comment', targetId: w.targets.comment, reason: 'spam' };
      const anonymous = moderationClient(t.app, null);
      assertProblem(await anonymous.report(valid), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.myReports(), 401, 'AUTH_REQUIRED');
      const forged = moderationClient(t.app, { headers: { authorization: 'Bearer x.y.z' } });
      assertProblem(await forged.report(valid), 401, 'SESSION_INVALID');
      assertProblem(await forged.myReports(), 401, 'SESSION_INVALID');
      // A genuine token of the reporter's session that expired a minute ago.
      const expiredToken = await accessTokenFor(t.config, w.reporter.session, {
        ttlSeconds: 1,
        nowMs: Date.now() - 60_000,
      });
      const expired = moderationClient(t.app, {
        headers: { authorization: `Bearer ${expiredToken}` },
      });
      assertProblem(await expired.report(valid), 401, 'SESSION_EXPIRED');
      assertProblem(await expired.myReports(), 401, 'SESSION_EXPIRED');

      const bodies: unknown[] = [
        {},
        { targetType: 'comment', reason: 'spam' },
        { targetId: w.targets.comment, reason: 'spam' },
        { targetType: 'comment', targetId: w.targets.comment },
        { ...valid, targetType: 'video' },
        { ...valid, targetType: 7 },
        { ...valid, targetId: true },
        { ...valid, targetId: -1 },
        { ...valid, targetId: 0 },
        { ...valid, targetId: 1.5 },
        { ...valid, targetId: 'abc' },
        { ...valid, targetId: { id: 1 } },
        { ...valid, targetId: '99999999999999999' },
        { ...valid, reason: 'boring' },
        { ...valid, reason: null },
        { ...valid, detail: 5 },
        { ...valid, detail: 'x'.repeat(1001) },
        [valid],
      ];
      for (const body of bodies)
        assertProblem(await w.reporter.app.report(body), 400, 'VALIDATION_FAILED');
      const notJson = await t.app.inject({
        method: 'POST',
        url: '/api/v1/reports',
        headers: { ...w.reporter.session.headers, 'content-type': 'application/json' },
        payload: '{"targetType":',
      });
      assertProblem(notJson, 400, 'BAD_REQUEST');
      assertProblem(await w.reporter.app.report('spam'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assertProblem(await w.reporter.app.myReports('cursor=abc'), 400, 'INVALID_CURSOR');
      assertProblem(await w.reporter.app.myReports('cursor=-1'), 400, 'INVALID_CURSOR');
      assertProblem(await w.reporter.app.myReports('limit=0'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await w.reporter.app.myReports('limit=101'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await w.reporter.app.myReports('limit=1e1'), 400, 'VALIDATION_FAILED');
      assert.equal(await storedReports(), before, 'nothing was stored');

      // A banned account is refused everywhere sign-in is required.
      await t.db.db
        .update(users)
        .set({ bannedAt: new Date(), banReason: 'spam' })
        .where(eq(users.id, w.reporter.session.user.id));
      assertProblem(await w.reporter.app.report(valid), 403, 'ACCOUNT_BANNED');
      assertProblem(await w.reporter.app.myReports(), 403, 'ACCOUNT_BANNED');
      assert.equal(await storedReports(), before);
    });

    test('reports are rate-limited per account', async () => {
      const limited = await openTestApp(
        kind,
        { db: t.db },
        {
          guestLimit: { max: 1_000, timeWindowMs: 3_600_000 },
          reportLimit: { max: 2, timeWindowMs: 3_600_000 },
        },
      );
      try {
        const w = await world();
        const reporter = moderationClient(limited.app, await signInAsGuest(limited.app));
        const other = moderationClient(limited.app, await signInAsGuest(limited.app));
        const file = (app: ModerationClient, targetType: string) =>
          app.report({
            targetType,
            targetId: (w.targets as Record<string, number>)[targetType],
            reason: 'spam',
          });
        assert.equal((await file(reporter, 'comment')).statusCode, 201);
        assert.equal((await file(reporter, 'review')).statusCode, 201);
        const refused = await file(reporter, 'danmu');
        assertProblem(refused, 429, 'RATE_LIMITED');
        assert.ok(Number(refused.headers['retry-after']) > 0);
        assert.equal(
          (await file(other, 'danmu')).statusCode,
          201,
          'another account is not limited',
        );
      } finally {
        await limited.close();
      }
    });

    test('the routes are in the OpenAPI document under moderation, with their problems', async () => {
      const doc = (await t.app.inject('/docs/json')).json();
      const post = doc.paths['/api/v1/reports'].post;
      assert.deepEqual(post.tags, ['moderation']);
      assert.deepEqual(post.security, [{ session: [] }]);
      for (const status of ['200', '201', '400', '401', '403', '404', '429'])
        assert.ok(post.responses[status], `POST /reports ${status}`);
      assert.ok(doc.paths['/api/v1/me/reports'].get);
      const text = JSON.stringify(doc.paths);
      for (const code of ['CANNOT_REPORT_SELF', 'TARGET_NOT_FOUND', 'FORBIDDEN'])
        assert.ok(text.includes(code), code);
    });
  });
}
