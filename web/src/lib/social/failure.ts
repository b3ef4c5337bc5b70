import { ApiProblem } from '../api/api-problem.ts';
import { RealtimeError } from '@binge/core/protocol/realtime-client/client';

/**
 * Whatever went wrong (an API problem, a gateway error, a thrown bug) as the screen tells it: a
 * stable code to quote to support, and the server's detail when it said more. The heading ("The
 * comments could not be loaded") is the caller's, in the viewer's language; the code is not
 * translated, so it can be searched in docs/errors.md and docs/protocol.md.
 */
export interface Failure {
  readonly code: string;
  readonly detail: string | null;
  /** Worth a retry: the network, a timeout, a 5xx, a rate limit. */
  readonly transient: boolean;
}

const transientRealtime = new Set(['timeout', 'disconnected', 'deadline']);

export function failureOf(error: unknown): Failure {
  if (error instanceof ApiProblem) {
    const detail = error.problem.detail ?? error.problem.title;
    return {
      code: error.code,
      detail: typeof detail === 'string' && detail !== '' ? detail : null,
      transient: error.status >= 500 || error.status === 429,
    };
  }
  if (error instanceof RealtimeError) {
    return {
      code: error.codeName ?? `REALTIME_${error.kind.toUpperCase()}`,
      detail: error.message || null,
      transient:
        transientRealtime.has(error.kind) ||
        error.codeName === 'RATE_LIMITED' ||
        error.codeName === 'INTERNAL',
    };
  }
  return {
    code: 'CLIENT_ERROR',
    detail: error instanceof Error ? error.message : String(error),
    transient: false,
  };
}
