import { initBackend, type BackendName } from '../model/backend.ts';
import { RankerModel } from '../model/ranker-model.ts';
import type { SimCatalog } from './catalog.ts';
import { cowatchPolicy } from './cowatch-policy.ts';
import { explorePolicy } from './explore-policy.ts';
import { SIM_DIM, SIM_FEATURES, writeFeatures } from './features.ts';
import { modelPolicy } from './model-policy.ts';
import { Observations, type Impression } from './observations.ts';
import type { Policy } from './policy.ts';
import { popularityPolicy } from './popularity-policy.ts';
import { randomPolicy } from './random-policy.ts';
import { stream, STREAM } from './random-streams.ts';
import { summarise, type SimReport } from './report.ts';
import { advance, endedEarly, react, startSession, type EndReason } from './watch-model.ts';
import { drawWorld, type World } from './world.ts';

/**
 * The session simulation of issue 5: a warm-up phase, served by an exploring feed, produces the
 * logs; the model is trained on them; then every policy serves the same viewers the same number
 * of sessions, each policy on its own copy of the warm-up logs (kept fresh by its own sessions),
 * with the same random streams per (viewer, session).
 */
export interface SimOptions {
  catalog: SimCatalog;
  users: number;
  /** Evaluation sessions per viewer. */
  sessions: number;
  /** Warm-up sessions per viewer (the training logs). */
  warmupSessions: number;
  seed: number;
  pageSize?: number;
  epochs?: number;
  /** Share of random slots in the warm-up feed. */
  warmupEpsilon?: number;
  /** Also evaluate the model with this share of exploration slots (0: not at all). */
  modelEpsilon?: number;
}

export interface SessionResult {
  viewer: number;
  session: number;
  seconds: number;
  items: number;
  skips: number;
  likes: number;
  early: boolean;
  ended: EndReason;
}

export interface PolicyRun {
  policy: string;
  sessions: SessionResult[];
  /** The impressions this policy served in the evaluation, in order. */
  impressions: Impression[];
}

export interface SimResult {
  report: SimReport;
  /** The warm-up's impressions: the logs every policy started from. */
  warmup: readonly Impression[];
  runs: PolicyRun[];
}

/** The policy served an item twice to one viewer, or something outside the catalog. */
export class SimulationError extends Error {
  readonly code = 'SIM_POLICY_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}

/** Rows for the model: the features each shown item was served with, and what came of it. */
class TrainingLog {
  private chunks: Float32Array[] = [];
  readonly watched: number[] = [];
  readonly weight: number[] = [];
  readonly liked: number[] = [];

  add(features: Float32Array, impression: Impression): void {
    this.chunks.push(features);
    // Watch-time weighting (Covington et al. 2016): a play is a positive weighted by its
    // seconds; a skip is a negative of weight 1.
    this.watched.push(impression.skipped ? 0 : 1);
    this.weight.push(impression.skipped ? 1 : Math.max(1, impression.seconds));
    this.liked.push(impression.liked ? 1 : 0);
  }

  get rows(): number {
    return this.watched.length;
  }

