import type { NotifyData } from '@binge/core/protocol/realtime/payloads';
import { compareIds } from './comment-threads.ts';

/**
 * The notification inbox: the pages of GET /me/notifications and the live pushes of
 * `notify:<me>`, as one list. The wire shape is the API's (api/src/notifications/
 * notification-schemas.ts), which has no type in core/src/protocol yet, so it is written here.
 *
 * A push carries `n<id>` where the list carries `<id>` (the gateway's message ids must not start
 * with a digit run the list could mistake): both name one notification, so they merge.
 */
export interface NotificationItem {
  id: string;
  kind: string;
  text: string;
  url: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  items: NotificationItem[];
  unread: number;
  nextCursor?: string;
}

/** The list's id of a pushed `n12` (or a plain `12`). */
export function notificationId(raw: string): string {
  return raw.startsWith('n') ? raw.slice(1) : raw;
}

export function fromPush(data: NotifyData): NotificationItem {
  return {
    id: notificationId(data.id),
    kind: data.k,
    text: data.t,
    url: data.url ?? null,
    createdAt: new Date(data.ts).toISOString(),
    readAt: null,
  };
}

/** Newest first, one entry per id; an entry already read stays read. */
export function mergeNotifications(
  items: readonly NotificationItem[],
  incoming: readonly NotificationItem[],
): NotificationItem[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  for (const item of incoming) {
    const known = byId.get(item.id);
    byId.set(item.id, known?.readAt ? { ...item, readAt: known.readAt } : item);
  }
  return [...byId.values()].sort((a, b) => compareIds(b.id, a.id));
}

export function markRead(
  items: readonly NotificationItem[],
  ids: readonly string[] | 'all',
  at: string,
): NotificationItem[] {
  const chosen = ids === 'all' ? null : new Set(ids);
  return items.map((item) =>
    item.readAt === null && (chosen === null || chosen.has(item.id))
      ? { ...item, readAt: at }
      : item,
  );
}

/** A notification's link, only when it is a same-origin path (the API promises so; check). */
export function safeLink(url: string | null): string | null {
  return url !== null && /^\/(?![/\\])/.test(url) ? url : null;
}
