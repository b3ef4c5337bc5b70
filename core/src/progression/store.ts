/**
 * Experience, achievements, daily check-in and daily tasks (issue 4, items 3 and 7).
 *
 * Everything here is derived from what users did (watch progress, danmu, comments, follow-ups,
 * shares, check-ins) and granted once per key: experience through xp_awards (summed into
 * users.xp in the same transaction), achievements through user_achievements' primary key, task
 * rewards through task_claims, points through the ledger (core/src/points). Recording the same
 * activity twice, or in two processes, therefore grants nothing twice, and a recording lost to a
 * crash is made up by the next one, since each looks at the stored state rather than counting
 * calls. Every transaction of a user starts by locking their users row, so one user's recordings
 * run one at a time and never deadlock with each other.
 *
 * Implementation: store-sql.ts; tests in store.test.ts run against PGlite and PostgreSQL.
 */
import type { Notification } from '../notifications/store.ts';
import type { AchievementCode } from '../protocol/progression/achievements.ts';
import type { TaskMetric } from '../protocol/progression/daily-tasks.ts';

/**
 * What another module reports after it stored something of a user. Watch time and check-ins are
 * recorded by their own writes (the realtime store's progress write, checkIn).
 */
export type Activity =
  /** A danmu was stored (the realtime store calls this). */
  | { kind: 'danmu'; userId: number }
  /** A comment was posted. */
  | { kind: 'comment'; userId: number }
  /** A series was followed up (追剧). */
  | { kind: 'follow_up'; userId: number }
  /** An episode or a series was shared. */
  | { kind: 'share'; userId: number };

export interface AwardedAchievement {
  code: AchievementCode;
  /** The inbox row created with it (null if one with its dedupe key existed). */
  notification: Notification | null;
}

export interface ActivityOutcome {
  userId: number;
  /** Experience granted by this call. */
  xp: number;
  /** Achievements awarded by this call: push their notifications (Progression.announce). */
  awarded: AwardedAchievement[];
}

export interface CheckInResult extends ActivityOutcome {
  day: string;
  /** Days in a row including today. */
  streak: number;
  /** Points credited for it. */
  points: number;
  /** The points balance after it. */
  balance: number;
}

export interface CheckInCalendar {
  /** `YYYY-MM`. */
  month: string;
  /** Today (UTC). */
  today: string;
  checkedInToday: boolean;
  /** The current streak: through today, or through yesterday while today is still open; else 0. */
  streak: number;
  /** Days of the month checked in, ascending. */
  days: string[];
  /** Points the next check-in earns (tomorrow's when today is done). */
  nextPoints: number;
}

export interface AchievementProgress {
  code: AchievementCode;
  /** Measured progress, capped at the goal. */
  progress: number;
  goal: number;
  earnedAt: Date | null;
}

export interface TaskProgress {
  id: string;
  metric: TaskMetric;
  goal: number;
  /** Today's value of the metric, capped at the goal. */
  progress: number;
  points: number;
  completed: boolean;
  claimed: boolean;
}

export interface TaskClaim {
  taskId: string;
  day: string;
  points: number;
  balance: number;
}

export interface ProgressionStore {
  /** Records one activity: its experience and the achievements it completes. */
  record(activity: Activity, now?: Date): Promise<ActivityOutcome>;
  /**
   * Checks `userId` in for the UTC day of `now`: the streak continues from yesterday or restarts
   * at 1, and the streak day's points are credited. AlreadyCheckedInError on a second call.
   */
  checkIn(userId: number, now?: Date): Promise<CheckInResult>;
  /** The check-in calendar of `month` (`YYYY-MM`) with today's state. */
  checkInCalendar(userId: number, month: string, now?: Date): Promise<CheckInCalendar>;
  /** Every achievement of the catalogue, in its order, with the user's progress. */
  achievements(userId: number): Promise<AchievementProgress[]>;
  /** Today's tasks with their progress. */
  tasks(userId: number, now?: Date): Promise<{ day: string; items: TaskProgress[] }>;
  /**
   * Claims a task's points for today: TaskNotFoundError, TaskNotCompletedError or
   * TaskAlreadyClaimedError otherwise, and then nothing is credited.
   */
  claimTask(userId: number, taskId: string, now?: Date): Promise<TaskClaim>;
}

export class ProgressionUserNotFoundError extends Error {
  override readonly name = 'ProgressionUserNotFoundError';
  constructor(readonly userId: number) {
    super(`user ${userId} does not exist`);
  }
}

export class AlreadyCheckedInError extends Error {
  override readonly name = 'AlreadyCheckedInError';
  constructor(readonly day: string) {
    super(`already checked in on ${day}`);
  }
}

export class TaskNotFoundError extends Error {
  override readonly name = 'TaskNotFoundError';
  constructor(readonly taskId: string) {
    super(`no daily task ${JSON.stringify(taskId)}`);
  }
}

export class TaskNotCompletedError extends Error {
  override readonly name = 'TaskNotCompletedError';
  constructor(
    readonly taskId: string,
    readonly progress: number,
    readonly goal: number,
  ) {
    super(`task ${taskId} is at ${progress} of ${goal}`);
  }
}

export class TaskAlreadyClaimedError extends Error {
  override readonly name = 'TaskAlreadyClaimedError';
  constructor(
    readonly taskId: string,
    readonly day: string,
  ) {
    super(`task ${taskId} was already claimed on ${day}`);
  }
}
