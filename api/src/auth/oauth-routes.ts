import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IdentityStore } from '@binge/core/accounts/identity-store';
import { OAuthProviderError, type OAuthProvider } from '@binge/core/accounts/oauth-provider';
import type { OAuthProviderName, OAuthStateStore } from '@binge/core/accounts/oauth-state-store';
import type { SessionStore } from '@binge/core/accounts/session-store';
import { newOpaqueToken, sha256 } from '@binge/core/auth/opaque-token';
import { codeChallengeS256, newCodeVerifier } from '@binge/core/auth/pkce';
import type { OAuthCallbackResult, OAuthStart } from '@binge/core/protocol/accounts';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { unauthorized } from './auth-routes.ts';
import {
  DeviceName,
  OAuthCallbackResultSchema,
  OAuthStartSchema,
  sessionOptional,
} from './auth-schemas.ts';
import { memberDisplayName, memberHandle } from './guest-identity.ts';
import { identityList } from './identity-routes.ts';
import type { SessionGuard } from './session-guard.ts';
import { originOf, type SessionIssuer } from './session-issuer.ts';
import type { SessionChecker } from './session-viewer.ts';
import { startSessionFor } from './sign-in.ts';
import type { UserRepository } from './user-repository.ts';

export interface OAuthRoutesOptions {
  /** The configured providers; a provider missing here is 404 PROVIDER_NOT_FOUND. */
  providers: Partial<Record<OAuthProviderName, OAuthProvider & { redirectUri: string }>>;
  states: OAuthStateStore;
  identities: IdentityStore;
  sessions: SessionStore;
  issuer: SessionIssuer;
  users: UserRepository;
  guard: SessionGuard;
  checker: Pick<SessionChecker, 'forget'>;
  /** Mark the browser-binding cookie Secure (the site is served over https). */
  secureCookies: boolean;
  /** Starts and callbacks per IP address and minute. */
  limit: { max: number; timeWindowMs: number };
  nowMs?: () => number;
}

/** How long a started sign-in may take at the provider (the consent page, a QR scan). */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;
const COOKIE = 'binge_oauth';
/** A same-origin path: one leading slash (`//host` and `/\host` leave the site), printable ASCII. */
const returnToPattern = /^\/(?![/\\])[\x21-\x7e]{0,511}$/;

