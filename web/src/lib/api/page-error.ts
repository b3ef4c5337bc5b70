import { error } from '@sveltejs/kit';
import { ApiProblem } from './api-problem.ts';

/**
 * Turns a failure inside a load into SvelteKit's error page, carrying the API problem's title,
 * code and detail so +error.svelte can show them (never a blank page). Anything that is not an
 * ApiProblem is a bug in the client and surfaces as SvelteKit's own 500.
 */
export function pageError(failure: unknown): never {
  if (failure instanceof ApiProblem) {
    const status = failure.status >= 400 && failure.status <= 599 ? failure.status : 502;
    error(status, {
      message: failure.problem.title,
      code: failure.problem.code,
      ...(failure.problem.detail ? { detail: failure.problem.detail } : {}),
    });
  }
  throw failure;
}

/** Route parameters that name a row must be positive integers; anything else is a coded 404. */
export function idParam(raw: string, code: string, what: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw))
    error(404, { message: `No such ${what}`, code, detail: `"${raw}" is not a ${what} id` });
  return Number(raw);
}
