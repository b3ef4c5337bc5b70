import { Type } from '@fastify/type-provider-typebox';
import { voucherKinds } from '@binge/core/protocol/points/rewards';

/**
 * TypeBox schemas of the points, rewards and voucher routes; the wire types are in
 * core/src/protocol/points/responses.ts and points-schemas.test.ts keeps them equal.
 */
const Localized = Type.Object({ en: Type.String(), zh: Type.String() });
const DecimalId = Type.String({ description: 'Decimal id' });
const Kind = Type.Unsafe<(typeof voucherKinds)[number]>({
  type: 'string',
  enum: [...voucherKinds],
  description: 'free_episode: unlocks one paid episode; coin_coupon: `amount` coins off an unlock',
});
const NextCursor = Type.Union([
  Type.String({ description: 'Pass as cursor for the next page' }),
  Type.Null(),
]);

export const PointsBalanceSchema = Type.Object({
  userId: Type.Integer(),
  balance: Type.Integer({ minimum: 0 }),
});

export const PointsLedgerEntrySchema = Type.Object({
  id: DecimalId,
  delta: Type.Integer({ description: 'Positive: earned; negative: spent' }),
  balanceAfter: Type.Integer({ minimum: 0 }),
  reason: Type.String({ description: 'check_in, task:<taskId>, reward:<rewardId> ...' }),
  createdAt: Type.String({ format: 'date-time' }),
});

export const PointsLedgerPageSchema = Type.Object({
  items: Type.Array(PointsLedgerEntrySchema, { description: 'Newest first' }),
  nextCursor: NextCursor,
});

export const RewardViewSchema = Type.Object({
  id: Type.String(),
  name: Localized,
  kind: Kind,
  amount: Type.Integer({ minimum: 1 }),
  cost: Type.Integer({ minimum: 1, description: 'Points' }),
  validDays: Type.Integer({ minimum: 1, description: 'Days the voucher stays usable' }),
});

export const RewardListSchema = Type.Object({ items: Type.Array(RewardViewSchema) });

export const VoucherViewSchema = Type.Object({
  id: DecimalId,
  kind: Kind,
  amount: Type.Integer({ minimum: 1 }),
  status: Type.Union([Type.Literal('usable'), Type.Literal('used'), Type.Literal('expired')]),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  usedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  usedFor: Type.Union([Type.String({ description: 'e.g. episode:12' }), Type.Null()]),
});

export const VoucherPageSchema = Type.Object({
  items: Type.Array(VoucherViewSchema, { description: 'Newest first' }),
  nextCursor: NextCursor,
});

export const RedemptionReceiptSchema = Type.Object({
  voucher: VoucherViewSchema,
  entry: PointsLedgerEntrySchema,
  balance: Type.Integer({ minimum: 0, description: 'Points balance right after it' }),
});

export const RedemptionBody = Type.Object(
  { rewardId: Type.String({ minLength: 1, maxLength: 64, description: 'An id of GET /rewards' }) },
  { additionalProperties: false },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[\\x21-\\x7E]+$',
    description:
      'Required. A unique key per redemption (a UUID): a retry with the same key returns the ' +
      'original redemption, the same key for another reward is IDEMPOTENCY_KEY_REUSED',
  }),
});

export const VoucherIdString = Type.String({
  pattern: '^[1-9][0-9]{0,15}$',
  description: 'A voucher id',
});