function cookieOf(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

/**
 * OAuth 2 sign-in with WeChat and Weibo (authorization code, RFC 6749 §4.1), under /api/v1.
 *
 * `state` protects the callback (RFC 6749 §10.12) twice over: it is random, single use and short
 * lived, and it only counts together with a cookie set on the browser that started the flow (the
 * row's key is SHA-256 of both), so a callback URL carrying someone else's code and state (a login
 * CSRF: signing the victim in to the attacker's WeChat) fails in any other browser. PKCE S256 is
 * added where the provider checks it (per provider, OAUTH_<P>_PKCE).
 *
 * The callback answers JSON, never tokens in a URL: point the provider's redirect URI at a page of
 * the web app (or intercept it in the native app) that calls the callback with the same query.
 */
export async function oauthRoutes(app: FastifyInstance, options: OAuthRoutesOptions) {
  const { providers, states, identities, guard } = options;
  const nowMs = options.nowMs ?? Date.now;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { max: options.limit.max, timeWindow: options.limit.timeWindowMs };

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  function providerOf(name: string) {
    const provider = Object.hasOwn(providers, name)
      ? providers[name as OAuthProviderName]
      : undefined;
    if (provider === undefined)
      throw new AppError(
        'PROVIDER_NOT_FOUND',
        `Sign-in with ${name.slice(0, 32)} is not available`,
      );
    return provider;
  }

  function setBinding(
    reply: FastifyReply,
    provider: OAuthProviderName,
    value: string,
    maxAge: number,
  ) {
    const attributes = [
      `Path=/api/v1/auth/oauth/${provider}`,
      `Max-Age=${maxAge}`,
      'HttpOnly',
      // Lax: the provider's redirect back is a top-level GET, which Lax cookies accompany.
      'SameSite=Lax',
      ...(options.secureCookies ? ['Secure'] : []),
    ];
    reply.header('set-cookie', `${COOKIE}=${value}; ${attributes.join('; ')}`);
  }

  typed.get(
    '/auth/oauth/:provider/start',
    {
      config: { rateLimit },
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'Start signing in with WeChat or Weibo',
        description:
          "Redirects (302) to the provider's consent page, or answers its URL as JSON when the " +
          'request accepts application/json. Sets a short-lived cookie that the callback must ' +
          'carry. `link=true` adds the provider to the signed-in caller’s account instead of ' +
          'signing in (needs the bearer token, so call it with fetch and open the URL). ' +
          '`returnTo` (a same-origin path) comes back in the callback’s answer.',
        tags: ['auth'],
        security: sessionOptional,
        params: Type.Object({ provider: Type.String() }),
        querystring: Type.Object({
          returnTo: Type.Optional(Type.String({ maxLength: 512 })),
          link: Type.Optional(Type.Boolean()),
        }),
        response: {
          200: OAuthStartSchema,
          302: Type.Null({ description: 'Location: the consent page' }),
          400: problemResponse('VALIDATION_FAILED'),
          401: unauthorized,
          404: problemResponse('PROVIDER_NOT_FOUND'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request, reply) => {
      const provider = providerOf(request.params.provider);
      const { returnTo, link } = request.query;
      if (returnTo !== undefined && !returnToPattern.test(returnTo))
        throw new AppError('VALIDATION_FAILED', 'querystring/returnTo must be a same-origin path');
      let linkUserId: number | null = null;
      if (link) {
        await guard.requireUser.call(app, request, reply);
        linkUserId = guard.userOf(request).id;
      }
      const state = newOpaqueToken();
      const binding = newOpaqueToken();
      const codeVerifier = provider.pkce ? newCodeVerifier() : null;
      const now = nowMs();
      const expiresAt = new Date(now + OAUTH_STATE_TTL_MS);
      await states.create(
        {
          key: sha256(`${state}.${binding}`),
          provider: provider.name,
          codeVerifier,
          redirectUri: provider.redirectUri,
          returnTo: returnTo ?? null,
          linkUserId,
          expiresAt,
        },
        new Date(now),
      );
      const authorizeUrl = provider.authorizeUrl({
        state,
        codeChallenge: codeVerifier === null ? null : codeChallengeS256(codeVerifier),
        redirectUri: provider.redirectUri,
      });
      setBinding(reply, provider.name, binding, OAUTH_STATE_TTL_MS / 1000);
      if ((request.headers.accept ?? '').includes('application/json')) {
        const body: OAuthStart = { authorizeUrl, state, expiresAt: expiresAt.toISOString() };
        return body;
      }
      return reply.redirect(authorizeUrl, 302);
    },
  );

  typed.get(
    '/auth/oauth/:provider/callback',
    {
      config: { rateLimit },
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'Finish signing in with WeChat or Weibo',
        description:
          'Call with the query the provider redirected with (code, state), from the browser that ' +
          'started (its cookie). Signs in, making an account for a new provider user, or upgrades ' +
          'the guest whose access token the request carries; after `link=true`, links instead ' +
          '(409 IDENTITY_TAKEN when it signs in to another account). A state is good once, for 10 ' +
          'minutes (400 OAUTH_STATE_INVALID).',
        tags: ['auth'],
        security: sessionOptional,
        params: Type.Object({ provider: Type.String() }),
        querystring: Type.Object({
          code: Type.Optional(Type.String({ maxLength: 1024 })),
          state: Type.Optional(Type.String({ maxLength: 128 })),
          error: Type.Optional(Type.String({ maxLength: 256 })),
          error_description: Type.Optional(Type.String({ maxLength: 1024 })),
          deviceName: Type.Optional(DeviceName),
        }),
        response: {
          200: OAuthCallbackResultSchema,
          400: problemResponse('OAUTH_STATE_INVALID', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: problemResponse('ACCOUNT_BANNED'),
          404: problemResponse('PROVIDER_NOT_FOUND'),
          409: problemResponse('IDENTITY_TAKEN'),
          429: problemResponse('RATE_LIMITED'),
          502: problemResponse('OAUTH_PROVIDER_ERROR'),
        },
      },
    },
    async (request, reply): Promise<OAuthCallbackResult> => {
      const provider = providerOf(request.params.provider);
      const { code, state, error, deviceName } = request.query;
      const binding = cookieOf(request, COOKIE);
      const now = new Date(nowMs());
      const record =
        state === undefined || binding === null
          ? null
          : await states.consume(sha256(`${state}.${binding}`), provider.name, now);
      if (record === null)
        throw new AppError(
          'OAUTH_STATE_INVALID',
          binding === null
            ? 'This browser did not start this sign-in (no sign-in cookie); start again'
            : 'Unknown, expired or already used state; start again',
        );
      setBinding(reply, provider.name, '', 0);
      if (error !== undefined)
        throw new AppError('OAUTH_PROVIDER_ERROR', `${provider.name} answered ${error}`);
      if (code === undefined)
        throw new AppError('OAUTH_PROVIDER_ERROR', `${provider.name} sent no code`);
      let subject: string;
      try {
        ({ subject } = await provider.exchange({
          code,
          codeVerifier: record.codeVerifier,
          redirectUri: record.redirectUri,
        }));
      } catch (failure) {
        if (!(failure instanceof OAuthProviderError)) throw failure;
        request.log.warn({ err: failure }, 'OAuth provider refused');
        throw new AppError('OAUTH_PROVIDER_ERROR', failure.message);
      }

      if (record.linkUserId !== null) {
        const outcome = await identities.link(record.linkUserId, provider.name, subject, now);
        if (outcome === 'taken')
          throw new AppError(
            'IDENTITY_TAKEN',
            `This ${provider.name} account signs in to another account`,
          );
        const account = await identities.list(record.linkUserId);
        return {
          session: null,
          identities: account === null ? null : identityList(account),
          returnTo: record.returnTo,
        };
      }

      const viewer = await guard.viewerOf(request);
      const outcome = await identities.signIn({
        provider: provider.name,
        subject,
        guestUserId: viewer.userId,
        newAccount: () => ({ handle: memberHandle(), displayName: memberDisplayName() }),
        now,
      });
      const session = await startSessionFor(options, outcome.userId, originOf(request, deviceName));
      if (outcome.upgradedGuest && viewer.sessionId) {
        await options.sessions.revoke(outcome.userId, viewer.sessionId, 'merged', now);
        options.checker.forget([viewer.sessionId]);
      }
      return { session, identities: null, returnTo: record.returnTo };
    },
  );
}