  x(): Float32Array {
    const x = new Float32Array(this.rows * SIM_DIM);
    this.chunks.forEach((row, k) => x.set(row, k * SIM_DIM));
    return x;
  }
}

interface SessionContext {
  world: World;
  observations: Observations;
  shown: Set<number>;
  seed: number;
  pageSize: number;
  training?: TrainingLog;
}

export function runSession(
  context: SessionContext,
  policy: Policy,
  viewerId: number,
  sessionIndex: number,
): { result: SessionResult; impressions: Impression[] } {
  const { world, observations, shown, pageSize, training } = context;
  const viewer = world.viewers[viewerId]!;
  const reactions = stream(context.seed, STREAM.session, viewerId, sessionIndex);
  const policyRandom = stream(context.seed, STREAM.policy, viewerId, sessionIndex);
  const progress = startSession(viewer, reactions);
  const impressions: Impression[] = [];
  let likes = 0;
  let skips = 0;
  while (progress.ended === null) {
    const page = policy.page({
      viewer: viewerId,
      session: impressions,
      observations,
      shown,
      size: pageSize,
      random: policyRandom,
    });
    if (page.length === 0) {
      // The viewer has seen the whole catalog: nothing left to show.
      progress.ended = 'items';
      break;
    }
    const onPage = new Set<number>();
    for (const item of page) {
      if (!Number.isInteger(item) || item < 0 || item >= world.catalog.size)
        throw new SimulationError(`${policy.name} served ${item}, outside the catalog`);
      if (shown.has(item) || onPage.has(item))
        throw new SimulationError(`${policy.name} served item ${item} to viewer ${viewerId} twice`);
      onPage.add(item);
    }
    const features = training ? new Float32Array(page.length * SIM_DIM) : null;
    if (features) writeFeatures(observations, viewerId, impressions, page, features);
    for (let k = 0; k < page.length && progress.ended === null; k += 1) {
      const item = page[k]!;
      const reaction = react(world, viewer, item, reactions);
      const impression: Impression = {
        viewer: viewerId,
        session: sessionIndex,
        position: impressions.length,
        item,
        ...reaction,
      };
      shown.add(item);
      observations.observe(impression);
      impressions.push(impression);
      training?.add(features!.subarray(k * SIM_DIM, (k + 1) * SIM_DIM), impression);
      likes += reaction.liked ? 1 : 0;
      skips += reaction.skipped ? 1 : 0;
      advance(progress, reaction);
    }
  }
  return {
    result: {
      viewer: viewerId,
      session: sessionIndex,
      seconds: progress.seconds,
      items: progress.items,
      skips,
      likes,
      early: endedEarly(progress),
      ended: progress.ended,
    },
    impressions,
  };
}

function freshObservations(world: World, seed: number, log: readonly Impression[]): Observations {
  const observations = new Observations(
    world.catalog,
    world.viewers.length,
    stream(seed, STREAM.ties),
  );
  for (const impression of log) observations.observe(impression);
  return observations;
}

function shownSets(world: World, log: readonly Impression[]): Set<number>[] {
  const shown = world.viewers.map(() => new Set<number>());
  for (const impression of log) shown[impression.viewer]!.add(impression.item);
  return shown;
}

export async function simulate(options: SimOptions): Promise<SimResult> {
  const { catalog, users, sessions, warmupSessions, seed } = options;
  const pageSize = options.pageSize ?? 10;
  const world = drawWorld(catalog, users, seed);

  // Warm-up: an exploring feed over the hot list writes the logs every policy starts from.
  const warm = freshObservations(world, seed, []);
  const warmShown = shownSets(world, []);
  const training = new TrainingLog();
  const warmPolicy = explorePolicy(popularityPolicy(), options.warmupEpsilon ?? 0.5);
  for (let s = 0; s < warmupSessions; s += 1)
    for (let v = 0; v < users; v += 1)
      runSession(
        { world, observations: warm, shown: warmShown[v]!, seed, pageSize, training },
        warmPolicy,
        v,
        s,
      );

  const backend: BackendName = await initBackend('auto');
  const epochs = options.epochs ?? 8;
  const model = await RankerModel.train(
    {
      rows: training.rows,
      dim: SIM_DIM,
      x: training.x(),
      watched: Float32Array.from(training.watched),
      weight: Float32Array.from(training.weight),
      liked: Float32Array.from(training.liked),
    },
    {
      featureNames: SIM_FEATURES,
      version: `sim-${seed}`,
      hidden: [32, 16],
      epochs,
      batchSize: 256,
      learningRate: 0.005,
      seed: Math.floor(stream(seed, STREAM.training)() * 2 ** 31),
    },
  );

  const policies: Policy[] = [
    randomPolicy(),
    popularityPolicy(),
    cowatchPolicy(),
    modelPolicy(model),
  ];
  if (options.modelEpsilon) policies.push(modelPolicy(model, { epsilon: options.modelEpsilon }));

  const runs: PolicyRun[] = [];
  try {
    for (const policy of policies) {
      const observations = freshObservations(world, seed, warm.log);
      const shown = shownSets(world, warm.log);
      const run: PolicyRun = { policy: policy.name, sessions: [], impressions: [] };
      for (let s = warmupSessions; s < warmupSessions + sessions; s += 1)
        for (let v = 0; v < users; v += 1) {
          const { result, impressions } = runSession(
            { world, observations, shown: shown[v]!, seed, pageSize },
            policy,
            v,
            s,
          );
          run.sessions.push(result);
          run.impressions.push(...impressions);
        }
      runs.push(run);
    }
  } finally {
    model.dispose();
  }

  return {
    report: summarise(runs, catalog, {
      seed,
      users,
      sessions,
      warmupSessions,
      pageSize,
      catalog: {
        items: catalog.size,
        tags: catalog.tagNames.length,
        sampledDurations: catalog.durationKnown.reduce((n, known) => n + (known ? 0 : 1), 0),
      },
      model: {
        backend,
        rows: training.rows,
        epochs,
        positives: training.watched.reduce((a, b) => a + b, 0),
      },
    }),
    runs,
    warmup: warm.log,
  };
}
