import { initBackend, type BackendChoice } from '../model/backend.ts';
import { RankerModel, seededRandom } from '../model/ranker-model.ts';
import { buildFeatures, splitByTime, watchRatio } from './features.ts';
import {
  FLAG,
  type LoadReport,
  type LogTable,
  type UserTable,
  type VideoTable,
} from './kuairand.ts';
import { groupByUser, rankerMetrics, type TestRows } from './user-metrics.ts';

/**
 * The offline evaluation: split a KuaiRand log by time, describe every row from the training
 * period only (features.ts), train the ranker's model on the training rows, and measure it on the
 * test rows beside two baselines from the same training statistics — popularity and item-to-item
 * co-watch — and a random order for reference.
 *
 * The model is trained as it is in production (model/ranker-model.ts): watch-time-weighted
 * logistic regression with positive = long_view, each positive weighted by its watch ratio
 * (capped at 5; 1 when the duration is unknown) or by its play seconds, negatives by 1, so the
 * odds learn the expected watch ratio (or time) of an impression.
 */

export interface EvalOptions {
  /** Share of interactions (earliest first) that train. */
  split: number;
  seed: number;
  epochs: number;
  /** Weight of a positive: its watch ratio or its play time in seconds. */
  weighting: 'ratio' | 'seconds';
  /** Train a second head on is_click (score = e^watch · (1 + ½ P(click))). */
  clickHead: boolean;
  hidden: number[];
  k: number;
  backend: BackendChoice;
  /** The model trains on a uniform sample of at most this many training rows. */
  maxTrainRows: number;
}

export const DEFAULT_OPTIONS: EvalOptions = {
  split: 0.8,
  seed: 1,
  epochs: 20,
  weighting: 'ratio',
  clickHead: false,
  hidden: [32, 16],
  k: 10,
  backend: 'auto',
  maxTrainRows: 2_000_000,
};

export interface RankerRow {
  name: 'model' | 'popularity' | 'co-watch' | 'random';
  auc: number;
  ndcg: number;
  watchRatioTop: number;
}

export interface EvalReport {
  files: LoadReport[];
  rows: {
    total: number;
    train: number;
    /** Training rows the model was fitted on (a sample when train > maxTrainRows). */
    trainSample: number;
    test: number;
    testLongViews: number;
  };
  users: {
    total: number;
    train: number;
    test: number;
    /** Test users without a training row: every ranker knows nothing of them. */
    testWithoutHistory: number;
    /** Test users with a long view (NDCG averages over these). */
    ndcg: number;
    /** Test users without one, excluded from NDCG. */
    ndcgExcluded: number;
  };
  videos: { inLog: number; described: number; inTestUnseenInTrain: number };
  split: { share: number; time: string };
  model: {
    backend: string;
    features: string[];
    hidden: number[];
    epochs: number;
    seed: number;
    weighting: EvalOptions['weighting'];
    clickHead: boolean;
    trainSeconds: number;
    finalLoss: number;
  };
  k: number;
  relevance: string;
  rankers: RankerRow[];
}

function distinct(values: Int32Array, rows: ArrayLike<number>): Set<number> {
  const set = new Set<number>();
  for (let i = 0; i < rows.length; i += 1) set.add(values[rows[i]!]!);
  return set;
}

