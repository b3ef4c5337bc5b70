import { and, asc, desc, eq, gt, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { isPublishedSeries } from '../catalog/published-series.ts';
import type { Database } from '../db/database.ts';
import {
  chatMessages,
  comments,
  danmu,
  dmMessages,
  episodes,
  moderationActions,
  reports,
  reviews,
  series,
  users,
} from '../db/schema.ts';
import {
  isHideable,
  isReportTargetType,
  MAX_MODERATION_REASON,
  MAX_PREVIEW_TEXT,
  MAX_REPORT_DETAIL,
  ModerationError,
  reportReasons,
  reportStatuses,
  resolveActions,
  type BanOutcome,
  type HideableTargetType,
  type HideOutcome,
  type ModerationAction,
  type ModerationActionKind,
  type ModerationPage,
  type ModerationStore,
  type Report,
  type ReportTargetType,
  type TargetPreview,
} from './store.ts';

/** Ids of `serial` columns (users, series, episodes) are int32 (docs/protocol.md "Ids"). */
const maxId = 2_147_483_647;
/** Types whose ids are int32; the others are bigserial. */
const int32Targets = new Set<ReportTargetType>(['user', 'series', 'episode']);
/** A queue page is read in one go with its previews: a screen, not an export. */
const maxLimit = 500;

type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'execute'>;

function assertUserId(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > maxId)
    throw new RangeError(`${name} must be an integer in [1, ${maxId}], got ${String(value)}`);
}

function assertBigId(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive safe integer, got ${String(value)}`);
}

function assertCursor(after: number | null): void {
  if (after !== null) assertBigId('after', after);
}

function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit)
    throw new RangeError(`limit must be an integer in [1, ${maxLimit}], got ${String(limit)}`);
}

function assertText(name: string, value: unknown, max: number): void {
  if (typeof value !== 'string' || value.length > max)
    throw new RangeError(`${name} must be a string of at most ${max} characters`);
}

function assertOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): void {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value))
    throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
}

/** A target id that no row of its type can have (past int32 for serial columns). */
function unreachable(targetType: ReportTargetType, targetId: number): boolean {
  return int32Targets.has(targetType) && targetId > maxId;
}

const cut = (text: string) =>
  text.length > MAX_PREVIEW_TEXT ? text.slice(0, MAX_PREVIEW_TEXT) : text;

/** A target as the rules need it: who wrote it, to whom (DMs), and the preview. */
interface TargetRow extends TargetPreview {
  recipientId: number | null;
}

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

/** The rows of one target type by id, for reports, previews and the rules around actions. */
async function findTargets(
  tx: Executor,
  targetType: ReportTargetType,
  ids: readonly number[],
): Promise<Map<number, TargetRow>> {
  const found = new Map<number, TargetRow>();
  const wanted = [...new Set(ids.filter((id) => !unreachable(targetType, id)))];
  if (wanted.length === 0) return found;
  const content = (row: {
    id: number;
    authorId: number;
    body: string;
    state: TargetRow['state'];
    recipientId?: number;
  }) =>
    found.set(row.id, {
      authorId: row.authorId,
      recipientId: row.recipientId ?? null,
      text: cut(row.body),
      state: row.state,
    });
  switch (targetType) {
    case 'comment':
    case 'review': {
      const table = targetType === 'comment' ? comments : reviews;
      const rows = await tx
        .select({ id: table.id, authorId: table.userId, body: table.body, status: table.status })
        .from(table)
        .where(inArray(table.id, wanted));
      for (const row of rows) content({ ...row, state: row.status });
      break;
    }
    case 'danmu':
    case 'chat': {
      const table = targetType === 'danmu' ? danmu : chatMessages;
      const rows = await tx
        .select({
          id: table.id,
          authorId: table.userId,
          body: table.body,
          hiddenAt: table.hiddenAt,
        })
        .from(table)
        .where(inArray(table.id, wanted));
      for (const row of rows)
        content({ ...row, state: row.hiddenAt === null ? 'visible' : 'hidden' });
      break;
    }
    case 'dm': {
      const rows = await tx
        .select({
          id: dmMessages.id,
          authorId: dmMessages.senderId,
          recipientId: dmMessages.recipientId,
          body: dmMessages.body,
        })
        .from(dmMessages)
        .where(inArray(dmMessages.id, wanted));
      for (const row of rows) content({ ...row, state: 'visible' });
      break;
    }
    case 'user': {
      const rows = await tx
        .select({
          id: users.id,
          handle: users.handle,
          displayName: users.displayName,
          bannedAt: users.bannedAt,
        })
        .from(users)
        .where(inArray(users.id, wanted));
      for (const row of rows)
        found.set(row.id, {
          authorId: row.id,
          recipientId: null,
          text: cut(`${row.displayName} (@${row.handle})`),
          state: row.bannedAt === null ? 'active' : 'banned',
        });
      break;
    }
    case 'series': {
      const rows = await tx
        .select({
          id: series.id,
          creatorId: series.creatorId,
          titleZh: series.titleZh,
          titleEn: series.titleEn,
          published: sql<boolean>`(${isPublishedSeries})`,
        })
        .from(series)
        .where(inArray(series.id, wanted));
      for (const row of rows)
        found.set(row.id, {
          authorId: row.creatorId,
          recipientId: null,
          text: cut(`${row.titleZh} / ${row.titleEn}`),
          state: row.published ? 'published' : 'draft',
        });
      break;
    }
    case 'episode': {
      const rows = await tx
        .select({
          id: episodes.id,
          number: episodes.number,
          creatorId: series.creatorId,
          seriesZh: series.titleZh,
          seriesEn: series.titleEn,
          titleZh: episodes.titleZh,
          titleEn: episodes.titleEn,
          published: sql<boolean>`(${isPublishedSeries})`,
        })
        .from(episodes)
        .innerJoin(series, eq(series.id, episodes.seriesId))
        .where(inArray(episodes.id, wanted));
      for (const row of rows)
        found.set(row.id, {
          authorId: row.creatorId,
          recipientId: null,
          text: cut(
            `${row.seriesZh} ${row.titleZh} / ${row.seriesEn} #${row.number} ${row.titleEn}`,
          ),
          state: row.published ? 'published' : 'draft',
        });
      break;
    }
  }
  return found;
}

