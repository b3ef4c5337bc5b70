/**
 * Ranker scoring latency and training time: the WASM backend against the pure-JS CPU backend of
 * TF.js, in the same process and run.
 *
 * The model has the serving shape (SERVING_FEATURES in, hidden [32, 16], watch and like heads:
 * RankerModel's defaults, what the training job trains). One feed page scores CANDIDATES
 * candidates at once, so one run is one predict() of CANDIDATES × SERVING_DIM raw features, the
 * call serving makes. Each backend gets its own copy of the model, built from the same artifact
 * after switching to it (so its weights live on that backend), a warm-up, then RUNS timed runs in
 * ROUNDS alternating blocks (noise on the shared machine lands on both). Prints p50, p99 and mean
 * per backend and the CPU/WASM ratio of the medians.
 *
 * Then the training time of TRAIN_ROWS synthetic rows with the training job's default options
 * (20 epochs, batch 512) on each backend.
 *
 *   npm run bench:ranker-score             # 500 candidates, 2,000 runs, 20k training rows
 *   npm run bench:ranker-score -- --quick  # 500 candidates, 1,000 runs, 5k training rows
 */
import { performance } from 'node:perf_hooks';
import { SERVING_DIM, SERVING_FEATURES } from '../feed-ranker/src/features/spec.ts';
import { initBackend, tf, useBackend } from '../feed-ranker/src/model/backend.ts';
import { RankerModel } from '../feed-ranker/src/model/ranker-model.ts';
import { syntheticServingSet } from '../feed-ranker/src/model/synthetic-set.ts';

const quick = process.argv.includes('--quick');
const CANDIDATES = 500;
const RUNS = quick ? 1_000 : 2_000;
const ROUNDS = 10;
const WARMUP = 50;
const TRAIN_ROWS = quick ? 5_000 : 20_000;
const backends = ['wasm', 'cpu'] as const;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const chosen = await initBackend('wasm');
  if (chosen !== 'wasm') throw new Error(`the WASM backend did not start (got ${chosen})`);
  // The scored model: trained briefly so its weights are real, on a set with a like head.
  const seedSet = syntheticServingSet(4_000, 1);
  const liked = new Float32Array(seedSet.rows).map((_, i) =>
    seedSet.watched[i] && i % 4 === 0 ? 1 : 0,
  );
  const source = await RankerModel.train(
    { ...seedSet, liked },
    { featureNames: SERVING_FEATURES, version: 'bench', epochs: 2 },
  );
  const { meta, weights } = source.serialize();
  source.dispose();
  const page = syntheticServingSet(CANDIDATES, 2).x;

  const models = new Map<string, RankerModel>();
  for (const name of backends) {
    await useBackend(name);
    const model = RankerModel.fromArtifact(meta, weights);
    for (let i = 0; i < WARMUP; i += 1) model.predict(page, CANDIDATES);
    models.set(name, model);
  }
  const times = new Map<string, number[]>(backends.map((name) => [name, []]));
  const reference = new Map<string, Float32Array>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const name of backends) {
      await useBackend(name);
      const model = models.get(name)!;
      const into = times.get(name)!;
      for (let i = 0; i < RUNS / ROUNDS; i += 1) {
        const start = performance.now();
        const scores = model.predict(page, CANDIDATES);
        into.push(performance.now() - start);
        if (round === 0 && i === 0) reference.set(name, scores);
      }
    }
  }
  // Both backends compute the same function: a check that the WASM figures are not of a no-op.
  const a = reference.get('wasm')!;
  const b = reference.get('cpu')!;
  let maxRelative = 0;
  for (let i = 0; i < a.length; i += 1)
    maxRelative = Math.max(maxRelative, Math.abs(a[i]! - b[i]!) / Math.max(1e-6, Math.abs(b[i]!)));

  console.log(
    `Scoring ${CANDIDATES} candidates × ${SERVING_DIM} features, model hidden [${meta.hidden.join(', ')}] ` +
      `with like head, ${RUNS} runs per backend in ${ROUNDS} alternating rounds`,
  );
  console.log('backend  p50 ms   p99 ms   mean ms');
  const medians = new Map<string, number>();
  for (const name of backends) {
    const sorted = [...times.get(name)!].sort((x, y) => x - y);
    const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
    medians.set(name, percentile(sorted, 50));
    console.log(
      `${name.padEnd(7)}  ${percentile(sorted, 50).toFixed(3).padStart(6)}   ${percentile(
        sorted,
        99,
      )
        .toFixed(3)
        .padStart(6)}   ${mean.toFixed(3).padStart(6)}`,
    );
  }
  console.log(
    `cpu/wasm p50 ratio: ${(medians.get('cpu')! / medians.get('wasm')!).toFixed(2)}× ` +
      `(goal: wasm p50 < 5 ms: ${medians.get('wasm')! < 5 ? 'met' : 'NOT met'}); ` +
      `largest relative score difference between backends: ${maxRelative.toExponential(2)}`,
  );
  for (const model of models.values()) model.dispose();

  console.log(`\nTraining ${TRAIN_ROWS} rows (20 epochs, batch 512, hidden [32, 16], like head)`);
  const set = syntheticServingSet(TRAIN_ROWS, 3);
  const setLiked = new Float32Array(set.rows).map((_, i) =>
    set.watched[i] && i % 4 === 0 ? 1 : 0,
  );
  const trainSeconds = new Map<string, number>();
  for (const name of backends) {
    await useBackend(name);
    const start = performance.now();
    const model = await RankerModel.train(
      { ...set, liked: setLiked },
      { featureNames: SERVING_FEATURES, version: `train-${name}` },
    );
    const seconds = (performance.now() - start) / 1000;
    trainSeconds.set(name, seconds);
    model.dispose();
    console.log(
      `${name.padEnd(7)}  ${seconds.toFixed(2)} s  (${Math.round((TRAIN_ROWS * 20) / seconds).toLocaleString('en')} rows/s)`,
    );
  }
  console.log(
    `cpu/wasm training ratio: ${(trainSeconds.get('cpu')! / trainSeconds.get('wasm')!).toFixed(2)}×; ` +
      `tensors left: ${tf.memory().numTensors}`,
  );
}

await main();
