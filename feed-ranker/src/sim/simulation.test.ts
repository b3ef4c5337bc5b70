import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_VIDEOS, loadCatalog } from './catalog.ts';
import { stream, STREAM } from './random-streams.ts';
import { simulate, type SimOptions } from './simulation.ts';

const seed = 11;
const options: SimOptions = {
  catalog: await loadCatalog(DEFAULT_VIDEOS, stream(seed, STREAM.catalog)),
  users: 150,
  sessions: 2,
  warmupSessions: 4,
  seed,
  epochs: 6,
};
const first = await simulate(options);

test('the same seed gives the same report, another seed another', async () => {
  const again = await simulate(options);
  assert.deepEqual(again.report, first.report);
  const other = await simulate({ ...options, seed: seed + 1 });
  assert.notDeepEqual(other.report.policies, first.report.policies);
});

test('the report covers every policy with shares between 0 and 1', () => {
  const { report } = first;
  assert.deepEqual(
    report.policies.map((p) => p.policy),
    ['random', 'popularity', 'co-watch', 'model'],
  );
  for (const p of report.policies) {
    assert.equal(p.sessions, 150 * 2);
    for (const share of [p.earlyEndShare, p.likeRate, p.skipRate])
      assert.ok(share >= 0 && share <= 1, `${p.policy}: ${share}`);
    assert.ok(p.meanWatchMinutes > 0 && p.itemsPerSession >= 1);
  }
  assert.ok(report.model.rows > 0 && report.model.positives > 0);
});

// Seed 11 is fixed so this cannot flake; seeds 1 to 5 at this size agree (see README).
test('the model keeps viewers longer than popularity, and random loses them early most', () => {
  const by = Object.fromEntries(first.report.policies.map((p) => [p.policy, p]));
  const { random, popularity, model } = by;
  assert.ok(
    model!.meanWatchMinutes > popularity!.meanWatchMinutes,
    `model ${model!.meanWatchMinutes} min, popularity ${popularity!.meanWatchMinutes} min`,
  );
  assert.ok(model!.earlyEndShare < popularity!.earlyEndShare);
  assert.ok(random!.earlyEndShare > model!.earlyEndShare);
  assert.ok(random!.meanWatchMinutes < popularity!.meanWatchMinutes);
});
