/**
 * Coded errors of the rate limiters. They mark programming or configuration mistakes (a rule the
 * gateway built wrongly, an empty key), never a refusal: a refused take is an ordinary answer
 * (`allowed: false`), not an exception. When the gateway's error registry exists, these codes join it.
 */
export class InvalidRateRuleError extends Error {
  readonly code = 'INVALID_RATE_RULE';
  constructor(
    readonly ruleName: string,
    reason: string,
  ) {
    super(`Invalid rate rule ${JSON.stringify(ruleName)}: ${reason}`);
    this.name = 'InvalidRateRuleError';
  }
}

export class InvalidRateKeyError extends Error {
  readonly code = 'INVALID_RATE_KEY';
  constructor(reason: string) {
    super(`Invalid rate-limit key: ${reason}`);
    this.name = 'InvalidRateKeyError';
  }
}

export class InvalidRateCostError extends Error {
  readonly code = 'INVALID_RATE_COST';
  constructor(
    readonly cost: number,
    reason: string,
  ) {
    super(`Invalid rate-limit cost ${String(cost)}: ${reason}`);
    this.name = 'InvalidRateCostError';
  }
}

export class RateLimiterClosedError extends Error {
  readonly code = 'RATE_LIMITER_CLOSED';
  constructor(readonly kind: string) {
    super(`The ${kind} rate limiter is closed`);
    this.name = 'RateLimiterClosedError';
  }
}
