/**
 * Reports and what moderators do about them: viewers report a comment, review, danmu, chat line,
 * DM, user, series or episode; moderators (the `admin` role) dismiss a report, hide the content
 * or ban its author, hide and unhide content directly, and ban and unban accounts. Every action
 * appends one row to `moderation_actions` (who, what, which target, why, which report): the audit
 * log. A ban also revokes the account's sessions in the same transaction; the API then tells the
 * gateways to close its sockets (bus topic `user.banned`).
 *
 * Implementation: store-sql.ts; tests in store.test.ts run against PGlite and PostgreSQL.
 */
import type { ErrorCode } from '../protocol/errors.ts';

export const reportTargetTypes = [
  'comment',
  'review',
  'danmu',
  'chat',
  'dm',
  'user',
  'series',
  'episode',
] as const;
export type ReportTargetType = (typeof reportTargetTypes)[number];

export const reportReasons = [
  'spam',
  'abuse',
  'sexual',
  'violence',
  'illegal',
  'minor_safety',
  'other',
] as const;
export type ReportReason = (typeof reportReasons)[number];

export const reportStatuses = ['open', 'actioned', 'dismissed'] as const;
export type ReportStatus = (typeof reportStatuses)[number];

/** Content a moderator can hide: comments and reviews by status, danmu and chat by hidden_at. */
export const hideableTargetTypes = ['comment', 'review', 'danmu', 'chat'] as const;
export type HideableTargetType = (typeof hideableTargetTypes)[number];

export const resolveActions = ['dismiss', 'hide', 'ban'] as const;
export type ResolveAction = (typeof resolveActions)[number];

export type ModerationActionKind = 'hide' | 'unhide' | 'delete' | 'ban' | 'unban' | 'dismiss';

/** Longest report detail and moderator reason, in UTF-16 units. */
export const MAX_REPORT_DETAIL = 1000;
export const MAX_MODERATION_REASON = 500;
/** Longest text of a target preview: enough to judge, not a copy of a long review. */
export const MAX_PREVIEW_TEXT = 280;

export function isReportTargetType(value: unknown): value is ReportTargetType {
  return typeof value === 'string' && (reportTargetTypes as readonly string[]).includes(value);
}

export function isHideable(value: unknown): value is HideableTargetType {
  return typeof value === 'string' && (hideableTargetTypes as readonly string[]).includes(value);
}

export interface NewReport {
  reporterId: number;
  targetType: ReportTargetType;
  /** Comment, review, danmu, chat and DM ids are bigserial: a safe integer, not only int32. */
  targetId: number;
  reason: ReportReason;
  detail: string;
}

export interface Report {
  id: number;
  reporterId: number;
  targetType: ReportTargetType;
  targetId: number;
  reason: ReportReason;
  detail: string;
  status: ReportStatus;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: number | null;
}

/**
 * What a moderator sees of a reported target. `state`: `visible`, `hidden`, `deleted` (by its
 * author) for content; `active` or `banned` for a user; `published` or `draft` for a series or
 * episode; `gone` when the row no longer exists.
 */
export interface TargetPreview {
  /** Who wrote it: the author, the sender of a DM, the account itself, a series' creator. */
  authorId: number | null;
  /** The text, a display name or a title, cut to MAX_PREVIEW_TEXT. */
  text: string;
  state: 'visible' | 'hidden' | 'deleted' | 'active' | 'banned' | 'published' | 'draft' | 'gone';
}

export interface ReportWithTarget extends Report {
  target: TargetPreview;
}

export interface ModerationAction {
  id: number;
  actorId: number | null;
  action: ModerationActionKind;
  targetType: string;
  targetId: number;
  reportId: number | null;
  reason: string;
  createdAt: Date;
}

/** A page of a list ordered by id; `next` is the id to continue after, null on the last page. */
export interface ModerationPage<T> {
  items: T[];
  next: number | null;
}

export interface HideOutcome {
  targetType: HideableTargetType;
  targetId: number;
  /** The target's state after the action (a deleted comment stays deleted). */
  state: 'visible' | 'hidden' | 'deleted';
  action: ModerationAction;
}

export interface BanOutcome {
  userId: number;
  bannedAt: Date | null;
  /** Sessions of the account this ban revoked (0 for an unban or an account already banned). */
  revokedSessions: number;
  action: ModerationAction;
}

export interface ResolveOutcome {
  report: Report;
  /** What was done, in order: one action for dismiss, hide then ban for a ban of hideable content. */
  actions: ModerationAction[];
  /** The account banned, so the caller can close its sockets. */
  bannedUserId: number | null;
}

export interface ModerationStore {
  /**
   * Files a report. The same open report (reporter, target) twice returns the first, `created`
   * false. Rejects with ModerationError: TARGET_NOT_FOUND, FORBIDDEN (a DM the reporter neither
   * sent nor received), CANNOT_REPORT_SELF (the reporter's own account or content).
   */
  fileReport(report: NewReport): Promise<{ report: Report; created: boolean }>;
  /** The reporter's own reports, newest first. */
  reportsBy(
    reporterId: number,
    after: number | null,
    limit: number,
  ): Promise<ModerationPage<Report>>;
  /** The queue: reports (of one status, or all), oldest first, with what each names. */
  reportQueue(
    status: ReportStatus | null,
    after: number | null,
    limit: number,
  ): Promise<ModerationPage<ReportWithTarget>>;
  /**
   * Resolves an open report: `dismiss` closes it; `hide` hides the target; `ban` bans the
   * target's author (and hides the target when it can be hidden). Hiding or banning also closes
   * every other open report of the same target as actioned. ModerationError: REPORT_NOT_FOUND,
   * REPORT_ALREADY_RESOLVED, INVALID_MODERATION_ACTION, FORBIDDEN (the author is the moderator or
   * an admin), TARGET_NOT_FOUND.
   */
  resolveReport(input: {
    reportId: number;
    actorId: number;
    action: ResolveAction;
    reason: string;
  }): Promise<ResolveOutcome>;
  /** Hides or unhides content; settles the target's open reports when hiding. */
  setHidden(input: {
    actorId: number;
    targetType: HideableTargetType;
    targetId: number;
    hidden: boolean;
    reason: string;
  }): Promise<HideOutcome>;
  /**
   * Bans an account: sets banned_at (kept from the first ban) and ban_reason, revokes its open
   * sessions, logs the action. ModerationError: USER_NOT_FOUND, FORBIDDEN (oneself, an admin).
   */
  ban(input: { actorId: number; userId: number; reason: string }): Promise<BanOutcome>;
  /** Lifts a ban; revoked sessions stay revoked (the user signs in again). USER_NOT_FOUND. */
  unban(input: { actorId: number; userId: number; reason: string }): Promise<BanOutcome>;
  /** The audit log, newest first. */
  actions(after: number | null, limit: number): Promise<ModerationPage<ModerationAction>>;
  /** What a target is now; null when it does not exist. */
  preview(targetType: ReportTargetType, targetId: number): Promise<TargetPreview | null>;
}

export type ModerationErrorCode = Extract<
  ErrorCode,
  | 'TARGET_NOT_FOUND'
  | 'REPORT_NOT_FOUND'
  | 'USER_NOT_FOUND'
  | 'FORBIDDEN'
  | 'CANNOT_REPORT_SELF'
  | 'REPORT_ALREADY_RESOLVED'
  | 'INVALID_MODERATION_ACTION'
>;

/** An expected refusal, with the HTTP API's code for it. */
export class ModerationError extends Error {
  override readonly name = 'ModerationError';
  constructor(
    readonly code: ModerationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
