import {
  API_AUDIENCE,
  deriveAccessTokenKey,
  REALTIME_AUDIENCE,
  verifyAccessToken,
  type TokenRole,
} from '@binge/core/auth/access-token';
import type { SessionStore } from '@binge/core/accounts/session-store';

/**
 * Who a gateway token belongs to. The gateway takes the API's own access tokens (audience
 * `binge-api`) and the gateway-only tokens of POST /realtime/token (`binge-realtime`), both JWTs
 * of one session (core/src/auth/access-token.ts). Past the signature and expiry, the session row
 * decides: a signed-out or revoked session, a deleted or banned account are refused though the
 * token has not expired, and the role is the account's now. Asked at hello and at every refresh,
 * so a revocation reaches an open connection by its next refresh at the latest (the token's
 * lifetime, 15 minutes); a ban closes it at once through the bus.
 */
export type GatewayAuthResult =
  | { ok: true; userId: number; sessionId: string; role: TokenRole; expiresAtMs: number }
  | { ok: false; reason: 'invalid' | 'expired' | 'revoked' | 'banned'; message: string };

export interface GatewayAuth {
  authenticate(token: string, nowMs: number): Promise<GatewayAuthResult>;
}

export function createSessionAuth(options: {
  authSecret: string;
  sessions: Pick<SessionStore, 'state'>;
}): GatewayAuth {
  const key = deriveAccessTokenKey(options.authSecret);
  const audiences = [API_AUDIENCE, REALTIME_AUDIENCE] as const;
  return {
    async authenticate(token, nowMs) {
      const verified = await verifyAccessToken(key, token, audiences, nowMs);
      if (!verified.ok)
        return {
          ok: false,
          reason: verified.reason === 'expired' ? 'expired' : 'invalid',
          message: verified.reason === 'expired' ? 'token expired' : `token ${verified.reason}`,
        };
      const { userId, sessionId, expiresAtMs } = verified.claims;
      const state = await options.sessions.state(sessionId);
      if (state === null || state.userId !== userId)
        return { ok: false, reason: 'invalid', message: 'the session no longer exists' };
      if (state.revokedAt !== null || state.expiresAt.getTime() <= nowMs)
        return { ok: false, reason: 'revoked', message: 'the session was signed out' };
      if (state.banned) return { ok: false, reason: 'banned', message: 'this account is banned' };
      return { ok: true, userId, sessionId, role: state.role, expiresAtMs };
    },
  };
}
