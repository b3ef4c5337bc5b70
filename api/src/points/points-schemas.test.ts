import { test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import type {
  PointsBalance,
  PointsLedgerEntry,
  PointsLedgerPage,
  RedemptionReceipt,
  RewardView,
  VoucherPage,
  VoucherView,
} from '@binge/core/protocol/points/responses';
import type {
  PointsBalanceSchema,
  PointsLedgerEntrySchema,
  PointsLedgerPageSchema,
  RedemptionReceiptSchema,
  RewardViewSchema,
  VoucherPageSchema,
  VoucherViewSchema,
} from './points-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}

test('the schemas are the protocol’s wire types (checked by the type checker)', () => {
  assertType<Equal<Static<typeof PointsBalanceSchema>, PointsBalance>>();
  assertType<Equal<Static<typeof PointsLedgerEntrySchema>, PointsLedgerEntry>>();
  assertType<Equal<Static<typeof PointsLedgerPageSchema>, PointsLedgerPage>>();
  assertType<Equal<Static<typeof RewardViewSchema>, RewardView>>();
  assertType<Equal<Static<typeof VoucherViewSchema>, VoucherView>>();
  assertType<Equal<Static<typeof VoucherPageSchema>, VoucherPage>>();
  assertType<Equal<Static<typeof RedemptionReceiptSchema>, RedemptionReceipt>>();
});
