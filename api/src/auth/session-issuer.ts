import type { FastifyRequest } from 'fastify';
import { signAccessToken } from '@binge/core/auth/access-token';
import { newOpaqueToken, opaqueTokenPattern, sha256 } from '@binge/core/auth/opaque-token';
import type { SessionOrigin, SessionStore } from '@binge/core/accounts/session-store';
import type { AuthSession, User } from '@binge/core/protocol/catalog';
import { deviceNameOf } from './device-name.ts';

/**
 * Issues the token pair of a session: a new session at every sign-in (guest, phone, OAuth), a new
 * pair at every refresh. Refresh tokens are 256 random bits handed out once and stored as SHA-256
 * hashes (session-store-sql.ts), so the table alone cannot be replayed.
 */
export interface SessionIssuer {
  /** A new session of `user` from this origin, with its first token pair. */
  start(user: User, origin: SessionOrigin): Promise<AuthSession>;
  /** Exchanges a refresh token; the caller loads the account and calls pair() when rotated. */
  rotate(refreshToken: string): Promise<RotateResult>;
  /** The AuthSession answer for a rotated session. */
  pair(
    user: User,
    sessionId: string,
    refresh: { token: string; expiresAt: Date },
  ): Promise<AuthSession>;
}

export type RotateResult =
  | {
      kind: 'rotated';
      userId: number;
      sessionId: string;
      refresh: { token: string; expiresAt: Date };
    }
  | { kind: 'invalid' }
  | { kind: 'revoked'; userId: number; sessionId: string }
  | { kind: 'reused'; userId: number; sessionId: string };

export interface SessionIssuerOptions {
  sessions: SessionStore;
  key: Uint8Array;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  nowMs?: () => number;
}

export function createSessionIssuer(options: SessionIssuerOptions): SessionIssuer {
  const { sessions, key } = options;
  const nowMs = options.nowMs ?? Date.now;

  async function pair(
    user: User,
    sessionId: string,
    refresh: { token: string; expiresAt: Date },
  ): Promise<AuthSession> {
    const { token, claims } = await signAccessToken(key, {
      userId: user.id,
      sessionId,
      role: user.role,
      ttlSeconds: options.accessTokenTtlSeconds,
      nowMs: nowMs(),
    });
    return {
      user,
      accessToken: token,
      accessTokenExpiresAt: new Date(claims.expiresAtMs).toISOString(),
      refreshToken: refresh.token,
      refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
      sessionId,
    };
  }

  const nextRefresh = (now: number) => ({
    token: newOpaqueToken(),
    expiresAt: new Date(now + options.refreshTokenTtlSeconds * 1000),
  });

  return {
    pair,

    async start(user, origin) {
      const now = nowMs();
      const refresh = nextRefresh(now);
      const sessionId = await sessions.create({
        userId: user.id,
        origin,
        refreshTokenHash: sha256(refresh.token),
        expiresAt: refresh.expiresAt,
        now: new Date(now),
      });
      return pair(user, sessionId, refresh);
    },

    async rotate(refreshToken) {
      // Not one of ours by its shape: no lookup, and nothing about the table is learnt.
      if (!opaqueTokenPattern.test(refreshToken)) return { kind: 'invalid' };
      const now = nowMs();
      const refresh = nextRefresh(now);
      const outcome = await sessions.rotate({
        tokenHash: sha256(refreshToken),
        nextTokenHash: sha256(refresh.token),
        expiresAt: refresh.expiresAt,
        now: new Date(now),
      });
      return outcome.kind === 'rotated' ? { ...outcome, refresh } : outcome;
    },
  };
}

/** The sign-in's origin for the device list; the user agent is kept to 512 characters. */
export function originOf(request: FastifyRequest, deviceName: string | undefined): SessionOrigin {
  const userAgent = request.headers['user-agent'];
  return {
    deviceName: deviceNameOf(deviceName, userAgent),
    userAgent: userAgent === undefined || userAgent === '' ? null : userAgent.slice(0, 512),
    ip: request.ip ?? null,
  };
}
