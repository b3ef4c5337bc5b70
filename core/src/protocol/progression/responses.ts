/**
 * Wire types of the profile, achievement, check-in and daily-task routes (`/api/v1`). Browser-safe;
 * the API's schemas (api/src/profile/*-schemas.ts) produce exactly these shapes, and a type-level
 * test keeps the two in step.
 */
import type { LocalizedText } from '../catalog.ts';
import type { TaskMetric } from './daily-tasks.ts';

/** A user's public profile; the level bar is levels.ts's levelOf(xp). */
export interface PublicProfile {
  id: number;
  handle: string;
  /** The nickname. */
  displayName: string;
  /** 256 × 256 WebP, or null without an avatar. */
  avatarUrl: string | null;
  /** 64 × 64 WebP of the same picture, or null. */
  avatarThumbUrl: string | null;
  bio: string;
  level: number;
  xp: number;
  followers: number;
  following: number;
  /** Achievements earned. */
  achievements: number;
  /** ISO 8601. */
  createdAt: string;
}

export interface AchievementView {
  code: string;
  name: LocalizedText;
  description: LocalizedText;
  /** Measured progress, capped at the goal (minutes for time, otherwise a count). */
  progress: number;
  goal: number;
  xp: number;
  /** ISO 8601 when earned; null while not. */
  earnedAt: string | null;
}

export interface AchievementList {
  /** How many of the catalogue are earned. */
  earned: number;
  /** The whole catalogue, in its order. */
  items: AchievementView[];
}

export interface CheckInReceipt {
  /** The UTC day checked in, YYYY-MM-DD. */
  day: string;
  streak: number;
  /** Points credited. */
  points: number;
  /** Points balance after it. */
  balance: number;
  /** Codes of achievements it completed. */
  achievements: string[];
}

export interface CheckInCalendarView {
  /** YYYY-MM. */
  month: string;
  today: string;
  checkedInToday: boolean;
  streak: number;
  /** Days of the month checked in, ascending. */
  days: string[];
  nextPoints: number;
}

export interface DailyTaskView {
  id: string;
  name: LocalizedText;
  metric: TaskMetric;
  goal: number;
  progress: number;
  points: number;
  completed: boolean;
  claimed: boolean;
}

export interface DailyTaskList {
  /** The UTC day the tasks are for. */
  day: string;
  items: DailyTaskView[];
}

export interface TaskClaimReceipt {
  taskId: string;
  day: string;
  points: number;
  balance: number;
}
