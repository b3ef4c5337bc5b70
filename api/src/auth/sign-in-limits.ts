import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppError } from '../errors/app-error.ts';

/**
 * Limits of phone sign-in, against SMS pumping (sending codes to numbers nobody asked for, on our
 * bill) and code guessing. Counters live in Redis when the API runs as several processes, so a
 * client cannot multiply its allowance by spreading requests over them, and in process memory on
 * the embedded platform (one process). A Redis outage falls back to each process's memory
 * (rate-limiter-flexible's insurance limiter) rather than refusing every sign-in.
 *
 * Guessing has three bounds: 5 guesses per code (the code row, sms-code-store.ts), and failed
 * verifications per phone and per address, past which the phone or the address is locked out for
 * an hour. With the defaults an attacker gets at most 10 guesses per phone per hour against a
 * million codes.
 */
export interface Window {
  /** Allowed in the window. */
  points: number;
  durationSeconds: number;
}

export interface Lockout extends Window {
  /** How long a phone or address stays locked once `points` failures are reached. */
  lockSeconds: number;
}

export interface SignInLimitSettings {
  sendPerPhone: Window;
  sendPerPhoneDaily: Window;
  sendPerIp: Window;
  failuresPerPhone: Lockout;
  failuresPerIp: Lockout;
}

export const defaultSignInLimits: SignInLimitSettings = {
  sendPerPhone: { points: 1, durationSeconds: 60 },
  sendPerPhoneDaily: { points: 10, durationSeconds: 24 * 3600 },
  sendPerIp: { points: 20, durationSeconds: 3600 },
  failuresPerPhone: { points: 10, durationSeconds: 3600, lockSeconds: 3600 },
  failuresPerIp: { points: 30, durationSeconds: 3600, lockSeconds: 3600 },
};

export interface SignInLimits {
  readonly settings: SignInLimitSettings;
  /** Takes one code send for the phone and the address; RATE_LIMITED with Retry-After when out. */
  takeSend(phone: string, ip: string): Promise<void>;
  /** Gives back the phone's per-minute send when the provider did not take the message. */
  refundSend(phone: string): Promise<void>;
  /** SIGN_IN_LOCKED with Retry-After when the phone or the address is locked out. */
  assertNotLocked(phone: string, ip: string): Promise<void>;
  /** Counts a failed verification; SIGN_IN_LOCKED when it is the one that locks. */
  recordFailure(phone: string, ip: string): Promise<void>;
  /** A right code clears the phone's failures (the address keeps its own). */
  recordSuccess(phone: string): Promise<void>;
}

const retryAfterSeconds = (ms: number) => String(Math.max(1, Math.ceil(ms / 1000)));

export function createSignInLimits(options: {
  redis?: Redis;
  /** Prefix of the Redis keys (REDIS_PREFIX), so deployments sharing a Redis do not share limits. */
  prefix: string;
  settings?: Partial<SignInLimitSettings>;
}): SignInLimits {
  const settings = { ...defaultSignInLimits, ...options.settings };
  const limiter = (name: string, window: Window): RateLimiterAbstract => {
    const base = {
      keyPrefix: `${options.prefix}signin:${name}`,
      points: window.points,
      duration: window.durationSeconds,
    };
    return options.redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: options.redis,
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
  };
  const sendPerPhone = limiter('send-phone', settings.sendPerPhone);
  const sendPerPhoneDaily = limiter('send-phone-day', settings.sendPerPhoneDaily);
  const sendPerIp = limiter('send-ip', settings.sendPerIp);
  const failuresPerPhone = limiter('fail-phone', settings.failuresPerPhone);
  const failuresPerIp = limiter('fail-ip', settings.failuresPerIp);

  /** Consumes one point, or throws `code` with the wait; store failures propagate. */
  async function take(limit: RateLimiterAbstract, key: string, detail: string): Promise<void> {
    try {
      await limit.consume(key);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw new AppError('RATE_LIMITED', detail, {
        'retry-after': retryAfterSeconds(error.msBeforeNext),
      });
    }
  }

  function locked(detail: string, ms: number): AppError {
    return new AppError('SIGN_IN_LOCKED', detail, { 'retry-after': retryAfterSeconds(ms) });
  }

  /** Locked: more than `points` failures recorded (block() stores points + 1). */
  async function lockedFor(limit: RateLimiterAbstract, points: number, key: string) {
    const state = await limit.get(key);
    return state !== null && state.consumedPoints > points ? state.msBeforeNext : 0;
  }

  async function fail(limit: RateLimiterAbstract, lockout: Lockout, key: string): Promise<number> {
    try {
      const state = await limit.consume(key);
      if (state.consumedPoints < lockout.points) return 0;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
    }
    await limit.block(key, lockout.lockSeconds);
    return lockout.lockSeconds * 1000;
  }

  return {
    settings,

    async takeSend(phone, ip) {
      // The address first: a pumping client is stopped before it uses up a victim's allowance.
      await take(sendPerIp, ip, 'Too many codes requested from this address');
      await take(
        sendPerPhone,
        phone,
        'A code was just sent to this number; wait before asking again',
      );
      await take(sendPerPhoneDaily, phone, 'Too many codes sent to this number today');
    },

    async refundSend(phone) {
      await sendPerPhone.reward(phone, 1);
      await sendPerPhoneDaily.reward(phone, 1);
    },

    async assertNotLocked(phone, ip) {
      const phoneMs = await lockedFor(failuresPerPhone, settings.failuresPerPhone.points, phone);
      if (phoneMs > 0) throw locked('Too many wrong codes for this number', phoneMs);
      const ipMs = await lockedFor(failuresPerIp, settings.failuresPerIp.points, ip);
      if (ipMs > 0) throw locked('Too many wrong codes from this address', ipMs);
    },

    async recordFailure(phone, ip) {
      const phoneMs = await fail(failuresPerPhone, settings.failuresPerPhone, phone);
      const ipMs = await fail(failuresPerIp, settings.failuresPerIp, ip);
      if (phoneMs > 0) throw locked('Too many wrong codes for this number', phoneMs);
      if (ipMs > 0) throw locked('Too many wrong codes from this address', ipMs);
    },

    async recordSuccess(phone) {
      await failuresPerPhone.delete(phone);
    },
  };
}
