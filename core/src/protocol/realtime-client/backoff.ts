import { closeCodeNames, closeCodes, reconnectPolicy } from '../realtime/codes.ts';

/**
 * When to reconnect after the socket closed: the close-code policy of docs/protocol.md ("Close
 * codes", `reconnectPolicy` in ../realtime/codes.ts) combined with capped exponential backoff and
 * jitter, after Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/). Without jitter every
 * client a restart or an outage dropped comes back in the same millisecond, again and again.
 *
 * Pure: the socket wrapper owns the timer, passes the time and the random source, and keeps the
 * returned state.
 */

/**
 * `full`: uniform in [minDelayMs, min(maxDelayMs, minDelayMs · 2^(attempt+1))]; the blog's "Full
 * Jitter" with a floor, so no reconnect comes sooner than `minDelayMs` after a drop.
 * `decorrelated`: min(maxDelayMs, uniform in [minDelayMs, previous delay · 3]), the blog's
 * "Decorrelated Jitter", which grows from the previous delay instead of the attempt number.
 */
export type JitterKind = 'full' | 'decorrelated';

export interface BackoffOptions {
  /** Shortest backoff delay; docs/protocol.md: 1 s. */
  minDelayMs?: number;
  /** Cap of the backoff delay; docs/protocol.md: 30 s. */
  maxDelayMs?: number;
  jitter?: JitterKind;
  /** `jitter` policy (server restart): reconnect after uniform [0, this); docs/protocol.md: 5 s. */
  restartSpreadMs?: number;
  /**
   * A connection that stayed open this long was healthy: the next close starts the backoff over,
   * so one drop after an hour online does not wait as long as the tenth failed attempt in a row.
   */
  healthyAfterMs?: number;
}

export interface BackoffState {
  readonly options: Readonly<Required<BackoffOptions>>;
  /** Consecutive backoff attempts since the last healthy connection. */
  readonly attempt: number;
  /** The last backoff delay (decorrelated jitter grows from it); 0 before the first. */
  readonly lastDelayMs: number;
  /** When the current connection opened, or null while not connected. */
  readonly openedAtMs: number | null;
}

export type ReconnectDecision =
  | { readonly action: 'reconnect'; readonly delayMs: number; readonly state: BackoffState }
  | {
      readonly action: 'refresh-token-then-reconnect';
      readonly delayMs: number;
      readonly state: BackoffState;
    }
  | { readonly action: 'stop'; readonly reason: string; readonly state: BackoffState };

/** A source of uniform numbers in [0, 1): `Math.random` in the app, a seeded PRNG in tests. */
export type RandomSource = () => number;

function checkDelay(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  }
}

export function createBackoff(options: BackoffOptions = {}): BackoffState {
  const resolved = {
    minDelayMs: options.minDelayMs ?? 1_000,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    jitter: options.jitter ?? 'full',
    restartSpreadMs: options.restartSpreadMs ?? 5_000,
    healthyAfterMs: options.healthyAfterMs ?? 30_000,
  } satisfies Required<BackoffOptions>;
  checkDelay('minDelayMs', resolved.minDelayMs, 1);
  checkDelay('maxDelayMs', resolved.maxDelayMs, resolved.minDelayMs);
  checkDelay('restartSpreadMs', resolved.restartSpreadMs, 0);
  checkDelay('healthyAfterMs', resolved.healthyAfterMs, 0);
  if (resolved.jitter !== 'full' && resolved.jitter !== 'decorrelated') {
    throw new RangeError(`jitter must be 'full' or 'decorrelated', got ${String(resolved.jitter)}`);
  }
  return { options: Object.freeze(resolved), attempt: 0, lastDelayMs: 0, openedAtMs: null };
}

/** The socket opened (after `welcome`, so a gateway that accepts and drops at once is not healthy). */
export function connectionOpened(state: BackoffState, atMs: number): BackoffState {
  return { ...state, openedAtMs: atMs };
}

function uniform(random: RandomSource, low: number, high: number): number {
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${r}`);
  return Math.floor(low + r * (high - low));
}

function backoffDelay(state: BackoffState, random: RandomSource): number {
  const { minDelayMs, maxDelayMs, jitter } = state.options;
  if (jitter === 'decorrelated') {
    const previous = Math.max(state.lastDelayMs, minDelayMs);
    return Math.min(maxDelayMs, uniform(random, minDelayMs, previous * 3));
  }
  // 2^attempt overflows to Infinity past attempt 1023; Math.min keeps the cap either way.
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** (state.attempt + 1));
  return uniform(random, minDelayMs, ceiling);
}

function closeName(code: number): string {
  for (const name of closeCodeNames) {
    if (closeCodes[name].code === code) return name;
  }
  return `close code ${code}`;
}

/**
 * What to do after the socket closed with `closeCode` at `atMs` (the browser reports 1006 when
 * the connection failed or dropped without a close frame). A connection that stayed open at least
 * `healthyAfterMs` resets the backoff first.
 *
 * - `never` codes stop; the reason names the code, for the message to the user.
 * - `jitter` (server restart) reconnects after uniform [0, restartSpreadMs) and does not count as a
 *   failed attempt: the server is going away on purpose.
 * - `backoff` reconnects after the next jittered exponential delay.
 * - `newToken` asks for a fresh token first, with the backoff delay, so a refresh that keeps
 *   yielding a token the server finds expired (a skewed clock) does not loop at full speed.
 */
export function nextDelay(
  state: BackoffState,
  closeCode: number,
  random: RandomSource,
  atMs?: number,
): ReconnectDecision {
  const healthy =
    state.openedAtMs !== null &&
    atMs !== undefined &&
    atMs - state.openedAtMs >= state.options.healthyAfterMs;
  const base: BackoffState = healthy
    ? { ...state, attempt: 0, lastDelayMs: 0, openedAtMs: null }
    : { ...state, openedAtMs: null };

  const policy = reconnectPolicy(closeCode);
  switch (policy) {
    case 'never':
      return { action: 'stop', reason: closeName(closeCode), state: base };
    case 'jitter':
      return {
        action: 'reconnect',
        delayMs: uniform(random, 0, base.options.restartSpreadMs),
        state: base,
      };
    case 'backoff':
    case 'newToken': {
      const delayMs = backoffDelay(base, random);
      const next: BackoffState = { ...base, attempt: base.attempt + 1, lastDelayMs: delayMs };
      return policy === 'newToken'
        ? { action: 'refresh-token-then-reconnect', delayMs, state: next }
        : { action: 'reconnect', delayMs, state: next };
    }
  }
}
