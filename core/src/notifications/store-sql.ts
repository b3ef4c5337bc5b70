import { and, count, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { notifications } from '../db/schema.ts';
import {
  episodeNewKind,
  type NewNotification,
  type Notification,
  type NotificationStore,
} from './store.ts';

/** Ids are positive int32 (docs/protocol.md "Ids"); notification ids are bigserial. */
const maxId = 2_147_483_647;
/** Ids per markRead call: a screen of notifications, not a bulk export. */
const maxReadIds = 200;

function assertId(name: string, value: number, max = maxId): void {
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new RangeError(`${name} must be an integer in [1, ${max}], got ${String(value)}`);
}

/**
 * Title lengths in the text, in code points. The gateway caps a notification's text at 280 UTF-16
 * units (NotifyData); 60 code points are at most 120 units, so with the frame (5) and the longest
 * tail (`: episode 2147483647 is out`, 27) the text never exceeds 272.
 */
const titleZhRoom = 60;
const titleEnRoom = 60;

interface NotificationRow {
  id: unknown;
  user_id: unknown;
  kind: string;
  text: string;
  url: string | null;
  created_ms: unknown;
}

/** Both drivers answer a raw statement with `{ rows }`; the shared Database type leaves it unknown. */
async function rowsOf<T>(result: Promise<unknown>): Promise<T[]> {
  return ((await result) as { rows: T[] }).rows;
}

/** A row the insert returned; timestamps as epoch ms, which both drivers read alike. */
const fromRow = (row: NotificationRow): Notification => ({
  id: Number(row.id),
  userId: Number(row.user_id),
  kind: row.kind,
  text: row.text,
  url: row.url,
  createdAt: new Date(Number(row.created_ms)),
  // Only ever returned by the insert, so never read yet.
  readAt: null,
});

const kindPattern = /^[a-z][a-z0-9_.]{0,31}$/;
const maxTextLength = 280;
const maxDedupeKeyLength = 200;

/**
 * Inserts `notification` unless its (user, dedupe key) exists, on `db` or inside a caller's
 * transaction (an achievement and its notification commit together); null when it existed.
 */
export async function insertNotification(
  db: Pick<Database, 'insert'>,
  notification: NewNotification,
): Promise<Notification | null> {
  const { userId, kind, text, url, dedupeKey } = notification;
  assertId('userId', userId);
  if (!kindPattern.test(kind)) throw new RangeError(`kind must match ${kindPattern.source}`);
  if (text.length < 1 || text.length > maxTextLength)
    throw new RangeError(`text must be 1 to ${maxTextLength} characters`);
  if (dedupeKey.length < 1 || dedupeKey.length > maxDedupeKeyLength)
    throw new RangeError(`dedupeKey must be 1 to ${maxDedupeKeyLength} characters`);
  const [row] = await db
    .insert(notifications)
    .values({ userId, kind, text, url, dedupeKey })
    .onConflictDoNothing({ target: [notifications.userId, notifications.dedupeKey] })
    .returning();
  return row === undefined ? null : { ...row, url: row.url ?? null };
}

/**
 * The NotificationStore over core's Drizzle handle, identical on PGlite and node-postgres.
 *
 * notifyFollowersOfEpisode is one `insert ... select ... on conflict do nothing returning`: the
 * followers are read and their rows written in the same statement, and a row another statement
 * already inserted (a second 'done' of a re-transcoded episode, or another process reacting to
 * the same event) conflicts on (user_id, dedupe_key) and is not returned, so each notification is
 * reported, and therefore pushed, by exactly one caller.
 */
export function createSqlNotificationStore(db: Database): NotificationStore {
  return {
    create: (notification) => insertNotification(db, notification),

    async notifyFollowersOfEpisode(episodeId) {
      assertId('episodeId', episodeId);
      // The published condition is core/src/catalog/published-series.ts's, in raw SQL.
      const rows = await rowsOf<NotificationRow>(
        db.execute(sql`
          insert into notifications (user_id, kind, text, url, dedupe_key)
          select f.user_id, ${episodeNewKind},
            '《' || left(s.title_zh, ${titleZhRoom}) || '》 / ' || left(s.title_en, ${titleEnRoom})
              || ': episode ' || e.number || ' is out',
            '/watch/' || e.id,
            'episode:' || e.id
          from episodes e
          join series s on s.id = e.series_id
            and s.status = 'published' and s.published_at is not null
          join engagement_edges f on f.kind = 'follow_up' and f.target_type = 'series'
            and f.target_id = s.id and f.present
          where e.id = ${episodeId}
          order by f.user_id
          on conflict (user_id, dedupe_key) do nothing
          returning id, user_id, kind, text, url,
            floor(extract(epoch from created_at) * 1000)::float8 as created_ms`),
      );
      return rows.map(fromRow).sort((a, b) => a.id - b.id);
    },

    async inbox(userId, cursor, limit) {
      assertId('userId', userId);
      if (cursor !== null) assertId('cursor', cursor, Number.MAX_SAFE_INTEGER);
      assertId('limit', limit, maxId - 1);
      const rows = await db
        .select()
        .from(notifications)
        .where(
          and(
            eq(notifications.userId, userId),
            cursor === null ? undefined : lt(notifications.id, cursor),
          ),
        )
        .orderBy(desc(notifications.id))
        .limit(limit + 1);
      const [unread] = await db
        .select({ n: count() })
        .from(notifications)
        .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => ({ ...row, url: row.url ?? null })),
        unread: Number(unread?.n ?? 0),
        next: rows.length > limit && last !== undefined ? last.id : null,
      };
    },

    async markRead(userId, ids) {
      assertId('userId', userId);
      if (ids !== 'all') {
        if (ids.length > maxReadIds)
          throw new RangeError(`at most ${maxReadIds} ids at once, got ${ids.length}`);
        for (const id of ids) assertId('id', id, Number.MAX_SAFE_INTEGER);
        if (ids.length === 0) return 0;
      }
      const updated = await db
        .update(notifications)
        .set({ readAt: sql`now()` })
        .where(
          and(
            eq(notifications.userId, userId),
            isNull(notifications.readAt),
            ids === 'all' ? undefined : inArray(notifications.id, [...new Set(ids)]),
          ),
        )
        .returning({ id: notifications.id });
      return updated.length;
    },
  };
}
