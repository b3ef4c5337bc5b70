import type { SmsMessage, SmsSender } from './sms-sender.ts';

/**
 * The test adapter: keeps every message in memory so a test reads the code a phone would have
 * received (`sms.lastCodeTo(phone)`), and can make the provider fail to see what a user gets then.
 */
export interface RecordingSmsSender extends SmsSender {
  readonly sent: SmsMessage[];
  /** The code of the newest message to `phone`; throws when none was sent there. */
  lastCodeTo(phone: string): string;
  /** Makes the next `count` sends reject as a provider outage would. */
  failNext(count?: number): void;
}

export function createRecordingSmsSender(): RecordingSmsSender {
  const sent: SmsMessage[] = [];
  let failures = 0;
  return {
    kind: 'recording',
    sent,
    async send(message) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('SMS provider unavailable (recording adapter told to fail)');
      }
      sent.push({ ...message });
    },
    lastCodeTo(phone) {
      for (let i = sent.length - 1; i >= 0; i--) if (sent[i]!.to === phone) return sent[i]!.code;
      throw new Error(`no SMS was sent to ${phone}`);
    },
    failNext(count = 1) {
      failures += count;
    },
  };
}