async function findTarget(
  tx: Executor,
  targetType: ReportTargetType,
  targetId: number,
): Promise<TargetRow | null> {
  return (await findTargets(tx, targetType, [targetId])).get(targetId) ?? null;
}

/** What a viewer can report: content its author has not deleted, a series viewers can see. */
function reportable(target: TargetRow): boolean {
  return target.state !== 'deleted' && target.state !== 'draft';
}

type ReportRow = typeof reports.$inferSelect;

const toReport = (row: ReportRow): Report => ({
  id: row.id,
  reporterId: row.reporterId,
  targetType: row.targetType,
  targetId: row.targetId,
  reason: row.reason,
  detail: row.detail,
  status: row.status,
  createdAt: row.createdAt,
  resolvedAt: row.resolvedAt,
  resolvedBy: row.resolvedBy,
});

type ActionRow = typeof moderationActions.$inferSelect;

const toAction = (row: ActionRow): ModerationAction => ({
  id: row.id,
  actorId: row.actorId,
  action: row.action,
  targetType: row.targetType,
  targetId: row.targetId,
  reportId: row.reportId,
  reason: row.reason,
  createdAt: row.createdAt,
});

function pageOf<R extends { id: number }, T>(
  rows: R[],
  limit: number,
  toItem: (row: R) => T,
): ModerationPage<T> {
  const page = rows.slice(0, limit);
  return {
    items: page.map(toItem),
    next: rows.length > limit ? page[page.length - 1]!.id : null,
  };
}

async function logAction(
  tx: Executor,
  entry: {
    actorId: number;
    action: ModerationActionKind;
    targetType: string;
    targetId: number;
    reportId: number | null;
    reason: string;
  },
): Promise<ModerationAction> {
  const [row] = await tx.insert(moderationActions).values(entry).returning();
  return toAction(row!);
}

