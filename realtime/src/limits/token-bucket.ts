import { InvalidRateCostError, InvalidRateRuleError } from './rate-limit-error.ts';

/**
 * Token-bucket arithmetic, pure: the adapters keep the state, this decides. A bucket holds up to
 * `burst` tokens and gains `ratePerSecond` of them per second; a take of `cost` succeeds when that
 * many tokens are there. A key never seen is a full bucket, so a full bucket can be forgotten at any
 * time without changing a single decision: that is what lets the memory adapter evict it and the
 * Redis adapter let it expire.
 *
 * The rules-of-thumb for the numbers live in rate-limiter.ts (`gatewayRateRules`).
 */
export interface TokenBucketState {
  /** Fractional: refill is continuous, not one whole token at a time. */
  tokens: number;
  /** The clock reading up to which `tokens` is accounted for; it never moves backwards. */
  updatedMs: number;
}

export interface TokenBucketParameters {
  ratePerSecond: number;
  burst: number;
}

export interface TokenBucketTake {
  allowed: boolean;
  /** Store this; on a refusal it is only refilled, nothing is consumed. */
  state: TokenBucketState;
  /** 0 when allowed; otherwise how long until this same cost would be allowed. */
  retryAfterMs: number;
}

/**
 * Floating-point slack, in tokens. Refill is `elapsed * rate / 1000`, so waiting exactly the
 * `retryAfterMs` we announced can land at 0.9999999999 of a token; without the slack a client that
 * obeys us to the millisecond would be refused again. The same constant is in the Redis Lua script.
 */
export const tokenEpsilon = 1e-9;

/** Throws InvalidRateRuleError unless both are finite, the rate positive and the burst at least 1. */
export function validateBucketParameters(parameters: TokenBucketParameters, name = ''): void {
  const { ratePerSecond, burst } = parameters;
  if (typeof ratePerSecond !== 'number' || !Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
    throw new InvalidRateRuleError(
      name,
      `ratePerSecond must be a finite number > 0, got ${String(ratePerSecond)}`,
    );
  }
  // A burst below one token would refuse every default (cost 1) take forever.
  if (typeof burst !== 'number' || !Number.isFinite(burst) || burst < 1) {
    throw new InvalidRateRuleError(
      name,
      `burst must be a finite number >= 1, got ${String(burst)}`,
    );
  }
}

/** Throws InvalidRateCostError unless 0 < cost <= burst (a larger cost could never be allowed). */
export function validateCost(cost: number, parameters: TokenBucketParameters): void {
  if (typeof cost !== 'number' || !Number.isFinite(cost) || cost <= 0) {
    throw new InvalidRateCostError(cost, 'cost must be a finite number > 0');
  }
  if (cost > parameters.burst) {
    throw new InvalidRateCostError(
      cost,
      `cost exceeds the burst (${parameters.burst}), so it could never be allowed`,
    );
  }
}

export function fullBucket(parameters: TokenBucketParameters, nowMs: number): TokenBucketState {
  return { tokens: parameters.burst, updatedMs: nowMs };
}

/**
 * The bucket as of `nowMs`. A clock that went backwards (NTP step, Redis failover to a host whose
 * clock lags) adds nothing and leaves `updatedMs` where it was, so the same interval is never
 * counted twice once the clock catches up again. Tokens above the burst (the rule was tightened
 * since) are cut down to it.
 */
export function refill(
  state: TokenBucketState,
  parameters: TokenBucketParameters,
  nowMs: number,
): TokenBucketState {
  const elapsedMs = nowMs - state.updatedMs;
  if (!(elapsedMs > 0))
    return { tokens: Math.min(state.tokens, parameters.burst), updatedMs: state.updatedMs };
  return {
    tokens: Math.min(
      parameters.burst,
      state.tokens + (elapsedMs * parameters.ratePerSecond) / 1000,
    ),
    updatedMs: nowMs,
  };
}

/** Milliseconds until the bucket is full again, i.e. until it is indistinguishable from no bucket. */
export function msUntilFull(state: TokenBucketState, parameters: TokenBucketParameters): number {
  const missing = parameters.burst - state.tokens;
  return missing <= tokenEpsilon ? 0 : Math.ceil((missing * 1000) / parameters.ratePerSecond);
}

/** Whole takes of cost 1 still possible right now. */
export function wholeTokens(state: TokenBucketState): number {
  return Math.max(0, Math.floor(state.tokens + tokenEpsilon));
}

/**
 * Takes `cost` tokens if they are there. `state` undefined means a key never seen (a full bucket).
 * Throws InvalidRateRuleError / InvalidRateCostError on bad parameters, RangeError on a non-finite clock.
 */
export function take(
  state: TokenBucketState | undefined,
  parameters: TokenBucketParameters,
  nowMs: number,
  cost = 1,
): TokenBucketTake {
  validateBucketParameters(parameters);
  validateCost(cost, parameters);
  if (!Number.isFinite(nowMs)) throw new RangeError(`nowMs must be finite, got ${String(nowMs)}`);
  const current = refill(state ?? fullBucket(parameters, nowMs), parameters, nowMs);
  if (current.tokens + tokenEpsilon >= cost) {
    return {
      allowed: true,
      state: { tokens: Math.max(0, current.tokens - cost), updatedMs: current.updatedMs },
      retryAfterMs: 0,
    };
  }
  // When the clock is behind `updatedMs`, refill restarts only once it passes it again.
  const behindMs = Math.max(0, current.updatedMs - nowMs);
  return {
    allowed: false,
    state: current,
    retryAfterMs: Math.ceil(behindMs + ((cost - current.tokens) * 1000) / parameters.ratePerSecond),
  };
}
