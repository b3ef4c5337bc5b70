import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_VIDEOS, loadCatalog } from './catalog.ts';
import { cowatchPolicy } from './cowatch-policy.ts';
import { explorePolicy } from './explore-policy.ts';
import { Observations } from './observations.ts';
import type { Policy } from './policy.ts';
import { popularityPolicy } from './popularity-policy.ts';
import { randomPolicy } from './random-policy.ts';
import { stream } from './random-streams.ts';
import { runSession, simulate, SimulationError } from './simulation.ts';
import { drawWorld } from './world.ts';

const catalog = await loadCatalog(DEFAULT_VIDEOS, stream(5, 1));

test('no policy shows an item twice to a viewer, warm-up included', async () => {
  const { runs, warmup } = await simulate({
    catalog,
    users: 40,
    sessions: 3,
    warmupSessions: 2,
    seed: 5,
    epochs: 2,
    modelEpsilon: 0.2,
  });
  assert.deepEqual(
    runs.map((run) => run.policy),
    ['random', 'popularity', 'co-watch', 'model', 'model ε=0.2'],
  );
  for (const run of runs) {
    const shown = new Map<number, Set<number>>();
    for (const { viewer, item } of [...warmup, ...run.impressions]) {
      const items = shown.get(viewer) ?? new Set();
      assert.ok(!items.has(item), `${run.policy} showed item ${item} to viewer ${viewer} again`);
      items.add(item);
      shown.set(viewer, items);
    }
    assert.equal(run.sessions.length, 40 * 3);
    assert.ok(run.impressions.length > 40 * 3);
  }
});

test('a policy offered only a few unseen items serves exactly those', () => {
  const world = drawWorld(catalog, 2, 6);
  const observations = new Observations(catalog, 2, stream(6, 2));
  const left = [17, 4000, 7582];
  const shown = new Set([...Array(catalog.size).keys()].filter((i) => !left.includes(i)));
  const policies: Policy[] = [
    randomPolicy(),
    popularityPolicy(),
    cowatchPolicy(),
    explorePolicy(popularityPolicy(), 0.5),
  ];
  for (const policy of policies) {
    const page = policy.page({
      viewer: 0,
      session: [],
      observations,
      shown,
      size: 10,
      random: stream(6, 3),
    });
    assert.deepEqual(
      [...page].sort((a, b) => a - b),
      left,
      policy.name,
    );
  }
  // Once everything is shown the session ends instead of looping.
  const { result } = runSession(
    { world, observations, shown: new Set([...shown, ...left]), seed: 6, pageSize: 10 },
    randomPolicy(),
    0,
    0,
  );
  assert.equal(result.items, 0);
});

test('the simulator refuses a policy that repeats an item or leaves the catalog', () => {
  const world = drawWorld(catalog, 1, 7);
  const context = () => ({
    world,
    observations: new Observations(catalog, 1, stream(7, 2)),
    shown: new Set<number>(),
    seed: 7,
    pageSize: 3,
  });
  const repeats: Policy = { name: 'stuck', page: () => [11, 12, 13] };
  assert.throws(
    () => runSession(context(), repeats, 0, 0),
    (error: unknown) =>
      error instanceof SimulationError &&
      error.code === 'SIM_POLICY_INVALID' &&
      /stuck served item 11 to viewer 0 twice/.test(error.message),
  );
  const twiceOnPage: Policy = { name: 'doubled', page: () => [5, 5] };
  assert.throws(() => runSession(context(), twiceOnPage, 0, 0), /doubled served item 5/);
  const outside: Policy = { name: 'outside', page: () => [catalog.size] };
  assert.throws(() => runSession(context(), outside, 0, 0), /outside the catalog/);
});