/** Closes every open report of a target as actioned by `actorId` (hiding or banning settles them). */
async function settleReports(
  tx: Executor,
  targetType: ReportTargetType,
  targetId: number,
  actorId: number,
): Promise<void> {
  await tx
    .update(reports)
    .set({ status: 'actioned', resolvedAt: sql`now()`, resolvedBy: actorId })
    .where(
      and(
        eq(reports.targetType, targetType),
        eq(reports.targetId, targetId),
        eq(reports.status, 'open'),
      ),
    );
}

/** Hides or unhides one piece of content; a comment or review its author deleted stays deleted. */
async function applyHidden(
  tx: Executor,
  targetType: HideableTargetType,
  targetId: number,
  hidden: boolean,
): Promise<HideOutcome['state']> {
  if (targetType === 'comment' || targetType === 'review') {
    const table = targetType === 'comment' ? comments : reviews;
    const [row] = await tx
      .update(table)
      .set({
        status: sql`case when ${table.status} = 'deleted' then ${table.status}
          else ${hidden ? 'hidden' : 'visible'} end`,
      })
      .where(eq(table.id, targetId))
      .returning({ status: table.status });
    if (row === undefined)
      throw new ModerationError('TARGET_NOT_FOUND', `${targetType} ${targetId} does not exist`);
    return row.status;
  }
  const table = targetType === 'danmu' ? danmu : chatMessages;
  const [row] = await tx
    .update(table)
    // A second hide keeps the time of the first.
    .set({ hiddenAt: hidden ? sql`coalesce(${table.hiddenAt}, now())` : null })
    .where(eq(table.id, targetId))
    .returning({ hiddenAt: table.hiddenAt });
  if (row === undefined)
    throw new ModerationError('TARGET_NOT_FOUND', `${targetType} ${targetId} does not exist`);
  return row.hiddenAt === null ? 'visible' : 'hidden';
}

/**
 * Bans an account in the caller's transaction: the row is locked first, so a ban and a role
 * change or a second ban of the same account run one after the other.
 */
async function applyBan(
  tx: Executor,
  actorId: number,
  userId: number,
  reason: string,
): Promise<{ bannedAt: Date | null; revokedSessions: number }> {
  const [account] = await tx
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.id, userId))
    .for('update');
  if (account === undefined)
    throw new ModerationError('USER_NOT_FOUND', `user ${userId} does not exist`);
  if (userId === actorId) throw new ModerationError('FORBIDDEN', 'A moderator cannot ban themself');
  if (account.role === 'admin')
    throw new ModerationError('FORBIDDEN', `user ${userId} is an admin; admins cannot be banned`);
  const [banned] = await tx
    .update(users)
    .set({ bannedAt: sql`coalesce(${users.bannedAt}, now())`, banReason: reason })
    .where(eq(users.id, userId))
    .returning({ bannedAt: users.bannedAt });
  // Every session of the account ends with the ban (the sign-in service's sessions table).
  const revoked = await rowsOf<{ id: string }>(
    tx.execute(sql`update auth_sessions set revoked_at = now(), revoked_reason = 'banned'
      where user_id = ${userId} and revoked_at is null returning id`),
  );
  return { bannedAt: banned!.bannedAt, revokedSessions: revoked.length };
}

/**
 * The ModerationStore over core's Drizzle handle, identical on PGlite and node-postgres. Every
 * action is one transaction with its audit row, so the log never misses or invents an action.
 */
