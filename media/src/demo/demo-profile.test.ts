import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoCatalog, demoProfile } from './demo-catalog.ts';

test('the full profile is the demo catalog at 720x1280', () => {
  const profile = demoProfile('full');
  assert.equal(profile.catalog, demoCatalog);
  assert.deepEqual(profile.sourceSize, { width: 720, height: 1280 });
});

test('the tiny profile keeps every series and category, with a paid episode and valid markers', () => {
  const profile = demoProfile('tiny');
  assert.deepEqual(
    profile.catalog.map((s) => s.slug),
    demoCatalog.map((s) => s.slug),
  );
  const episodes = profile.catalog.flatMap((s) => s.episodes);
  assert.equal(episodes.length, 4 + 2 * (demoCatalog.length - 1));
  assert.ok(
    episodes.some((e) => !e.isFree && e.priceCoins > 0),
    'a paid episode',
  );
  for (const e of episodes) {
    assert.ok(e.introEndMs < e.outroStartMs, 'intro ends before the outro starts');
    assert.ok(e.outroStartMs < e.durationSeconds * 1000);
  }
  assert.ok(profile.sourceSize.height < 1280 && profile.sourceSize.width % 2 === 0);
});
