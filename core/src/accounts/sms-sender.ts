/**
 * The SMS port: how a sign-in code reaches a phone. The embedded default writes the message to the
 * log (sms-sender-log.ts), which is what a developer running `npm start` needs; a deployment that
 * sends real messages adds one adapter file beside it (Aliyun SMS, Tencent Cloud SMS, Twilio ...)
 * and one case in core/src/runtime/adapters.ts createSmsSender, chosen by SMS_PROVIDER.
 *
 * An adapter resolves once the provider accepted the message and rejects when it did not; the
 * sign-in code is already stored by then, so a failed send can simply be retried by the user.
 */
export interface SmsMessage {
  /** E.164, already validated (phone-number.ts). */
  to: string;
  /** The full text, code included. */
  text: string;
  /** The one-time code alone, for adapters whose provider fills a registered template with it. */
  code: string;
}

export interface SmsSender {
  /** Which adapter this is, for logs and the readiness of a deployment. */
  readonly kind: string;
  send(message: SmsMessage): Promise<void>;
}

/** The sign-in message; short enough for one GSM-7 or UCS-2 segment. */
export function signInMessage(code: string, ttlMinutes: number): string {
  return `【binge】${code} is your sign-in code, valid ${ttlMinutes} min. 验证码，请勿泄露。`;
}
