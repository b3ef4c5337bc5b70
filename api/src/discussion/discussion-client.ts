import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SessionClient } from '../testing/session-client.ts';

/**
 * A device's view of the comment and review routes, signed in as one user (or anonymous with
 * `null`), so that a test reads as what a phone does: `await ada.comment(episodeId, 'so good')`.
 * Raw responses; tests check status and body themselves. Bodies are passed through as given, so
 * a test can send wrong types and missing fields.
 */
export interface DiscussionClient {
  /** Posts `body` with a fresh cmid unless `extra` names one (or any other field). */
  comment(
    episodeId: number | string,
    body: unknown,
    extra?: Record<string, unknown>,
  ): Promise<LightMyRequestResponse>;
  /** A raw POST of any payload. */
  postComment(episodeId: number | string, payload: unknown): Promise<LightMyRequestResponse>;
  reply(
    episodeId: number | string,
    parentId: string,
    body: string,
    extra?: Record<string, unknown>,
  ): Promise<LightMyRequestResponse>;
  comments(episodeId: number | string, query?: string): Promise<LightMyRequestResponse>;
  replies(commentId: number | string, query?: string): Promise<LightMyRequestResponse>;
  deleteComment(commentId: number | string): Promise<LightMyRequestResponse>;
  like(commentId: number | string): Promise<LightMyRequestResponse>;
  unlike(commentId: number | string): Promise<LightMyRequestResponse>;
  review(seriesId: number | string, payload: unknown): Promise<LightMyRequestResponse>;
  myReview(seriesId: number | string): Promise<LightMyRequestResponse>;
  deleteMyReview(seriesId: number | string): Promise<LightMyRequestResponse>;
  deleteReview(reviewId: number | string): Promise<LightMyRequestResponse>;
  reviews(seriesId: number | string, query?: string): Promise<LightMyRequestResponse>;
  rating(seriesId: number | string): Promise<LightMyRequestResponse>;
}

/** A client message id as a device makes one: random, URL-safe, 16 characters. */
export const newCmid = () => randomBytes(12).toString('base64url');

export function discussionClient(
  app: FastifyInstance,
  session: Pick<SessionClient, 'headers'> | null,
): DiscussionClient {
  const headers = session?.headers ?? {};
  const withQuery = (path: string, query?: string) => (query ? `${path}?${query}` : path);
  const get = (url: string) => app.inject({ method: 'GET', url, headers });
  // Always JSON, so that a string or an array is sent as the JSON value a buggy client would send.
  const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      ...(payload === undefined
        ? { headers }
        : {
            headers: { ...headers, 'content-type': 'application/json' },
            payload: JSON.stringify(payload),
          }),
    });
  const postComment = (episodeId: number | string, payload: unknown) =>
    send('POST', `/api/v1/episodes/${episodeId}/comments`, payload);
  return {
    postComment,
    comment: (episodeId, body, extra = {}) =>
      postComment(episodeId, { body, cmid: newCmid(), ...extra }),
    reply: (episodeId, parentId, body, extra = {}) =>
      postComment(episodeId, { body, parentId, cmid: newCmid(), ...extra }),
    comments: (episodeId, query) => get(withQuery(`/api/v1/episodes/${episodeId}/comments`, query)),
    replies: (commentId, query) => get(withQuery(`/api/v1/comments/${commentId}/replies`, query)),
    deleteComment: (commentId) => send('DELETE', `/api/v1/comments/${commentId}`),
    like: (commentId) => send('PUT', `/api/v1/comments/${commentId}/like`),
    unlike: (commentId) => send('DELETE', `/api/v1/comments/${commentId}/like`),
    review: (seriesId, payload) => send('PUT', `/api/v1/series/${seriesId}/review`, payload),
    myReview: (seriesId) => get(`/api/v1/series/${seriesId}/review`),
    deleteMyReview: (seriesId) => send('DELETE', `/api/v1/series/${seriesId}/review`),
    deleteReview: (reviewId) => send('DELETE', `/api/v1/reviews/${reviewId}`),
    reviews: (seriesId, query) => get(withQuery(`/api/v1/series/${seriesId}/reviews`, query)),
    rating: (seriesId) => get(`/api/v1/series/${seriesId}/rating`),
  };
}
