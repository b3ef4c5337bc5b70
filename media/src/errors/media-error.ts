/**
 * The coded errors of the media pipeline. The code travels into media_assets.error and the queue's
 * failedReason as `CODE: reason`, so an operator sees why an episode did not publish.
 */
export const mediaErrorCodes = {
  MEDIA_SOURCE_INVALID:
    'The source file is not decodable media (ffprobe rejected it or it has no video).',
  MEDIA_SOURCE_MISSING: 'No object exists at the source storage key.',
  MEDIA_EPISODE_NOT_FOUND: 'The job names an episode that does not exist.',
  MEDIA_FFMPEG_NOT_FOUND:
    'No runnable ffmpeg/ffprobe binary was found (config, PATH or npm package).',
  MEDIA_FFMPEG_FAILED: 'An ffmpeg run exited with a non-zero status.',
  MEDIA_ABORTED: 'The job was aborted (process shutdown); it runs again later.',
  MEDIA_JOB_INVALID: 'The job payload or job name is not one the media worker understands.',
  MEDIA_DEMO_SERIES_UNKNOWN: 'A demo-source job names a series or episode not in the demo catalog.',
} as const;

export type MediaErrorCode = keyof typeof mediaErrorCodes;

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${reason}`, options);
    this.name = 'MediaError';
  }
}

/** Wraps an abort in the pipeline's own code so logs and the DB say "aborted", not "failed". */
export function abortError(signal: AbortSignal): MediaError {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'shutting down';
  return new MediaError('MEDIA_ABORTED', reason);
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}
