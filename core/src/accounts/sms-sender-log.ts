import type { Logger } from '../log/logger.ts';
import type { SmsSender } from './sms-sender.ts';

/**
 * SMS_PROVIDER=log (the default): nothing leaves the machine; each message is written to the log at
 * info with `sms: true` and the code, so a developer signs in by reading the console. It says so
 * loudly, because in production it would hand every code to whoever reads the logs: configure a
 * real provider there (sms-sender.ts).
 */
export function createLogSmsSender(logger: Logger): SmsSender {
  const log = logger.child({ component: 'sms-log' });
  return {
    kind: 'log',
    async send(message) {
      log.info(
        { sms: true, to: message.to, code: message.code, text: message.text },
        `SMS (log provider, not sent): sign-in code ${message.code} for ${message.to}`,
      );
    },
  };
}
