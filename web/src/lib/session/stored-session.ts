import type { AuthSession } from '@binge/core/protocol/catalog';

/**
 * The session a device keeps between visits (localStorage, shared by its tabs). Reading is
 * defensive: a value another version wrote, or a user edited, is dropped rather than trusted.
 */
export const sessionStorageKey = 'binge.session';

export interface StoredSession {
  readonly userId: number;
  readonly displayName: string;
  readonly handle: string;
  readonly role: string;
  readonly accessToken: string;
  /** ms since the epoch. */
  readonly accessExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: number;
  readonly sessionId: string;
  /** A guest until the account signs in with a phone or a third-party account. */
  readonly guest: boolean;
}

export function fromAuthSession(session: AuthSession, guest: boolean): StoredSession {
  return {
    userId: session.user.id,
    displayName: session.user.displayName,
    handle: session.user.handle,
    role: session.user.role,
    accessToken: session.accessToken,
    accessExpiresAt: Date.parse(session.accessTokenExpiresAt),
    refreshToken: session.refreshToken,
    refreshExpiresAt: Date.parse(session.refreshTokenExpiresAt),
    sessionId: session.sessionId,
    guest,
  };
}

function isString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function parseStoredSession(raw: string | null): StoredSession | null {
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const s = value as Record<string, unknown>;
  if (
    !Number.isSafeInteger(s.userId) ||
    !isString(s.accessToken) ||
    !isString(s.refreshToken) ||
    !isString(s.sessionId) ||
    typeof s.accessExpiresAt !== 'number' ||
    typeof s.refreshExpiresAt !== 'number' ||
    typeof s.guest !== 'boolean'
  )
    return null;
  return {
    userId: s.userId as number,
    displayName: typeof s.displayName === 'string' ? s.displayName : '',
    handle: typeof s.handle === 'string' ? s.handle : '',
    role: typeof s.role === 'string' ? s.role : 'viewer',
    accessToken: s.accessToken,
    accessExpiresAt: s.accessExpiresAt,
    refreshToken: s.refreshToken,
    refreshExpiresAt: s.refreshExpiresAt,
    sessionId: s.sessionId,
    guest: s.guest,
  };
}

/** Refresh this long before the access token's expiry, so a request never carries a dead one. */
export const refreshMarginMs = 60_000;

export function needsRefresh(session: StoredSession, now: number): boolean {
  return session.accessExpiresAt - refreshMarginMs <= now;
}
