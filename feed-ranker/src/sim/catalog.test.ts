import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CatalogError, DEFAULT_VIDEOS, loadCatalog, parseCatalog } from './catalog.ts';
import { stream } from './random-streams.ts';

test('the real KuaiRand catalog loads with its tags and durations', async () => {
  const catalog = await loadCatalog(DEFAULT_VIDEOS, stream(1, 1));
  assert.equal(catalog.size, 7583);
  assert.equal(catalog.skippedRows, 0);
  assert.equal(catalog.tagNames.length, 46);
  assert.ok(
    catalog.tags.some((tags) => tags.length > 1),
    'some videos carry a tag list',
  );
  assert.ok(
    catalog.tags.some((tags) => tags.length === 0),
    'some videos carry no tag',
  );
  const sampled = catalog.durationKnown.filter((known) => known === 0).length;
  assert.equal(sampled, 239, 'videos without a duration get a sampled one');
  assert.ok(catalog.durationS.every((s) => Number.isFinite(s) && s >= 1));
  catalog.itemsByTag.forEach((items, t) => assert.equal(items.length, catalog.tagCount[t]));
  const again = await loadCatalog(DEFAULT_VIDEOS, stream(1, 1));
  assert.deepEqual(again.durationS, catalog.durationS, 'the same seed samples the same durations');
});

test('bad rows are left out and unknown durations are drawn from the known ones', () => {
  const text = [
    'video_id,video_duration,tag,video_type',
    '0,60000.0,"3,20",NORMAL',
    'x,30000.0,3,NORMAL',
    '0,45000.0,7,NORMAL',
    '1,0.0,,NORMAL',
    '2,,7,AD',
    '3,20000.0, 20 ,NORMAL',
  ].join('\n');
  const catalog = parseCatalog(text, stream(2, 1), 'inline');
  assert.equal(catalog.size, 4);
  assert.equal(catalog.skippedRows, 2, 'a non-numeric id and a repeated id');
  assert.deepEqual([...catalog.videoIds], [0, 1, 2, 3]);
  assert.deepEqual(catalog.tagNames, ['3', '20', '7']);
  assert.deepEqual(
    catalog.tags.map((tags) => [...tags]),
    [[0, 1], [], [2], [1]],
  );
  assert.deepEqual([...catalog.durationKnown], [1, 0, 0, 1]);
  for (const item of [1, 2]) assert.ok([60, 20].includes(catalog.durationS[item]!));
});

test('a catalog the simulator cannot use is refused with a code and the reason', async () => {
  const refuses = (text: string, reason: RegExp) =>
    assert.throws(
      () => parseCatalog(text, stream(3, 1), 'videos.csv'),
      (error: unknown) =>
        error instanceof CatalogError &&
        error.code === 'SIM_CATALOG_INVALID' &&
        reason.test(error.message),
    );
  refuses('video_id,tag\n1,2\n', /missing column video_duration/);
  refuses('author_id\n1\n', /missing columns video_id, video_duration, tag/);
  refuses('', /no video rows/);
  refuses('video_id,video_duration,tag\nabc,1000,1\n', /no row has a usable video_id/);
  refuses('video_id,video_duration,tag\n1,0,1\n', /no row has a usable video_duration/);
  refuses('video_id,video_duration,tag\n"1,1000,2\n', /not a readable CSV/);
  await assert.rejects(
    loadCatalog('/nonexistent/videos.csv', stream(3, 1)),
    /cannot read \(ENOENT\)/,
  );
});
