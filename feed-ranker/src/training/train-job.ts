import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { topics, type Bus, type RankerModelMessage } from '@binge/core/bus';
import type { Database } from '@binge/core/db';
import { rankerModels } from '@binge/core/db/schema';
import type { Logger } from '@binge/core/log';
import type { Storage } from '@binge/core/storage';
import { SERVING_FEATURES } from '../features/spec.ts';
import { loadModelArtifact, saveModelArtifact } from '../model/artifacts.ts';
import { tf } from '../model/backend.ts';
import { auc, weightedLogLoss } from '../model/metrics.ts';
import {
  ModelArtifactError,
  RankerModel,
  type TrainingSet,
  type TrainOptions,
} from '../model/ranker-model.ts';
import { ATTRIBUTION_WINDOW_MINUTES, buildTrainingSet } from './dataset.ts';

/**
 * One training run of the ranker: the last TRAINING_WINDOW_DAYS of impressions and their plays,
 * split by time (the last HOLDOUT_SHARE of impressions is the holdout, so the model is judged on
 * the future of what it learnt from, as it will be used), trained, judged on the holdout against
 * the active model, saved, recorded, and promoted unless its holdout AUC is more than
 * PROMOTION_AUC_SLACK below the active model's. Impressions of the last ATTRIBUTION_WINDOW_MINUTES
 * are left for the next run: their plays may not have been sent or stored yet.
 */
export const TRAINING_WINDOW_DAYS = 7;
export const HOLDOUT_SHARE = 0.2;
/** A candidate may be this much below the active model's holdout AUC and still replace it. */
export const PROMOTION_AUC_SLACK = 0.01;
const DEFAULT_MIN_ROWS = 200;
/** Fewer holdout positives or negatives than this make the AUC too noisy to compare models. */
const MIN_HOLDOUT_CLASS = 5;
/** Arbitrary, fixed key of the advisory lock that serialises promotions across processes. */
const PROMOTION_LOCK_KEY = 7_460_118_305;

export interface TrainRankerOptions {
  db: Database;
  storage: Storage;
  bus?: Bus;
  logger: Logger;
  now: Date;
  signal?: AbortSignal;
  /** Fewer usable impressions than this skip the run (default 200). */
  minRows?: number;
  maxRows?: number;
  /** Overrides of the model's training options (tests use fewer epochs). */
  train?: Partial<Omit<TrainOptions, 'featureNames' | 'version' | 'signal'>>;
}

export type TrainRankerResult =
  | { version: string; promoted: boolean; metrics: Record<string, number | string> }
  | { skipped: string };

function slice(set: TrainingSet & { liked: Float32Array }, from: number, to: number) {
  return {
    rows: to - from,
    dim: set.dim,
    x: set.x.subarray(from * set.dim, to * set.dim),
    watched: set.watched.subarray(from, to),
    weight: set.weight.subarray(from, to),
    liked: set.liked.subarray(from, to),
  };
}

/** Holdout AUC of "watched" and watch-time-weighted log-loss of the watch head. */
function judge(model: RankerModel, holdout: TrainingSet): { auc: number; logLoss: number } {
  const { watchLogit } = model.predictParts(holdout.x, holdout.rows);
  return {
    auc: auc(watchLogit, holdout.watched),
    logLoss: weightedLogLoss(watchLogit, holdout.watched, holdout.weight),
  };
}

