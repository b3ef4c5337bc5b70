import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  API_AUDIENCE,
  deriveAccessTokenKey,
  type TokenAudience,
  type TokenRole,
} from '@binge/core/auth/access-token';
import { newSessionId } from '@binge/core/auth/opaque-token';
import type { Database } from '@binge/core/db';
import { authSessions, categories, episodes, series, users } from '@binge/core/db/schema';

/** The auth secret every realtime test signs with. */
export const TEST_AUTH_SECRET = 'realtime-test-secret-0123456789abcdef-0123';

const unique = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

/**
 * The session every seeded user is signed in with: its id follows from the user id, so rtToken()
 * can name it without a lookup (and stay synchronous, as the tests' many call sites are).
 */
export function fixtureSessionId(userId: number): string {
  return createHash('sha256').update(`fixture-session:${userId}`).digest('base64url').slice(0, 22);
}

/** Another signed-in session of `userId` (a second device), to revoke without touching others. */
export async function newSession(db: Database, userId: number): Promise<string> {
  const id = newSessionId();
  await db.insert(authSessions).values({
    id,
    userId,
    deviceName: 'Test device',
    expiresAt: new Date(Date.now() + 24 * 3600_000),
  });
  return id;
}

/**
 * Rows a realtime test needs: users, each signed in (fixtureSessionId), a published series (its
 * chat room) and episodes.
 */
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
  await db.insert(authSessions).values(
    userRows.map(({ id }) => ({
      id: fixtureSessionId(id),
      userId: id,
      deviceName: 'Test device',
      expiresAt: new Date(Date.now() + 24 * 3600_000),
    })),
  );
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

/**
 * An access token of `userId`'s fixture session (or of `sessionId`), as the API signs them: an
 * HS256 JWT of type at+jwt under the key derived from the auth secret. Signed here with
 * node:crypto rather than jose (whose signing is asynchronous) so the fixture stays a plain
 * function; the gateway verifies it with jose, which also checks the two agree on the format.
 */
export function rtToken(
  userId: number,
  options: {
    role?: TokenRole;
    ttlMs?: number;
    nowMs?: number;
    secret?: string;
    audience?: TokenAudience;
    sessionId?: string;
  } = {},
): string {
  const nowMs = options.nowMs ?? Date.now();
  const iat = Math.floor(nowMs / 1000);
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'at+jwt' })}.${b64({
    sid: options.sessionId ?? fixtureSessionId(userId),
    role: options.role ?? 'viewer',
    iss: 'binge',
    aud: options.audience ?? API_AUDIENCE,
    sub: String(userId),
    iat,
    // Whole seconds (JWT NumericDate), rounded up so the token lives at least ttlMs.
    exp: Math.ceil((nowMs + (options.ttlMs ?? 600_000)) / 1000),
  })}`;
  const key = deriveAccessTokenKey(options.secret ?? TEST_AUTH_SECRET);
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}
