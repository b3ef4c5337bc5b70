import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SessionClient } from '../testing/session-client.ts';

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  /** Present for a file part. */
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

/** A multipart/form-data body as a browser's FormData would send it. */
export function multipartBody(parts: readonly FormPart[]): {
  payload: Buffer;
  contentType: string;
} {
  const boundary = `----binge${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      `form-data; name="${part.name}"` +
      (part.filename === undefined ? '' : `; filename="${part.filename}"`);
    const type = part.contentType === undefined ? '' : `Content-Type: ${part.contentType}\r\n`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * A device's view of the profile, achievement, check-in and task routes, signed in as one user (or
 * anonymous with null), so that a test reads as what a phone does. Raw responses.
 */
export interface ProfileClient {
  profileOf(userId: number | string): Promise<LightMyRequestResponse>;
  myProfile(): Promise<LightMyRequestResponse>;
  editProfile(body: unknown): Promise<LightMyRequestResponse>;
  uploadAvatar(image: Buffer, filename?: string): Promise<LightMyRequestResponse>;
  /** PUT /me/avatar with a hand-made body. */
  uploadAvatarRaw(payload: Buffer | string, contentType: string): Promise<LightMyRequestResponse>;
  removeAvatar(): Promise<LightMyRequestResponse>;
  /** GET of an avatar URL a profile gave; with an If-None-Match when `etag` is set. */
  fetch(url: string, etag?: string): Promise<LightMyRequestResponse>;
  achievements(): Promise<LightMyRequestResponse>;
  achievementsOf(userId: number | string): Promise<LightMyRequestResponse>;
  checkIn(): Promise<LightMyRequestResponse>;
  calendar(query?: string): Promise<LightMyRequestResponse>;
  tasks(): Promise<LightMyRequestResponse>;
  claim(taskId: string): Promise<LightMyRequestResponse>;
}

export function profileClient(
  app: FastifyInstance,
  session: Pick<SessionClient, 'headers'> | null,
): ProfileClient {
  const headers = session?.headers ?? {};
  const get = (url: string) => app.inject({ method: 'GET', url, headers });
  const put = (payload: Buffer | string, contentType: string) =>
    app.inject({
      method: 'PUT',
      url: '/api/v1/me/avatar',
      headers: { ...headers, 'content-type': contentType },
      payload,
    });
  return {
    profileOf: (userId) => get(`/api/v1/users/${userId}`),
    myProfile: () => get('/api/v1/me/profile'),
    editProfile: (body) =>
      app.inject({
        method: 'PATCH',
        url: '/api/v1/me/profile',
        headers,
        payload: body as object,
      }),
    uploadAvatar: (image, filename = 'me.jpg') => {
      const form = multipartBody([
        { name: 'avatar', filename, contentType: 'image/jpeg', data: image },
      ]);
      return put(form.payload, form.contentType);
    },
    uploadAvatarRaw: put,
    removeAvatar: () => app.inject({ method: 'DELETE', url: '/api/v1/me/avatar', headers }),
    fetch: (url, etag) =>
      app.inject({
        method: 'GET',
        url,
        headers: etag === undefined ? {} : { 'if-none-match': etag },
      }),
    achievements: () => get('/api/v1/me/achievements'),
    achievementsOf: (userId) => get(`/api/v1/users/${userId}/achievements`),
    checkIn: () => app.inject({ method: 'POST', url: '/api/v1/me/check-in', headers }),
    calendar: (query) => get(query ? `/api/v1/me/check-in?${query}` : '/api/v1/me/check-in'),
    tasks: () => get('/api/v1/me/tasks'),
    claim: (taskId) =>
      app.inject({ method: 'POST', url: `/api/v1/me/tasks/${taskId}/claim`, headers }),
  };
}
