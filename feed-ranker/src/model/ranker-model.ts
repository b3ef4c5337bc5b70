import { tf } from './backend.ts';

/**
 * The feed ranker's model: a small multilayer perceptron over a dense feature vector with two
 * heads on shared hidden layers.
 *
 * - watch: watch-time-weighted logistic regression (Covington et al., "Deep Neural Networks for
 *   YouTube Recommendations", 2016). Positives are plays, weighted by their watch time; negatives
 *   (impressions not played, or skipped at once) weigh 1. The learned odds e^logit then
 *   approximate the expected watch time of an impression, which is what the feed sorts by.
 * - like: plain logistic regression on whether the viewer liked it (optional).
 *
 * score = e^watchLogit · (1 + likeWeight · P(like)).
 *
 * Inputs are standardised with the training set's mean and deviation, kept in the artifact, so
 * serving feeds raw features. Written with tfjs-core ops and an explicit training loop because
 * tfjs-layers has no per-sample weights.
 */

export const ARTIFACT_FORMAT = 'binge-ranker/1';
/** Longest stretch training holds the event loop (ms). */
const YIELD_EVERY_MS = 15;

export interface TrainingSet {
  rows: number;
  dim: number;
  /** rows × dim, row-major. */
  x: Float32Array;
  /** 1 for a play (positive), 0 otherwise. */
  watched: Float32Array;
  /** Sample weight: watch time (seconds, or a ratio) for positives, 1 for negatives. */
  weight: Float32Array;
  /** 1 when the viewer liked it; omit to train the watch head only. */
  liked?: Float32Array;
}

export interface TrainOptions {
  featureNames: readonly string[];
  version: string;
  hidden?: number[];
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** L2 penalty on the weight matrices. */
  l2?: number;
  seed?: number;
  likeWeight?: number;
  signal?: AbortSignal;
}

export interface ModelMeta {
  format: typeof ARTIFACT_FORMAT;
  version: string;
  featureNames: string[];
  hidden: number[];
  mean: number[];
  std: number[];
  hasLikeHead: boolean;
  likeWeight: number;
  /** Shapes of the weight tensors, in the order they are stored in the weights blob. */
  shapes: number[][];
  trainedAt: string;
  metrics: Record<string, number | string>;
}

/** The artifact is missing a part, does not parse, or does not fit the features it claims. */
export class ModelArtifactError extends Error {
  readonly code = 'MODEL_ARTIFACT_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ModelArtifactError';
  }
}

