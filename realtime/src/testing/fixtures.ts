import { randomBytes } from 'node:crypto';
import { signToken, type TokenRole } from '@binge/core/auth/tokens';
import type { Database } from '@binge/core/db';
import { categories, episodes, series, users } from '@binge/core/db/schema';

/** The auth secret every realtime test signs with. */
export const TEST_AUTH_SECRET = 'realtime-test-secret-0123456789abcdef-0123';

const unique = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

/** Rows a realtime test needs: users, a published series (its chat room) and episodes. */
export interface RealtimeWorld {
  users: number[];
  creatorId: number;
  seriesId: number;
  episodeIds: number[];
}

export async function seedWorld(
  db: Database,
  shape: { users?: number; episodes?: number } = {},
): Promise<RealtimeWorld> {
  const userRows = await db
    .insert(users)
    .values(
      Array.from({ length: (shape.users ?? 3) + 1 }, (_, i) => ({
        handle: unique('u'),
        displayName: i === 0 ? 'Creator' : `Viewer ${i}`,
        role: i === 0 ? ('creator' as const) : ('viewer' as const),
      })),
    )
    .returning({ id: users.id });
  const [category] = await db
    .insert(categories)
    .values({ slug: unique('c'), nameEn: 'Romance', nameZh: '爱情' })
    .returning({ id: categories.id });
  const creatorId = userRows[0]!.id;
  const [seriesRow] = await db
    .insert(series)
    .values({
      slug: unique('s'),
      titleEn: 'Test series',
      titleZh: '测试',
      synopsisEn: 'A test',
      synopsisZh: '测试',
      categoryId: category!.id,
      creatorId,
      status: 'published',
      publishedAt: new Date(),
    })
    .returning({ id: series.id });
  const episodeRows = await db
    .insert(episodes)
    .values(
      Array.from({ length: shape.episodes ?? 2 }, (_, i) => ({
        seriesId: seriesRow!.id,
        number: i + 1,
        titleEn: `Episode ${i + 1}`,
        titleZh: `第${i + 1}集`,
        durationMs: 120_000,
      })),
    )
    .returning({ id: episodes.id });
  return {
    users: userRows.slice(1).map((r) => r.id),
    creatorId,
    seriesId: seriesRow!.id,
    episodeIds: episodeRows.map((r) => r.id),
  };
}

export function rtToken(
  userId: number,
  options: { role?: TokenRole; ttlMs?: number; nowMs?: number; secret?: string } = {},
): string {
  return signToken(options.secret ?? TEST_AUTH_SECRET, {
    userId,
    role: options.role ?? 'viewer',
    audience: 'rt',
    ttlMs: options.ttlMs ?? 600_000,
    ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
  }).token;
}
