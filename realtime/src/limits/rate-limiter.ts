import { InvalidRateKeyError, InvalidRateRuleError } from './rate-limit-error.ts';
import { validateBucketParameters, validateCost } from './token-bucket.ts';

/**
 * The rate-limiter port: token buckets addressed by (rule, key). Adapters: rate-limiter-memory.ts
 * (in-process, for state that lives on one gateway node, e.g. per connection) and
 * rate-limiter-redis.ts (one bucket per key shared by every node, for users and IPs).
 */
export interface RateRule {
  /** Part of the storage key, so two rules never share a bucket: letters, digits, `.`, `_`, `-`. */
  name: string;
  /** Sustained rate: tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: how many takes may come at once after a quiet spell. At least 1. */
  burst: number;
}

export interface RateDecision {
  allowed: boolean;
  /** 0 when allowed; otherwise how long until the same take would be allowed. */
  retryAfterMs: number;
  /** Whole tokens left after this take (for a `RateLimit-Remaining`-style hint). */
  remaining: number;
}

export interface RateLimiter {
  readonly kind: 'memory' | 'redis';
  /**
   * Takes `cost` (default 1) tokens from the bucket of `rule` for `key`. Rejects with a coded error
   * (InvalidRateRuleError, InvalidRateKeyError, InvalidRateCostError, RateLimiterClosedError) on
   * misuse; a refusal is `allowed: false`, never a rejection.
   */
  take(key: string, rule: RateRule, cost?: number): Promise<RateDecision>;
  close(): Promise<void>;
}

/** What a gateway rule is keyed by; `connection` buckets live and die with one socket on one node. */
export type RateScope = 'user' | 'ip' | 'connection';

export interface GatewayRateRule extends RateRule {
  scope: RateScope;
}

/**
 * The gateway's default limits (issue 3). User and IP buckets belong on the Redis limiter, so a
 * client cannot multiply its allowance by reconnecting to another node; connection buckets belong
 * on the memory limiter, since a connection exists on one node only and is checked on every frame,
 * where a network round trip would cost more than the work it protects.
 */
export const gatewayRateRules = {
  /**
   * Issue 3's "one danmu per 2 s with a small burst". A danmu is drawn over the video for every
   * viewer of the episode, so one flooder degrades everyone's screen; 3 at once lets a viewer
   * react to a scene in a quick volley, then the 2 s pace applies.
   */
  danmuPerUser: { name: 'danmu.user', ratePerSecond: 0.5, burst: 3, scope: 'user' },
  /**
   * Four users' worth per address: households, campuses and mobile carrier-grade NAT put many real
   * users behind one IP, while a single host cycling through guest accounts is still held to 2/s.
   */
  danmuPerIp: { name: 'danmu.ip', ratePerSecond: 2, burst: 10, scope: 'ip' },
  /**
   * A person types at most about one chat line a second for long; 5 at once covers a message sent
   * as several short lines or pasted after a reconnect.
   */
  chatPerUser: { name: 'chat.user', ratePerSecond: 1, burst: 5, scope: 'user' },
  /**
   * Same human pace as chat. Each DM can raise a notification on someone else's phone, so DM spam
   * costs its victims more than chat spam does; the limit still lets a normal conversation flow.
   */
  dmPerUser: { name: 'dm.user', ratePerSecond: 1, burst: 5, scope: 'user' },
  /**
   * The player reports its position every few seconds plus on pause, seek and episode change, from
   * maybe two devices at once; 2/s is well above that, and 10 at once absorbs a burst of scrubbing.
   * It caps writes to storage from a buggy or hostile client, not normal viewing.
   */
  progressPerUser: { name: 'progress.user', ratePerSecond: 2, burst: 10, scope: 'user' },
  /**
   * Swiping the vertical feed subscribes to a few channels per episode (danmu, live counters), a few
   * episodes a second at most: 20/s. A (re)connect subscribes to everything at once — feed, DMs,
   * progress, notifications, the open episodes — hence 50 at once.
   */
  subscribePerConnection: {
    name: 'subscribe.connection',
    ratePerSecond: 20,
    burst: 50,
    scope: 'connection',
  },
  /**
   * Every inbound frame (pings and acks included), checked before decoding the rest, so no single
   * socket can make the gateway parse without bound. The legitimate sustained rates above sum to
   * about 25/s; 50/s leaves room, and 100 at once covers a reconnect's subscribes plus recovery.
   */
  framesPerConnection: {
    name: 'frames.connection',
    ratePerSecond: 50,
    burst: 100,
    scope: 'connection',
  },
} as const satisfies Record<string, GatewayRateRule>;

/** Keeps names safe to embed in a storage key: no `:` (the separator before the key), no spaces. */
const ruleNamePattern = /^[A-Za-z0-9._-]{1,64}$/;
/** Long enough for a user id, an IPv6 address or a connection id; short enough to bound memory. */
export const maxRateKeyLength = 256;

/** Throws InvalidRateRuleError on a bad name, rate or burst. */
export function validateRateRule(rule: RateRule): RateRule {
  if (rule === null || typeof rule !== 'object') {
    throw new InvalidRateRuleError(
      String(rule),
      'a rule is an object { name, ratePerSecond, burst }',
    );
  }
  if (typeof rule.name !== 'string' || !ruleNamePattern.test(rule.name)) {
    throw new InvalidRateRuleError(
      String(rule.name),
      'name must be 1-64 characters of letters, digits, ".", "_" or "-"',
    );
  }
  validateBucketParameters(rule, rule.name);
  return rule;
}

export function validateRateKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0)
    throw new InvalidRateKeyError('the key must be a non-empty string');
  if (key.length > maxRateKeyLength) {
    throw new InvalidRateKeyError(`the key is longer than ${maxRateKeyLength} characters`);
  }
  return key;
}

/** Checks everything a take needs before any storage is touched; shared by every adapter. */
export function validateTake(key: string, rule: RateRule, cost: number): void {
  validateRateRule(rule);
  validateRateKey(key);
  validateCost(cost, rule);
}

/** `<rule.name>:<key>`; unambiguous because rule names contain no `:` (keys, e.g. IPv6, may). */
export function bucketId(rule: RateRule, key: string): string {
  return `${rule.name}:${key}`;
}
