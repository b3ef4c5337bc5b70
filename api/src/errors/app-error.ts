import { errorRegistry, type ErrorCode } from '@binge/core/protocol/errors';

/** An expected failure with a registry code; the error handler sends it as problem details. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    detail?: string,
    /** Extra response headers, e.g. `Content-Range` on a 416 or `Allow` on a 405. */
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? errorRegistry[code].title);
    this.name = 'AppError';
    this.status = errorRegistry[code].status;
  }
}