/** mulberry32: a small seeded PRNG, so training runs repeat with the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function standardisation(set: TrainingSet): { mean: number[]; std: number[] } {
  const mean = new Array<number>(set.dim).fill(0);
  const sq = new Array<number>(set.dim).fill(0);
  for (let r = 0; r < set.rows; r += 1) {
    for (let c = 0; c < set.dim; c += 1) {
      const v = set.x[r * set.dim + c]!;
      mean[c]! += v;
      sq[c]! += v * v;
    }
  }
  const n = Math.max(1, set.rows);
  const std = mean.map((sum, c) => {
    const m = sum / n;
    const variance = sq[c]! / n - m * m;
    return variance > 1e-12 ? Math.sqrt(variance) : 1;
  });
  return { mean: mean.map((sum) => sum / n), std };
}

export class RankerModel {
  private disposed = false;

  private constructor(
    readonly meta: ModelMeta,
    private readonly params: tf.Variable[],
  ) {}

  get version(): string {
    return this.meta.version;
  }

  get dim(): number {
    return this.meta.featureNames.length;
  }

  private static build(meta: Omit<ModelMeta, 'shapes'>, init?: Float32Array[]): RankerModel {
    const shapes: number[][] = [];
    let fanIn = meta.featureNames.length;
    for (const units of meta.hidden) {
      shapes.push([fanIn, units], [units]);
      fanIn = units;
    }
    shapes.push([fanIn, 1], [1]);
    if (meta.hasLikeHead) shapes.push([fanIn, 1], [1]);
    const random = seededRandom(meta.featureNames.length * 7919 + meta.hidden.length);
    // tf.variable shares its initial tensor's data and keeps that tensor alive until it is
    // disposed itself: without the dispose, every model built leaked a copy of its weights.
    const variable = (initial: tf.Tensor): tf.Variable => {
      const v = tf.variable(initial);
      initial.dispose();
      return v;
    };
    const params = shapes.map((shape, i) => {
      if (init) return variable(tf.tensor(init[i]!, shape));
      if (shape.length === 1) return variable(tf.zeros(shape));
      // He initialisation, drawn from the seeded PRNG (Box-Muller).
      const [rows, cols] = shape as [number, number];
      const values = new Float32Array(rows * cols);
      const scale = Math.sqrt(2 / rows);
      for (let k = 0; k < values.length; k += 1) {
        const u = Math.max(random(), 1e-12);
        values[k] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      }
      return variable(tf.tensor2d(values, [rows, cols]));
    });
    return new RankerModel({ ...meta, shapes }, params);
  }

  /** Hidden activations, then the watch logits and, with a like head, like logits. */
  private forward(x: tf.Tensor2D): { watch: tf.Tensor1D; like: tf.Tensor1D | null } {
    const mean = tf.tensor1d(this.meta.mean);
    const std = tf.tensor1d(this.meta.std);
    let h: tf.Tensor2D = tf.div(tf.sub(x, mean), std);
    let p = 0;
    for (let layer = 0; layer < this.meta.hidden.length; layer += 1) {
      h = tf.relu(tf.add(tf.matMul(h, this.params[p]!), this.params[p + 1]!)) as tf.Tensor2D;
      p += 2;
    }
    const watch = tf.reshape(tf.add(tf.matMul(h, this.params[p]!), this.params[p + 1]!), [-1]);
    const like = this.meta.hasLikeHead
      ? tf.reshape(tf.add(tf.matMul(h, this.params[p + 2]!), this.params[p + 3]!), [-1])
      : null;
    return { watch: watch as tf.Tensor1D, like: like as tf.Tensor1D | null };
  }

  static async train(set: TrainingSet, options: TrainOptions): Promise<RankerModel> {
    if (set.dim !== options.featureNames.length)
      throw new RangeError(
        `training set has ${set.dim} features, options name ${options.featureNames.length}`,
      );
    if (set.x.length !== set.rows * set.dim) throw new RangeError('x is not rows × dim');
    if (set.rows === 0) throw new RangeError('no training rows');
    const hidden = options.hidden ?? [32, 16];
    const epochs = options.epochs ?? 20;
    const batchSize = options.batchSize ?? 512;
    const l2 = options.l2 ?? 1e-4;
    const random = seededRandom(options.seed ?? 1);
    const model = RankerModel.build({
      format: ARTIFACT_FORMAT,
      version: options.version,
      featureNames: [...options.featureNames],
      hidden,
      ...standardisation(set),
      hasLikeHead: set.liked !== undefined,
      likeWeight: options.likeWeight ?? 0.5,
      trainedAt: new Date().toISOString(),
      metrics: {},
    });
    const optimizer = tf.train.adam(options.learningRate ?? 0.01);
    const order = Array.from({ length: set.rows }, (_, i) => i);
    const xb = new Float32Array(batchSize * set.dim);
    const yb = new Float32Array(batchSize);
    const wb = new Float32Array(batchSize);
    const lb = new Float32Array(batchSize);
    let lastLoss = Number.NaN;
    let lastYield = performance.now();
    try {
      for (let epoch = 0; epoch < epochs; epoch += 1) {
        if (options.signal?.aborted) throw options.signal.reason ?? new Error('training aborted');
        for (let i = order.length - 1; i > 0; i -= 1) {
          const j = Math.floor(random() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        for (let start = 0; start < order.length; start += batchSize) {
          const size = Math.min(batchSize, order.length - start);
          for (let k = 0; k < size; k += 1) {
            const row = order[start + k]!;
            xb.set(set.x.subarray(row * set.dim, (row + 1) * set.dim), k * set.dim);
            yb[k] = set.watched[row]!;
            wb[k] = set.weight[row]!;
            if (set.liked) lb[k] = set.liked[row]!;
          }
          const loss = optimizer.minimize(() => {
            const x = tf.tensor2d(xb.subarray(0, size * set.dim), [size, set.dim]);
            const y = tf.tensor1d(yb.subarray(0, size));
            const w = tf.tensor1d(wb.subarray(0, size));
            const out = model.forward(x);
            const perRow = tf.losses.sigmoidCrossEntropy(
              y,
              out.watch,
              undefined,
              0,
              tf.Reduction.NONE,
            );
            let total: tf.Scalar = tf.div(tf.sum(tf.mul(w, perRow)), tf.sum(w));
            if (out.like) {
              const liked = tf.tensor1d(lb.subarray(0, size));
              total = tf.add(
                total,
                tf.losses.sigmoidCrossEntropy(liked, out.like, undefined, 0, tf.Reduction.MEAN),
              );
            }
            for (let p = 0; p < model.params.length; p += 2)
              total = tf.add(total, tf.mul(l2, tf.sum(tf.square(model.params[p]!))));
            return total;
          }, true);
          if (loss) {
            lastLoss = loss.dataSync()[0]!;
            loss.dispose();
          }
          // Training runs beside serving in one process: give the event loop a turn every
          // YIELD_EVERY_MS rather than once an epoch (an epoch of 200k rows blocks for seconds).
          if (performance.now() - lastYield > YIELD_EVERY_MS) {
            await new Promise((resolve) => setImmediate(resolve));
            lastYield = performance.now();
            if (options.signal?.aborted)
              throw options.signal.reason ?? new Error('training aborted');
          }
        }
      }
    } catch (error) {
      // Aborted or failed: nothing of this run may hold tensor memory.
      model.dispose();
      throw error;
    } finally {
      optimizer.dispose();
    }
    model.meta.metrics.finalLoss = lastLoss;
    model.meta.metrics.rows = set.rows;
    return model;
  }

  /** Scores rows × dim raw features: the expected-watch-time score of each row. */
  predict(x: Float32Array, rows: number): Float32Array {
    const { watchLogit, like } = this.predictParts(x, rows);
    const out = new Float32Array(rows);
    for (let i = 0; i < rows; i += 1) {
      const boost = like ? 1 + this.meta.likeWeight * like[i]! : 1;
      out[i] = Math.exp(Math.min(30, watchLogit[i]!)) * boost;
    }
    return out;
  }

  /** The heads' raw outputs: watch logits and, with a like head, like probabilities. */
  predictParts(
    x: Float32Array,
    rows: number,
  ): { watchLogit: Float32Array; like: Float32Array | null } {
    if (this.disposed) throw new Error(`ranker model ${this.version} is disposed`);
    if (rows === 0)
      return {
        watchLogit: new Float32Array(0),
        like: this.meta.hasLikeHead ? new Float32Array(0) : null,
      };
    if (x.length !== rows * this.dim) throw new RangeError(`x is not ${rows} × ${this.dim}`);
    let watchLogit: Float32Array = new Float32Array(0);
    let like: Float32Array | null = null;
    tf.tidy(() => {
      const out = this.forward(tf.tensor2d(x, [rows, this.dim]));
      watchLogit = out.watch.dataSync() as Float32Array;
      if (out.like) like = tf.sigmoid(out.like).dataSync() as Float32Array;
    });
    return { watchLogit, like };
  }

  /** The artifact: metadata (JSON) and the weights as one little-endian float32 blob. */
  serialize(): { meta: ModelMeta; weights: Uint8Array } {
    if (this.disposed) throw new Error(`ranker model ${this.version} is disposed`);
    const parts = this.params.map((p) => p.dataSync() as Float32Array);
    const total = parts.reduce((n, part) => n + part.length, 0);
    const blob = new Float32Array(total);
    let offset = 0;
    for (const part of parts) {
      blob.set(part, offset);
      offset += part.length;
    }
    return { meta: structuredClone(this.meta), weights: new Uint8Array(blob.buffer) };
  }

  /** Rebuilds a model from its artifact; throws ModelArtifactError on anything that does not fit. */
  static fromArtifact(meta: unknown, weights: Uint8Array): RankerModel {
    const m = meta as Partial<ModelMeta> | null;
    if (typeof m !== 'object' || m === null)
      throw new ModelArtifactError('metadata is not an object');
    if (m.format !== ARTIFACT_FORMAT)
      throw new ModelArtifactError(`format ${JSON.stringify(m.format)} is not ${ARTIFACT_FORMAT}`);
    const isNumbers = (v: unknown): v is number[] =>
      Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n));
    if (typeof m.version !== 'string' || m.version.length === 0)
      throw new ModelArtifactError('version is missing');
    if (!Array.isArray(m.featureNames) || !m.featureNames.every((n) => typeof n === 'string'))
      throw new ModelArtifactError('featureNames is not a list of names');
    if (!isNumbers(m.hidden) || !m.hidden.every((n) => Number.isInteger(n) && n > 0 && n <= 1024))
      throw new ModelArtifactError('hidden is not a list of layer sizes');
    const dim = m.featureNames.length;
    if (!isNumbers(m.mean) || m.mean.length !== dim || !isNumbers(m.std) || m.std.length !== dim)
      throw new ModelArtifactError('mean and std must have one finite number per feature');
    if (typeof m.hasLikeHead !== 'boolean') throw new ModelArtifactError('hasLikeHead is missing');
    const probe = RankerModel.build({
      format: ARTIFACT_FORMAT,
      version: m.version,
      featureNames: m.featureNames,
      hidden: m.hidden,
      mean: m.mean,
      std: m.std,
      hasLikeHead: m.hasLikeHead,
      likeWeight:
        typeof m.likeWeight === 'number' && Number.isFinite(m.likeWeight) ? m.likeWeight : 0.5,
      trainedAt: typeof m.trainedAt === 'string' ? m.trainedAt : '',
      metrics: typeof m.metrics === 'object' && m.metrics !== null ? m.metrics : {},
    });
    const sizes = probe.meta.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    const expected = sizes.reduce((a, b) => a + b, 0) * 4;
    probe.dispose();
    if (weights.byteLength !== expected)
      throw new ModelArtifactError(
        `weights hold ${weights.byteLength} bytes, the shapes need ${expected}`,
      );
    // Copy into a fresh, aligned buffer: a Node Buffer is often a view into a shared pool (its
    // .buffer is the whole pool, and its offset need not be a multiple of 4), and Buffer#slice
    // returns a view rather than a copy.
    const floats = new Float32Array(new Uint8Array(weights).buffer);
    if (!floats.every(Number.isFinite))
      throw new ModelArtifactError('weights hold NaN or infinity');
    const init: Float32Array[] = [];
    let offset = 0;
    for (const size of sizes) {
      init.push(floats.slice(offset, offset + size));
      offset += size;
    }
    return RankerModel.build(
      {
        format: ARTIFACT_FORMAT,
        version: m.version,
        featureNames: m.featureNames,
        hidden: m.hidden,
        mean: m.mean,
        std: m.std,
        hasLikeHead: m.hasLikeHead,
        likeWeight: probe.meta.likeWeight,
        trainedAt: probe.meta.trainedAt,
        metrics: probe.meta.metrics,
      },
      init,
    );
  }

  /**
   * Frees the weights. Later predictions throw: TF.js does not refuse a disposed variable in a
   * kernel, it computes on freed backend memory, so the model guards itself.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.params) p.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}