export async function evaluate(
  data: { log: LogTable; videos: VideoTable; users: UserTable | null; files: LoadReport[] },
  overrides: Partial<EvalOptions> = {},
): Promise<EvalReport> {
  const options = { ...DEFAULT_OPTIONS, ...overrides };
  const { log, videos, users } = data;
  const split = splitByTime(log, options.split);
  const features = buildFeatures(log, videos, users, split, {
    maxTrainRows: options.maxTrainRows,
    random: seededRandom(options.seed ^ 0x7a1b),
  });
  const dim = features.names.length;

  const train = features.trainRows;
  const watched = new Float32Array(train.length);
  const weight = new Float32Array(train.length);
  const clicked = new Float32Array(train.length);
  for (let i = 0; i < train.length; i += 1) {
    const row = train[i]!;
    const flags = log.flags[row]!;
    watched[i] = flags & FLAG.longView ? 1 : 0;
    clicked[i] = flags & FLAG.click ? 1 : 0;
    if (!watched[i]) weight[i] = 1;
    else if (options.weighting === 'seconds') weight[i] = log.playMs[row]! / 1000;
    else {
      const ratio = watchRatio(log, row);
      weight[i] = Number.isNaN(ratio) ? 1 : ratio;
    }
  }
  const backend = await initBackend(options.backend);
  const started = performance.now();
  const model = await RankerModel.train(
    {
      rows: train.length,
      dim,
      x: features.trainX,
      watched,
      weight,
      ...(options.clickHead ? { liked: clicked } : {}),
    },
    {
      featureNames: features.names,
      version: `offline-${options.seed}`,
      hidden: options.hidden,
      epochs: options.epochs,
      batchSize: 256,
      seed: options.seed,
    },
  );
  const trainSeconds = (performance.now() - started) / 1000;
  // Scored in slices: one tensor of a full log's test rows would not fit the WASM heap.
  const modelScores = new Float32Array(split.test.length);
  const slice = 65_536;
  for (let start = 0; start < split.test.length; start += slice) {
    const rows = Math.min(slice, split.test.length - start);
    modelScores.set(
      model.predict(features.testX.subarray(start * dim, (start + rows) * dim), rows),
      start,
    );
  }
  const finalLoss = Number(model.meta.metrics.finalLoss);
  model.dispose();

  const random = seededRandom(options.seed ^ 0x5eed);
  const test: TestRows = {
    user: new Int32Array(split.test.length),
    longView: new Uint8Array(split.test.length),
    ratio: new Float64Array(split.test.length),
    tieBreak: new Float64Array(split.test.length),
  };
  const randomScores = new Float64Array(split.test.length);
  for (let i = 0; i < split.test.length; i += 1) {
    const row = split.test[i]!;
    test.user[i] = log.user[row]!;
    test.longView[i] = log.flags[row]! & FLAG.longView ? 1 : 0;
    test.ratio[i] = watchRatio(log, row);
    test.tieBreak[i] = random();
    randomScores[i] = random();
  }
  const groups = groupByUser(test);
  const rankers: RankerRow[] = (
    [
      ['model', modelScores],
      ['popularity', features.popularity],
      ['co-watch', features.cowatch],
      ['random', randomScores],
    ] as const
  ).map(([name, scores]) => ({ name, ...rankerMetrics(scores, test, groups, options.k) }));

  const trainUsers = distinct(log.user, split.train);
  const testUsers = distinct(log.user, split.test);
  const trainVideos = distinct(log.video, split.train);
  const testVideos = distinct(log.video, split.test);
  let testLongViews = 0;
  for (const v of test.longView) testLongViews += v;
  return {
    files: data.files,
    rows: {
      total: log.rows,
      train: split.train.length,
      trainSample: train.length,
      test: split.test.length,
      testLongViews,
    },
    users: {
      total: new Set(log.user).size,
      train: trainUsers.size,
      test: testUsers.size,
      testWithoutHistory: [...testUsers].filter((u) => !trainUsers.has(u)).length,
      ndcg: groups.withPositive,
      ndcgExcluded: groups.withoutPositive,
    },
    videos: {
      inLog: new Set([...trainVideos, ...testVideos]).size,
      described: videos.count,
      inTestUnseenInTrain: [...testVideos].filter((v) => !trainVideos.has(v)).length,
    },
    split: { share: options.split, time: new Date(split.splitTime).toISOString() },
    model: {
      backend,
      features: features.names,
      hidden: options.hidden,
      epochs: options.epochs,
      seed: options.seed,
      weighting: options.weighting,
      clickHead: options.clickHead,
      trainSeconds,
      finalLoss,
    },
    k: options.k,
    relevance: 'long_view (0/1)',
    rankers,
  };
}

const int = (n: number) => n.toLocaleString('en-US');
const fixed = (n: number) => (Number.isNaN(n) ? '—' : n.toFixed(4));

/** The human-readable table. */
export function formatReport(report: EvalReport): string {
  const skipped = report.files.reduce((n, f) => n + f.skipped, 0);
  const lines = [
    'KuaiRand offline evaluation',
    '',
    `files      ${report.files.map((f) => `${f.file} (${int(f.rows)} rows, ${int(f.skipped)} skipped)`).join(', ')}`,
    ...report.files
      .filter((f) => f.skipped > 0)
      .map(
        (f) =>
          `           ${f.file} skipped: ${Object.entries(f.reasons)
            .map(([reason, n]) => `${int(n)} ${reason}`)
            .join('; ')} (first: ${f.examples[0]})`,
      ),
    `log        ${int(report.rows.total)} interactions${skipped > 0 ? ` kept` : ''}, ` +
      `${int(report.users.total)} users, ${int(report.videos.inLog)} videos ` +
      `(${int(report.videos.described)} described by the videos file)`,
    `split      by time at ${report.split.time}: train ${int(report.rows.train)} rows ` +
      `(${int(report.users.train)} users), test ${int(report.rows.test)} rows ` +
      `(${int(report.users.test)} users, ${int(report.users.testWithoutHistory)} without train ` +
      `history; ${int(report.videos.inTestUnseenInTrain)} videos unseen in train; ` +
      `${int(report.rows.testLongViews)} long views)`,
    `model      MLP ${report.model.hidden.join('-')} on ${report.model.features.length} features` +
      (report.rows.trainSample < report.rows.train
        ? ` and a sample of ${int(report.rows.trainSample)} training rows, `
        : ', ') +
      `${report.model.epochs} epochs, seed ${report.model.seed}, positives weighted by ` +
      `${report.model.weighting === 'ratio' ? 'watch ratio' : 'play seconds'}` +
      `${report.model.clickHead ? ', click head' : ''}; ${report.model.backend} backend, ` +
      `trained in ${report.model.trainSeconds.toFixed(1)} s`,
    `NDCG@${report.k}    relevance ${report.relevance}; over ${int(report.users.ndcg)} test users ` +
      `with a long view (${int(report.users.ndcgExcluded)} without one excluded)`,
    '',
    `ranker        AUC long_view   NDCG@${report.k}   watch ratio top ${report.k}`,
    ...report.rankers.map(
      (r) =>
        `${r.name.padEnd(14)}${fixed(r.auc).padEnd(16)}${fixed(r.ndcg).padEnd(10)}${fixed(r.watchRatioTop)}`,
    ),
  ];
  return lines.join('\n');
}
