import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { eq } from 'drizzle-orm';
import { topics, type Bus, type UserBannedMessage } from '@binge/core/bus';
import { createMemoryBus } from '@binge/core/bus/bus-memory';
import { authSessions, comments, users } from '@binge/core/db/schema';
import { createLogger } from '@binge/core/log';
import {
  createContentSeeder,
  type ContentSeeder,
} from '@binge/core/moderation/moderation-fixtures';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { accessTokenFor, signInAsGuest, type SessionClient } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { moderationClient, signInAsAdmin, type ModerationClient } from './moderation-client.ts';

const MISSING = 2_147_483_647;

/** A banned account's requests are refused as banned, not as signed out (a ban also revokes). */
function assertShutOut(response: LightMyRequestResponse) {
  assertProblem(response, 403, 'ACCOUNT_BANNED');
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`admin routes on ${kind}`, () => {
    let t: TestApp;
    let bus: Bus;
    let bans: UserBannedMessage[];
    let content: ContentSeeder;
    let categoryId: number;
    let admin: SessionClient;
    let mod: ModerationClient;
    let n = 0;

    before(async () => {
      bus = createMemoryBus({ logger: createLogger({ level: 'silent', name: 'admin-bus' }) });
      bans = [];
      await bus.subscribe<UserBannedMessage>(topics.userBanned, (message) => bans.push(message));
      t = await openTestApp(
        kind,
        { bus },
        {
          guestLimit: { max: 1_000, timeWindowMs: 3_600_000 },
          reportLimit: { max: 1_000, timeWindowMs: 3_600_000 },
        },
      );
      content = createContentSeeder(t.db.db);
      categoryId = await insertCategory(t.db.db, { slug: 'drama' });
      admin = await signInAsAdmin(t.app, t.db.db);
      mod = moderationClient(t.app, admin);
    });
    after(async () => {
      await t.close();
      await bus.close();
    });

    async function person(): Promise<{ session: SessionClient; app: ModerationClient }> {
      const session = await signInAsGuest(t.app);
      return { session, app: moderationClient(t.app, session) };
    }

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
        comment: await content.comment(episodeId, by, 'a rude comment'),
        review: await content.review(seriesId, by, 'a rude review'),
        danmu: await content.danmu(episodeId, by, 'a rude danmu', 2000),
        chat: await content.chat(seriesId, by, 'a rude chat line'),
        dm: await content.dm(by, reporter.session.user.id, 'a rude message'),
      };
    }

    async function filed(reporter: ModerationClient, targetType: string, targetId: number) {
      const response = await reporter.report({ targetType, targetId, reason: 'abuse' });
      assert.equal(response.statusCode, 201, response.body);
      return response.json() as { id: number };
    }

    test('only moderators: viewers get ADMIN_REQUIRED, strangers a 401, for every admin route', async () => {
      const w = await world();
      const viewer = w.reporter.app;
      const calls = (app: ModerationClient) => [
        () => app.queue(),
        () => app.resolve(1, { action: 'dismiss', reason: 'x' }),
        () => app.hide('comment', w.comment),
        () => app.unhide('comment', w.comment),
        () => app.ban(w.author.session.user.id, { reason: 'x' }),
        () => app.unban(w.author.session.user.id),
        () => app.actions(),
      ];
      for (const call of calls(viewer)) assertProblem(await call(), 403, 'ADMIN_REQUIRED');
      for (const call of calls(moderationClient(t.app, null)))
        assertProblem(await call(), 401, 'AUTH_REQUIRED');
      for (const call of calls(moderationClient(t.app, { headers: { authorization: 'Bearer x' } })))
        assertProblem(await call(), 401, 'SESSION_INVALID');
      const expiredToken = await accessTokenFor(t.config, admin, {
        ttlSeconds: 1,
        nowMs: Date.now() - 60_000,
      });
      const expired = moderationClient(t.app, {
        headers: { authorization: `Bearer ${expiredToken}` },
      });
      for (const call of calls(expired)) assertProblem(await call(), 401, 'SESSION_EXPIRED');
      // Nothing happened: the comment is visible and the author not banned.
      const [row] = await t.db.db
        .select({ status: comments.status })
        .from(comments)
        .where(eq(comments.id, w.comment));
      assert.equal(row!.status, 'visible');
      assert.equal((await w.author.session.me()).statusCode, 200);
    });

    test('the queue lists reports oldest first with what they name, by status, paged', async () => {
      const w = await world();
      const onComment = await filed(w.reporter.app, 'comment', w.comment);
      const onUser = await filed(w.reporter.app, 'user', w.author.session.user.id);
      // Follow the pages one report at a time up to ours: the queue is oldest first.
      const seen: Array<Record<string, unknown>> = [];
      let cursor: string | null = null;
      do {
        const page = await mod.queue(`status=open&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.statusCode, 200, page.body);
        seen.push(...page.json().items);
        cursor = page.json().nextCursor;
      } while (cursor !== null);
      const ids = seen.map((r) => r.id);
      assert.ok(ids.indexOf(onComment.id) < ids.indexOf(onUser.id));
      const comment = seen.find((r) => r.id === onComment.id)!;
      assert.deepEqual(
        { ...comment, createdAt: '' },
        {
          id: onComment.id,
          reporterId: w.reporter.session.user.id,
          targetType: 'comment',
          targetId: w.comment,
          reason: 'abuse',
          detail: '',
          status: 'open',
          createdAt: '',
          resolvedAt: null,
          resolvedBy: null,
          target: { authorId: w.author.session.user.id, text: 'a rude comment', state: 'visible' },
        },
      );
      const user = seen.find((r) => r.id === onUser.id)!.target as Record<string, unknown>;
      assert.equal(user.authorId, w.author.session.user.id);
      assert.equal(user.state, 'active');
      assert.match(String(user.text), /\(@/, 'the display name and handle');
      assertProblem(await mod.queue('status=closed'), 400, 'VALIDATION_FAILED');
      assertProblem(await mod.queue('cursor=x'), 400, 'INVALID_CURSOR');
      assertProblem(await mod.queue('limit=0'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      const dismissed = (await mod.queue('status=dismissed&limit=100')).json();
      assert.ok(dismissed.items.every((r: { status: string }) => r.status === 'dismissed'));
    });

    test('resolve: dismiss, then hide through another report; the reporter sees the outcome', async () => {
      const w = await world();
      const other = await person();
      const first = await filed(w.reporter.app, 'comment', w.comment);
      const second = await filed(other.app, 'comment', w.comment);
      const dismissed = await mod.resolve(first.id, { action: 'dismiss', reason: 'not abuse' });
      assert.equal(dismissed.statusCode, 200, dismissed.body);
      assert.equal(dismissed.json().report.status, 'dismissed');
      assert.equal(dismissed.json().report.resolvedBy, admin.user.id);
      assert.deepEqual(
        dismissed
          .json()
          .actions.map((a: { action: string; reportId: number }) => [a.action, a.reportId]),
        [['dismiss', first.id]],
      );
      assertProblem(
        await mod.resolve(first.id, { action: 'hide', reason: 'changed my mind' }),
        409,
        'REPORT_ALREADY_RESOLVED',
      );
      const hidden = await mod.resolve(second.id, { action: 'hide', reason: 'insult' });
      assert.equal(hidden.statusCode, 200, hidden.body);
      assert.equal(hidden.json().report.target.state, 'hidden');
      const mine = (await w.reporter.app.myReports()).json().items[0];
      assert.equal(mine.status, 'dismissed');
      assert.equal(typeof mine.resolvedAt, 'string');
      assert.equal(mine.resolvedBy, undefined, 'reporters do not see which moderator it was');
      assert.equal((await other.app.myReports()).json().items[0].status, 'actioned');
    });

    test('resolve with a ban: content hidden, author banned and signed out, sockets told to close', async () => {
      const w = await world();
      const authorId = w.author.session.user.id;
      const sessionId = await content.session(authorId);
      const report = await filed(w.reporter.app, 'danmu', w.danmu);
      bans.length = 0;
      const resolved = await mod.resolve(report.id, { action: 'ban', reason: 'hate speech' });
      assert.equal(resolved.statusCode, 200, resolved.body);
      assert.deepEqual(
        resolved
          .json()
          .actions.map((a: { action: string; targetType: string; targetId: number }) => [
            a.action,
            a.targetType,
            a.targetId,
          ]),
        [
          ['hide', 'danmu', w.danmu],
          ['ban', 'user', authorId],
        ],
      );
      assert.deepEqual(
        bans.map((b) => [b.userId, b.reason]),
        [[authorId, 'hate speech']],
      );
      assertShutOut(await w.author.session.me());
      assertShutOut(
        await w.author.app.report({
          targetType: 'user',
          targetId: w.reporter.session.user.id,
          reason: 'spam',
        }),
      );
      const sessions = await t.db.db
        .select({
          id: authSessions.id,
          revokedAt: authSessions.revokedAt,
          reason: authSessions.revokedReason,
        })
        .from(authSessions)
        .where(eq(authSessions.userId, authorId));
      assert.ok(sessions.some((s) => s.id === sessionId));
      for (const session of sessions) {
        assert.ok(session.revokedAt instanceof Date, 'every session of the account is revoked');
        assert.equal(session.reason, 'banned');
      }
      // The hidden danmu left the replay the API serves.
      const replay = await w.reporter.session.danmu(w.episodeId, 'from=0&to=10000');
      assert.equal(replay.statusCode, 200, replay.body);
      assert.deepEqual(replay.json().items, []);
    });

    test('resolve refuses what does not apply and malformed requests, changing nothing', async () => {
      const w = await world();
      const onUser = await filed(w.reporter.app, 'user', w.author.session.user.id);
      assertProblem(
        await mod.resolve(onUser.id, { action: 'hide', reason: 'x' }),
        400,
        'INVALID_MODERATION_ACTION',
      );
      assertProblem(
        await mod.resolve(2 ** 50, { action: 'dismiss', reason: 'x' }),
        404,
        'REPORT_NOT_FOUND',
      );
      assertProblem(
        await mod.resolve('abc', { action: 'dismiss', reason: 'x' }),
        400,
        'INVALID_ID',
      );
      for (const body of [
        {},
        { action: 'dismiss' },
        { action: 'dismiss', reason: '' },
        { action: 'delete', reason: 'x' },
        { action: 'dismiss', reason: 'x'.repeat(501) },
        { action: 'dismiss', reason: 5 },
        { action: true, reason: 'x' },
      ])
        assertProblem(await mod.resolve(onUser.id, body), 400, 'VALIDATION_FAILED');
      // Banning another admin through a report is refused like a direct ban.
      const otherAdmin = await signInAsAdmin(t.app, t.db.db);
      const aboutAdmin = await filed(w.reporter.app, 'user', otherAdmin.user.id);
      assertProblem(
        await mod.resolve(aboutAdmin.id, { action: 'ban', reason: 'x' }),
        403,
        'FORBIDDEN',
      );
      const mine = (await w.reporter.app.myReports()).json().items;
      assert.ok(mine.every((r: { status: string }) => r.status === 'open'));
    });

    test('hide and unhide each kind of content; hidden danmu and chat leave the API reads', async () => {
      const w = await world();
      for (const [targetType, targetId] of [
        ['comment', w.comment],
        ['review', w.review],
        ['danmu', w.danmu],
        ['chat', w.chat],
      ] as const) {
        const hidden = await mod.hide(targetType, targetId, { reason: 'spoiler' });
        assert.equal(hidden.statusCode, 200, hidden.body);
        const body: { action: { action: string } } = hidden.json();
        assert.deepEqual(
          { ...body, action: body.action.action },
          { targetType, targetId, state: 'hidden', action: 'hide' },
        );
      }
      const chat = await w.reporter.session.chat(w.seriesId);
      assert.equal(chat.statusCode, 200, chat.body);
      assert.deepEqual(chat.json().items, []);
      const replay = (await w.reporter.session.danmu(w.episodeId, 'from=0&to=10000')).json();
      assert.equal(JSON.stringify(replay).includes('a rude danmu'), false);
      // Without a body, unhide still works; the reason is optional there.
      const shown = await mod.unhide('danmu', w.danmu);
      assert.equal(shown.json().state, 'visible');
      const back = (await w.reporter.session.danmu(w.episodeId, 'from=0&to=10000')).json();
      assert.equal(JSON.stringify(back).includes('a rude danmu'), true);
      await mod.unhide('chat', w.chat, { reason: 'fine after all' });
      assert.ok(
        JSON.stringify((await w.reporter.session.chat(w.seriesId)).json()).includes(
          'a rude chat line',
        ),
      );
    });

    test('hide refuses unknown types, types that cannot be hidden, missing and malformed ids', async () => {
      const w = await world();
      assertProblem(await mod.hide('video', 1), 400, 'VALIDATION_FAILED');
      for (const targetType of ['dm', 'user', 'series', 'episode'])
        assertProblem(await mod.hide(targetType, w.dm), 400, 'INVALID_MODERATION_ACTION');
      assertProblem(await mod.hide('comment', MISSING), 404, 'TARGET_NOT_FOUND');
      assertProblem(await mod.hide('danmu', 2 ** 40), 404, 'TARGET_NOT_FOUND');
      assertProblem(await mod.hide('comment', 'abc'), 400, 'INVALID_ID');
      assertProblem(await mod.hide('comment', 0), 400, 'INVALID_ID');
      assertProblem(
        await mod.hide('comment', w.comment, { reason: 'x'.repeat(501) }),
        400,
        'VALIDATION_FAILED',
      );
      assertProblem(await mod.hide('comment', w.comment, { reason: 7 }), 400, 'VALIDATION_FAILED');
      const [row] = await t.db.db
        .select({ status: comments.status })
        .from(comments)
        .where(eq(comments.id, w.comment));
      assert.equal(row!.status, 'visible');
    });

    test('ban and unban: never oneself or another admin; missing users; the audit log of it all', async () => {
      const w = await world();
      const target = w.author.session.user.id;
      assertProblem(await mod.ban(admin.user.id, { reason: 'x' }), 403, 'FORBIDDEN');
      const otherAdmin = await signInAsAdmin(t.app, t.db.db);
      assertProblem(await mod.ban(otherAdmin.user.id, { reason: 'x' }), 403, 'FORBIDDEN');
      assertProblem(await mod.ban(MISSING, { reason: 'x' }), 404, 'USER_NOT_FOUND');
      assertProblem(await mod.ban('abc', { reason: 'x' }), 400, 'INVALID_ID');
      assertProblem(await mod.ban(target), 400, 'VALIDATION_FAILED');
      assertProblem(await mod.ban(target, { reason: '' }), 400, 'VALIDATION_FAILED');
      assertProblem(await mod.ban(target, { reason: ['x'] }), 400, 'VALIDATION_FAILED');
      assert.equal((await otherAdmin.me()).statusCode, 200, 'the other admin is untouched');

      bans.length = 0;
      const banned = await mod.ban(target, { reason: 'spam bot' });
      assert.equal(banned.statusCode, 200, banned.body);
      assert.equal(banned.json().userId, target);
      assert.equal(typeof banned.json().bannedAt, 'string');
      assert.deepEqual(
        bans.map((b) => b.userId),
        [target],
      );
      assertShutOut(await w.author.session.me());
      assertProblem(await mod.unban(MISSING), 404, 'USER_NOT_FOUND');
      const lifted = await mod.unban(target, { reason: 'appeal upheld' });
      assert.equal(lifted.statusCode, 200, lifted.body);
      assert.equal(lifted.json().bannedAt, null);
      const [account] = await t.db.db
        .select({ bannedAt: users.bannedAt, banReason: users.banReason })
        .from(users)
        .where(eq(users.id, target));
      assert.deepEqual(account, { bannedAt: null, banReason: null });

      const log = await mod.actions('limit=2');
      assert.equal(log.statusCode, 200);
      assert.deepEqual(
        log
          .json()
          .items.map((a: { action: string; targetId: number; reason: string; actorId: number }) => [
            a.action,
            a.targetId,
            a.reason,
            a.actorId,
          ]),
        [
          ['unban', target, 'appeal upheld', admin.user.id],
          ['ban', target, 'spam bot', admin.user.id],
        ],
      );
      const older = await mod.actions(`cursor=${log.json().nextCursor}&limit=100`);
      assert.equal(older.statusCode, 200);
      assert.ok(
        older.json().items.every((a: { id: number }) => a.id < log.json().items[1].id),
        'the next page continues below',
      );
      assertProblem(await mod.actions('cursor=abc'), 400, 'INVALID_CURSOR');
      assertProblem(await mod.actions('limit=101'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
    });

    test('the admin routes are in the OpenAPI document, each for sessions of moderators', async () => {
      const doc = (await t.app.inject('/docs/json')).json();
      for (const [path, method] of [
        ['/api/v1/admin/reports', 'get'],
        ['/api/v1/admin/reports/{id}/resolve', 'post'],
        ['/api/v1/admin/content/{targetType}/{targetId}/hide', 'post'],
        ['/api/v1/admin/content/{targetType}/{targetId}/unhide', 'post'],
        ['/api/v1/admin/users/{id}/ban', 'post'],
        ['/api/v1/admin/users/{id}/unban', 'post'],
        ['/api/v1/admin/actions', 'get'],
      ] as const) {
        const operation = doc.paths[path]?.[method];
        assert.ok(operation, `${method} ${path}`);
        assert.deepEqual(operation.tags, ['moderation']);
        assert.deepEqual(operation.security, [{ session: [] }]);
        assert.match(JSON.stringify(operation.responses['403']), /ADMIN_REQUIRED/);
      }
      const text = JSON.stringify(doc.paths);
      for (const code of [
        'REPORT_ALREADY_RESOLVED',
        'INVALID_MODERATION_ACTION',
        'REPORT_NOT_FOUND',
      ])
        assert.ok(text.includes(code), code);
    });
  });
}
