import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LiveCounters } from './live-counters.ts';
import { InvalidLiveInputError, LiveCountersClosedError } from './live-error.ts';
import type { LiveDelta } from './live-window.ts';

export interface LiveCountersPair {
  /** Two gateway nodes; for a networked adapter two instances (connections), else the same one. */
  first: LiveCounters;
  second: LiveCounters;
  close(): Promise<void>;
}

/** The options every pair is built with, so the expectations below hold for each adapter. */
export const contractOptions = { windowSeconds: 5, viewerTtlMs: 3_000 } as const;

const delta = (fields: Partial<LiveDelta> = {}): LiveDelta => ({
  likes: 0,
  danmu: 0,
  positionSumMs: 0,
  positionCount: 0,
  viewers: 0,
  ...fields,
});

/**
 * One suite for every LiveCounters adapter. Time is the injected `atMs` only: each test uses its own
 * episode ids and a base time of its own, so no test sleeps or sees another's state.
 */
export function liveCountersContract(
  name: string,
  makePair: () => Promise<LiveCountersPair>,
): void {
  describe(`live counters contract: ${name}`, () => {
    let pair: LiveCountersPair;
    let live: LiveCounters;
    let nextEpisode = 0;
    const episode = () => 1_000 + ++nextEpisode;
    /** A whole second well after the Unix epoch, like a real clock. */
    const t0 = 1_760_000_000_000;
    before(async () => {
      pair = await makePair();
      live = pair.first;
    });
    after(() => pair.close());

    test('an episode nobody flushed reads as zeros', async () => {
      assert.deepEqual(await live.read(episode(), t0), {
        viewersNow: 0,
        likesPerSecond: 0,
        danmuPerSecond: 0,
        averagePositionMs: null,
      });
    });

    test("two nodes' flushes merge by sum", async () => {
      const ep = episode();
      await pair.first.flush(
        'node-a',
        ep,
        delta({ likes: 10, danmu: 5, positionSumMs: 30_000, positionCount: 3, viewers: 40 }),
        t0 + 200,
      );
      await pair.second.flush(
        'node-b',
        ep,
        delta({ likes: 15, danmu: 0, positionSumMs: 10_000, positionCount: 1, viewers: 60 }),
        t0 + 700,
      );
      // Read from either node, during the next second: the window holds t0's second.
      for (const reader of [pair.first, pair.second]) {
        assert.deepEqual(await reader.read(ep, t0 + 1_100), {
          viewersNow: 100,
          likesPerSecond: 25 / 5,
          danmuPerSecond: 5 / 5,
          averagePositionMs: 10_000,
        });
      }
    });

    test('a repeated flush for the same node and second does not double count', async () => {
      const ep = episode();
      const once = delta({
        likes: 7,
        danmu: 3,
        positionSumMs: 9_000,
        positionCount: 2,
        viewers: 5,
      });
      await pair.first.flush('node-a', ep, once, t0 + 100);
      // A retry after a timeout, through the other connection and at another time in the second.
      await pair.second.flush('node-a', ep, once, t0 + 100);
      await pair.first.flush('node-a', ep, once, t0 + 900);
      const read = await live.read(ep, t0 + 1_000);
      assert.equal(read.likesPerSecond, 7 / 5);
      assert.equal(read.danmuPerSecond, 3 / 5);
      assert.equal(read.averagePositionMs, 4_500);
      assert.equal(read.viewersNow, 5);
      // The node's latest tally for the second replaces the earlier one.
      await pair.first.flush('node-a', ep, delta({ likes: 8, viewers: 6 }), t0 + 950);
      const replaced = await live.read(ep, t0 + 1_000);
      assert.equal(replaced.likesPerSecond, 8 / 5);
      assert.equal(replaced.averagePositionMs, null);
      assert.equal(replaced.viewersNow, 6);
    });

    test('a node that stops flushing drops out of viewersNow after the TTL', async () => {
      const ep = episode();
      for (let s = 0; s < 3; s += 1) {
        await pair.first.flush('node-a', ep, delta({ viewers: 30 }), t0 + s * 1_000);
        await pair.second.flush('node-b', ep, delta({ viewers: 20 }), t0 + s * 1_000);
      }
      // node-b is killed after its flush at t0 + 2000; node-a goes on. Reads follow the clock.
      await pair.first.flush('node-a', ep, delta({ viewers: 30 }), t0 + 3_000);
      await pair.first.flush('node-a', ep, delta({ viewers: 30 }), t0 + 4_000);
      assert.equal((await live.read(ep, t0 + 4_999)).viewersNow, 50);
      assert.equal((await live.read(ep, t0 + 5_000)).viewersNow, 30);
      for (let s = 5; s < 8; s += 1) {
        await pair.first.flush('node-a', ep, delta({ viewers: 30 }), t0 + s * 1_000);
      }
      assert.equal((await live.read(ep, t0 + 7_500)).viewersNow, 30);
      // And when every node is gone, nobody is watching.
      assert.equal((await live.read(ep, t0 + 10_000)).viewersNow, 0);
    });

    test('a late retry of an older flush neither rewinds nor revives a gauge', async () => {
      const ep = episode();
      await live.flush('node-a', ep, delta({ viewers: 12 }), t0 + 2_000);
      await live.flush('node-a', ep, delta({ viewers: 99 }), t0 + 1_000);
      assert.equal((await live.read(ep, t0 + 2_500)).viewersNow, 12);
      // node-a dies; node-b's flush at t0 + 5000 finds its gauge lapsed. A retry of node-a's that
      // arrives after that, stamped before, must not bring it back.
      await pair.second.flush('node-b', ep, delta({ viewers: 1 }), t0 + 5_000);
      await pair.first.flush('node-a', ep, delta({ viewers: 99 }), t0 + 1_500);
      assert.equal((await live.read(ep, t0 + 5_000)).viewersNow, 1);
    });

    test('rates and the average position cover the last 5 whole seconds only', async () => {
      const ep = episode();
      // Seconds 0..7 after t0: likes = s + 1, danmu = 2 per second on each node, positions s * 1000.
      for (let s = 0; s < 8; s += 1) {
        const at = t0 + s * 1_000 + 500;
        await pair.first.flush(
          'node-a',
          ep,
          delta({ likes: s + 1, danmu: 2, positionSumMs: s * 1_000, positionCount: 1, viewers: 1 }),
          at,
        );
        await pair.second.flush(
          'node-b',
          ep,
          delta({ danmu: 2, positionSumMs: s * 3_000, positionCount: 3, viewers: 2 }),
          at,
        );
      }
      // Read during second 7 (not yet complete): the window is seconds 2..6.
      const read = await live.read(ep, t0 + 7_200);
      assert.equal(read.likesPerSecond, (3 + 4 + 5 + 6 + 7) / 5);
      assert.equal(read.danmuPerSecond, 4);
      // Both nodes report positions of s seconds; mean of s over 2..6 is 4 s.
      assert.equal(read.averagePositionMs, 4_000);
      assert.equal(read.viewersNow, 3);
      // Later, with nothing flushed since second 7: only seconds 5..7 remain in the window.
      const later = await live.read(ep, t0 + 10_000);
      assert.equal(later.likesPerSecond, (6 + 7 + 8) / 5);
      assert.equal(later.danmuPerSecond, (3 * 4) / 5);
      assert.equal(later.averagePositionMs, 6_000);
      // Seconds with no flush at all count as quiet seconds.
      assert.deepEqual(await live.read(ep, t0 + 60_000), {
        viewersNow: 0,
        likesPerSecond: 0,
        danmuPerSecond: 0,
        averagePositionMs: null,
      });
    });

    test('episodes are independent', async () => {
      const a = episode();
      const b = episode();
      await live.flush('node-a', a, delta({ likes: 5, viewers: 10 }), t0);
      await live.flush('node-a', b, delta({ danmu: 10, viewers: 1 }), t0);
      assert.deepEqual(await live.read(a, t0 + 1_000), {
        viewersNow: 10,
        likesPerSecond: 1,
        danmuPerSecond: 0,
        averagePositionMs: null,
      });
      assert.deepEqual(await live.read(b, t0 + 1_000), {
        viewersNow: 1,
        likesPerSecond: 0,
        danmuPerSecond: 2,
        averagePositionMs: null,
      });
    });

    test('bad input is refused with a coded error before touching storage', async () => {
      const ep = episode();
      const good = delta({ likes: 1, viewers: 1 });
      const badFlushes: [string, number, LiveDelta, number][] = [
        ['', ep, good, t0],
        ['node:a', ep, good, t0],
        ['x'.repeat(33), ep, good, t0],
        [42 as unknown as string, ep, good, t0],
        ['node-a', 0, good, t0],
        ['node-a', -1, good, t0],
        ['node-a', 1.5, good, t0],
        ['node-a', Number.NaN, good, t0],
        ['node-a', '7' as unknown as number, good, t0],
        ['node-a', ep, good, -1],
        ['node-a', ep, good, Number.NaN],
        ['node-a', ep, good, 1.5],
        ['node-a', ep, null as unknown as LiveDelta, t0],
        ['node-a', ep, { ...good, likes: -1 }, t0],
        ['node-a', ep, { ...good, danmu: Number.NaN }, t0],
        ['node-a', ep, { ...good, viewers: 1.5 }, t0],
        ['node-a', ep, { ...good, positionSumMs: Number.POSITIVE_INFINITY }, t0],
        ['node-a', ep, { ...good, positionSumMs: 10, positionCount: 0 }, t0],
        ['node-a', ep, { ...good, positionCount: '1' as unknown as number }, t0],
        ['node-a', ep, { likes: 1 } as LiveDelta, t0],
      ];
      for (const [node, episodeId, bad, at] of badFlushes) {
        await assert.rejects(live.flush(node, episodeId, bad, at), (error: unknown) => {
          assert.ok(error instanceof InvalidLiveInputError, String(error));
          assert.equal(error.code, 'INVALID_LIVE_INPUT');
          return true;
        });
      }
      for (const [episodeId, at] of [
        [0, t0],
        [1.5, t0],
        [Number.NaN, t0],
        [ep, -5],
        [ep, Number.NaN],
      ] as const) {
        await assert.rejects(live.read(episodeId, at), { code: 'INVALID_LIVE_INPUT' });
      }
      // Nothing was stored by the refused flushes.
      assert.deepEqual(await live.read(ep, t0 + 1_000), {
        viewersNow: 0,
        likesPerSecond: 0,
        danmuPerSecond: 0,
        averagePositionMs: null,
      });
    });
  });
}

/** Separate from the shared pair, since it closes its counters. */
export function liveCountersCloseContract(
  name: string,
  make: () => Promise<{ live: LiveCounters; cleanUp(): Promise<void> }>,
): void {
  test(`live counters contract: ${name}: closed counters refuse with a coded error`, async () => {
    const { live, cleanUp } = await make();
    try {
      await live.flush('node-a', 1, delta({ viewers: 1 }), 1_000);
      await live.close();
      await live.close();
      await assert.rejects(live.flush('node-a', 1, delta(), 2_000), LiveCountersClosedError);
      await assert.rejects(live.read(1, 2_000), { code: 'LIVE_COUNTERS_CLOSED' });
    } finally {
      await cleanUp();
    }
  });
}
