import type {
  BanOutcome,
  HideOutcome,
  ModerationAction,
  ModerationPage,
  Report,
  ReportWithTarget,
} from '@binge/core/moderation/store';
import { AppError } from '../errors/app-error.ts';

/**
 * Wire forms of the moderation store's records (moderation-schemas.ts). Page cursors are the
 * last item's id in decimal: they only position reads the caller may make whole anyway, so there
 * is nothing to sign; anything else is INVALID_CURSOR, never a value handed to SQL.
 */
export function decodeIdCursor(token: string | undefined): number | null {
  if (token === undefined) return null;
  const id = /^[1-9][0-9]{0,15}$/.test(token) ? Number(token) : NaN;
  if (!Number.isSafeInteger(id)) throw new AppError('INVALID_CURSOR');
  return id;
}

export function pageOf<T, W>(page: ModerationPage<T>, toWire: (item: T) => W) {
  return {
    items: page.items.map(toWire),
    nextCursor: page.next === null ? null : String(page.next),
  };
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

/** A report as its reporter sees it: not who resolved it. */
export const reportToWire = (report: Report) => ({
  id: report.id,
  targetType: report.targetType,
  targetId: report.targetId,
  reason: report.reason,
  detail: report.detail,
  status: report.status,
  createdAt: report.createdAt.toISOString(),
  resolvedAt: iso(report.resolvedAt),
});

export const queuedReportToWire = (report: ReportWithTarget) => ({
  ...reportToWire(report),
  reporterId: report.reporterId,
  resolvedBy: report.resolvedBy,
  target: report.target,
});

export const actionToWire = (action: ModerationAction) => ({
  id: action.id,
  actorId: action.actorId,
  action: action.action,
  targetType: action.targetType,
  targetId: action.targetId,
  reportId: action.reportId,
  reason: action.reason,
  createdAt: action.createdAt.toISOString(),
});

export const hideToWire = (outcome: HideOutcome) => ({
  targetType: outcome.targetType,
  targetId: outcome.targetId,
  state: outcome.state,
  action: actionToWire(outcome.action),
});

export const banToWire = (outcome: BanOutcome) => ({
  userId: outcome.userId,
  bannedAt: iso(outcome.bannedAt),
  revokedSessions: outcome.revokedSessions,
  action: actionToWire(outcome.action),
});
