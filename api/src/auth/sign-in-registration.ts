import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { createSqlIdentityStore } from '@binge/core/accounts/identity-store-sql';
import { createSqlOAuthStateStore } from '@binge/core/accounts/oauth-state-store-sql';
import type { OAuthProvider } from '@binge/core/accounts/oauth-provider';
import { createWechatProvider } from '@binge/core/accounts/oauth-provider-wechat';
import { createWeiboProvider } from '@binge/core/accounts/oauth-provider-weibo';
import type { OAuthProviderName } from '@binge/core/accounts/oauth-state-store';
import { createSqlSessionStore } from '@binge/core/accounts/session-store-sql';
import { createSqlSmsCodeStore } from '@binge/core/accounts/sms-code-store-sql';
import { deriveSmsCodeKey } from '@binge/core/accounts/sms-code';
import type { SmsSender } from '@binge/core/accounts/sms-sender';
import { deriveAccessTokenKey } from '@binge/core/auth/access-token';
import type { Config, OAuthProviderConfig } from '@binge/core/config';
import type { Database } from '@binge/core/db';
import { createLogger, type Logger } from '@binge/core/log';
import { createSmsSender } from '@binge/core/runtime/adapters';
import type { Viewer } from '../playback/entitlements.ts';
import { authRoutes, type GuestLimit } from './auth-routes.ts';
import { identityRoutes } from './identity-routes.ts';
import { oauthRoutes } from './oauth-routes.ts';
import { createPhoneVerification } from './phone-verification.ts';
import { createSessionGuard, type SessionGuard } from './session-guard.ts';
import { createSessionIssuer } from './session-issuer.ts';
import { sessionRoutes } from './session-routes.ts';
import { createSessionChecker } from './session-viewer.ts';
import { createSignInLimits, type SignInLimitSettings } from './sign-in-limits.ts';
import { smsRoutes } from './sms-routes.ts';
import { createUserRepository } from './user-repository.ts';

/** Tunables of sign-in that tests and benchmarks change; production uses the defaults. */
export interface SignInOptions {
  /** SMS send and wrong-code limits (sign-in-limits.ts defaults otherwise). */
  limits?: Partial<SignInLimitSettings>;
  /** How long a session lookup is reused per process; 5000 ms unless set. */
  sessionCacheTtlMs?: number;
  /** Refreshes per IP address and window; 60 a minute unless set. */
  refreshLimit?: { max: number; timeWindowMs: number };
  /** OAuth starts and callbacks per IP address and window; 30 a minute unless set. */
  oauthLimit?: { max: number; timeWindowMs: number };
  /** Clock in ms, for expiry tests. */
  nowMs?: () => number;
}

export interface SignInDeps {
  config: Config;
  db: Database;
  redis?: Redis;
  logger?: Logger;
  smsSender?: SmsSender;
  viewerOf?: (request: FastifyRequest) => Viewer | Promise<Viewer>;
  options?: SignInOptions;
}

export interface SignIn {
  guard: SessionGuard;
  /** Registers every account route under `prefix`. */
  register(
    app: FastifyInstance,
    routes: { prefix: string; realtimeUrl: string; guestLimit: GuestLimit },
  ): Promise<void>;
}

function oauthProviders(oauth: Config['oauth']) {
  const providers: Partial<Record<OAuthProviderName, OAuthProvider & { redirectUri: string }>> = {};
  const withRedirect = (provider: OAuthProvider, settings: OAuthProviderConfig) =>
    Object.assign(provider, { redirectUri: settings.redirectUri });
  if (oauth.wechat)
    providers.wechat = withRedirect(createWechatProvider(oauth.wechat), oauth.wechat);
  if (oauth.weibo) providers.weibo = withRedirect(createWeiboProvider(oauth.weibo), oauth.weibo);
  return providers;
}

/**
 * Composes sign-in and sessions from the configuration: the stores over `db`, the access-token key
 * and the SMS-code key derived from AUTH_SECRET, the limits (Redis when given), the SMS adapter
 * and the configured OAuth providers. The guard it returns is the one every route checks callers
 * with, so all routes see the same session cache.
 */
export function createSignIn(deps: SignInDeps): SignIn {
  const { config, db } = deps;
  const options = deps.options ?? {};
  const nowMs = options.nowMs ?? Date.now;
  const tokenKey = deriveAccessTokenKey(config.authSecret);
  const users = createUserRepository(db);
  const sessions = createSqlSessionStore(db);
  const identities = createSqlIdentityStore(db);
  const checker = createSessionChecker({
    key: tokenKey,
    sessions,
    ...(options.sessionCacheTtlMs === undefined ? {} : { cacheTtlMs: options.sessionCacheTtlMs }),
    nowMs,
  });
  const guard = createSessionGuard({ viewerOf: deps.viewerOf ?? checker.viewerOf, users });
  const issuer = createSessionIssuer({
    sessions,
    key: tokenKey,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    nowMs,
  });
  const logger = deps.logger ?? createLogger({ level: config.logLevel, name: 'api' });
  const verification = createPhoneVerification({
    codes: createSqlSmsCodeStore(db),
    limits: createSignInLimits({
      ...(deps.redis ? { redis: deps.redis } : {}),
      prefix: config.redisPrefix,
      ...(options.limits ? { settings: options.limits } : {}),
    }),
    sender: deps.smsSender ?? createSmsSender(config, logger),
    codeKey: deriveSmsCodeKey(config.authSecret),
    nowMs,
  });

  return {
    guard,
    async register(app, routes) {
      const common = { prefix: routes.prefix, users, guard, issuer, sessions, checker, nowMs };
      await app.register(authRoutes, {
        ...common,
        tokenKey,
        realtimeTokenTtlSeconds: config.realtimeTokenTtlSeconds,
        realtimeUrl: routes.realtimeUrl,
        guestLimit: routes.guestLimit,
      });
      await app.register(sessionRoutes, {
        ...common,
        refreshLimit: options.refreshLimit ?? { max: 60, timeWindowMs: 60_000 },
      });
      await app.register(smsRoutes, { ...common, verification, identities });
      await app.register(identityRoutes, { ...common, verification, identities });
      await app.register(oauthRoutes, {
        ...common,
        identities,
        providers: oauthProviders(config.oauth),
        states: createSqlOAuthStateStore(db),
        secureCookies: config.publicUrl.startsWith('https:'),
        limit: options.oauthLimit ?? { max: 30, timeWindowMs: 60_000 },
      });
    },
  };
}
