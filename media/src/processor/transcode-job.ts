import type { TranscodeJobData } from '@binge/core/queue';
import { MediaError } from '../errors/media-error.ts';

/** Validates a `transcode` payload: it crossed a queue, possibly from another process or version. */
export function checkTranscodeJob(data: unknown): TranscodeJobData {
  const value = data as Partial<TranscodeJobData> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    !Number.isSafeInteger(value.episodeId) ||
    (value.episodeId as number) < 1 ||
    typeof value.sourceKey !== 'string' ||
    value.sourceKey.length === 0
  ) {
    throw new MediaError(
      'MEDIA_JOB_INVALID',
      `transcode job needs { episodeId, sourceKey }, got ${JSON.stringify(data)}`,
    );
  }
  return { episodeId: value.episodeId as number, sourceKey: value.sourceKey };
}
