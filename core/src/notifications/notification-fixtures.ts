import type { Database } from '../db/database.ts';
import { categories, episodes, series, users } from '../db/schema.ts';
import type { EngagementStore } from '../engagement/store.ts';

/** Users, series and episodes for one test file, with unique slugs and handles. */
export function notificationSeeder(db: Database) {
  let n = 0;
  const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  let categoryId: number | undefined;
  return {
    async user(): Promise<number> {
      const [row] = await db
        .insert(users)
        .values({ handle: unique('user'), displayName: 'Viewer' })
        .returning({ id: users.id });
      return row!.id;
    },
    async series(
      status: 'draft' | 'published' = 'published',
      titles = { zh: '霸道总裁', en: 'The CEO' },
    ): Promise<number> {
      if (categoryId === undefined) {
        const [category] = await db
          .insert(categories)
          .values({ slug: unique('category'), nameEn: 'Drama', nameZh: '剧情' })
          .returning({ id: categories.id });
        categoryId = category!.id;
      }
      const [row] = await db
        .insert(series)
        .values({
          slug: unique('series'),
          titleEn: titles.en,
          titleZh: titles.zh,
          synopsisEn: 'Synopsis',
          synopsisZh: '简介',
          categoryId,
          status,
          publishedAt: status === 'published' ? new Date() : null,
        })
        .returning({ id: series.id });
      return row!.id;
    },
    async episode(seriesId: number, number: number): Promise<number> {
      const [row] = await db
        .insert(episodes)
        .values({ seriesId, number, titleEn: `Episode ${number}`, titleZh: `第${number}集` })
        .returning({ id: episodes.id });
      return row!.id;
    },
  };
}

/** Follow up (追剧) on a series, or stop, through the engagement store as a device would. */
export function followUps(engagement: EngagementStore) {
  let wallMs = 1_700_000_000_000;
  const write = (userId: number, seriesId: number, present: boolean) =>
    engagement.write(userId, {
      kind: 'follow_up',
      targetType: 'series',
      targetId: seriesId,
      present,
      hlc: { wallMs: (wallMs += 1), counter: 0, node: 'phone' },
    });
  return {
    follow: (userId: number, seriesId: number) => write(userId, seriesId, true),
    unfollow: (userId: number, seriesId: number) => write(userId, seriesId, false),
  };
}
