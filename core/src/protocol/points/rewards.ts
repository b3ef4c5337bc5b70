/**
 * The points shop: what points buy. Each reward issues one voucher the paywall consumes later: a
 * free-episode voucher unlocks one paid episode, a coin coupon takes `amount` coins off an unlock.
 * Browser-safe: the web client lists the catalogue as `GET /rewards` serves it.
 */
import type { LocalizedText } from '../catalog.ts';

export const voucherKinds = ['free_episode', 'coin_coupon'] as const;
export type VoucherKind = (typeof voucherKinds)[number];

export interface RewardDefinition {
  id: string;
  name: LocalizedText;
  kind: VoucherKind;
  /** Episodes for a free-episode voucher (1), coins off for a coupon. */
  amount: number;
  /** Price in points. */
  cost: number;
  /** Days the voucher stays usable after it is issued. */
  validDays: number;
}

export const rewards = [
  {
    id: 'free_episode',
    name: { zh: '免费看一集', en: 'One free episode' },
    kind: 'free_episode',
    amount: 1,
    cost: 300,
    validDays: 30,
  },
  {
    id: 'coin_coupon_10',
    name: { zh: '10 金币抵用券', en: '10-coin coupon' },
    kind: 'coin_coupon',
    amount: 10,
    cost: 100,
    validDays: 30,
  },
  {
    id: 'coin_coupon_30',
    name: { zh: '30 金币抵用券', en: '30-coin coupon' },
    kind: 'coin_coupon',
    amount: 30,
    cost: 270,
    validDays: 30,
  },
  {
    id: 'coin_coupon_100',
    name: { zh: '100 金币抵用券', en: '100-coin coupon' },
    kind: 'coin_coupon',
    amount: 100,
    cost: 850,
    validDays: 30,
  },
] as const satisfies readonly RewardDefinition[];

export type RewardId = (typeof rewards)[number]['id'];

export function rewardOf(id: string): RewardDefinition | undefined {
  return rewards.find((reward) => reward.id === id);
}
