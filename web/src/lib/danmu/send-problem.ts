import { sanitizeText, type TextRejection } from '@binge/core/protocol/realtime/danmu-text';
import { RealtimeError } from '@binge/core/protocol/realtime-client/client';

/**
 * Why a danmu could not be sent, as a message key of messages.ts and the code shown beside it.
 * The text is checked here with core's own policy first (danmu-text.ts), so a rejected text is
 * explained at once and costs no round trip; what the gateway refuses maps by its error code.
 */
export type SendProblemKey =
  | 'empty'
  | 'tooLong'
  | 'badCharacters'
  | 'markup'
  | 'textRejected'
  | 'rateLimited'
  | 'muted'
  | 'banned'
  | 'signIn'
  | 'denied'
  | 'notFound'
  | 'offline'
  | 'failed';

export interface SendProblem {
  key: SendProblemKey;
  code: string;
}

const rejectionKeys: Record<TextRejection, SendProblemKey> = {
  empty: 'empty',
  tooLong: 'tooLong',
  control: 'badCharacters',
  bidi: 'badCharacters',
  surrogate: 'badCharacters',
  noncharacter: 'badCharacters',
  markup: 'markup',
};

export type DraftVerdict = { ok: true; text: string } | { ok: false; problem: SendProblem };

/** The text as it will be stored, or why it cannot be sent. */
export function checkDraft(input: string): DraftVerdict {
  const verdict = sanitizeText(input, 'danmu');
  if (verdict.ok) return { ok: true, text: verdict.text };
  return {
    ok: false,
    problem: { key: rejectionKeys[verdict.reason], code: `TEXT_${verdict.reason.toUpperCase()}` },
  };
}

/** A failed publish as a problem to show. */
export function sendProblem(error: unknown): SendProblem {
  if (!(error instanceof RealtimeError)) return { key: 'failed', code: 'CLIENT_ERROR' };
  const code = error.codeName ?? error.kind.toUpperCase();
  switch (error.codeName) {
    case 'RATE_LIMITED':
      return { key: 'rateLimited', code };
    case 'TEXT_REJECTED':
      return { key: 'textRejected', code };
    case 'BLOCKED':
      return { key: 'muted', code };
    case 'ACCOUNT_BANNED':
      return { key: 'banned', code };
    case 'UNAUTHORIZED':
    case 'TOKEN_INVALID':
    case 'TOKEN_EXPIRED':
      return { key: 'signIn', code };
    case 'PERMISSION_DENIED':
      return { key: 'denied', code };
    case 'NOT_FOUND':
      return { key: 'notFound', code };
  }
  switch (error.kind) {
    case 'deadline':
    case 'timeout':
    case 'disconnected':
    case 'closed':
      return { key: 'offline', code };
    default:
      return { key: 'failed', code };
  }
}
