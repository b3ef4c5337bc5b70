import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from './backend.ts';
import { ModelArtifactError, RankerModel, seededRandom, type TrainingSet } from './ranker-model.ts';

/** A world where plays depend on feature 0 and watch time on feature 1; feature 2 is noise. */
function world(rows: number, seed: number): TrainingSet & { expected: Float32Array } {
  const random = seededRandom(seed);
  const dim = 3;
  const x = new Float32Array(rows * dim);
  const watched = new Float32Array(rows);
  const weight = new Float32Array(rows);
  const liked = new Float32Array(rows);
  const expected = new Float32Array(rows);
  for (let r = 0; r < rows; r += 1) {
    const a = random() * 4 - 2;
    const b = random() * 10;
    x.set([a, b, random() * 100], r * dim);
    const p = 1 / (1 + Math.exp(-2 * a));
    const seconds = 1 + b * 3;
    expected[r] = p * seconds;
    watched[r] = random() < p ? 1 : 0;
    weight[r] = watched[r] ? seconds : 1;
    liked[r] = watched[r] && random() < 0.3 ? 1 : 0;
  }
  return { rows, dim, x, watched, weight, liked, expected };
}

function spearman(a: Float32Array, b: Float32Array): number {
  const rank = (v: Float32Array) => {
    const order = Array.from(v.keys()).sort((i, j) => v[i]! - v[j]!);
    const r = new Float64Array(v.length);
    order.forEach((i, k) => (r[i] = k));
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  let d2 = 0;
  for (let i = 0; i < n; i += 1) d2 += (ra[i]! - rb[i]!) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

const names = ['a', 'b', 'noise'];

test('the watch-time-weighted model orders rows by expected watch time', async () => {
  await initBackend('auto');
  const train = world(4000, 1);
  const model = await RankerModel.train(train, {
    featureNames: names,
    version: 't1',
    epochs: 15,
    seed: 3,
  });
  const held = world(1000, 2);
  const scores = model.predict(held.x, held.rows);
  assert.ok(spearman(scores, held.expected) > 0.8, 'ranks follow expected watch time');
  model.dispose();
});

test('the same seed trains the same model', async () => {
  await initBackend('auto');
  const set = world(500, 5);
  const one = await RankerModel.train(set, {
    featureNames: names,
    version: 'a',
    epochs: 3,
    seed: 9,
  });
  const two = await RankerModel.train(set, {
    featureNames: names,
    version: 'b',
    epochs: 3,
    seed: 9,
  });
  assert.deepEqual(one.predict(set.x.subarray(0, 30), 10), two.predict(set.x.subarray(0, 30), 10));
  one.dispose();
  two.dispose();
});

test('an artifact round-trips, and a damaged one is refused with a reason', async () => {
  await initBackend('auto');
  const set = world(300, 7);
  const model = await RankerModel.train(set, { featureNames: names, version: 'v1', epochs: 2 });
  const { meta, weights } = model.serialize();
  const copy = RankerModel.fromArtifact(JSON.parse(JSON.stringify(meta)), weights);
  assert.deepEqual(
    copy.predict(set.x.subarray(0, 60), 20),
    model.predict(set.x.subarray(0, 60), 20),
  );
  assert.throws(() => RankerModel.fromArtifact(meta, weights.subarray(0, 10)), ModelArtifactError);
  assert.throws(() => RankerModel.fromArtifact({ ...meta, format: 'x' }, weights), /format/);
  assert.throws(() => RankerModel.fromArtifact({ ...meta, mean: [1] }, weights), /mean and std/);
  assert.throws(() => RankerModel.fromArtifact(null, weights), /not an object/);
  const nan = new Float32Array(weights.slice().buffer);
  nan[0] = Number.NaN;
  assert.throws(() => RankerModel.fromArtifact(meta, new Uint8Array(nan.buffer)), /NaN/);
  assert.throws(() => model.predict(new Float32Array(5), 2), RangeError);
  model.dispose();
  copy.dispose();
});
