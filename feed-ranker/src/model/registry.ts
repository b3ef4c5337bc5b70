import { and, desc, eq, sql } from 'drizzle-orm';
import { topics, type Bus } from '@binge/core/bus';
import type { Database } from '@binge/core/db';
import { rankerModels } from '@binge/core/db/schema';
import type { Logger } from '@binge/core/log';
import type { Storage } from '@binge/core/storage';
import { loadModelArtifact, ModelFeaturesError } from './artifacts.ts';
import { initBackend, type BackendChoice } from './backend.ts';
import { ModelArtifactError, type RankerModel } from './ranker-model.ts';

/**
 * The serving model of one process. It loads the `active` row of ranker_models, and checks again
 * when the training job announces a new model on the bus and every `pollMs` (the bus is at most
 * once, and a process may start between a promotion and its message).
 *
 * Hot swap: a new version is read, checked and warmed up while the old one keeps serving; then the
 * reference is swapped and the old model disposed. Predictions are synchronous, so no prediction
 * can be running on the old model once the swap has happened. Callers take `current()` and
 * predict with it in the same synchronous turn (never across an await).
 *
 * A model whose artifact is bad (ModelArtifactError) is marked `corrupt` in ranker_models, with the
 * reason in its metrics, and logged; the registry keeps the model it had. A sound model trained on
 * another feature list (ModelFeaturesError: another code version during a rolling deploy) is only
 * refused by this process, and not marked, since the processes it was trained for can serve it. With none (a fresh
 * process whose active model is corrupt), it falls back to the most recently active good model
 * (the "last good model"), and failing that serves none, and the feed uses its heuristic.
 * A storage or database outage is only logged: the next check tries again.
 */
export interface ModelRegistry {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The serving model, or null when there is none; never throws. */
  current(): RankerModel | null;
  version(): string | null;
  /** Checks ranker_models now and swaps in the active model if it changed. */
  reload(): Promise<void>;
}

export interface ModelRegistryOptions {
  db: Database;
  storage: Storage;
  logger: Logger;
  bus?: Bus;
  /** Interval of the fallback check (default 15 s); 0 turns it off. */
  pollMs?: number;
  /** The TF.js backend, when this is the first part of the process to pick one. */
  backend?: BackendChoice;
  /** Expected feature list (SERVING_FEATURES by default). */
  featureNames?: readonly string[];
}

/** How many earlier models a fresh process tries before it gives up and serves none. */
const FALLBACK_CANDIDATES = 3;

export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  const { db, storage, logger, bus } = options;
  const pollMs = options.pollMs ?? 15_000;
  let model: RankerModel | null = null;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  /** Versions this process will not serve (feature list of another code version). */
  const refused = new Set<string>();

  async function markCorrupt(version: string, reason: string): Promise<void> {
    try {
      await db
        .update(rankerModels)
        .set({
          status: 'corrupt',
          activatedAt: null,
          metrics: sql`${rankerModels.metrics} || ${JSON.stringify({ loadError: reason.slice(0, 500) })}::jsonb`,
        })
        .where(eq(rankerModels.version, version));
    } catch (error) {
      logger.error({ err: error, version }, 'could not mark a ranker model corrupt');
    }
  }

  /** Loads, checks and warms up one version; null (and marked corrupt) when its artifact is bad. */
  async function load(row: { version: string; storageKey: string }): Promise<RankerModel | null> {
    let loaded: RankerModel | null = null;
    try {
      loaded = await loadModelArtifact(
        storage,
        row.storageKey,
        options.featureNames ? { featureNames: options.featureNames } : {},
      );
      if (loaded.version !== row.version)
        throw new ModelArtifactError(
          `${row.storageKey} holds version ${loaded.version}, the row names ${row.version}`,
        );
      // One prediction at the training mean: compiles the backend's kernels before the model
      // serves, and proves the weights give a finite score.
      const probe = Float32Array.from(loaded.meta.mean);
      const [score] = loaded.predict(probe, 1);
      if (score === undefined || !Number.isFinite(score))
        throw new ModelArtifactError(`${row.storageKey} scores ${score} at the mean`);
      return loaded;
    } catch (error) {
      loaded?.dispose();
      if (error instanceof ModelFeaturesError) {
        refused.add(row.version);
        logger.warn(
          { version: row.version, reason: error.message },
          'ranker model fits another feature list: not served by this process',
        );
        return null;
      }
      if (!(error instanceof ModelArtifactError)) throw error;
      logger.error(
        { version: row.version, key: row.storageKey, reason: error.message },
        'ranker model is corrupt: marked so, serving keeps the last good model',
      );
      await markCorrupt(row.version, error.message);
      return null;
    }
  }

  function swap(next: RankerModel): void {
    const previous = model;
    model = next;
    previous?.dispose();
    logger.info(
      { version: next.version, previous: previous?.version ?? null },
      'ranker model live',
    );
  }

  async function check(): Promise<void> {
    const [active] = await db
      .select({ version: rankerModels.version, storageKey: rankerModels.storageKey })
      .from(rankerModels)
      .where(eq(rankerModels.status, 'active'))
      .limit(1);
    if (active && active.version === model?.version) return;
    if (active && !refused.has(active.version)) {
      const next = await load(active);
      if (stopped) {
        next?.dispose();
        return;
      }
      if (next) {
        swap(next);
        return;
      }
    }
    if (model) return;
    // No model in memory and no loadable active one: the most recently active good models.
    const earlier = await db
      .select({ version: rankerModels.version, storageKey: rankerModels.storageKey })
      .from(rankerModels)
      .where(and(eq(rankerModels.status, 'retired'), sql`${rankerModels.activatedAt} is not null`))
      .orderBy(desc(rankerModels.activatedAt))
      .limit(FALLBACK_CANDIDATES);
    for (const row of earlier) {
      if (refused.has(row.version)) continue;
      const next = await load(row);
      if (stopped) {
        next?.dispose();
        return;
      }
      if (next) {
        logger.warn(
          { version: row.version },
          'no loadable active ranker model: serving an earlier one',
        );
        swap(next);
        return;
      }
    }
  }

  /** One check at a time; a request during a check runs one more check after it. */
  function reload(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          try {
            await check();
          } catch (error) {
            logger.warn(
              { err: error },
              'ranker model check failed; the current model keeps serving',
            );
          }
        } while (again && !stopped);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    async start() {
      stopped = false;
      await initBackend(options.backend ?? 'auto');
      if (bus)
        unsubscribe = await bus.subscribe(topics.rankerModel, () => {
          void reload();
        });
      await reload();
      if (pollMs > 0 && !stopped) {
        timer = setInterval(() => void reload(), pollMs);
        timer.unref();
      }
    },

    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      const off = unsubscribe;
      unsubscribe = undefined;
      await off?.();
      await running;
      model?.dispose();
      model = null;
    },

    current: () => model,
    version: () => model?.version ?? null,
    reload,
  };
}
