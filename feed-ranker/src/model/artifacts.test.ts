import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { SERVING_FEATURES } from '../features/spec.ts';
import {
  loadModelArtifact,
  ModelFeaturesError,
  modelArtifactKey,
  saveModelArtifact,
} from './artifacts.ts';
import { initBackend, tf } from './backend.ts';
import { ModelArtifactError, RankerModel } from './ranker-model.ts';
import { syntheticServingSet } from './synthetic-set.ts';

let root: string;
before(async () => {
  await initBackend('auto');
  root = mkdtempSync(path.join(os.tmpdir(), 'binge-artifacts-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function train(version: string): Promise<RankerModel> {
  return RankerModel.train(syntheticServingSet(64, 3), {
    featureNames: SERVING_FEATURES,
    version,
    epochs: 1,
    hidden: [8],
  });
}

test('an artifact round-trips through the local storage adapter', async () => {
  const storage = createLocalStorage(path.join(root, 'round-trip'));
  const tensorsBefore = tf.memory().numTensors;
  const model = await train('v1');
  const key = await saveModelArtifact(storage, model);
  assert.equal(key, 'models/ranker/v1');
  assert.deepEqual(await storage.list('models/ranker/v1/'), [
    'models/ranker/v1/meta.json',
    'models/ranker/v1/weights.bin',
  ]);
  const copy = await loadModelArtifact(storage, key);
  const rows = syntheticServingSet(20, 9);
  assert.deepEqual(copy.predict(rows.x, rows.rows), model.predict(rows.x, rows.rows));
  assert.equal(copy.version, 'v1');
  assert.deepEqual(copy.meta.featureNames, [...SERVING_FEATURES]);
  // A trailing slash names the same artifact.
  const again = await loadModelArtifact(storage, `${key}/`);
  assert.equal(again.version, 'v1');
  model.dispose();
  copy.dispose();
  again.dispose();
  // Training, loading and disposing leave no tensor behind (a hot swap every hour must not leak).
  assert.equal(tf.memory().numTensors, tensorsBefore);
});

test('a damaged or missing artifact is refused with ModelArtifactError and a reason', async () => {
  const storage = createLocalStorage(path.join(root, 'damaged'));
  const model = await train('good');
  const key = await saveModelArtifact(storage, model);
  const meta = await storage.readBuffer(`${key}/meta.json`);
  const weights = await storage.readBuffer(`${key}/weights.bin`);
  model.dispose();

  async function refused(
    name: string,
    damage: (prefix: string) => Promise<void>,
    reason: RegExp,
  ): Promise<void> {
    const prefix = `models/ranker/${name}`;
    await storage.put(`${prefix}/meta.json`, meta);
    await storage.put(`${prefix}/weights.bin`, weights);
    await damage(prefix);
    await assert.rejects(loadModelArtifact(storage, prefix), (error: unknown) => {
      assert.ok(error instanceof ModelArtifactError, `${name}: ${String(error)}`);
      assert.equal(error.code, 'MODEL_ARTIFACT_INVALID');
      assert.match(error.message, reason, name);
      return true;
    });
  }

  await refused('no-meta', (p) => storage.delete(`${p}/meta.json`), /meta\.json is missing/);
  await refused('no-weights', (p) => storage.delete(`${p}/weights.bin`), /weights\.bin is missing/);
  await refused(
    'truncated',
    (p) => storage.put(`${p}/weights.bin`, weights.subarray(0, weights.length - 6)),
    /weights hold \d+ bytes, the shapes need \d+/,
  );
  await refused(
    'bad-json',
    (p) => storage.put(`${p}/meta.json`, meta.subarray(0, meta.length - 10)),
    /is not JSON/,
  );
  await refused(
    'nan',
    async (p) => {
      const floats = new Float32Array(new Uint8Array(weights).buffer);
      floats[5] = Number.NaN;
      await storage.put(`${p}/weights.bin`, Buffer.from(floats.buffer));
    },
    /NaN or infinity/,
  );
  await refused(
    'huge-meta',
    (p) => storage.put(`${p}/meta.json`, Buffer.alloc(2 * 1024 * 1024, 32)),
    /more than/,
  );
  await refused(
    'wrong-shape',
    async (p) => {
      const parsed = JSON.parse(meta.toString()) as { hidden: number[] };
      parsed.hidden = [9];
      await storage.put(`${p}/meta.json`, Buffer.from(JSON.stringify(parsed)));
    },
    /the shapes need/,
  );
  await refused(
    'other-features',
    async (p) => {
      const parsed = JSON.parse(meta.toString()) as { featureNames: string[] };
      parsed.featureNames = [...parsed.featureNames].reverse();
      await storage.put(`${p}/meta.json`, Buffer.from(JSON.stringify(parsed)));
    },
    /trained on other features/,
  );
  await assert.rejects(
    loadModelArtifact(storage, 'models/ranker/../../etc'),
    ModelArtifactError,
    'a key that leaves the store is the artifact row at fault',
  );
  // The feature-list refusal has its own class: the registry does not call it corrupt.
  const fewer = await RankerModel.train(syntheticServingSet(32, 1), {
    featureNames: SERVING_FEATURES,
    version: 'fewer',
    epochs: 1,
    hidden: [4],
  });
  const fewerKey = await saveModelArtifact(storage, fewer);
  fewer.dispose();
  await assert.rejects(
    loadModelArtifact(storage, fewerKey, { featureNames: ['a', 'b'] }),
    ModelFeaturesError,
  );
});

test('a version that is no safe storage name is refused before anything is written', async () => {
  assert.throws(() => modelArtifactKey('../x'), ModelArtifactError);
  assert.throws(() => modelArtifactKey(''), ModelArtifactError);
  assert.throws(() => modelArtifactKey('a/b'), ModelArtifactError);
  assert.equal(
    modelArtifactKey('20250101T000000Z-abc123'),
    'models/ranker/20250101T000000Z-abc123',
  );
  const storage = createLocalStorage(path.join(root, 'names'));
  const model = await train('bad/name');
  await assert.rejects(saveModelArtifact(storage, model), ModelArtifactError);
  assert.deepEqual(await storage.list(''), []);
  model.dispose();
});
