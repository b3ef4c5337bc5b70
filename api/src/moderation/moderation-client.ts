import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Database } from '@binge/core/db';
import { users } from '@binge/core/db/schema';
import { signInAsGuest, type SessionClient } from '../testing/session-client.ts';

/**
 * A device's view of the report and moderation routes, so that a test reads as what a viewer or
 * a moderator does: `await viewer.report({targetType: 'comment', ...})`, `await mod.ban(7, ...)`.
 * Raw responses; tests check status and body themselves. Bodies are loose on purpose: the abuse
 * tests send wrong types and unknown fields.
 */
export interface ModerationClient {
  report(body: unknown): Promise<LightMyRequestResponse>;
  myReports(query?: string): Promise<LightMyRequestResponse>;
  queue(query?: string): Promise<LightMyRequestResponse>;
  resolve(reportId: number | string, body: unknown): Promise<LightMyRequestResponse>;
  hide(
    targetType: string,
    targetId: number | string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  unhide(
    targetType: string,
    targetId: number | string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  ban(userId: number | string, body?: unknown): Promise<LightMyRequestResponse>;
  unban(userId: number | string, body?: unknown): Promise<LightMyRequestResponse>;
  actions(query?: string): Promise<LightMyRequestResponse>;
}

export function moderationClient(
  app: FastifyInstance,
  session: Pick<SessionClient, 'headers'> | { headers: Record<string, string> } | null,
): ModerationClient {
  const headers = session?.headers ?? {};
  const withQuery = (path: string, query?: string) => (query ? `${path}?${query}` : path);
  const get = (url: string) => app.inject({ method: 'GET', url, headers });
  const post = (url: string, body?: unknown) =>
    app.inject({
      method: 'POST',
      url,
      headers,
      ...(body === undefined ? {} : { payload: body as string | object }),
    });
  return {
    report: (body) => post('/api/v1/reports', body),
    myReports: (query) => get(withQuery('/api/v1/me/reports', query)),
    queue: (query) => get(withQuery('/api/v1/admin/reports', query)),
    resolve: (reportId, body) => post(`/api/v1/admin/reports/${reportId}/resolve`, body),
    hide: (targetType, targetId, body) =>
      post(`/api/v1/admin/content/${targetType}/${targetId}/hide`, body),
    unhide: (targetType, targetId, body) =>
      post(`/api/v1/admin/content/${targetType}/${targetId}/unhide`, body),
    ban: (userId, body) => post(`/api/v1/admin/users/${userId}/ban`, body),
    unban: (userId, body) => post(`/api/v1/admin/users/${userId}/unban`, body),
    actions: (query) => get(withQuery('/api/v1/admin/actions', query)),
  };
}

/**
 * A moderator: a guest account given the admin role in the database, as an operator grants it.
 * The guard reads the role from the account row on every request, so the session need not change.
 */
export async function signInAsAdmin(app: FastifyInstance, db: Database): Promise<SessionClient> {
  const client = await signInAsGuest(app);
  await db.update(users).set({ role: 'admin' }).where(eq(users.id, client.user.id));
  return { ...client, user: { ...client.user, role: 'admin' } };
}
