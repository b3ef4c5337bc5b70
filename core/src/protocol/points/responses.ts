/**
 * Wire types of the points, rewards and voucher routes (`/api/v1`). Browser-safe; the API's
 * schemas (api/src/points/points-schemas.ts) produce exactly these shapes.
 */
import type { LocalizedText } from '../catalog.ts';
import type { VoucherKind } from './rewards.ts';

export interface PointsBalance {
  userId: number;
  balance: number;
}

export interface PointsLedgerEntry {
  /** Decimal id; ids grow with time. */
  id: string;
  /** Positive: earned; negative: spent. */
  delta: number;
  balanceAfter: number;
  /** `check_in`, `task:<taskId>`, `reward:<rewardId>` ... */
  reason: string;
  createdAt: string;
}

export interface PointsLedgerPage {
  items: PointsLedgerEntry[];
  nextCursor: string | null;
}

export interface RewardView {
  id: string;
  name: LocalizedText;
  kind: VoucherKind;
  amount: number;
  cost: number;
  validDays: number;
}

export interface VoucherView {
  id: string;
  kind: VoucherKind;
  amount: number;
  status: 'usable' | 'used' | 'expired';
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedFor: string | null;
}

export interface VoucherPage {
  items: VoucherView[];
  nextCursor: string | null;
}

export interface RedemptionReceipt {
  voucher: VoucherView;
  entry: PointsLedgerEntry;
  /** Points balance right after the redemption. */
  balance: number;
}
