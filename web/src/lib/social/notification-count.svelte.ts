/**
 * The unread notification count, shared by the bell (wherever it is mounted) and the
 * notifications page, so marking read on one clears the badge on the other. null until known.
 * Pushes are counted once by id, though the bell and the page both hear them.
 */
export const unreadNotifications = $state<{ count: number | null }>({ count: null });

// Bookkeeping, never rendered: a plain set on purpose.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const counted = new Set<string>();

export function setUnread(count: number): void {
  unreadNotifications.count = Math.max(0, count);
}

/** A push on `notify:<me>` (its id, `n12` or `12`). */
export function countPush(id: string): void {
  const key = id.startsWith('n') ? id.slice(1) : id;
  if (counted.has(key)) return;
  counted.add(key);
  if (unreadNotifications.count !== null) unreadNotifications.count += 1;
}

export function countRead(n: number): void {
  if (unreadNotifications.count !== null)
    unreadNotifications.count = Math.max(0, unreadNotifications.count - n);
}
