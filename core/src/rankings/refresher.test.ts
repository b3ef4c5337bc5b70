import assert from 'node:assert/strict';
import { once } from 'node:events';
import { EventEmitter } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { DatabaseHandle } from '../db/database.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder } from '../db/test-seed.ts';
import { createRankingRefresher } from './refresher.ts';
import { createSqlRankingStore } from './store-sql.ts';
import { ALL_CATEGORIES, type RankingStore } from './store.ts';

describe('ranking refresher on PGlite', () => {
  let handle: DatabaseHandle;
  let store: RankingStore;

  before(async () => {
    handle = await openTestDatabase('pglite');
    store = createSqlRankingStore(handle.db);
    const seed = createTestSeeder(handle.db);
    await seed.series();
    await seed.series();
  });
  after(() => handle.close());

  test('start() refreshes at once and then every interval; stop() ends it', async () => {
    const refresher = createRankingRefresher({ store, intervalMs: 40 });
    const events = new EventEmitter();
    const seen: Date[] = [];
    refresher.onRefreshed((outcome) => {
      seen.push(outcome.computedAt);
      events.emit('refreshed');
    });
    refresher.start();
    refresher.start();
    while (seen.length < 3) await once(events, 'refreshed');
    await refresher.stop();
    const count = seen.length;
    assert.ok(
      seen.every((at, i) => i === 0 || at > seen[i - 1]!),
      'one refresh at a time',
    );
    const board = await store.read('new', ALL_CATEGORIES, 10);
    assert.equal(board.entries.length, 2);
    assert.equal(board.computedAt?.getTime(), seen.at(-1)!.getTime());
    // Stopped: nothing refreshes any more, whatever the boards' age.
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(seen.length, count);
  });

  test('a tick leaves boards another process refreshed less than 80 % of an interval ago', async () => {
    let now = new Date('2026-04-01T00:00:00.000Z');
    const clock = () => now;
    await store.refresh({ now });
    now = new Date(now.getTime() + 20_000);
    const refresher = createRankingRefresher({ store, intervalMs: 30_000, clock });
    let refreshed = 0;
    refresher.onRefreshed(() => (refreshed += 1));
    refresher.start();
    await refresher.stop();
    assert.equal(refreshed, 0, 'the boards were 20 s old, under 24 s');
    const board = await store.read('new', ALL_CATEGORIES, 1);
    assert.equal(board.computedAt?.toISOString(), '2026-04-01T00:00:00.000Z');
    // refresh() is the operator's: it recomputes whatever the age, and tells the listeners.
    const outcome = await refresher.refresh();
    assert.equal(outcome.refreshed, true);
    assert.equal(refreshed, 1);
  });

  test('intervalMs 0 never refreshes on its own; a negative interval is refused', async () => {
    const refresher = createRankingRefresher({ store, intervalMs: 0 });
    let refreshed = 0;
    refresher.onRefreshed(() => (refreshed += 1));
    refresher.start();
    await refresher.stop();
    assert.equal(refreshed, 0);
    assert.throws(() => createRankingRefresher({ store, intervalMs: -1 }), RangeError);
  });

  test('a failing refresh is logged and the next tick tries again', async () => {
    const broken = await openTestDatabase('pglite');
    await broken.close();
    const errors: unknown[] = [];
    const events = new EventEmitter();
    const refresher = createRankingRefresher({
      store: createSqlRankingStore(broken.db),
      intervalMs: 20,
      logger: {
        error: (details: unknown) => {
          errors.push(details);
          events.emit('error-logged');
        },
        debug: () => undefined,
      } as never,
    });
    refresher.start();
    while (errors.length < 2) await once(events, 'error-logged');
    await refresher.stop();
    assert.ok(errors.length >= 2);
  });
});
