import { and, eq, sql } from 'drizzle-orm';
import { isPublishedSeries } from '../catalog/published-series.ts';
import type { Database } from '../db/database.ts';
import { episodeCounters, episodes, series, seriesCounters, shares } from '../db/schema.ts';
import { shareChannels, shareTargetTypes, type ShareTargetType } from '../protocol/shares.ts';
import { bumpSeriesActivity } from '../rankings/activity.ts';
import { isShareCode, newShareCode } from './share-code.ts';
import { ShareTargetNotFoundError, type Share, type ShareStore } from './store.ts';

const maxId = 2_147_483_647;
/** A duplicate code is a one-in-10^17 event; five in a row means the generator is broken. */
const codeAttempts = 5;

function assertId(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > maxId)
    throw new RangeError(`${name} must be an integer in [1, ${maxId}], got ${String(value)}`);
}

type Row = typeof shares.$inferSelect;

const toShare = (row: Row): Share => ({
  code: row.code,
  userId: row.userId,
  targetType: row.targetType,
  targetId: row.targetId,
  channel: row.channel as Share['channel'],
  opens: row.opens,
  createdAt: row.createdAt,
});

/**
 * The ShareStore over core's Drizzle handle, identical on PGlite and node-postgres. `newCode` is
 * the code generator (tests give one that repeats itself to exercise the retry).
 */
export function createSqlShareStore(
  db: Database,
  options: { newCode?: () => string } = {},
): ShareStore {
  const newCode = options.newCode ?? (() => newShareCode());

  /** The series a target belongs to, if viewers can reach it (SERIES/EPISODE_NOT_FOUND's rule). */
  async function seriesOf(
    tx: Pick<Database, 'select'>,
    targetType: ShareTargetType,
    targetId: number,
  ): Promise<number | null> {
    if (targetType === 'series') {
      const [row] = await tx
        .select({ id: series.id })
        .from(series)
        .where(and(eq(series.id, targetId), isPublishedSeries))
        .limit(1);
      return row?.id ?? null;
    }
    const [row] = await tx
      .select({ seriesId: episodes.seriesId })
      .from(episodes)
      .innerJoin(series, eq(series.id, episodes.seriesId))
      .where(and(eq(episodes.id, targetId), isPublishedSeries))
      .limit(1);
    return row?.seriesId ?? null;
  }

  return {
    async create(input) {
      const { userId, targetType, targetId, channel } = input;
      if (userId !== null) assertId('userId', userId);
      if (!(shareTargetTypes as readonly string[]).includes(targetType))
        throw new RangeError(`unknown target type ${String(targetType)}`);
      assertId('targetId', targetId);
      if (!(shareChannels as readonly string[]).includes(channel))
        throw new RangeError(`unknown channel ${String(channel)}`);

      return db.transaction(async (tx) => {
        const seriesId = await seriesOf(tx, targetType, targetId);
        if (seriesId === null) throw new ShareTargetNotFoundError(targetType, targetId);
        let row: Row | undefined;
        for (let attempt = 0; attempt < codeAttempts && row === undefined; attempt += 1) {
          const code = newCode();
          if (!isShareCode(code))
            throw new Error(`the code generator made ${JSON.stringify(code)}`);
          // On a taken code the insert does nothing (rather than failing the transaction).
          [row] = await tx
            .insert(shares)
            .values({ code, userId, targetType, targetId, channel })
            .onConflictDoNothing({ target: shares.code })
            .returning();
        }
        if (row === undefined) throw new Error(`no free share code in ${codeAttempts} attempts`);
        await tx
          .insert(seriesCounters)
          .values({ seriesId, shares: 1 })
          .onConflictDoUpdate({
            target: seriesCounters.seriesId,
            set: { shares: sql`${seriesCounters.shares} + 1`, updatedAt: sql`now()` },
          });
        if (targetType === 'episode')
          await tx
            .insert(episodeCounters)
            .values({ episodeId: targetId, shares: 1 })
            .onConflictDoUpdate({
              target: episodeCounters.episodeId,
              set: { shares: sql`${episodeCounters.shares} + 1`, updatedAt: sql`now()` },
            });
        await bumpSeriesActivity(tx, seriesId, 'shares', 1);
        return toShare(row);
      });
    },

    async find(code) {
      if (!isShareCode(code)) return null;
      const [row] = await db.select().from(shares).where(eq(shares.code, code)).limit(1);
      return row === undefined ? null : toShare(row);
    },

    async recordOpen(code) {
      if (!isShareCode(code)) return null;
      const [row] = await db
        .update(shares)
        .set({ opens: sql`${shares.opens} + 1` })
        .where(eq(shares.code, code))
        .returning({ opens: shares.opens });
      return row?.opens ?? null;
    },
  };
}
