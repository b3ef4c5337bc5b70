import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { topics, type Bus } from '@binge/core/bus';
import { createMemoryBus } from '@binge/core/bus/bus-memory';
import { createRedisBus } from '@binge/core/bus/bus-redis';
import type { DatabaseHandle } from '@binge/core/db';
import { rankerModels } from '@binge/core/db/schema';
import { openTestDatabase } from '@binge/core/db/testing';
import { createLogger } from '@binge/core/log';
import type { Storage } from '@binge/core/storage';
import { createLocalStorage } from '@binge/core/storage/storage-local';
import { SERVING_FEATURES } from '../features/spec.ts';
import { saveModelArtifact } from './artifacts.ts';
import { initBackend } from './backend.ts';
import { RankerModel } from './ranker-model.ts';
import { createModelRegistry, type ModelRegistry } from './registry.ts';
import { syntheticServingSet } from './synthetic-set.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quiet = createLogger({ level: 'silent' });
const probe = syntheticServingSet(4, 99);

/** Waits for a condition that an asynchronous path (a bus message) brings about. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 25));
  assert.ok(condition(), what);
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`model registry on ${kind}`, () => {
    let handle: DatabaseHandle;
    let root: string;
    let storage: Storage;
    let bus: Bus;
    const registries: ModelRegistry[] = [];

    before(async () => {
      await initBackend('auto');
      handle = await openTestDatabase(kind);
      root = mkdtempSync(path.join(os.tmpdir(), 'binge-registry-'));
      storage = createLocalStorage(root);
      bus =
        kind === 'pglite'
          ? createMemoryBus({ logger: quiet })
          : createRedisBus({
              url: redisUrl,
              prefix: `binge-test-${randomBytes(4).toString('hex')}:`,
              logger: quiet,
            });
    });
    after(async () => {
      for (const registry of registries) await registry.stop();
      await bus.close();
      await handle.close();
      rmSync(root, { recursive: true, force: true });
    });

    function registry(): ModelRegistry {
      const made = createModelRegistry({ db: handle.db, storage, logger: quiet, bus, pollMs: 0 });
      registries.push(made);
      return made;
    }

    /** Trains and stores a small model, and records it with `status`. */
    async function stored(
      version: string,
      status: 'candidate' | 'active' | 'retired',
      activatedAt: Date | null = status === 'candidate' ? null : new Date(),
    ): Promise<string> {
      const model = await RankerModel.train(syntheticServingSet(64, version.length), {
        featureNames: SERVING_FEATURES,
        version,
        epochs: 1,
        hidden: [8],
      });
      const storageKey = await saveModelArtifact(storage, model);
      model.dispose();
      await handle.db.insert(rankerModels).values({ version, status, storageKey, activatedAt });
      return storageKey;
    }

    /** Retires the active row and activates `version`, as the training job's promotion does. */
    async function activate(version: string): Promise<void> {
      await handle.db.transaction(async (tx) => {
        await tx
          .update(rankerModels)
          .set({ status: 'retired' })
          .where(eq(rankerModels.status, 'active'));
        await tx
          .update(rankerModels)
          .set({ status: 'active', activatedAt: new Date() })
          .where(eq(rankerModels.version, version));
      });
    }

    async function statusOf(version: string) {
      const [row] = await handle.db
        .select()
        .from(rankerModels)
        .where(eq(rankerModels.version, version));
      return row!;
    }

    test('serves nothing before any model exists, and never throws from current()', async () => {
      const empty = registry();
      await empty.start();
      assert.equal(empty.current(), null);
      assert.equal(empty.version(), null);
      await empty.stop();
    });

    test('loads the active model at start and hot-swaps to a new one on a bus message', async () => {
      await stored('v1', 'active');
      const serving = registry();
      await serving.start();
      assert.equal(serving.version(), 'v1');
      const v1 = serving.current()!;
      const before = v1.predict(probe.x, probe.rows);
      assert.equal(before.length, probe.rows);

      await stored('v2', 'candidate');
      await activate('v2');
      // Until the announcement, v1 keeps serving (poll is off in this test).
      assert.equal(serving.version(), 'v1');
      await bus.publish(topics.rankerModel, { version: 'v2' });
      await until(() => serving.version() === 'v2', 'the registry swapped to v2');
      const v2 = serving.current()!;
      assert.equal(v2.predict(probe.x, probe.rows).length, probe.rows);
      // The old model was disposed after the swap: its weights are gone.
      assert.throws(() => v1.predict(probe.x, probe.rows), /disposed/);
      // A reload with nothing new keeps the very same model.
      await serving.reload();
      assert.equal(serving.current(), v2);
    });

    test('a corrupt model is marked so and the last good model keeps serving', async () => {
      const serving = registry();
      await serving.start();
      assert.equal(serving.version(), 'v2');
      const good = serving.current()!;

      const damages: [string, (key: string) => Promise<void>, RegExp][] = [
        ['c-meta', (key) => storage.delete(`${key}/meta.json`), /meta\.json is missing/],
        [
          'c-truncated',
          async (key) => {
            const weights = await storage.readBuffer(`${key}/weights.bin`);
            await storage.put(`${key}/weights.bin`, weights.subarray(0, 100));
          },
          /bytes, the shapes need/,
        ],
        [
          'c-json',
          (key) => storage.put(`${key}/meta.json`, Buffer.from('{"format": "binge-ranker/1",')),
          /not JSON/,
        ],
        [
          'c-nan',
          async (key) => {
            const weights = await storage.readBuffer(`${key}/weights.bin`);
            const floats = new Float32Array(new Uint8Array(weights).buffer);
            floats[0] = Number.NaN;
            await storage.put(`${key}/weights.bin`, Buffer.from(floats.buffer));
          },
          /NaN/,
        ],
      ];
      for (const [version, damage, reason] of damages) {
        const key = await stored(version, 'candidate');
        await damage(key);
        await activate(version);
        await serving.reload();
        assert.equal(serving.current(), good, `${version}: the last good model serves`);
        const row = await statusOf(version);
        assert.equal(row.status, 'corrupt', version);
        assert.match(String(row.metrics.loadError), reason, version);
      }
      // Good still predicts: it was never disposed.
      assert.equal(good.predict(probe.x, probe.rows).length, probe.rows);
    });

    test('a model of another feature list is refused but not marked corrupt', async () => {
      const serving = registry();
      await serving.start();
      const good = serving.current()!;
      const model = await RankerModel.train(syntheticServingSet(32, 5), {
        featureNames: [...SERVING_FEATURES].reverse(),
        version: 'other-features',
        epochs: 1,
        hidden: [4],
      });
      const storageKey = await saveModelArtifact(storage, model);
      model.dispose();
      await handle.db
        .insert(rankerModels)
        .values({ version: 'other-features', status: 'candidate', storageKey });
      await activate('other-features');
      await serving.reload();
      assert.equal(serving.current(), good);
      assert.equal((await statusOf('other-features')).status, 'active');
    });

    test('a fresh process whose active model is corrupt serves the last good one', async () => {
      // v2 was retired by the activations above and is the most recently active good model.
      await stored('c-fresh', 'candidate');
      await storage.delete('models/ranker/c-fresh/weights.bin');
      await activate('c-fresh');
      const fresh = registry();
      await fresh.start();
      assert.equal((await statusOf('c-fresh')).status, 'corrupt');
      assert.equal(fresh.version(), 'v2');
      await fresh.stop();
      assert.equal(fresh.current(), null, 'stop disposes and drops the model');
    });

    test('a storage outage is not taken for corruption', async () => {
      const key = await stored('v3', 'candidate');
      await activate('v3');
      let failing = true;
      const flaky: Storage = {
        ...storage,
        async readBuffer(k: string) {
          if (failing && k.startsWith(key)) throw Object.assign(new Error('EIO'), { code: 'EIO' });
          return storage.readBuffer(k);
        },
      };
      const serving = createModelRegistry({
        db: handle.db,
        storage: flaky,
        logger: quiet,
        pollMs: 0,
      });
      registries.push(serving);
      await serving.start();
      assert.equal((await statusOf('v3')).status, 'active', 'an outage marks nothing');
      assert.notEqual(serving.version(), 'v3');
      failing = false;
      await serving.reload();
      assert.equal(serving.version(), 'v3');
    });
  });
}
