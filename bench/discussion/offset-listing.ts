import type { FastifyInstance } from 'fastify';
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '@binge/core/db';

/**
 * The peer of the comment listing: what a naive implementation does, paging with
 * `ORDER BY ... OFFSET n LIMIT k`. It is otherwise the same read as the store's (the same
 * columns, placeholders, blocked authors, likedByMe, the first three replies of each comment
 * through one LATERAL join, the same JSON shape), so the figures differ by the paging alone.
 *
 * `GET /bench/offset/episodes/:id/comments?order=new|hot&offset=&limit=&viewer=`
 */
export function registerOffsetListing(app: FastifyInstance, db: Database): void {
  const columns = (
    viewer: number,
  ) => sql`c.id::text as id, c.episode_id, c.parent_id::text as parent_id,
    c.reply_to_user_id, c.user_id, u.display_name, u.avatar_url, u.xp, c.body, c.likes, c.replies,
    c.status, c.created_at,
    exists (select 1 from comment_likes l where l.comment_id = c.id and l.user_id = ${viewer}::integer) as liked`;
  const notBlocked = (viewer: number, author: SQL) => sql`not exists (select 1 from user_blocks b
    where b.blocker_id = ${viewer}::integer and b.blocked_id = ${author})`;

  interface Row {
    id: string;
    parent_id: string | null;
    user_id: number;
    display_name: string;
    avatar_url: string | null;
    body: string;
    likes: number;
    replies: number;
    status: string;
    created_at: Date | string;
    liked: boolean;
    reply_to_user_id: number | null;
    episode_id: number;
  }
  const wire = (row: Row) => {
    const visible = row.status === 'visible';
    return {
      id: row.id,
      episodeId: Number(row.episode_id),
      parentId: row.parent_id,
      replyToUserId: row.reply_to_user_id,
      author: visible
        ? { id: Number(row.user_id), displayName: row.display_name, avatarUrl: row.avatar_url }
        : null,
      body: visible ? row.body : null,
      likes: Number(row.likes),
      replies: Number(row.replies),
      likedByMe: Boolean(row.liked),
      createdAt: new Date(row.created_at).toISOString(),
      status: row.status,
    };
  };

  app.get('/bench/offset/episodes/:id/comments', async (request) => {
    const episodeId = Number((request.params as { id: string }).id);
    const query = request.query as Record<string, string>;
    const viewer = Number(query.viewer);
    const offset = Number(query.offset ?? 0);
    const limit = Number(query.limit ?? 20);
    const orderBy =
      query.order === 'new'
        ? sql`c.parent_id desc nulls first, c.id desc`
        : sql`c.parent_id desc nulls first, c.likes desc, c.id desc`;
    const top = (
      (await db.execute(sql`select ${columns(viewer)}
        from comments c join users u on u.id = c.user_id
        where c.episode_id = ${episodeId}::integer and c.parent_id is null
          and ${notBlocked(viewer, sql`c.user_id`)}
          and (c.status = 'visible' or (c.replies > 0 and coalesce((
            select true from comments r where r.parent_id = c.id and r.status = 'visible'
              and ${notBlocked(viewer, sql`r.user_id`)} limit 1), false)))
        order by ${orderBy}
        offset ${offset}::integer limit ${limit}::integer`)) as unknown as { rows: Row[] }
    ).rows;
    const ids = top.map((row) => sql`${row.id}::bigint`);
    const replies =
      ids.length === 0
        ? []
        : (
            (await db.execute(sql`select ${columns(viewer)}
              from unnest(array[${sql.join(ids, sql`, `)}]) as p(id)
              cross join lateral (
                select r.* from comments r
                where r.parent_id = p.id and r.status = 'visible'
                  and ${notBlocked(viewer, sql`r.user_id`)}
                order by r.id limit 3) c
              join users u on u.id = c.user_id
              order by c.parent_id, c.id`)) as unknown as { rows: Row[] }
          ).rows;
    return {
      items: top.map((row) => ({
        ...wire(row),
        firstReplies: replies.filter((r) => r.parent_id === row.id).map(wire),
      })),
      nextOffset: top.length === limit ? offset + limit : null,
    };
  });
}