export function createSqlModerationStore(db: Database): ModerationStore {
  return {
    async fileReport(input) {
      assertUserId('reporterId', input.reporterId);
      if (!isReportTargetType(input.targetType))
        throw new RangeError(`unknown target type ${String(input.targetType)}`);
      assertBigId('targetId', input.targetId);
      assertOneOf('reason', input.reason, reportReasons);
      assertText('detail', input.detail, MAX_REPORT_DETAIL);
      const { reporterId, targetType, targetId } = input;

      return db.transaction(async (tx) => {
        const target = await findTarget(tx, targetType, targetId);
        if (target === null || !reportable(target))
          throw new ModerationError('TARGET_NOT_FOUND', `${targetType} ${targetId} does not exist`);
        if (
          targetType === 'dm' &&
          target.authorId !== reporterId &&
          target.recipientId !== reporterId
        )
          throw new ModerationError('FORBIDDEN', 'Only its sender or recipient may report a DM');
        if (target.authorId === reporterId)
          throw new ModerationError(
            'CANNOT_REPORT_SELF',
            targetType === 'user'
              ? 'You cannot report yourself'
              : `This ${targetType} is yours; delete it instead`,
          );
        // The partial unique index (one open report per reporter and target) decides a race.
        const inserted = await rowsOf<{ id: string }>(
          tx.execute(sql`insert into ${reports} (reporter_id, target_type, target_id, reason, detail)
            values (${reporterId}, ${targetType}, ${targetId}, ${input.reason}, ${input.detail})
            on conflict (reporter_id, target_type, target_id) where status = 'open' do nothing
            returning id::text as id`),
        );
        const id = inserted[0]?.id;
        const [row] = await tx
          .select()
          .from(reports)
          .where(
            id !== undefined
              ? eq(reports.id, Number(id))
              : and(
                  eq(reports.reporterId, reporterId),
                  eq(reports.targetType, targetType),
                  eq(reports.targetId, targetId),
                  eq(reports.status, 'open'),
                ),
          )
          .limit(1);
        if (row === undefined) throw new Error('the open report vanished inside its transaction');
        return { report: toReport(row), created: id !== undefined };
      });
    },

    async reportsBy(reporterId, after, limit) {
      assertUserId('reporterId', reporterId);
      assertCursor(after);
      assertLimit(limit);
      const rows = await db
        .select()
        .from(reports)
        .where(
          and(
            eq(reports.reporterId, reporterId),
            after === null ? undefined : lt(reports.id, after),
          ),
        )
        .orderBy(desc(reports.id))
        .limit(limit + 1);
      return pageOf(rows, limit, toReport);
    },

    async reportQueue(status, after, limit) {
      if (status !== null) assertOneOf('status', status, reportStatuses);
      assertCursor(after);
      assertLimit(limit);
      const conditions: Array<SQL | undefined> = [
        status === null ? undefined : eq(reports.status, status),
        after === null ? undefined : gt(reports.id, after),
      ];
      const rows = await db
        .select()
        .from(reports)
        .where(and(...conditions))
        .orderBy(asc(reports.id))
        .limit(limit + 1);
      const page = pageOf(rows, limit, toReport);
      const byType = new Map<ReportTargetType, number[]>();
      for (const report of page.items) {
        const ids = byType.get(report.targetType) ?? [];
        ids.push(report.targetId);
        byType.set(report.targetType, ids);
      }
      const found = new Map<string, TargetRow>();
      for (const [targetType, ids] of byType) {
        for (const [id, row] of await findTargets(db, targetType, ids))
          found.set(`${targetType}:${id}`, row);
      }
      const gone: TargetPreview = { authorId: null, text: '', state: 'gone' };
      return {
        items: page.items.map((report) => {
          const row = found.get(`${report.targetType}:${report.targetId}`);
          return {
            ...report,
            target:
              row === undefined
                ? gone
                : { authorId: row.authorId, text: row.text, state: row.state },
          };
        }),
        next: page.next,
      };
    },

    async resolveReport(input) {
      assertBigId('reportId', input.reportId);
      assertUserId('actorId', input.actorId);
      assertOneOf('action', input.action, resolveActions);
      assertText('reason', input.reason, MAX_MODERATION_REASON);
      const { reportId, actorId, action, reason } = input;

      return db.transaction(async (tx) => {
        const [row] = await tx.select().from(reports).where(eq(reports.id, reportId)).for('update');
        if (row === undefined)
          throw new ModerationError('REPORT_NOT_FOUND', `report ${reportId} does not exist`);
        if (row.status !== 'open')
          throw new ModerationError(
            'REPORT_ALREADY_RESOLVED',
            `report ${reportId} was already ${row.status}`,
          );
        const { targetType, targetId } = row;
        const actions: ModerationAction[] = [];
        let bannedUserId: number | null = null;
        const log = (kind: ModerationActionKind, type: string, id: number) =>
          logAction(tx, {
            actorId,
            action: kind,
            targetType: type,
            targetId: id,
            reportId,
            reason,
          });

        if (action === 'dismiss') {
          await tx
            .update(reports)
            .set({ status: 'dismissed', resolvedAt: sql`now()`, resolvedBy: actorId })
            .where(eq(reports.id, reportId));
          actions.push(await log('dismiss', targetType, targetId));
        } else if (action === 'hide') {
          if (!isHideable(targetType))
            throw new ModerationError(
              'INVALID_MODERATION_ACTION',
              `a ${targetType} cannot be hidden; dismiss the report or ban the author`,
            );
          await applyHidden(tx, targetType, targetId, true);
          actions.push(await log('hide', targetType, targetId));
          await settleReports(tx, targetType, targetId, actorId);
        } else {
          const target = await findTarget(tx, targetType, targetId);
          if (target === null)
            throw new ModerationError('TARGET_NOT_FOUND', `${targetType} ${targetId} is gone`);
          if (target.authorId === null)
            throw new ModerationError(
              'INVALID_MODERATION_ACTION',
              `this ${targetType} has no author to ban`,
            );
          if (isHideable(targetType)) {
            await applyHidden(tx, targetType, targetId, true);
            actions.push(await log('hide', targetType, targetId));
          }
          await applyBan(tx, actorId, target.authorId, reason);
          actions.push(await log('ban', 'user', target.authorId));
          bannedUserId = target.authorId;
          await settleReports(tx, targetType, targetId, actorId);
        }
        const [updated] = await tx.select().from(reports).where(eq(reports.id, reportId));
        return { report: toReport(updated!), actions, bannedUserId };
      });
    },

    async setHidden(input) {
      assertUserId('actorId', input.actorId);
      if (!isHideable(input.targetType))
        throw new RangeError(`${String(input.targetType)} cannot be hidden`);
      assertBigId('targetId', input.targetId);
      assertText('reason', input.reason, MAX_MODERATION_REASON);
      const { actorId, targetType, targetId, hidden, reason } = input;
      return db.transaction(async (tx) => {
        const state = await applyHidden(tx, targetType, targetId, hidden);
        const action = await logAction(tx, {
          actorId,
          action: hidden ? 'hide' : 'unhide',
          targetType,
          targetId,
          reportId: null,
          reason,
        });
        if (hidden) await settleReports(tx, targetType, targetId, actorId);
        return { targetType, targetId, state, action };
      });
    },

    async ban(input): Promise<BanOutcome> {
      assertUserId('actorId', input.actorId);
      assertUserId('userId', input.userId);
      assertText('reason', input.reason, MAX_MODERATION_REASON);
      const { actorId, userId, reason } = input;
      return db.transaction(async (tx) => {
        const { bannedAt, revokedSessions } = await applyBan(tx, actorId, userId, reason);
        const action = await logAction(tx, {
          actorId,
          action: 'ban',
          targetType: 'user',
          targetId: userId,
          reportId: null,
          reason,
        });
        await settleReports(tx, 'user', userId, actorId);
        return { userId, bannedAt, revokedSessions, action };
      });
    },

    async unban(input): Promise<BanOutcome> {
      assertUserId('actorId', input.actorId);
      assertUserId('userId', input.userId);
      assertText('reason', input.reason, MAX_MODERATION_REASON);
      const { actorId, userId, reason } = input;
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(users)
          .set({ bannedAt: null, banReason: null })
          .where(eq(users.id, userId))
          .returning({ id: users.id });
        if (row === undefined)
          throw new ModerationError('USER_NOT_FOUND', `user ${userId} does not exist`);
        const action = await logAction(tx, {
          actorId,
          action: 'unban',
          targetType: 'user',
          targetId: userId,
          reportId: null,
          reason,
        });
        return { userId, bannedAt: null, revokedSessions: 0, action };
      });
    },

    async actions(after, limit) {
      assertCursor(after);
      assertLimit(limit);
      const rows = await db
        .select()
        .from(moderationActions)
        .where(after === null ? undefined : lt(moderationActions.id, after))
        .orderBy(desc(moderationActions.id))
        .limit(limit + 1);
      return pageOf(rows, limit, toAction);
    },

    async preview(targetType, targetId) {
      if (!isReportTargetType(targetType))
        throw new RangeError(`unknown target type ${String(targetType)}`);
      assertBigId('targetId', targetId);
      const row = await findTarget(db, targetType, targetId);
      return row === null ? null : { authorId: row.authorId, text: row.text, state: row.state };
    },
  };
}