/** `20250102T030405Z-1a2b3c`: sorts by time, unique across processes. */
export function newModelVersion(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const round = (v: number) => Math.round(v * 1e5) / 1e5;

export async function trainRanker(options: TrainRankerOptions): Promise<TrainRankerResult> {
  const { db, storage, logger, now, signal } = options;
  const minRows = options.minRows ?? DEFAULT_MIN_ROWS;
  const started = performance.now();
  const since = new Date(now.getTime() - TRAINING_WINDOW_DAYS * 86_400_000);
  const until = new Date(now.getTime() - ATTRIBUTION_WINDOW_MINUTES * 60_000);
  const data = await buildTrainingSet(db, {
    since,
    until,
    ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
  });
  const { set, counts } = data;
  const skip = (reason: string): TrainRankerResult => {
    logger.info({ ...counts, reason }, 'ranker training skipped');
    return { skipped: reason };
  };
  if (set.rows < minRows) return skip(`${set.rows} usable impressions, fewer than ${minRows}`);
  const cut = Math.floor(set.rows * (1 - HOLDOUT_SHARE));
  const train = slice(set, 0, cut);
  const holdout = slice(set, cut, set.rows);
  const holdoutPositives = holdout.watched.reduce((n, v) => n + v, 0);
  const trainPositives = train.watched.reduce((n, v) => n + v, 0);
  if (trainPositives === 0 || trainPositives === train.rows)
    return skip('every training impression has the same label');
  if (holdoutPositives < MIN_HOLDOUT_CLASS || holdout.rows - holdoutPositives < MIN_HOLDOUT_CLASS)
    return skip(
      `the holdout has ${holdoutPositives} plays and ${holdout.rows - holdoutPositives} non-plays; ` +
        `at least ${MIN_HOLDOUT_CLASS} of each are needed to judge a model`,
    );
  // The like head only when there are likes to learn from.
  const trainSet: TrainingSet = {
    rows: train.rows,
    dim: train.dim,
    x: train.x,
    watched: train.watched,
    weight: train.weight,
    ...(counts.liked > 0 ? { liked: train.liked } : {}),
  };

  const version = newModelVersion(now);
  const model = await RankerModel.train(trainSet, {
    seed: 1,
    ...options.train,
    featureNames: SERVING_FEATURES,
    version,
    ...(signal ? { signal } : {}),
  });
  try {
    const score = judge(model, holdout);
    const [active] = await db
      .select({ version: rankerModels.version, storageKey: rankerModels.storageKey })
      .from(rankerModels)
      .where(eq(rankerModels.status, 'active'))
      .limit(1);
    let activeAuc: number | null = null;
    if (active) {
      try {
        const current = await loadModelArtifact(storage, active.storageKey);
        try {
          activeAuc = judge(current, holdout).auc;
        } finally {
          current.dispose();
        }
      } catch (error) {
        // A corrupt active model (the registry marks it) or one of another feature list: there
        // is nothing serving to compare with, so the candidate is judged on its own.
        if (!(error instanceof ModelArtifactError)) throw error;
        logger.warn({ version: active.version, reason: error.message }, 'active model unreadable');
      }
    }
    const better = activeAuc === null || score.auc >= activeAuc - PROMOTION_AUC_SLACK;
    const metrics: Record<string, number | string> = {
      rows: set.rows,
      trainRows: train.rows,
      holdoutRows: holdout.rows,
      positives: counts.positives,
      likes: counts.liked,
      joinedByToken: counts.joinedByToken,
      joinedByTime: counts.joinedByTime,
      holdoutAuc: round(score.auc),
      holdoutLogLoss: round(score.logLoss),
      ...(activeAuc === null
        ? {}
        : { activeHoldoutAuc: round(activeAuc), activeVersion: active!.version }),
      finalLoss: round(Number(model.meta.metrics.finalLoss)),
      backend: tf.getBackend(),
      seconds: round((performance.now() - started) / 1000),
      from: since.toISOString(),
      until: until.toISOString(),
    };
    Object.assign(model.meta.metrics, metrics);
    if (signal?.aborted) throw signal.reason ?? new Error('training aborted');
    const storageKey = await saveModelArtifact(storage, model);
    await db.insert(rankerModels).values({
      version,
      status: 'candidate',
      storageKey,
      metrics,
      trainedAt: now,
    });
    let promoted = false;
    if (better) {
      promoted = await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${PROMOTION_LOCK_KEY}::bigint)`);
        // Another run may have promoted a model since this one was compared with the active one.
        const [still] = await tx
          .select({ version: rankerModels.version })
          .from(rankerModels)
          .where(eq(rankerModels.status, 'active'))
          .limit(1);
        if ((still?.version ?? null) !== (active?.version ?? null)) return false;
        await tx
          .update(rankerModels)
          .set({ status: 'retired' })
          .where(eq(rankerModels.status, 'active'));
        await tx
          .update(rankerModels)
          .set({ status: 'active', activatedAt: now })
          .where(and(eq(rankerModels.version, version), eq(rankerModels.status, 'candidate')));
        return true;
      });
    }
    if (!promoted) {
      const reason = better
        ? 'another model was promoted during training'
        : `holdout AUC ${round(score.auc)} is below the active model's ${round(activeAuc!)}`;
      metrics.rejected = reason;
      await db
        .update(rankerModels)
        .set({ status: 'rejected', metrics })
        .where(eq(rankerModels.version, version));
    }
    logger.info({ version, promoted, ...metrics }, 'ranker trained');
    if (promoted && options.bus) {
      const message: RankerModelMessage = { version };
      try {
        await options.bus.publish(topics.rankerModel, message);
      } catch (error) {
        // Registries poll too: they pick the model up within their poll interval.
        logger.warn({ err: error, version }, 'could not announce the new ranker model');
      }
    }
    return { version, promoted, metrics };
  } finally {
    model.dispose();
  }
}
