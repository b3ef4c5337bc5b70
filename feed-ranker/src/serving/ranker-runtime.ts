import type { Bus } from '@binge/core/bus';
import type { Config } from '@binge/core/config';
import type { Database } from '@binge/core/db';
import type { Logger } from '@binge/core/log';
import type { Queue } from '@binge/core/queue';
import type { Storage } from '@binge/core/storage';
import { createModelRegistry, type ModelRegistry } from '../model/registry.ts';
import { createTrainingProcessor, scheduleTraining } from '../training/train-schedule.ts';
import { createFeedRanker, type FeedRanker } from './feed-ranker.ts';

/**
 * The serving side of the ranker in one process: the model registry (hot-swapped models), the
 * feed ranker over it, and training on the `ranker` queue with its schedule. The embedded platform
 * (bin/platform.ts) and the ranker's own process (server.ts) start it the same way; the event
 * consumer that keeps the features fresh is started beside it.
 */
export interface RankerRuntime {
  feed: FeedRanker;
  registry: ModelRegistry;
  /**
   * Stops the schedule and the registry. Close the queue first: that hands an active training job
   * back to it (it reruns at next start).
   */
  stop(): Promise<void>;
}

export interface RankerRuntimeDeps {
  config: Pick<
    Config,
    'authSecret' | 'rankerBackend' | 'rankerExplorePercent' | 'rankerTrainMinutes'
  >;
  db: Database;
  storage: Storage;
  logger: Logger;
  /** Where new models are announced (the registries of every process reload at once). */
  bus?: Bus;
  /** The `ranker` queue (queueNames.ranker); worked here. The caller closes it. */
  queue: Queue;
  /** Uniform in [0, 1) for exploration; Math.random unless set. */
  random?: () => number;
}

export async function startRankerRuntime(deps: RankerRuntimeDeps): Promise<RankerRuntime> {
  const { config, db, storage, bus, queue } = deps;
  const logger = deps.logger.child({ component: 'ranker' });
  const registry = createModelRegistry({
    db,
    storage,
    logger,
    backend: config.rankerBackend,
    ...(bus ? { bus } : {}),
  });
  await registry.start();
  const feed = createFeedRanker({
    db,
    registry,
    logger,
    authSecret: config.authSecret,
    explorePercent: config.rankerExplorePercent,
    ...(deps.random ? { random: deps.random } : {}),
  });
  // One training at a time per process: it shares the event loop with serving.
  queue.work(createTrainingProcessor({ db, storage, logger, ...(bus ? { bus } : {}) }), {
    concurrency: 1,
  });
  const stopSchedule =
    config.rankerTrainMinutes > 0
      ? scheduleTraining({ queue, minutes: config.rankerTrainMinutes, logger })
      : () => {};
  return {
    feed,
    registry,
    async stop() {
      stopSchedule();
      await feed.settled();
      await registry.stop();
    },
  };
}
