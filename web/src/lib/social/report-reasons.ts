/**
 * What may be reported and why: a copy of the API's list (core/src/moderation/store.ts, which web
 * may not import); tests/e2e/social.test.ts fails when the two differ. The words shown for each
 * reason are in messages.ts.
 */
export const reportReasons = [
  'spam',
  'abuse',
  'sexual',
  'violence',
  'illegal',
  'minor_safety',
  'other',
] as const;
export type ReportReason = (typeof reportReasons)[number];

export type ReportTargetType = 'comment' | 'chat' | 'dm' | 'user';
