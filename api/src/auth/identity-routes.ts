import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  isIdentityProvider,
  type AccountIdentities,
  type IdentityStore,
} from '@binge/core/accounts/identity-store';
import { maskPhoneNumber } from '@binge/core/accounts/phone-number';
import type { IdentityList } from '@binge/core/protocol/accounts';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { unauthorized } from './auth-routes.ts';
import {
  IdentityListSchema,
  PhoneNumber,
  SmsCode,
  noContent,
  sessionRequired,
} from './auth-schemas.ts';
import type { PhoneVerification } from './phone-verification.ts';
import type { SessionGuard } from './session-guard.ts';

export interface IdentityRoutesOptions {
  identities: IdentityStore;
  verification: PhoneVerification;
  guard: SessionGuard;
  nowMs?: () => number;
}

/** The wire form of an account's methods: phones masked, third-party ids not shown at all. */
export function identityList(account: AccountIdentities): IdentityList {
  return {
    isGuest: account.isGuest,
    items: account.identities.map((identity) => ({
      provider: identity.provider,
      hint: identity.provider === 'phone' ? maskPhoneNumber(identity.subject) : null,
      linkedAt: identity.linkedAt.toISOString(),
      lastUsedAt: identity.lastUsedAt.toISOString(),
    })),
  };
}

/** The caller's sign-in methods: list, add a phone, remove one. Under /api/v1. */
export async function identityRoutes(app: FastifyInstance, options: IdentityRoutesOptions) {
  const { identities, verification, guard } = options;
  const nowMs = options.nowMs ?? Date.now;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  async function listOf(userId: number): Promise<IdentityList> {
    const account = await identities.list(userId);
    if (account === null) throw new AppError('USER_NOT_FOUND', `No account ${userId}`);
    return identityList(account);
  }

  typed.get(
    '/me/identities',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: "The account's sign-in methods",
        tags: ['auth'],
        security: sessionRequired,
        response: { 200: IdentityListSchema, 401: unauthorized },
      },
    },
    async (request): Promise<IdentityList> => listOf(guard.userOf(request).id),
  );

  typed.post(
    '/me/identities/phone',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Add (or change) the phone of the account',
        description:
          'Send a code with POST /auth/sms/send first. Replaces the phone linked before, if any; ' +
          'a guest account stops being one. A number that signs in to another account is 409 ' +
          'IDENTITY_TAKEN. Wrong codes count toward the same lockout as sign-in.',
        tags: ['auth'],
        security: sessionRequired,
        body: Type.Object({ phone: PhoneNumber, code: SmsCode }),
        response: {
          200: IdentityListSchema,
          400: problemResponse('PHONE_INVALID', 'SMS_CODE_INVALID', 'VALIDATION_FAILED'),
          401: unauthorized,
          409: problemResponse('IDENTITY_TAKEN'),
          429: problemResponse('SIGN_IN_LOCKED'),
        },
      },
    },
    async (request): Promise<IdentityList> => {
      const userId = guard.userOf(request).id;
      const phone = await verification.verify(request.body.phone, request.body.code, request.ip);
      const outcome = await identities.link(userId, 'phone', phone, new Date(nowMs()));
      if (outcome === 'taken')
        throw new AppError('IDENTITY_TAKEN', 'This number signs in to another account');
      return listOf(userId);
    },
  );

  typed.delete(
    '/me/identities/:provider',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Remove a sign-in method',
        description:
          "`provider` is phone, wechat or weibo. The account's last method cannot be removed " +
          '(409 LAST_SIGN_IN_METHOD): the account could not be signed in to again.',
        tags: ['auth'],
        security: sessionRequired,
        params: Type.Object({ provider: Type.String() }),
        response: {
          204: noContent,
          401: unauthorized,
          404: problemResponse('PROVIDER_NOT_FOUND', 'NOT_FOUND'),
          409: problemResponse('LAST_SIGN_IN_METHOD'),
        },
      },
    },
    async (request, reply) => {
      const { provider } = request.params;
      if (!isIdentityProvider(provider))
        throw new AppError('PROVIDER_NOT_FOUND', 'provider is phone, wechat or weibo');
      const outcome = await identities.unlink(guard.userOf(request).id, provider);
      if (outcome === 'not_linked')
        throw new AppError('NOT_FOUND', `No ${provider} sign-in is linked to this account`);
      if (outcome === 'last_method')
        throw new AppError('LAST_SIGN_IN_METHOD', 'This is the only way to sign in to the account');
      return reply.code(204).send(null);
    },
  );
}
