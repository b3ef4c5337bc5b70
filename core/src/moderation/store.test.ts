import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import {
  authSessions,
  comments,
  danmu,
  episodes,
  moderationActions,
  reports,
  series,
  users,
} from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { createSqlRealtimeStore } from '../realtime-state/store-sql.ts';
import { createContentSeeder, type ContentSeeder } from './moderation-fixtures.ts';
import { createSqlModerationStore } from './store-sql.ts';
import {
  ModerationError,
  type ModerationErrorCode,
  type ModerationStore,
  type NewReport,
  type ReportTargetType,
} from './store.ts';

async function rejectsWith(promise: Promise<unknown>, code: ModerationErrorCode) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ModerationError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

function storeContract(kind: 'pglite' | 'postgres') {
  describe(`SQL moderation store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: ModerationStore;
    let seed: TestSeeder;
    let content: ContentSeeder;
    let admin: number;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlModerationStore(handle.db);
      seed = createTestSeeder(handle.db);
      content = createContentSeeder(handle.db);
      admin = await seed.user('Moderator', 'admin');
    });
    after(() => handle.close());

    /** One of every reportable target, written by `author`, in a fresh room. */
    async function world() {
      const author = await seed.user('Author');
      const reporter = await seed.user('Reporter');
      const { seriesId, episodeId } = await seed.room();
      return {
        author,
        reporter,
        seriesId,
        episodeId,
        comment: await content.comment(episodeId, author, 'rude comment'),
        review: await content.review(seriesId, author, 'rude review'),
        danmu: await content.danmu(episodeId, author, 'rude danmu'),
        chat: await content.chat(seriesId, author, 'rude chat'),
        dm: await content.dm(author, reporter, 'rude dm'),
      };
    }

    const report = (
      reporterId: number,
      targetType: ReportTargetType,
      targetId: number,
      extra: Partial<NewReport> = {},
    ): NewReport => ({ reporterId, targetType, targetId, reason: 'abuse', detail: '', ...extra });

    test('every kind of target can be reported once while the report is open', async () => {
      const w = await world();
      const targets: Array<[ReportTargetType, number]> = [
        ['comment', w.comment],
        ['review', w.review],
        ['danmu', w.danmu],
        ['chat', w.chat],
        ['dm', w.dm],
        ['user', w.author],
        ['series', w.seriesId],
        ['episode', w.episodeId],
      ];
      for (const [targetType, targetId] of targets) {
        const first = await store.fileReport(
          report(w.reporter, targetType, targetId, { detail: 'x' }),
        );
        assert.equal(first.created, true, targetType);
        assert.deepEqual(
          { status: first.report.status, type: first.report.targetType, id: first.report.targetId },
          { status: 'open', type: targetType, id: targetId },
        );
        const again = await store.fileReport(
          report(w.reporter, targetType, targetId, { reason: 'spam', detail: 'again' }),
        );
        assert.deepEqual(again, { report: first.report, created: false }, targetType);
      }
      const mine = await store.reportsBy(w.reporter, null, 100);
      assert.equal(mine.items.length, targets.length);
      assert.deepEqual(
        mine.items.map((r) => r.targetType),
        targets.map(([type]) => type).reverse(),
        'newest first',
      );
    });

    test('concurrent reports of one target by one reporter make one row', async () => {
      const w = await world();
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => store.fileReport(report(w.reporter, 'comment', w.comment))),
      );
      assert.equal(new Set(answers.map((a) => a.report.id)).size, 1);
      assert.equal(answers.filter((a) => a.created).length, 1);
      const rows = await handle.db
        .select({ id: reports.id })
        .from(reports)
        .where(and(eq(reports.targetType, 'comment'), eq(reports.targetId, w.comment)));
      assert.equal(rows.length, 1);
    });

    test('a target that does not exist, was deleted or is a draft cannot be reported', async () => {
      const w = await world();
      const missing = 2_147_483_647;
      for (const targetType of [
        'comment',
        'review',
        'danmu',
        'chat',
        'dm',
        'user',
        'series',
        'episode',
      ] as const)
        await rejectsWith(
          store.fileReport(report(w.reporter, targetType, missing)),
          'TARGET_NOT_FOUND',
        );
      // Past int32 no user can exist; the id never reaches SQL as a type error.
      await rejectsWith(store.fileReport(report(w.reporter, 'user', 2 ** 40)), 'TARGET_NOT_FOUND');
      await handle.db.update(comments).set({ status: 'deleted' }).where(eq(comments.id, w.comment));
      await rejectsWith(
        store.fileReport(report(w.reporter, 'comment', w.comment)),
        'TARGET_NOT_FOUND',
      );
      const draft = await seed.series({ status: 'draft' });
      await rejectsWith(store.fileReport(report(w.reporter, 'series', draft)), 'TARGET_NOT_FOUND');
      const draftEpisode = await seed.episode(draft);
      await rejectsWith(
        store.fileReport(report(w.reporter, 'episode', draftEpisode)),
        'TARGET_NOT_FOUND',
      );
    });

    test('a DM only by its recipient; nobody reports themself or their own content', async () => {
      const w = await world();
      const stranger = await seed.user('Stranger');
      await rejectsWith(store.fileReport(report(stranger, 'dm', w.dm)), 'FORBIDDEN');
      await rejectsWith(store.fileReport(report(w.author, 'dm', w.dm)), 'CANNOT_REPORT_SELF');
      assert.equal((await store.fileReport(report(w.reporter, 'dm', w.dm))).created, true);
      await rejectsWith(store.fileReport(report(w.author, 'user', w.author)), 'CANNOT_REPORT_SELF');
      await rejectsWith(
        store.fileReport(report(w.author, 'comment', w.comment)),
        'CANNOT_REPORT_SELF',
      );
      const creator = await seed.user('Creator');
      const { seriesId } = await seed.room();
      await handle.db.update(series).set({ creatorId: creator }).where(eq(series.id, seriesId));
      await rejectsWith(
        store.fileReport(report(creator, 'series', seriesId)),
        'CANNOT_REPORT_SELF',
      );
    });

    test('malformed input is a RangeError and stores nothing', async () => {
      const w = await world();
      const bad: NewReport[] = [
        report(w.reporter, 'comment', 0),
        report(w.reporter, 'comment', 1.5),
        report(0, 'comment', w.comment),
        { ...report(w.reporter, 'comment', w.comment), targetType: 'video' as never },
        { ...report(w.reporter, 'comment', w.comment), reason: 'boring' as never },
        report(w.reporter, 'comment', w.comment, { detail: 'x'.repeat(1001) }),
      ];
      for (const input of bad) await assert.rejects(store.fileReport(input), RangeError);
      assert.equal((await store.reportsBy(w.reporter, null, 10)).items.length, 0);
      await assert.rejects(store.reportsBy(w.reporter, null, 0), RangeError);
      await assert.rejects(store.reportQueue('closed' as never, null, 10), RangeError);
    });

    test('the queue: oldest first, by status, paged, with what each report names', async () => {
      const w = await world();
      const a = await store.fileReport(report(w.reporter, 'comment', w.comment));
      const b = await store.fileReport(report(w.reporter, 'user', w.author));
      const c = await store.fileReport(report(w.reporter, 'dm', w.dm));
      const seen: number[] = [];
      let after: number | null = null;
      for (;;) {
        const page = await store.reportQueue('open', after, 2);
        seen.push(...page.items.map((r) => r.id));
        if (page.next === null) break;
        after = page.next;
      }
      const ours = seen.filter((id) => [a, b, c].some((r) => r.report.id === id));
      assert.deepEqual(ours, [a.report.id, b.report.id, c.report.id]);
      const page = await store.reportQueue('open', a.report.id - 1, 3);
      const byId = new Map(page.items.map((r) => [r.id, r.target]));
      assert.deepEqual(byId.get(a.report.id), {
        authorId: w.author,
        text: 'rude comment',
        state: 'visible',
      });
      assert.equal(byId.get(b.report.id)?.state, 'active');
      assert.match(byId.get(b.report.id)!.text, /^Author \(@user-/);
      assert.deepEqual(byId.get(c.report.id), {
        authorId: w.author,
        text: 'rude dm',
        state: 'visible',
      });
      // A target deleted since it was reported is shown as gone.
      await handle.db.delete(comments).where(eq(comments.id, w.comment));
      const later = await store.reportQueue('open', a.report.id - 1, 1);
      assert.deepEqual(later.items[0]!.target, { authorId: null, text: '', state: 'gone' });
    });

    test('dismiss closes one report and logs it; a second resolution is refused', async () => {
      const w = await world();
      const other = await seed.user('Other');
      const first = await store.fileReport(report(w.reporter, 'review', w.review));
      const second = await store.fileReport(report(other, 'review', w.review));
      const outcome = await store.resolveReport({
        reportId: first.report.id,
        actorId: admin,
        action: 'dismiss',
        reason: 'fair criticism',
      });
      assert.equal(outcome.report.status, 'dismissed');
      assert.equal(outcome.report.resolvedBy, admin);
      assert.ok(outcome.report.resolvedAt instanceof Date);
      assert.equal(outcome.bannedUserId, null);
      assert.deepEqual(
        outcome.actions.map((a) => [a.action, a.targetType, a.targetId, a.reportId, a.reason]),
        [['dismiss', 'review', w.review, first.report.id, 'fair criticism']],
      );
      const untouched = await store.reportsBy(other, null, 1);
      assert.equal(untouched.items[0]!.status, 'open', 'another reporter’s report stays open');
      await rejectsWith(
        store.resolveReport({
          reportId: first.report.id,
          actorId: admin,
          action: 'hide',
          reason: '',
        }),
        'REPORT_ALREADY_RESOLVED',
      );
      await rejectsWith(
        store.resolveReport({ reportId: 2 ** 50, actorId: admin, action: 'dismiss', reason: '' }),
        'REPORT_NOT_FOUND',
      );
      // Once resolved, the same reporter may report the target again.
      const anew = await store.fileReport(report(w.reporter, 'review', w.review));
      assert.equal(anew.created, true);
      assert.notEqual(anew.report.id, first.report.id);
      assert.equal(second.created, true);
    });

    test('hide through a report hides the content and settles every open report of it', async () => {
      const w = await world();
      const other = await seed.user('Other');
      const first = await store.fileReport(report(w.reporter, 'comment', w.comment));
      const second = await store.fileReport(report(other, 'comment', w.comment));
      const outcome = await store.resolveReport({
        reportId: first.report.id,
        actorId: admin,
        action: 'hide',
        reason: 'insult',
      });
      assert.equal(outcome.report.status, 'actioned');
      const [row] = await handle.db
        .select({ status: comments.status })
        .from(comments)
        .where(eq(comments.id, w.comment));
      assert.equal(row!.status, 'hidden');
      const settled = await store.reportsBy(other, null, 1);
      assert.equal(settled.items[0]!.id, second.report.id);
      assert.equal(settled.items[0]!.status, 'actioned');
      // A user, a DM, a series or an episode cannot be hidden: nothing changes.
      const userReport = await store.fileReport(report(w.reporter, 'user', w.author));
      await rejectsWith(
        store.resolveReport({
          reportId: userReport.report.id,
          actorId: admin,
          action: 'hide',
          reason: '',
        }),
        'INVALID_MODERATION_ACTION',
      );
      assert.equal((await store.reportsBy(w.reporter, null, 1)).items[0]!.status, 'open');
    });

    test('ban through a report hides the content, bans its author and revokes the sessions', async () => {
      const w = await world();
      const open = await content.session(w.author);
      const alreadyOut = await content.session(w.author);
      await handle.db
        .update(authSessions)
        .set({ revokedAt: new Date(), revokedReason: 'logout' })
        .where(eq(authSessions.id, alreadyOut));
      const other = await content.session(w.reporter);
      const filed = await store.fileReport(report(w.reporter, 'danmu', w.danmu));
      const outcome = await store.resolveReport({
        reportId: filed.report.id,
        actorId: admin,
        action: 'ban',
        reason: 'hate speech',
      });
      assert.equal(outcome.bannedUserId, w.author);
      assert.deepEqual(
        outcome.actions.map((a) => [a.action, a.targetType, a.targetId, a.reportId]),
        [
          ['hide', 'danmu', w.danmu, filed.report.id],
          ['ban', 'user', w.author, filed.report.id],
        ],
      );
      const [account] = await handle.db
        .select({ bannedAt: users.bannedAt, banReason: users.banReason })
        .from(users)
        .where(eq(users.id, w.author));
      assert.ok(account!.bannedAt instanceof Date);
      assert.equal(account!.banReason, 'hate speech');
      const sessions = await handle.db
        .select({ id: authSessions.id, reason: authSessions.revokedReason })
        .from(authSessions)
        .where(eq(authSessions.userId, w.author));
      const reasons = new Map(sessions.map((s) => [s.id, s.reason]));
      assert.equal(reasons.get(open), 'banned');
      assert.equal(reasons.get(alreadyOut), 'logout', 'an ended session keeps why it ended');
      const [reporterSession] = await handle.db
        .select({ revokedAt: authSessions.revokedAt })
        .from(authSessions)
        .where(eq(authSessions.id, other));
      assert.equal(reporterSession!.revokedAt, null);
      const [line] = await handle.db
        .select({ hiddenAt: danmu.hiddenAt })
        .from(danmu)
        .where(eq(danmu.id, w.danmu));
      assert.ok(line!.hiddenAt instanceof Date);
    });

    test('a ban that is refused changes nothing: the report stays open, the content visible', async () => {
      const w = await world();
      await content.setRole(w.author, 'admin');
      const filed = await store.fileReport(report(w.reporter, 'chat', w.chat));
      await rejectsWith(
        store.resolveReport({
          reportId: filed.report.id,
          actorId: admin,
          action: 'ban',
          reason: 'x',
        }),
        'FORBIDDEN',
      );
      assert.equal((await store.reportsBy(w.reporter, null, 1)).items[0]!.status, 'open');
      assert.equal((await store.preview('chat', w.chat))!.state, 'visible');
      const logged = await handle.db
        .select({ id: moderationActions.id })
        .from(moderationActions)
        .where(eq(moderationActions.reportId, filed.report.id));
      assert.equal(logged.length, 0);
    });

    test('hidden danmu and chat leave the replays; unhide brings them back', async () => {
      const w = await world();
      const realtime = createSqlRealtimeStore(handle.db);
      const kept = await content.danmu(w.episodeId, w.reporter, 'fine', 1000);
      const hidden = await store.setHidden({
        actorId: admin,
        targetType: 'danmu',
        targetId: w.danmu,
        hidden: true,
        reason: 'spoiler',
      });
      assert.equal(hidden.state, 'hidden');
      assert.equal(hidden.action.action, 'hide');
      const window = await realtime.danmuWindow(w.episodeId, 0, 10_000, 100);
      assert.deepEqual(
        window.records.map((r) => r.mid),
        [String(kept)],
      );
      await store.setHidden({
        actorId: admin,
        targetType: 'chat',
        targetId: w.chat,
        hidden: true,
        reason: '',
      });
      assert.deepEqual(await realtime.recentChat(w.seriesId, 10), []);
      const shown = await store.setHidden({
        actorId: admin,
        targetType: 'danmu',
        targetId: w.danmu,
        hidden: false,
        reason: 'not a spoiler',
      });
      assert.equal(shown.state, 'visible');
      assert.equal(shown.action.action, 'unhide');
      assert.equal((await realtime.danmuWindow(w.episodeId, 0, 10_000, 100)).records.length, 2);
      await store.setHidden({
        actorId: admin,
        targetType: 'chat',
        targetId: w.chat,
        hidden: false,
        reason: '',
      });
      assert.deepEqual(
        (await realtime.recentChat(w.seriesId, 10)).map((r) => r.mid),
        [String(w.chat)],
      );
    });

    test('comments and reviews: hide, unhide, a deleted one stays deleted, a missing one is refused', async () => {
      const w = await world();
      for (const [targetType, targetId] of [
        ['comment', w.comment],
        ['review', w.review],
      ] as const) {
        const hide = await store.setHidden({
          actorId: admin,
          targetType,
          targetId,
          hidden: true,
          reason: '',
        });
        assert.equal(hide.state, 'hidden');
        const unhide = await store.setHidden({
          actorId: admin,
          targetType,
          targetId,
          hidden: false,
          reason: '',
        });
        assert.equal(unhide.state, 'visible');
        await rejectsWith(
          store.setHidden({
            actorId: admin,
            targetType,
            targetId: 2 ** 45,
            hidden: true,
            reason: '',
          }),
          'TARGET_NOT_FOUND',
        );
      }
      await handle.db.update(comments).set({ status: 'deleted' }).where(eq(comments.id, w.comment));
      const deleted = await store.setHidden({
        actorId: admin,
        targetType: 'comment',
        targetId: w.comment,
        hidden: false,
        reason: '',
      });
      assert.equal(deleted.state, 'deleted');
    });

    test('hiding directly settles the open reports of the content', async () => {
      const w = await world();
      const filed = await store.fileReport(report(w.reporter, 'review', w.review));
      await store.setHidden({
        actorId: admin,
        targetType: 'review',
        targetId: w.review,
        hidden: true,
        reason: '',
      });
      const [mine] = (await store.reportsBy(w.reporter, null, 1)).items;
      assert.deepEqual(
        [mine!.id, mine!.status, mine!.resolvedBy],
        [filed.report.id, 'actioned', admin],
      );
    });

    test('ban and unban: never oneself or an admin; a missing user; the first ban time is kept', async () => {
      const w = await world();
      const session = await content.session(w.author);
      const first = await store.ban({ actorId: admin, userId: w.author, reason: 'spam' });
      assert.equal(first.revokedSessions, 1);
      assert.ok(first.bannedAt instanceof Date);
      const second = await store.ban({ actorId: admin, userId: w.author, reason: 'more spam' });
      assert.equal(second.revokedSessions, 0);
      assert.equal(second.bannedAt!.getTime(), first.bannedAt!.getTime());
      const [account] = await handle.db
        .select({ banReason: users.banReason })
        .from(users)
        .where(eq(users.id, w.author));
      assert.equal(account!.banReason, 'more spam');
      await rejectsWith(store.ban({ actorId: admin, userId: admin, reason: '' }), 'FORBIDDEN');
      const otherAdmin = await seed.user('Admin 2', 'admin');
      await rejectsWith(store.ban({ actorId: admin, userId: otherAdmin, reason: '' }), 'FORBIDDEN');
      await rejectsWith(
        store.ban({ actorId: admin, userId: 2_147_483_647, reason: '' }),
        'USER_NOT_FOUND',
      );
      await rejectsWith(
        store.unban({ actorId: admin, userId: 2_147_483_647, reason: '' }),
        'USER_NOT_FOUND',
      );
      const lifted = await store.unban({ actorId: admin, userId: w.author, reason: 'appeal' });
      assert.equal(lifted.bannedAt, null);
      const [after] = await handle.db
        .select({ bannedAt: users.bannedAt, banReason: users.banReason })
        .from(users)
        .where(eq(users.id, w.author));
      assert.deepEqual(after, { bannedAt: null, banReason: null });
      const [ended] = await handle.db
        .select({ revokedAt: authSessions.revokedAt })
        .from(authSessions)
        .where(eq(authSessions.id, session));
      assert.ok(ended!.revokedAt instanceof Date, 'an unban does not bring a session back');
    });

    test('the audit log has every action, newest first, paged', async () => {
      const w = await world();
      const before = (await store.actions(null, 1)).items[0]?.id ?? 0;
      await store.setHidden({
        actorId: admin,
        targetType: 'comment',
        targetId: w.comment,
        hidden: true,
        reason: 'a',
      });
      await store.ban({ actorId: admin, userId: w.author, reason: 'b' });
      await store.unban({ actorId: admin, userId: w.author, reason: 'c' });
      const seen: Array<[string, string]> = [];
      let after: number | null = null;
      for (;;) {
        const page = await store.actions(after, 2);
        for (const a of page.items) if (a.id > before) seen.push([a.action, a.reason]);
        if (page.next === null || page.items.some((a) => a.id <= before)) break;
        after = page.next;
      }
      assert.deepEqual(seen, [
        ['unban', 'c'],
        ['ban', 'b'],
        ['hide', 'a'],
      ]);
      const rows = await handle.db
        .select({ actorId: moderationActions.actorId })
        .from(moderationActions)
        .where(eq(moderationActions.targetId, w.author));
      assert.ok(rows.every((r) => r.actorId === admin));
    });

    test('previews of series and episodes carry their titles and creator', async () => {
      const creator = await seed.user('Creator');
      const { seriesId, episodeId } = await seed.room();
      await handle.db.update(series).set({ creatorId: creator }).where(eq(series.id, seriesId));
      const seriesPreview = await store.preview('series', seriesId);
      assert.deepEqual(seriesPreview, {
        authorId: creator,
        text: '标题 / Title',
        state: 'published',
      });
      const episodePreview = await store.preview('episode', episodeId);
      assert.equal(episodePreview!.authorId, creator);
      assert.match(episodePreview!.text, /第1集/);
      await handle.db.delete(episodes).where(eq(episodes.id, episodeId));
      assert.equal(await store.preview('episode', episodeId), null);
    });
  });
}

storeContract('pglite');
storeContract('postgres');
