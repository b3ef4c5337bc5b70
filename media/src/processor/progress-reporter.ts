import { topics, type Bus, type MediaProgressMessage } from '@binge/core/bus';
import type { Logger } from '@binge/core/log';

export type Stage = MediaProgressMessage['stage'];

/**
 * Publishes `media.progress` and the job's own progress. Transcode ticks are thinned to one per
 * second (or per 5%) so a fast encode does not flood the bus; stage changes always go out. A bus
 * or queue hiccup is logged, never allowed to fail the job it reports on.
 */
export function createProgressReporter(options: {
  bus: Bus;
  logger: Logger;
  jobId: string;
  episodeId: number;
  updateProgress: (progress: number) => Promise<void>;
  now?: () => number;
}) {
  const now = options.now ?? Date.now;
  let lastAt = 0;
  let lastProgress = -1;
  let lastStage: Stage | null = null;

  return async function report(stage: Stage, progress: number, error?: string): Promise<void> {
    const rounded = Math.round(Math.min(1, Math.max(0, progress)) * 1000) / 1000;
    const stageChanged = stage !== lastStage;
    if (!stageChanged && now() - lastAt < 1000 && rounded - lastProgress < 0.05) return;
    lastStage = stage;
    lastAt = now();
    lastProgress = rounded;
    const message: MediaProgressMessage = {
      jobId: options.jobId,
      episodeId: options.episodeId,
      stage,
      progress: rounded,
      ...(error === undefined ? {} : { error }),
    };
    try {
      await options.bus.publish(topics.mediaProgress, message);
      if (stage !== 'failed') await options.updateProgress(rounded);
    } catch (failure) {
      options.logger.warn(
        { err: failure, jobId: options.jobId },
        'could not report media progress',
      );
    }
  };
}
