import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IdentityStore } from '@binge/core/accounts/identity-store';
import type { SessionStore } from '@binge/core/accounts/session-store';
import type { SmsCodeSent } from '@binge/core/protocol/accounts';
import type { AuthSession } from '@binge/core/protocol/catalog';
import { problemResponse } from '../catalog/catalog-schemas.ts';
import { unauthorized } from './auth-routes.ts';
import {
  AuthSessionSchema,
  DeviceName,
  PhoneNumber,
  SmsCode,
  SmsCodeSentSchema,
  sessionOptional,
} from './auth-schemas.ts';
import { memberDisplayName, memberHandle } from './guest-identity.ts';
import type { PhoneVerification } from './phone-verification.ts';
import type { SessionGuard } from './session-guard.ts';
import { originOf, type SessionIssuer } from './session-issuer.ts';
import type { SessionChecker } from './session-viewer.ts';
import { startSessionFor } from './sign-in.ts';
import type { UserRepository } from './user-repository.ts';

export interface SmsRoutesOptions {
  verification: PhoneVerification;
  identities: IdentityStore;
  sessions: SessionStore;
  issuer: SessionIssuer;
  users: UserRepository;
  guard: SessionGuard;
  checker: Pick<SessionChecker, 'forget'>;
  nowMs?: () => number;
}

/** Phone sign-in with one-time SMS codes, under /api/v1. */
export async function smsRoutes(app: FastifyInstance, options: SmsRoutesOptions) {
  const { verification, identities, guard } = options;
  const nowMs = options.nowMs ?? Date.now;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  typed.post(
    '/auth/sms/send',
    {
      schema: {
        summary: 'Send a sign-in code to a phone',
        description:
          'Six digits, valid 5 minutes, single use, 5 guesses. One code per number per minute ' +
          'and 10 a day, 20 per IP address an hour (429 RATE_LIMITED with Retry-After). A new ' +
          'code replaces the previous one. Also the first step of adding a phone to an account.',
        tags: ['auth'],
        body: Type.Object({ phone: PhoneNumber }),
        response: {
          202: SmsCodeSentSchema,
          400: problemResponse('PHONE_INVALID', 'VALIDATION_FAILED'),
          429: problemResponse('RATE_LIMITED'),
          502: problemResponse('SMS_SEND_FAILED'),
        },
      },
    },
    async (request, reply): Promise<SmsCodeSent> => {
      const sent = await verification.send(request.body.phone, request.ip, request.log);
      reply.code(202).header('cache-control', 'no-store');
      return sent;
    },
  );

  typed.post(
    '/auth/sms/verify',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'Sign in with a phone and its code',
        description:
          'A number seen for the first time makes an account, unless the request carries the ' +
          'access token of a guest: then that guest account is upgraded (the phone is linked to it, ' +
          'so its progress, likes and unlocks carry over). A number already linked signs in to its ' +
          'account. Wrong codes count toward a lockout of the number and of the address (10 and ' +
          '30 an hour; 429 SIGN_IN_LOCKED with Retry-After).',
        tags: ['auth'],
        security: sessionOptional,
        body: Type.Object({
          phone: PhoneNumber,
          code: SmsCode,
          deviceName: Type.Optional(DeviceName),
        }),
        response: {
          200: AuthSessionSchema,
          400: problemResponse('PHONE_INVALID', 'SMS_CODE_INVALID', 'VALIDATION_FAILED'),
          401: unauthorized,
          403: problemResponse('ACCOUNT_BANNED'),
          429: problemResponse('SIGN_IN_LOCKED'),
        },
      },
    },
    async (request, reply): Promise<AuthSession> => {
      const { phone, code, deviceName } = request.body;
      const viewer = await guard.viewerOf(request);
      const e164 = await verification.verify(phone, code, request.ip);
      const outcome = await identities.signIn({
        provider: 'phone',
        subject: e164,
        guestUserId: viewer.userId,
        newAccount: () => ({ handle: memberHandle(), displayName: memberDisplayName() }),
        now: new Date(nowMs()),
      });
      const session = await startSessionFor(options, outcome.userId, originOf(request, deviceName));
      if (outcome.upgradedGuest && viewer.sessionId) {
        // The device's guest session is superseded by this sign-in's: one entry per device.
        await options.sessions.revoke(
          outcome.userId,
          viewer.sessionId,
          'merged',
          new Date(nowMs()),
        );
        options.checker.forget([viewer.sessionId]);
      }
      reply.header('cache-control', 'no-store');
      return session;
    },
  );
}
