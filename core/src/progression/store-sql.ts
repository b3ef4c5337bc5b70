import { and, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import {
  checkIns,
  taskClaims,
  userAchievements,
  users,
  watchDays,
  xpAwards,
} from '../db/schema.ts';
import { insertNotification } from '../notifications/store-sql.ts';
import { postPoints } from '../points/ledger-sql.ts';
import {
  achievements as catalogue,
  achievementsOf,
  type AchievementCode,
  type AchievementDefinition,
} from '../protocol/progression/achievements.ts';
import {
  addDays,
  checkInPoints,
  daysOfMonth,
  isUtcMonth,
  utcDay,
} from '../protocol/progression/check-in.ts';
import { dailyTaskOf, dailyTasks, type TaskMetric } from '../protocol/progression/daily-tasks.ts';
import {
  achievementAward,
  completionAward,
  completionKeyPrefix,
  nthOfDayAward,
  onceADayAward,
  watchAwards,
  type XpAward,
} from './experience.ts';
import {
  AlreadyCheckedInError,
  ProgressionUserNotFoundError,
  TaskAlreadyClaimedError,
  TaskNotCompletedError,
  TaskNotFoundError,
  type Activity,
  type ActivityOutcome,
  type AwardedAchievement,
  type ProgressionStore,
} from './store.ts';
import { creditWatch } from './watch-time.ts';

/** Ids are positive int32 (docs/protocol.md "Ids"). */
const maxId = 2_147_483_647;
const dayMs = 86_400_000;

/** What the functions below run on: a transaction (or the database) of core's Drizzle handle. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'execute'>;

function assertId(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > maxId)
    throw new RangeError(`${name} must be an integer in [1, ${maxId}], got ${String(value)}`);
}

function assertNow(now: Date): void {
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new RangeError('now must be a valid Date');
}

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

/** A count or a bigint arrives as a string (node-postgres), a number or a bigint (PGlite). */
const toNumber = (value: unknown): number => (value === null ? 0 : Number(String(value)));

/** The UTC day `YYYY-MM-DD` as the instants it spans, for created_at ranges. */
function dayRange(day: string): { from: Date; to: Date } {
  const from = new Date(`${day}T00:00:00.000Z`);
  return { from, to: new Date(from.getTime() + dayMs) };
}

/**
 * Locks `userId`'s users row for the rest of the transaction, so one user's recordings, check-ins
 * and claims run one at a time. `for no key update` leaves the key-share locks of foreign keys
 * alone: the user's danmu, comments and likes are inserted meanwhile without waiting.
 */
export async function lockUser(tx: Executor, userId: number): Promise<void> {
  const [row] = await tx
    .select({ id: users.id })
    .from(users)
    .where(eq(users.id, userId))
    .for('no key update');
  if (row === undefined) throw new ProgressionUserNotFoundError(userId);
}

/** Grants the awards whose keys are new and adds them to users.xp; returns those granted. */
export async function awardXp(
  tx: Executor,
  userId: number,
  awards: readonly XpAward[],
): Promise<XpAward[]> {
  if (awards.length === 0) return [];
  const granted = await tx
    .insert(xpAwards)
    .values(awards.map((award) => ({ userId, key: award.key, amount: award.amount })))
    .onConflictDoNothing()
    .returning({ key: xpAwards.key, amount: xpAwards.amount });
  const total = granted.reduce((sum, award) => sum + award.amount, 0);
  if (total > 0)
    await tx
      .update(users)
      .set({ xp: sql`${users.xp} + ${total}` })
      .where(eq(users.id, userId));
  return granted;
}

/**
 * Each achievement's progress as one scalar SQL expression over the user's stored activity; the
 * same expressions decide awards and draw progress bars, so they never disagree.
 */
function progressSql(code: AchievementCode, userId: number): SQL {
  switch (code) {
    case 'first_binge':
      // Completed episodes per series (the `complete:<episode>` awards), the best series. The
      // CASE keeps the cast away from other keys whatever order the planner evaluates in.
      return sql`coalesce((select max(n) from (select count(*) as n from xp_awards x
        join episodes e on e.id = case when x.key ~ '^complete:[0-9]{1,10}$'
          then substr(x.key, ${completionKeyPrefix.length + 1})::integer end
        where x.user_id = ${userId} and x.key like 'complete:%' group by e.series_id) per_series), 0)`;
    case 'marathon_day':
      return sql`coalesce((select max(seconds) from watch_days where user_id = ${userId}), 0) / 60`;
    case 'episodes_50':
      return sql`(select count(*) from xp_awards
        where user_id = ${userId} and key like 'complete:%')`;
    case 'check_in_streak_7':
      return sql`coalesce((select max(streak) from check_ins where user_id = ${userId}), 0)`;
    case 'danmu_100':
      return sql`(select count(*) from danmu where user_id = ${userId})`;
    case 'first_comment':
      return sql`(select count(*) from comments where user_id = ${userId})`;
    case 'follow_ups_10':
      return sql`(select count(*) from engagement_edges where user_id = ${userId}
        and kind = 'follow_up' and target_type = 'series' and present)`;
    case 'first_share':
      return sql`(select count(*) from shares where user_id = ${userId})`;
  }
}

async function progressOf(
  tx: Executor,
  userId: number,
  codes: readonly AchievementCode[],
): Promise<Map<AchievementCode, number>> {
  if (codes.length === 0) return new Map();
  const columns = sql.join(
    codes.map((code, i) => sql`${progressSql(code, userId)} as ${sql.identifier(`p${i}`)}`),
    sql`, `,
  );
  const [row] = await rowsOf<Record<string, unknown>>(tx.execute(sql`select ${columns}`));
  return new Map(codes.map((code, i) => [code, toNumber(row?.[`p${i}`] ?? 0)]));
}

/** The text of an achievement's notification: both languages, as the catalogue names it. */
export function achievementText(achievement: AchievementDefinition): string {
  return `成就达成：${achievement.name.zh} · Achievement unlocked: ${achievement.name.en}`;
}

/**
 * Awards those of `candidates` the user reached and does not hold yet, each with its experience
 * and an inbox notification (`achievement:<code>`), in the caller's transaction.
 */
export async function evaluateAchievements(
  tx: Executor,
  userId: number,
  candidates: readonly AchievementDefinition[],
): Promise<{ awarded: AwardedAchievement[]; xp: number }> {
  if (candidates.length === 0) return { awarded: [], xp: 0 };
  const held = await tx
    .select({ code: userAchievements.code })
    .from(userAchievements)
    .where(
      and(
        eq(userAchievements.userId, userId),
        inArray(
          userAchievements.code,
          candidates.map((a) => a.code),
        ),
      ),
    );
  const open = candidates.filter((a) => !held.some((h) => h.code === a.code));
  const progress = await progressOf(
    tx,
    userId,
    open.map((a) => a.code as AchievementCode),
  );
  const awarded: AwardedAchievement[] = [];
  let xp = 0;
  for (const achievement of open) {
    const code = achievement.code as AchievementCode;
    if ((progress.get(code) ?? 0) < achievement.goal) continue;
    const [inserted] = await tx
      .insert(userAchievements)
      .values({ userId, code })
      .onConflictDoNothing()
      .returning({ code: userAchievements.code });
    if (inserted === undefined) continue;
    const granted = await awardXp(tx, userId, [achievementAward(code, achievement.xp)]);
    xp += granted.reduce((sum, award) => sum + award.amount, 0);
    const notification = await insertNotification(tx, {
      userId,
      kind: 'achievement',
      text: achievementText(achievement),
      url: '/me/achievements',
      dedupeKey: `achievement:${code}`,
    });
    awarded.push({ code, notification });
  }
  return { awarded, xp };
}

/** What the register held before a progress write, read under the user's lock. */
export interface WatchBefore {
  userId: number;
  episodeId: number;
  /** The episode's stored position; null before its first write. */
  previousPosMs: number | null;
  /** Since the user's most recent progress write of any episode; null before their first. */
  sinceLastWriteMs: number | null;
  /** The UTC day of the transaction's clock: watch time counts on the database's day. */
  day: string;
  /** The catalogue's duration of the episode; 0 when unknown (or no such episode). */
  durationMs: number;
}

/**
 * The first step of a progress write (core/src/realtime-state): locks the user and reads the
 * register's previous state, before the write replaces it. Rejects with
 * ProgressionUserNotFoundError for a user that does not exist.
 */
export async function beginWatch(
  tx: Executor,
  userId: number,
  episodeId: number,
): Promise<WatchBefore> {
  assertId('userId', userId);
  assertId('episodeId', episodeId);
  await lockUser(tx, userId);
  const [row] = await rowsOf<{
    previous: unknown;
    since_ms: unknown;
    day: string;
    duration_ms: unknown;
  }>(
    tx.execute(sql`select
      (select duration_ms from episodes where id = ${episodeId}) as duration_ms,
      (select position_ms from watch_progress
        where user_id = ${userId} and episode_id = ${episodeId}) as previous,
      (select floor(extract(epoch from (now() - max(updated_at))) * 1000)::float8
        from watch_progress where user_id = ${userId}) as since_ms,
      to_char(now() at time zone 'UTC', 'YYYY-MM-DD') as day`),
  );
  return {
    userId,
    episodeId,
    previousPosMs:
      row?.previous === null || row?.previous === undefined ? null : toNumber(row.previous),
    sinceLastWriteMs:
      row?.since_ms === null || row?.since_ms === undefined ? null : toNumber(row.since_ms),
    day: row!.day,
    durationMs: toNumber(row?.duration_ms ?? 0),
  };
}

/**
 * The second step of a progress write that was applied: credits the watch time and completion it
 * proves (watch-time.ts) to the day's watch_days row, grants the experience they earn and awards
 * the watch achievements, all in the write's transaction.
 */
export async function recordWatch(
  tx: Executor,
  before: WatchBefore,
  after: { posMs: number; durMs: number },
): Promise<ActivityOutcome> {
  const { userId, episodeId, day } = before;
  // The catalogue's duration when it knows one: a client cannot shorten an episode to finish it.
  const durationMs = before.durationMs > 0 ? before.durationMs : after.durMs;
  const credit = creditWatch({
    previousPosMs: before.previousPosMs,
    positionMs: after.posMs,
    durationMs,
    sinceLastWriteMs: before.sinceLastWriteMs,
  });
  const seconds = Math.round(credit.creditedMs / 1_000);
  const completed =
    credit.completed && (await awardXp(tx, userId, [completionAward(episodeId)])).length > 0;
  let xp = completed ? completionAward(episodeId).amount : 0;
  if (seconds === 0 && !completed) return { userId, xp, awarded: [] };

  const [totals] = await tx
    .insert(watchDays)
    .values({ userId, day, seconds, episodesCompleted: completed ? 1 : 0 })
    .onConflictDoUpdate({
      target: [watchDays.userId, watchDays.day],
      set: {
        seconds: sql`${watchDays.seconds} + ${seconds}`,
        episodesCompleted: sql`${watchDays.episodesCompleted} + ${completed ? 1 : 0}`,
      },
    })
    .returning({ seconds: watchDays.seconds });
  const dayTotal = totals!.seconds;
  const steps = await awardXp(tx, userId, watchAwards(day, dayTotal - seconds, dayTotal));
  xp += steps.reduce((sum, award) => sum + award.amount, 0);
  // Only what this write moved: a finish moves the episode counts, and the day's minutes matter
  // when they cross a goal. Most writes move neither, and cost no achievement queries.
  const minutesCrossed = (goal: number) => dayTotal - seconds < goal * 60 && dayTotal >= goal * 60;
  const candidates = achievementsOf('watch').filter((a) =>
    a.code === 'marathon_day' ? minutesCrossed(a.goal) : completed,
  );
  const achieved = await evaluateAchievements(tx, userId, candidates);
  return { userId, xp: xp + achieved.xp, awarded: achieved.awarded };
}

async function countToday(
  tx: Executor,
  table: 'danmu' | 'comments' | 'shares',
  userId: number,
  day: string,
): Promise<number> {
  const { from, to } = dayRange(day);
  const [row] = await rowsOf<{ n: unknown }>(
    tx.execute(sql`select count(*) as n from ${sql.identifier(table)}
      where user_id = ${userId} and created_at >= ${from.toISOString()}::timestamptz
        and created_at < ${to.toISOString()}::timestamptz`),
  );
  return toNumber(row?.n ?? 0);
}

/** The experience an activity earns, read from what is stored for the day. */
async function activityAwards(tx: Executor, activity: Activity, day: string): Promise<XpAward[]> {
  const { userId } = activity;
  switch (activity.kind) {
    case 'danmu':
      return nthOfDayAward('danmu', day, await countToday(tx, 'danmu', userId, day));
    case 'comment':
      return nthOfDayAward('comment', day, await countToday(tx, 'comments', userId, day));
    case 'share':
      return (await countToday(tx, 'shares', userId, day)) > 0 ? [onceADayAward('share', day)] : [];
    case 'follow_up': {
      const { from, to } = dayRange(day);
      const [row] = await rowsOf<{ n: unknown }>(
        tx.execute(sql`select count(*) as n from engagement_edges where user_id = ${userId}
          and kind = 'follow_up' and target_type = 'series' and present
          and updated_at >= ${from.toISOString()}::timestamptz
          and updated_at < ${to.toISOString()}::timestamptz`),
      );
      return toNumber(row?.n ?? 0) > 0 ? [onceADayAward('follow-up', day)] : [];
    }
  }
}

const activityOf = {
  danmu: 'danmu',
  comment: 'comment',
  follow_up: 'follow_up',
  share: 'share',
} as const satisfies Record<Activity['kind'], string>;

type Metrics = Record<TaskMetric, number>;

async function metricsOf(tx: Executor, userId: number, day: string): Promise<Metrics> {
  const { from, to } = dayRange(day);
  const start = sql`${from.toISOString()}::timestamptz`;
  const end = sql`${to.toISOString()}::timestamptz`;
  const today = (table: string) =>
    sql`(select count(*) from ${sql.identifier(table)}
      where user_id = ${userId} and created_at >= ${start} and created_at < ${end})`;
  const [row] = await rowsOf<Record<string, unknown>>(
    tx.execute(sql`select
      coalesce((select seconds from watch_days where user_id = ${userId} and day = ${day}), 0)
        as watch_seconds,
      coalesce((select episodes_completed from watch_days
        where user_id = ${userId} and day = ${day}), 0) as episodes_completed,
      (select count(*) from check_ins where user_id = ${userId} and day = ${day}) as checked_in,
      ${today('danmu')} as danmu,
      ${today('comments')} as comments,
      ${today('shares')} as shares`),
  );
  return {
    watch_seconds: toNumber(row?.watch_seconds ?? 0),
    episodes_completed: toNumber(row?.episodes_completed ?? 0),
    checked_in: toNumber(row?.checked_in ?? 0),
    danmu: toNumber(row?.danmu ?? 0),
    comments: toNumber(row?.comments ?? 0),
    shares: toNumber(row?.shares ?? 0),
  };
}

/** The ProgressionStore over core's Drizzle handle, identical on PGlite and node-postgres. */
export function createSqlProgressionStore(db: Database): ProgressionStore {
  return {
    async record(activity, now = new Date()) {
      assertId('userId', activity.userId);
      assertNow(now);
      if (!Object.hasOwn(activityOf, activity.kind))
        throw new RangeError(`unknown activity ${String(activity.kind)}`);
      const day = utcDay(now);
      return db.transaction(async (tx) => {
        await lockUser(tx, activity.userId);
        const granted = await awardXp(tx, activity.userId, await activityAwards(tx, activity, day));
        const achieved = await evaluateAchievements(
          tx,
          activity.userId,
          achievementsOf(activityOf[activity.kind]),
        );
        return {
          userId: activity.userId,
          xp: granted.reduce((sum, award) => sum + award.amount, 0) + achieved.xp,
          awarded: achieved.awarded,
        };
      });
    },

    async checkIn(userId, now = new Date()) {
      assertId('userId', userId);
      assertNow(now);
      const day = utcDay(now);
      const yesterday = addDays(day, -1);
      return db.transaction(async (tx) => {
        await lockUser(tx, userId);
        const recent = await tx
          .select({ day: checkIns.day, streak: checkIns.streak })
          .from(checkIns)
          .where(and(eq(checkIns.userId, userId), inArray(checkIns.day, [day, yesterday])));
        if (recent.some((row) => row.day === day)) throw new AlreadyCheckedInError(day);
        const streak = (recent.find((row) => row.day === yesterday)?.streak ?? 0) + 1;
        const [inserted] = await tx
          .insert(checkIns)
          .values({ userId, day, streak })
          .onConflictDoNothing()
          .returning({ day: checkIns.day });
        if (inserted === undefined) throw new AlreadyCheckedInError(day);
        const points = checkInPoints(streak);
        const { entry } = await postPoints(tx, userId, {
          delta: points,
          reason: 'check_in',
          idempotencyKey: `check-in:${day}`,
        });
        const granted = await awardXp(tx, userId, [onceADayAward('check-in', day)]);
        const achieved = await evaluateAchievements(tx, userId, achievementsOf('check_in'));
        return {
          userId,
          day,
          streak,
          points,
          balance: entry.balanceAfter,
          xp: granted.reduce((sum, award) => sum + award.amount, 0) + achieved.xp,
          awarded: achieved.awarded,
        };
      });
    },

    async checkInCalendar(userId, month, now = new Date()) {
      assertId('userId', userId);
      assertNow(now);
      if (!isUtcMonth(month)) throw new RangeError(`month must be YYYY-MM, got ${month}`);
      const today = utcDay(now);
      const yesterday = addDays(today, -1);
      const days = daysOfMonth(month);
      const [inMonth, recent] = await Promise.all([
        db
          .select({ day: checkIns.day })
          .from(checkIns)
          .where(
            and(
              eq(checkIns.userId, userId),
              gte(checkIns.day, days[0]!),
              lte(checkIns.day, days.at(-1)!),
            ),
          )
          .orderBy(checkIns.day),
        db
          .select({ day: checkIns.day, streak: checkIns.streak })
          .from(checkIns)
          .where(and(eq(checkIns.userId, userId), inArray(checkIns.day, [today, yesterday]))),
      ]);
      const todays = recent.find((row) => row.day === today);
      const yesterdays = recent.find((row) => row.day === yesterday);
      const streak = todays?.streak ?? yesterdays?.streak ?? 0;
      return {
        month,
        today,
        checkedInToday: todays !== undefined,
        streak,
        days: inMonth.map((row) => row.day),
        nextPoints: checkInPoints(streak + 1),
      };
    },

    async achievements(userId) {
      assertId('userId', userId);
      const held = await db
        .select({ code: userAchievements.code, awardedAt: userAchievements.awardedAt })
        .from(userAchievements)
        .where(eq(userAchievements.userId, userId));
      const progress = await progressOf(
        db,
        userId,
        catalogue.map((a) => a.code),
      );
      return catalogue.map((achievement) => {
        const earned = held.find((row) => row.code === achievement.code);
        const measured = progress.get(achievement.code) ?? 0;
        return {
          code: achievement.code,
          goal: achievement.goal,
          // An earned achievement shows full even if what earned it was undone later.
          progress: earned ? achievement.goal : Math.min(measured, achievement.goal),
          earnedAt: earned?.awardedAt ?? null,
        };
      });
    },

    async tasks(userId, now = new Date()) {
      assertId('userId', userId);
      assertNow(now);
      const day = utcDay(now);
      const metrics = await metricsOf(db, userId, day);
      const claimed = await db
        .select({ task: taskClaims.task })
        .from(taskClaims)
        .where(and(eq(taskClaims.userId, userId), eq(taskClaims.day, day)));
      return {
        day,
        items: dailyTasks.map((task) => ({
          id: task.id,
          metric: task.metric,
          goal: task.goal,
          progress: Math.min(metrics[task.metric], task.goal),
          points: task.points,
          completed: metrics[task.metric] >= task.goal,
          claimed: claimed.some((row) => row.task === task.id),
        })),
      };
    },

    async claimTask(userId, taskId, now = new Date()) {
      assertId('userId', userId);
      assertNow(now);
      const task = dailyTaskOf(taskId);
      if (task === undefined) throw new TaskNotFoundError(taskId);
      const day = utcDay(now);
      return db.transaction(async (tx) => {
        await lockUser(tx, userId);
        const [claimed] = await tx
          .select({ task: taskClaims.task })
          .from(taskClaims)
          .where(
            and(
              eq(taskClaims.userId, userId),
              eq(taskClaims.day, day),
              eq(taskClaims.task, task.id),
            ),
          );
        if (claimed !== undefined) throw new TaskAlreadyClaimedError(task.id, day);
        const value = (await metricsOf(tx, userId, day))[task.metric];
        if (value < task.goal) throw new TaskNotCompletedError(task.id, value, task.goal);
        const [inserted] = await tx
          .insert(taskClaims)
          .values({ userId, day, task: task.id })
          .onConflictDoNothing()
          .returning({ task: taskClaims.task });
        if (inserted === undefined) throw new TaskAlreadyClaimedError(task.id, day);
        const { entry } = await postPoints(tx, userId, {
          delta: task.points,
          reason: `task:${task.id}`,
          idempotencyKey: `task:${day}:${task.id}`,
        });
        return { taskId: task.id, day, points: task.points, balance: entry.balanceAfter };
      });
    },
  };
}
