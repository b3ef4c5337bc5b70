import type { FastifyInstance, FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdempotencyKeyReusedError,
  InsufficientPointsError,
  type LedgerEntry,
  type PointsLedger,
} from '@binge/core/points/ledger';
import {
  RewardNotFoundError,
  voucherStatus,
  type Voucher,
  type VoucherStore,
} from '@binge/core/points/vouchers';
import type { ProfileStore } from '@binge/core/progression/profile-store';
import { rewards } from '@binge/core/protocol/points/rewards';
import type { PointsLedgerEntry, VoucherView } from '@binge/core/protocol/points/responses';
import { sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { IdString, problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { decimalQuery } from '../http/decimal-query.ts';
import { parseEntityId } from '../http/entity-id.ts';
import { stringFields } from '../profile/string-fields.ts';
import { BoundedLimit } from '../realtime-state/realtime-schemas.ts';
import {
  IdempotencyHeaders,
  PointsBalanceSchema,
  PointsLedgerPageSchema,
  RedemptionBody,
  RedemptionReceiptSchema,
  RewardListSchema,
  VoucherIdString,
  VoucherPageSchema,
  VoucherViewSchema,
} from './points-schemas.ts';

export interface PointsRoutesOptions {
  ledger: PointsLedger;
  vouchers: VoucherStore;
  /** Whether a user exists (an admin reading someone's points). */
  profiles: ProfileStore;
  guard: SessionGuard;
  now?: () => Date;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');

const toEntry = (entry: LedgerEntry): PointsLedgerEntry => ({
  id: entry.id,
  delta: entry.delta,
  balanceAfter: entry.balanceAfter,
  reason: entry.reason,
  createdAt: entry.createdAt.toISOString(),
});

const toVoucher = (voucher: Voucher, now: Date): VoucherView => ({
  id: voucher.id,
  kind: voucher.kind,
  amount: voucher.amount,
  status: voucherStatus(voucher, now),
  createdAt: voucher.createdAt.toISOString(),
  expiresAt: voucher.expiresAt.toISOString(),
  usedAt: voucher.usedAt?.toISOString() ?? null,
  usedFor: voucher.usedFor,
});

/** Cursors are the last item's id in decimal: they position a read of one user's own rows. */
function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  if (!/^[1-9][0-9]{0,15}$/.test(cursor) || !Number.isSafeInteger(Number(cursor)))
    throw new AppError('INVALID_CURSOR');
  return cursor;
}

/**
 * The points ledger, the rewards shop and vouchers (issue 4, item 7). A user's points are theirs
 * to read (and an admin's, for support); only the owner spends them. `/me/...` routes are the
 * same as `/users/<own id>/...`.
 */
export async function pointsRoutes(app: FastifyInstance, options: PointsRoutesOptions) {
  const { ledger, vouchers, profiles, guard } = options;
  const now = options.now ?? (() => new Date());
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  /** The user a `/users/:userId/...` or `/me/...` route is about. */
  function subjectOf(request: FastifyRequest): number {
    const { userId } = request.params as { userId?: string };
    return userId === undefined ? guard.userOf(request).id : parseEntityId(userId, 'userId');
  }

  // Ahead of validation, so that someone else's id is 403 whatever else is wrong with the request.
  const ownerOrAdmin: preValidationAsyncHookHandler = async (request) => {
    const me = guard.userOf(request);
    const subject = subjectOf(request);
    if (subject === me.id) return;
    if (me.role !== 'admin')
      throw new AppError('FORBIDDEN', 'Only the owner or a moderator may read these points');
    if ((await profiles.profile(subject)) === null)
      throw new AppError('USER_NOT_FOUND', `User ${subject} does not exist`);
  };
  const decimalLimit = decimalQuery('limit');
  const ownerOnly: preValidationAsyncHookHandler = async (request) => {
    if (subjectOf(request) !== guard.userOf(request).id)
      throw new AppError('FORBIDDEN', 'Only the owner may spend these points');
  };

  typed.get(
    '/rewards',
    {
      schema: {
        summary: 'The points shop: what points buy',
        tags: ['points'],
        response: { 200: RewardListSchema },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return { items: rewards.map((reward) => ({ ...reward, name: { ...reward.name } })) };
    },
  );

  const pointsSummary = 'The points balance';
  const ledgerSummary = 'The points ledger, newest entry first';
  const readErrors = {
    400: problemResponse('INVALID_ID', 'INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE'),
    401: unauthorized,
    403: problemResponse('FORBIDDEN', 'ACCOUNT_BANNED'),
    404: problemResponse('USER_NOT_FOUND'),
  };
  const pageQuery = Type.Object({
    cursor: Type.Optional(Type.String({ description: 'nextCursor of the previous page' })),
    limit: Type.Optional(BoundedLimit(100, 20)),
  });

  for (const [prefix, params] of [
    ['/users/:userId', { params: Type.Object({ userId: IdString }) }],
    ['/me', {}],
  ] as const) {
    const who = prefix === '/me' ? 'the caller' : 'a user (the owner or an admin)';
    typed.get(
      `${prefix}/points`,
      {
        onRequest: guard.requireUser,
        preValidation: ownerOrAdmin,
        schema: {
          summary: `${pointsSummary} of ${who}`,
          tags: ['points'],
          security: sessionRequired,
          ...params,
          response: { 200: PointsBalanceSchema, ...readErrors },
        },
      },
      async (request) => {
        const userId = subjectOf(request);
        return { userId, balance: await ledger.balance(userId) };
      },
    );

    typed.get(
      `${prefix}/points/ledger`,
      {
        onRequest: guard.requireUser,
        preValidation: [ownerOrAdmin, decimalLimit],
        schema: {
          summary: `${ledgerSummary}, of ${who}`,
          description:
            'Append-only: every change of the balance is an entry with the balance after it.',
          tags: ['points'],
          security: sessionRequired,
          ...params,
          querystring: pageQuery,
          response: { 200: PointsLedgerPageSchema, ...readErrors },
        },
      },
      async (request) => {
        const { cursor, limit = 20 } = request.query;
        const page = await ledger.history(subjectOf(request), decodeCursor(cursor), limit);
        return { items: page.items.map(toEntry), nextCursor: page.next };
      },
    );

    typed.post(
      `${prefix}/points/redemptions`,
      {
        onRequest: guard.requireUser,
        preValidation: [ownerOnly, stringFields('rewardId')],
        config: { rateLimit: { max: 60, timeWindow: 60_000 } },
        schema: {
          summary: `Redeem a reward with the points of ${prefix === '/me' ? 'the caller' : 'a user (the owner only)'}`,
          description:
            'Spends the reward’s cost and issues its voucher in one transaction. The ' +
            'Idempotency-Key header is required: a retry with the same key answers the original ' +
            'redemption again (`Idempotent-Replayed: true`) and spends nothing.',
          tags: ['points'],
          security: sessionRequired,
          ...params,
          headers: IdempotencyHeaders,
          body: RedemptionBody,
          response: {
            200: RedemptionReceiptSchema,
            201: RedemptionReceiptSchema,
            400: problemResponse('INVALID_ID', 'VALIDATION_FAILED', 'BAD_REQUEST'),
            401: unauthorized,
            403: problemResponse('FORBIDDEN', 'ACCOUNT_BANNED'),
            404: problemResponse('REWARD_NOT_FOUND'),
            409: problemResponse('INSUFFICIENT_POINTS', 'IDEMPOTENCY_KEY_REUSED'),
            429: problemResponse('RATE_LIMITED'),
          },
        },
      },
      async (request, reply) => {
        const userId = subjectOf(request);
        const key = request.headers['idempotency-key'];
        const at = now();
        try {
          const { voucher, entry, replayed } = await vouchers.redeem(
            userId,
            request.body.rewardId,
            key,
            at,
          );
          if (replayed) reply.header('idempotent-replayed', 'true');
          return reply.code(replayed ? 200 : 201).send({
            voucher: toVoucher(voucher, at),
            entry: toEntry(entry),
            balance: entry.balanceAfter,
          });
        } catch (error) {
          if (error instanceof RewardNotFoundError)
            throw new AppError('REWARD_NOT_FOUND', `No reward ${request.body.rewardId}`);
          if (error instanceof InsufficientPointsError)
            throw new AppError(
              'INSUFFICIENT_POINTS',
              `The reward costs ${-error.delta} points; the balance is ${error.balance}`,
            );
          if (error instanceof IdempotencyKeyReusedError)
            throw new AppError(
              'IDEMPOTENCY_KEY_REUSED',
              'This Idempotency-Key was used for another reward',
            );
          throw error;
        }
      },
    );
  }

  typed.get(
    '/me/vouchers',
    {
      onRequest: guard.requireUser,
      preValidation: decimalLimit,
      schema: {
        summary: 'The caller’s vouchers, newest first',
        tags: ['points'],
        security: sessionRequired,
        querystring: pageQuery,
        response: {
          200: VoucherPageSchema,
          400: problemResponse('INVALID_CURSOR', 'PAGE_SIZE_OUT_OF_RANGE'),
          401: unauthorized,
          403: problemResponse('ACCOUNT_BANNED'),
        },
      },
    },
    async (request) => {
      const { cursor, limit = 20 } = request.query;
      const page = await vouchers.list(guard.userOf(request).id, decodeCursor(cursor), limit);
      const at = now();
      return { items: page.items.map((v) => toVoucher(v, at)), nextCursor: page.next };
    },
  );

  typed.get(
    '/me/vouchers/:id',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'One of the caller’s vouchers',
        tags: ['points'],
        security: sessionRequired,
        params: Type.Object({ id: VoucherIdString }),
        response: {
          200: VoucherViewSchema,
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          403: problemResponse('FORBIDDEN', 'ACCOUNT_BANNED'),
          404: problemResponse('VOUCHER_NOT_FOUND'),
        },
      },
    },
    async (request) => {
      const voucher = await vouchers.get(request.params.id);
      if (voucher === null)
        throw new AppError('VOUCHER_NOT_FOUND', `No voucher ${request.params.id}`);
      if (voucher.userId !== guard.userOf(request).id)
        throw new AppError('FORBIDDEN', 'This voucher belongs to another user');
      return toVoucher(voucher, now());
    },
  );
}
