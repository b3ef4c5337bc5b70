import type { Problem } from '@binge/core/protocol/catalog';

/**
 * An API answer that was not a success, carried as RFC 9457 problem details. Every failure the
 * client meets (a problem+json body, a proxy's HTML error page, a dropped connection) becomes one,
 * so pages always have a title and a code to show.
 */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem & Record<string, unknown>) {
    super(`${problem.code}: ${problem.title}`);
    this.name = 'ApiProblem';
  }

  get status(): number {
    return this.problem.status;
  }

  get code(): string {
    return this.problem.code;
  }
}

const statusTitles: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign-in required',
  402: 'Payment required',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  429: 'Too many requests',
  500: 'Server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

/**
 * Reads a failed response's body as problem details (RFC 9457 §3). A body that is not a problem
 * object (an HTML error page from a proxy, plain text) still yields one, coded `HTTP_<status>`.
 */
export function parseProblem(status: number, body: string): Problem & Record<string, unknown> {
  const fallbackTitle = statusTitles[status] ?? `HTTP ${status}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = null;
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const object = parsed as Record<string, unknown>;
    return {
      ...object,
      type: typeof object.type === 'string' ? object.type : 'about:blank',
      title: typeof object.title === 'string' && object.title ? object.title : fallbackTitle,
      status: typeof object.status === 'number' ? object.status : status,
      code: typeof object.code === 'string' && object.code ? object.code : `HTTP_${status}`,
      ...(typeof object.detail === 'string' ? { detail: object.detail } : {}),
    };
  }
  const text = body.trim();
  return {
    type: 'about:blank',
    title: fallbackTitle,
    status,
    code: `HTTP_${status}`,
    ...(text && text.length <= 200 && !text.startsWith('<') ? { detail: text } : {}),
  };
}

/** The problem for a request that never got an answer (offline, DNS, connection reset). */
export function networkProblem(error: unknown): Problem & Record<string, unknown> {
  return {
    type: 'about:blank',
    title: 'Network error',
    status: 503,
    code: 'NETWORK_ERROR',
    detail: error instanceof Error ? error.message : String(error),
  };
}
