import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { createMemoryBus } from '../bus/bus-memory.ts';
import { topics, type Bus, type NotifyMessage } from '../bus/bus.ts';
import type { DatabaseHandle } from '../db/database.ts';
import {
  comments,
  danmu,
  pointsLedger,
  shares,
  userAchievements,
  users,
  watchDays,
  watchProgress,
} from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { createSqlEngagementStore } from '../engagement/store-sql.ts';
import { followUps } from '../notifications/notification-fixtures.ts';
import { createSqlNotificationStore } from '../notifications/store-sql.ts';
import { createSqlPointsLedger } from '../points/ledger-sql.ts';
import { achievements } from '../protocol/progression/achievements.ts';
import { addDays, utcDay } from '../protocol/progression/check-in.ts';
import { createSqlRealtimeStore } from '../realtime-state/store-sql.ts';
import type { RealtimeStore } from '../realtime-state/store.ts';
import { createProgression, type Progression } from './progression.ts';
import { createSqlProgressionStore } from './store-sql.ts';
import {
  AlreadyCheckedInError,
  ProgressionUserNotFoundError,
  TaskAlreadyClaimedError,
  TaskNotCompletedError,
  TaskNotFoundError,
  type ProgressionStore,
} from './store.ts';

const missingId = 2_147_483_647;
const dayMs = 86_400_000;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`SQL progression on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: ProgressionStore;
    let progression: Progression;
    let realtime: RealtimeStore;
    let seed: TestSeeder;
    let bus: Bus;
    const pushed: NotifyMessage[] = [];
    let wall = 1_000;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlProgressionStore(handle.db);
      bus = createMemoryBus();
      await bus.subscribe<NotifyMessage>(topics.notify, (message) => pushed.push(message));
      progression = createProgression({ store, bus });
      realtime = createSqlRealtimeStore(handle.db, { progression });
      seed = createTestSeeder(handle.db);
    });
    after(async () => {
      await bus.close();
      await handle.close();
    });

    /** The database's UTC day: watch time counts on it. */
    async function dbToday(): Promise<string> {
      const result = (await handle.db.execute(
        sql`select to_char(now() at time zone 'UTC', 'YYYY-MM-DD') as day`,
      )) as unknown as { rows: Array<{ day: string }> };
      return result.rows[0]!.day;
    }

    /** A progress write of the user's device, stamped later than every earlier one. */
    const progress = (userId: number, episodeId: number, posMs: number, durMs = 90_000) =>
      realtime.writeProgress({
        userId,
        episodeId,
        posMs,
        durMs,
        hlc: { wallMs: (wall += 1_000), counter: 0, node: 'phone' },
      });

    /** Pretends the user's last progress write happened `seconds` earlier than it did. */
    async function wait(userId: number, seconds: number): Promise<void> {
      await handle.db
        .update(watchProgress)
        .set({ updatedAt: sql`${watchProgress.updatedAt} - make_interval(secs => ${seconds})` })
        .where(eq(watchProgress.userId, userId));
    }

    async function watched(userId: number): Promise<{ seconds: number; completed: number }> {
      const [row] = await handle.db
        .select()
        .from(watchDays)
        .where(and(eq(watchDays.userId, userId), eq(watchDays.day, await dbToday())));
      return { seconds: row?.seconds ?? 0, completed: row?.episodesCompleted ?? 0 };
    }

    async function xpOf(userId: number): Promise<number> {
      const [row] = await handle.db
        .select({ xp: users.xp })
        .from(users)
        .where(eq(users.id, userId));
      return Number(row!.xp);
    }

    async function earned(userId: number): Promise<string[]> {
      const rows = await handle.db
        .select({ code: userAchievements.code })
        .from(userAchievements)
        .where(eq(userAchievements.userId, userId));
      return rows.map((row) => row.code).sort();
    }

    /** Plays an episode (90 s) from the start across the finishing line. */
    async function finish(userId: number, episodeId: number): Promise<void> {
      await progress(userId, episodeId, 0);
      await wait(userId, 100);
      await progress(userId, episodeId, 85_000);
    }

    test('watch time counts forward playback, capped by three times the wall time', async () => {
      const user = await seed.user();
      const episodeId = await seed.episode(await seed.series());
      await progress(user, episodeId, 0);
      assert.deepEqual(
        await watched(user),
        { seconds: 0, completed: 0 },
        'a first write proves nothing',
      );
      await wait(user, 30);
      await progress(user, episodeId, 30_000);
      assert.equal((await watched(user)).seconds, 30);
      // A seek: 50 s forward after 10 s of wall time counts 30 s (3×).
      await wait(user, 10);
      await progress(user, episodeId, 80_000);
      assert.deepEqual(await watched(user), { seconds: 60, completed: 0 });
      // Backwards counts nothing, and neither does a stale device's write.
      await wait(user, 10);
      await progress(user, episodeId, 20_000);
      await wait(user, 10);
      await realtime.writeProgress({
        userId: user,
        episodeId,
        posMs: 60_000,
        durMs: 90_000,
        hlc: { wallMs: 1, counter: 0, node: 'old-tablet' },
      });
      assert.deepEqual(await watched(user), { seconds: 60, completed: 0 });
      // Playing on from 20 s across 90 % (81 s) finishes the episode, once.
      await progress(user, episodeId, 30_000);
      assert.equal((await watched(user)).seconds, 70);
      await wait(user, 100);
      await progress(user, episodeId, 85_000);
      assert.deepEqual(await watched(user), { seconds: 125, completed: 1 });
      await progress(user, episodeId, 0);
      await wait(user, 100);
      await progress(user, episodeId, 85_000);
      assert.deepEqual(await watched(user), { seconds: 210, completed: 1 }, 'watched again');
    });

    test('a jump to the end, or a short client duration, never finishes an episode', async () => {
      const user = await seed.user();
      const episodeId = await seed.episode(await seed.series());
      await progress(user, episodeId, 1_000);
      await wait(user, 5);
      await progress(user, episodeId, 89_000);
      assert.deepEqual(await watched(user), { seconds: 15, completed: 0 });
      // The catalogue says 90 s; a client claiming 10 s does not finish it at 9 s.
      const other = await seed.episode(await seed.series());
      await progress(user, other, 0, 10_000);
      await wait(user, 10);
      await progress(user, other, 9_500, 10_000);
      assert.equal((await watched(user)).completed, 0);
    });

    test('episodes written in turn share one clock: parallel episodes mint no extra time', async () => {
      const user = await seed.user();
      const seriesId = await seed.series();
      const first = await seed.episode(seriesId, 1);
      const second = await seed.episode(seriesId, 2);
      await progress(user, first, 0);
      await progress(user, second, 0);
      await wait(user, 10);
      await progress(user, first, 30_000);
      await progress(user, second, 30_000);
      // 10 s of wall time covers 30 s at 3×: the second write finds no time left.
      assert.equal((await watched(user)).seconds, 30);
    });

    test('first binge: three episodes of one series earn it, with experience and a live notification', async () => {
      const user = await seed.user();
      const seriesId = await seed.series();
      const episodeIds = [];
      for (let n = 1; n <= 3; n += 1) episodeIds.push(await seed.episode(seriesId, n));
      // Two episodes of another series do not count towards it.
      const elsewhere = await seed.series();
      await finish(user, await seed.episode(elsewhere, 1));
      await finish(user, await seed.episode(elsewhere, 2));
      await finish(user, episodeIds[0]!);
      await finish(user, episodeIds[1]!);
      assert.deepEqual(await earned(user), []);
      const xpBefore = await xpOf(user);
      pushed.length = 0;
      await finish(user, episodeIds[2]!);
      assert.deepEqual(await earned(user), ['first_binge']);
      // 20 for the achievement, 1 for finishing the episode (and no 5-minute step yet).
      assert.equal(await xpOf(user), xpBefore + 21);
      const inbox = await createSqlNotificationStore(handle.db).inbox(user, null, 10);
      assert.equal(inbox.items.length, 1);
      assert.equal(inbox.items[0]!.kind, 'achievement');
      assert.match(inbox.items[0]!.text, /初次追剧.*First binge/);
      assert.deepEqual(
        pushed.map((m) => [m.id, m.userId, m.kind]),
        [[`n${inbox.items[0]!.id}`, user, 'achievement']],
      );
      // Finishing more never awards it again.
      await finish(user, await seed.episode(seriesId, 4));
      assert.equal(pushed.length, 1);
    });

    test('an hour of watching in a day: the marathon achievement and the 5-minute steps', async () => {
      const user = await seed.user();
      const episodeId = await seed.episode(await seed.series());
      await handle.db
        .insert(watchDays)
        .values({ userId: user, day: await dbToday(), seconds: 3_590 });
      await progress(user, episodeId, 0);
      await wait(user, 20);
      await progress(user, episodeId, 20_000);
      assert.equal((await watched(user)).seconds, 3_610);
      assert.deepEqual(await earned(user), ['marathon_day']);
      // The 60-minute step (2) and the achievement (30); the earlier steps were not crossed here.
      assert.equal(await xpOf(user), 32);
      const view = await store.achievements(user);
      const marathon = view.find((a) => a.code === 'marathon_day')!;
      assert.equal(marathon.progress, 60);
      assert.ok(marathon.earnedAt instanceof Date);
    });

    test('danmu: experience for the first ten of a day, the 100th earns its achievement', async () => {
      const user = await seed.user();
      const { episodeId } = await seed.room();
      const send = () =>
        realtime.addDanmu({
          episodeId,
          userId: user,
          text: 'hi',
          posMs: 0,
          mode: 0,
          colour: '#ffffff',
          size: 1,
          cmid: seed.cmid(),
        });
      for (let i = 0; i < 12; i += 1) await send();
      assert.equal(await xpOf(user), 10);
      // A retry of a stored danmu grants nothing more.
      const first = await send();
      const retry = await realtime.addDanmu({ ...first.record, userId: user });
      assert.equal(retry.duplicate, true);
      assert.equal(await xpOf(user), 10);
      await handle.db.insert(danmu).values(
        Array.from({ length: 86 }, (_, i) => ({
          episodeId,
          userId: user,
          body: 'x',
          posMs: i,
          mode: 0,
          colour: '#ffffff',
          size: 1,
          cmid: seed.cmid(),
        })),
      );
      assert.deepEqual(await earned(user), []);
      await send();
      assert.deepEqual(await earned(user), ['danmu_100']);
      assert.equal(await xpOf(user), 40);
    });

    test('comments, follow-ups and shares: recorded after they are stored, never before', async () => {
      const user = await seed.user();
      const { seriesId, episodeId } = await seed.room();
      const record = (kind: 'comment' | 'follow_up' | 'share') =>
        progression.record({ kind, userId: user });
      // Nothing stored yet: recording grants nothing.
      for (const kind of ['comment', 'follow_up', 'share'] as const)
        assert.deepEqual(await record(kind), { userId: user, xp: 0, awarded: [] });

      await handle.db
        .insert(comments)
        .values({ episodeId, userId: user, body: 'great', cmid: seed.cmid() });
      const commented = await record('comment');
      assert.equal(commented.xp, 2 + 10);
      assert.deepEqual(
        commented.awarded.map((a) => a.code),
        ['first_comment'],
      );
      assert.equal((await record('comment')).xp, 0, 'the same comment twice');

      await handle.db
        .insert(shares)
        .values({ code: seed.cmid(), userId: user, targetType: 'series', targetId: seriesId });
      assert.equal((await record('share')).xp, 5 + 10);

      const edges = followUps(createSqlEngagementStore(handle.db));
      for (let i = 0; i < 9; i += 1) await edges.follow(user, await seed.series());
      assert.equal((await record('follow_up')).xp, 2, 'once a day, no achievement at 9');
      await edges.follow(user, seriesId);
      const tenth = await record('follow_up');
      assert.deepEqual(
        tenth.awarded.map((a) => a.code),
        ['follow_ups_10'],
      );
      assert.deepEqual(await earned(user), ['first_comment', 'first_share', 'follow_ups_10']);
    });

    test('check-in: streaks continue from yesterday, restart after a gap, pay by streak day', async () => {
      const user = await seed.user();
      const ledger = createSqlPointsLedger(handle.db);
      const start = Date.UTC(2026, 0, 1, 12);
      const at = (day: number) => new Date(start + day * dayMs);
      const results = [];
      for (const day of [0, 1, 2, 4, 5, 6, 7, 8, 9, 10])
        results.push(await store.checkIn(user, at(day)));
      assert.deepEqual(
        results.map((r) => [r.day, r.streak, r.points]),
        [
          ['2026-01-01', 1, 10],
          ['2026-01-02', 2, 10],
          ['2026-01-03', 3, 15],
          ['2026-01-05', 1, 10],
          ['2026-01-06', 2, 10],
          ['2026-01-07', 3, 15],
          ['2026-01-08', 4, 15],
          ['2026-01-09', 5, 20],
          ['2026-01-10', 6, 20],
          ['2026-01-11', 7, 50],
        ],
      );
      assert.deepEqual(results.map((r) => r.awarded.map((a) => a.code)).flat(), [
        'check_in_streak_7',
      ]);
      const total = results.reduce((sum, r) => sum + r.points, 0);
      assert.equal(await ledger.balance(user), total);
      assert.equal(results.at(-1)!.balance, total);
      // Later the same UTC day (another time zone's "tomorrow") is still today.
      await assert.rejects(
        store.checkIn(user, new Date(start + 10 * dayMs + 11 * 3_600_000)),
        AlreadyCheckedInError,
      );
      const entries = await handle.db
        .select({ reason: pointsLedger.reason })
        .from(pointsLedger)
        .where(eq(pointsLedger.userId, user));
      assert.ok(entries.every((e) => e.reason === 'check_in'));
      assert.equal(entries.length, 10);
      assert.equal(await xpOf(user), 10 * 5 + 30);
    });

    test('parallel check-ins of one user land once', async () => {
      const user = await seed.user();
      const now = new Date();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.checkIn(user, now)),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      for (const o of outcomes)
        if (o.status === 'rejected') assert.ok(o.reason instanceof AlreadyCheckedInError);
      assert.equal(await createSqlPointsLedger(handle.db).balance(user), 10);
    });

    test('the calendar shows the month’s days, the streak and what the next check-in pays', async () => {
      const user = await seed.user();
      const at = (iso: string) => new Date(`${iso}T08:00:00Z`);
      for (const day of ['2026-02-26', '2026-02-27', '2026-02-28', '2026-03-01'])
        await store.checkIn(user, at(day));
      const march = await store.checkInCalendar(user, '2026-03', at('2026-03-01'));
      assert.deepEqual(march, {
        month: '2026-03',
        today: '2026-03-01',
        checkedInToday: true,
        streak: 4,
        days: ['2026-03-01'],
        nextPoints: 20,
      });
      const feb = await store.checkInCalendar(user, '2026-02', at('2026-03-02'));
      assert.deepEqual(feb.days, ['2026-02-26', '2026-02-27', '2026-02-28']);
      assert.equal(feb.checkedInToday, false);
      assert.equal(feb.streak, 4, 'today is still open: the streak holds');
      assert.equal(feb.nextPoints, 20);
      const lapsed = await store.checkInCalendar(user, '2026-03', at('2026-03-03'));
      assert.equal(lapsed.streak, 0);
      assert.equal(lapsed.nextPoints, 10);
      await assert.rejects(store.checkInCalendar(user, '2026-13', at('2026-03-03')), RangeError);
    });

    test('daily tasks: progress from the day’s activity; claims once, when complete', async () => {
      const user = await seed.user();
      const { seriesId, episodeId } = await seed.room();
      const now = new Date();
      const today = utcDay(now);
      const task = async (id: string) =>
        (await store.tasks(user, now)).items.find((item) => item.id === id)!;
      assert.deepEqual(await task('danmu_5'), {
        id: 'danmu_5',
        metric: 'danmu',
        goal: 5,
        progress: 0,
        points: 10,
        completed: false,
        claimed: false,
      });
      await assert.rejects(store.claimTask(user, 'danmu_5', now), TaskNotCompletedError);
      await assert.rejects(store.claimTask(user, 'nope', now), TaskNotFoundError);

      await store.checkIn(user, now);
      await handle.db.insert(danmu).values(
        Array.from({ length: 6 }, (_, i) => ({
          episodeId,
          userId: user,
          body: 'x',
          posMs: i,
          mode: 0,
          colour: '#ffffff',
          size: 1,
          cmid: seed.cmid(),
        })),
      );
      await handle.db
        .insert(shares)
        .values({ code: seed.cmid(), userId: user, targetType: 'series', targetId: seriesId });
      // Yesterday's comment is not today's.
      await handle.db.insert(comments).values({
        episodeId,
        userId: user,
        body: 'old',
        cmid: seed.cmid(),
        createdAt: new Date(now.getTime() - dayMs),
      });
      await handle.db
        .insert(watchDays)
        .values({ userId: user, day: today, seconds: 700, episodesCompleted: 1 });
      const tasks = await store.tasks(user, now);
      assert.equal(tasks.day, today);
      assert.deepEqual(
        tasks.items.map((t) => [t.id, t.progress, t.completed]),
        [
          ['check_in', 1, true],
          ['watch_10', 600, true],
          ['watch_30', 700, false],
          ['finish_3', 1, false],
          ['danmu_5', 5, true],
          ['comment_1', 0, false],
          ['share_1', 1, true],
        ],
      );
      const balance = await createSqlPointsLedger(handle.db).balance(user);
      const claim = await store.claimTask(user, 'danmu_5', now);
      assert.deepEqual(claim, { taskId: 'danmu_5', day: today, points: 10, balance: balance + 10 });
      await assert.rejects(store.claimTask(user, 'danmu_5', now), TaskAlreadyClaimedError);
      await assert.rejects(store.claimTask(user, 'comment_1', now), TaskNotCompletedError);
      // Parallel claims of one task: one credit.
      const claims = await Promise.allSettled(
        Array.from({ length: 6 }, () => store.claimTask(user, 'watch_10', now)),
      );
      assert.equal(claims.filter((c) => c.status === 'fulfilled').length, 1);
      assert.equal((await task('watch_10')).claimed, true);
      assert.equal(await createSqlPointsLedger(handle.db).balance(user), balance + 20);
      // Tomorrow is a new day: nothing done, nothing claimed.
      const tomorrow = await store.tasks(user, new Date(now.getTime() + dayMs));
      assert.equal(tomorrow.day, addDays(today, 1));
      assert.ok(tomorrow.items.every((t) => t.progress === 0 && !t.claimed));
    });

    test('achievements list the whole catalogue with progress towards each', async () => {
      const user = await seed.user();
      const { episodeId } = await seed.room();
      await handle.db.insert(danmu).values({
        episodeId,
        userId: user,
        body: 'x',
        posMs: 0,
        mode: 0,
        colour: '#ffffff',
        size: 1,
        cmid: seed.cmid(),
      });
      const view = await store.achievements(user);
      assert.deepEqual(
        view.map((a) => a.code),
        achievements.map((a) => a.code),
      );
      assert.deepEqual(
        view.find((a) => a.code === 'danmu_100'),
        {
          code: 'danmu_100',
          progress: 1,
          goal: 100,
          earnedAt: null,
        },
      );
    });

    test('bad input is a RangeError, a missing user an error of its own', async () => {
      await assert.rejects(store.checkIn(missingId), ProgressionUserNotFoundError);
      await assert.rejects(
        store.record({ kind: 'danmu', userId: missingId }),
        ProgressionUserNotFoundError,
      );
      await assert.rejects(store.claimTask(missingId, 'check_in'), ProgressionUserNotFoundError);
      for (const id of [0, -1, 1.5, 2 ** 31]) {
        await assert.rejects(store.checkIn(id), RangeError);
        await assert.rejects(store.achievements(id), RangeError);
        await assert.rejects(store.tasks(id), RangeError);
        await assert.rejects(store.record({ kind: 'share', userId: id }), RangeError);
      }
      const user = await seed.user();
      await assert.rejects(store.checkIn(user, new Date(Number.NaN)), RangeError);
      await assert.rejects(
        store.record({ kind: 'bogus', userId: user } as unknown as {
          kind: 'share';
          userId: number;
        }),
        RangeError,
      );
    });
  });
}
