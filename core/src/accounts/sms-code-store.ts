/**
 * One-time sign-in codes by phone (`sms_codes`), stored as hashes (sms-code.ts). A phone has at
 * most one live code: the newest, unexpired, unused one with guesses left. Sending again retires
 * the previous code, so the number of live codes an attacker can aim at never grows.
 *
 * Implementation: sms-code-store-sql.ts; tests in sms-code-store.test.ts run against PGlite and
 * PostgreSQL.
 */
export type SmsVerifyOutcome =
  /** The code matched and is used up now. */
  | { kind: 'verified' }
  /** Wrong code: one guess spent; at 0 the code is dead. */
  | { kind: 'wrong'; attemptsLeft: number }
  /** No live code: never sent, expired, already used, superseded or out of guesses. */
  | { kind: 'none' };

export interface SmsCodeStore {
  /** Stores a new code for `phone` and retires the phone's earlier ones. */
  issue(input: {
    phone: string;
    codeHash: string;
    ip: string | null;
    expiresAt: Date;
    now: Date;
  }): Promise<void>;
  /**
   * Checks the phone's live code with `matches` (given the stored hash; it compares in constant
   * time) under a row lock, so two guesses at once are counted as two and a code is used once.
   */
  verify(input: {
    phone: string;
    matches: (codeHash: string) => boolean;
    maxAttempts: number;
    now: Date;
  }): Promise<SmsVerifyOutcome>;
}
