import { parsePhoneNumber } from '@binge/core/accounts/phone-number';
import { hashSmsCode, newSmsCode, smsCodeMatches } from '@binge/core/accounts/sms-code';
import type { SmsCodeStore } from '@binge/core/accounts/sms-code-store';
import { signInMessage, type SmsSender } from '@binge/core/accounts/sms-sender';
import type { SmsCodeSent } from '@binge/core/protocol/accounts';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import type { SignInLimits } from './sign-in-limits.ts';

/**
 * Proving a phone number with a one-time SMS code: used by phone sign-in (POST /auth/sms/verify)
 * and by a signed-in user adding a phone (POST /me/identities/phone). Codes are single use, live 5
 * minutes, allow 5 guesses, and are compared in constant time (sms-code.ts); sends and failures
 * are limited per number and per address (sign-in-limits.ts).
 */
export interface PhoneVerification {
  /** Sends a new code; PHONE_INVALID, RATE_LIMITED or SMS_SEND_FAILED otherwise. */
  send(phone: string, ip: string, log: FastifyBaseLogger): Promise<SmsCodeSent>;
  /**
   * The E.164 number once `code` is its live code (which is then used up); PHONE_INVALID,
   * SIGN_IN_LOCKED or SMS_CODE_INVALID otherwise.
   */
  verify(phone: string, code: string, ip: string): Promise<string>;
}

export const SMS_CODE_TTL_SECONDS = 300;
export const SMS_CODE_MAX_ATTEMPTS = 5;

export function parsePhoneOrThrow(input: string): string {
  const parsed = parsePhoneNumber(input);
  if (!parsed.ok) throw new AppError('PHONE_INVALID', `phone ${parsed.reason}`);
  return parsed.e164;
}

export function createPhoneVerification(options: {
  codes: SmsCodeStore;
  limits: SignInLimits;
  sender: SmsSender;
  /** deriveSmsCodeKey(AUTH_SECRET). */
  codeKey: Buffer;
  nowMs?: () => number;
}): PhoneVerification {
  const { codes, limits, sender, codeKey } = options;
  const nowMs = options.nowMs ?? Date.now;

  return {
    async send(input, ip, log) {
      const phone = parsePhoneOrThrow(input);
      await limits.takeSend(phone, ip);
      const code = newSmsCode();
      const now = nowMs();
      const expiresAt = new Date(now + SMS_CODE_TTL_SECONDS * 1000);
      await codes.issue({
        phone,
        codeHash: hashSmsCode(codeKey, phone, code),
        ip,
        expiresAt,
        now: new Date(now),
      });
      try {
        await sender.send({
          to: phone,
          code,
          text: signInMessage(code, SMS_CODE_TTL_SECONDS / 60),
        });
      } catch (error) {
        log.error({ err: error, provider: sender.kind }, 'SMS provider refused a sign-in code');
        // The user did not get a code, so the wait for the next one is not theirs to serve.
        await limits.refundSend(phone);
        throw new AppError('SMS_SEND_FAILED', 'The code could not be sent; try again shortly');
      }
      return {
        expiresAt: expiresAt.toISOString(),
        resendAfterSeconds: limits.settings.sendPerPhone.durationSeconds,
      };
    },

    async verify(input, code, ip) {
      const phone = parsePhoneOrThrow(input);
      await limits.assertNotLocked(phone, ip);
      const outcome = await codes.verify({
        phone,
        matches: (hash) => smsCodeMatches(codeKey, phone, code, hash),
        maxAttempts: SMS_CODE_MAX_ATTEMPTS,
        now: new Date(nowMs()),
      });
      if (outcome.kind === 'verified') {
        await limits.recordSuccess(phone);
        return phone;
      }
      await limits.recordFailure(phone, ip);
      throw new AppError(
        'SMS_CODE_INVALID',
        outcome.kind === 'wrong' && outcome.attemptsLeft > 0
          ? `Wrong code; ${outcome.attemptsLeft} more tries with this code`
          : 'No valid code for this number: it expired, was used or was guessed too often; send a new one',
      );
    },
  };
}
