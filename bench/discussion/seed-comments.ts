import { sql } from 'drizzle-orm';
import type { Database } from '@binge/core/db';

/**
 * A busy episode's comment section, written with a few set-based statements (generating 20,000
 * rows one API call at a time would take longer than the benchmark): top-level comments by the
 * given authors over the last hours, replies under the oldest of them, like counts skewed as real
 * ones are (most comments have none, a few have hundreds, many ties), and 1 in 97 top-level
 * comments deleted, so the listing also meets placeholders. `setseed` makes every run the same.
 */
export async function seedComments(
  db: Database,
  options: { episodeId: number; authorIds: number[]; topLevel: number; replies: number },
): Promise<void> {
  const { episodeId, topLevel, replies } = options;
  const authors = sql`array[${sql.join(
    options.authorIds.map((id) => sql`${id}::integer`),
    sql`, `,
  )}]`;
  await db.execute(sql`select setseed(0.42)`);
  await db.execute(sql`insert into comments (episode_id, user_id, body, likes, cmid, created_at)
    select ${episodeId}::integer, (${authors})[1 + g % cardinality(${authors})],
      'Comment ' || g || ': the twist in this episode!', floor(power(random(), 4) * 800)::integer,
      'seed-' || ${episodeId}::integer || '-top-' || g, now() - (${topLevel}::integer - g) * interval '1 second'
    from generate_series(1, ${topLevel}::integer) g`);
  // Replies spread over the oldest tenth of the comments, as threads form under early comments.
  await db.execute(sql`with tops as (
      select id, row_number() over (order by id) as n from comments
      where episode_id = ${episodeId}::integer and parent_id is null)
    insert into comments (episode_id, user_id, parent_id, body, likes, cmid)
    select ${episodeId}::integer, (${authors})[1 + (g * 7) % cardinality(${authors})], tops.id,
      'Reply ' || g, floor(power(random(), 4) * 50)::integer, 'seed-' || ${episodeId}::integer || '-reply-' || g
    from generate_series(1, ${replies}::integer) g
    join tops on tops.n = 1 + g % greatest(${topLevel}::integer / 10, 1)`);
  await db.execute(sql`update comments c set replies = r.n
    from (select parent_id, count(*)::integer as n from comments
      where episode_id = ${episodeId}::integer and parent_id is not null group by parent_id) r
    where c.id = r.parent_id`);
  await db.execute(sql`update comments set status = 'deleted'
    where episode_id = ${episodeId}::integer and parent_id is null and id % 97 = 0`);
  await db.execute(sql`analyze comments`);
}
