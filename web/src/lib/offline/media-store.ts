import {
  defaultCapBytes,
  planEviction,
  planShrink,
  reconcilePlan,
  usageOf,
  type CacheRecord,
} from './cache-budget.ts';
import { storableHeaders } from './cached-response.ts';
import type { MediaManifest } from './media-manifest.ts';
import type { ClearResult, UsageResult } from './offline-protocol.ts';

export interface MediaStoreDeps {
  caches: CacheStorage;
  manifest: MediaManifest;
  cacheName: string;
  now: () => number;
}

export type PutOutcome = 'stored' | 'over-cap';

/**
 * The media cache: responses in the Cache API under normalized keys (media-cache-key.ts), their
 * sizes and last use in the manifest, the cap enforced on every write. Writes run one at a time
 * so two precaches cannot both decide there is room for themselves.
 *
 * Order of writes, for a worker stopped half-way: an evicted record is dropped before its
 * response, and a new response is written before its record. Either way the leftover is a cached
 * response without a record, which `reconcile` deletes; nothing is ever counted that is not there
 * for longer than until the next reconcile.
 */
export function createMediaStore(deps: MediaStoreDeps) {
  const { caches, manifest, cacheName, now } = deps;
  let chain: Promise<unknown> = Promise.resolve();

  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = chain.then(work, work);
    chain = run.catch(() => undefined);
    return run;
  }

  const open = () => caches.open(cacheName);

  async function capBytes(): Promise<number> {
    return (await manifest.getCap()) ?? defaultCapBytes;
  }

  async function evict(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await manifest.delete(keys);
    const cache = await open();
    await Promise.all(keys.map((key) => cache.delete(key)));
  }

  async function usage(): Promise<UsageResult> {
    return { ...usageOf(await manifest.all()), capBytes: await capBytes() };
  }

  return {
    /** The stored response, marking it used (the LRU order). */
    async match(key: string): Promise<Response | undefined> {
      const response = await (await open()).match(key);
      if (response) await manifest.touch(key, now()).catch(() => undefined);
      return response;
    },

    /** The stored response without marking it used (the caller may still prefer the network). */
    async peek(key: string): Promise<Response | undefined> {
      return (await open()).match(key);
    },

    async keys(): Promise<Set<string>> {
      return new Set((await manifest.all()).map((record) => record.key));
    },

    put(
      key: string,
      body: ArrayBuffer,
      from: Headers,
      meta: { episodeId: number | null; protect?: ReadonlySet<string> },
    ): Promise<PutOutcome> {
      return exclusive(async () => {
        const records = await manifest.all();
        const plan = planEviction(
          records,
          await capBytes(),
          { key, bytes: body.byteLength },
          meta.protect,
        );
        if (!plan.fits) return 'over-cap';
        await evict(plan.evict);
        const response = new Response(body, {
          status: 200,
          headers: storableHeaders(from, body.byteLength),
        });
        await (await open()).put(key, response);
        const record: CacheRecord = {
          key,
          bytes: body.byteLength,
          lastUsed: now(),
          episodeId: meta.episodeId,
        };
        await manifest.put(record);
        return 'stored';
      });
    },

    usage: () => exclusive(usage),

    clear(): Promise<ClearResult> {
      return exclusive(async () => {
        const before = usageOf(await manifest.all());
        await manifest.clear();
        await caches.delete(cacheName);
        return { removedEntries: before.entries, removedBytes: before.bytes };
      });
    },

    setCap(bytes: number): Promise<UsageResult> {
      return exclusive(async () => {
        await manifest.setCap(bytes);
        await evict(planShrink(await manifest.all(), bytes));
        return usage();
      });
    },

    reconcile(): Promise<void> {
      return exclusive(async () => {
        const cache = await open();
        const cached = (await cache.keys()).map((request) => request.url);
        const records = (await manifest.all()).map((record) => record.key);
        const plan = reconcilePlan(cached, records);
        await manifest.delete(plan.dropRecords);
        await Promise.all(plan.dropResponses.map((key) => cache.delete(key)));
      });
    },
  };
}

export type MediaStore = ReturnType<typeof createMediaStore>;
