import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { PlaybackInfo } from '@binge/core/protocol/catalog';
import {
  insertAsset,
  insertCategory,
  insertEpisode,
  insertSeries,
  type EpisodeFixture,
} from '../testing/catalog-fixtures.ts';
import { openTestApp, writeAssetFiles, type TestApp } from '../testing/test-app.ts';

function assertProblem(response: LightMyRequestResponse, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  assert.equal(response.json().code, code);
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`playback routes on ${kind}`, () => {
    let t: TestApp;
    let unlocked: TestApp;
    let free: EpisodeFixture;
    let paid: EpisodeFixture;
    let pending: EpisodeFixture;
    let draftEpisode: EpisodeFixture;
    let oldReadyAssetId: number;
    let failedAssetId: number;
    let plainAssetId: number;

    before(async () => {
      t = await openTestApp(kind);
      const db = t.db.db;
      const categoryId = await insertCategory(db, { slug: 'drama' });
      const seriesId = await insertSeries(db, { slug: 's', categoryId });
      free = await insertEpisode(db, { seriesId, number: 1, encrypted: true, markers: true });
      paid = await insertEpisode(db, {
        seriesId,
        number: 2,
        isFree: false,
        priceCoins: 30,
        encrypted: true,
      });
      pending = await insertEpisode(db, { seriesId, number: 3, status: 'processing' });
      const draftSeries = await insertSeries(db, { slug: 'd', categoryId, status: 'draft' });
      draftEpisode = await insertEpisode(db, { seriesId: draftSeries, number: 1 });
      oldReadyAssetId = (await insertAsset(db, { episodeId: free.episodeId, encrypted: true }))
        .assetId;
      failedAssetId = (
        await insertAsset(db, { episodeId: free.episodeId, encrypted: true, status: 'failed' })
      ).assetId;
      plainAssetId = (await insertAsset(db, { episodeId: free.episodeId, encrypted: false }))
        .assetId;
      await writeAssetFiles(t.storage, free.storagePrefix!);
      // A second app on the same database whose paywall lets everyone in.
      unlocked = await openTestApp(kind, {
        db: t.db,
        entitlements: { canWatch: async () => true },
      });
    });
    after(async () => {
      await unlocked.close();
      await t.close();
    });

    test('playback info of a free ready episode, with URLs the media server honours', async () => {
      const response = await t.app.inject(`/api/v1/episodes/${free.episodeId}/playback`);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['cache-control'], 'private, no-store');
      const info: PlaybackInfo = response.json();
      assert.equal(info.episodeId, free.episodeId);
      assert.equal(info.number, 1);
      assert.equal(info.encrypted, true);
      assert.deepEqual(info.intro, { startMs: 0, endMs: 5000 });
      assert.deepEqual(info.outro, { startMs: 85000 });
      assert.deepEqual(info.next, { episodeId: paid.episodeId, number: 2, isFree: false });
      const prefix = free.storagePrefix!.replace(/\/$/, '');
      assert.match(
        info.masterUrl,
        new RegExp(`^/media/\\d+\\.3\\.[\\w-]{22}/${prefix}/master\\.m3u8$`),
      );
      assert.ok(info.sprite && info.sprite.vttUrl.endsWith('/sprite.vtt'));
      const exp = Number(info.masterUrl.split('/')[2]!.split('.')[0]);
      assert.equal(info.expiresAt, new Date(exp * 1000).toISOString());
      assert.equal(exp % 300, 0);

      const master = await t.app.inject(info.masterUrl);
      assert.equal(master.statusCode, 200);
      assert.match(master.body, /^#EXTM3U/);
      // The variant playlist and its segment resolve relative to the master under the same token.
      const base = info.masterUrl.slice(0, info.masterUrl.lastIndexOf('/') + 1);
      assert.equal((await t.app.inject(`${base}360p/index.m3u8`)).statusCode, 200);
      assert.equal((await t.app.inject(`${base}360p/seg-00000.ts`)).statusCode, 200);
      assert.equal((await t.app.inject(info.posterUrl!)).headers['content-type'], 'image/jpeg');
    });

    test('paid episodes are locked with their price, unless entitled', async () => {
      const locked = await t.app.inject(`/api/v1/episodes/${paid.episodeId}/playback`);
      assertProblem(locked, 402, 'EPISODE_LOCKED');
      assert.match(locked.json().detail, /30 coins/);
      const open = await unlocked.app.inject(`/api/v1/episodes/${paid.episodeId}/playback`);
      assert.equal(open.statusCode, 200);
      assert.deepEqual(open.json().next, { episodeId: pending.episodeId, number: 3, isFree: true });
    });

    test('not ready, unknown and malformed episodes', async () => {
      assertProblem(
        await t.app.inject(`/api/v1/episodes/${pending.episodeId}/playback`),
        409,
        'EPISODE_NOT_READY',
      );
      assertProblem(
        await t.app.inject('/api/v1/episodes/2147483647/playback'),
        404,
        'EPISODE_NOT_FOUND',
      );
      assertProblem(
        await t.app.inject(`/api/v1/episodes/${draftEpisode.episodeId}/playback`),
        404,
        'EPISODE_NOT_FOUND',
      );
      for (const id of ['0', '-1', 'abc', '1e3', '99999999999'])
        assertProblem(await t.app.inject(`/api/v1/episodes/${id}/playback`), 400, 'INVALID_ID');
    });

    test('the key endpoint hands out the 16-byte key, uncacheable', async () => {
      const response = await t.app.inject(
        `/api/v1/episodes/${free.episodeId}/keys/${free.assetId}`,
      );
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.headers['content-type'], 'application/octet-stream');
      assert.equal(response.headers['cache-control'], 'private, no-store');
      assert.deepEqual(response.rawPayload, free.aesKey);
      // An earlier ready asset of the same episode keeps working for players mid-stream.
      assert.equal(
        (await t.app.inject(`/api/v1/episodes/${free.episodeId}/keys/${oldReadyAssetId}`))
          .rawPayload.length,
        16,
      );
    });

    test('the key of a paid episode is locked, so the paywall cannot be skipped', async () => {
      assertProblem(
        await t.app.inject(`/api/v1/episodes/${paid.episodeId}/keys/${paid.assetId}`),
        402,
        'EPISODE_LOCKED',
      );
      const open = await unlocked.app.inject(
        `/api/v1/episodes/${paid.episodeId}/keys/${paid.assetId}`,
      );
      assert.deepEqual(open.rawPayload, paid.aesKey);
    });

    test('keys of other episodes, failed or unencrypted assets are not found', async () => {
      for (const assetId of [paid.assetId, failedAssetId, plainAssetId, 2147483647])
        assertProblem(
          await t.app.inject(`/api/v1/episodes/${free.episodeId}/keys/${assetId}`),
          404,
          'KEY_NOT_FOUND',
        );
      assertProblem(
        await t.app.inject(`/api/v1/episodes/2147483647/keys/${free.assetId}`),
        404,
        'EPISODE_NOT_FOUND',
      );
      assertProblem(
        await t.app.inject(`/api/v1/episodes/${free.episodeId}/keys/abc`),
        400,
        'INVALID_ID',
      );
      assertProblem(
        await t.app.inject(`/api/v1/episodes/${free.episodeId}/keys/0`),
        400,
        'INVALID_ID',
      );
    });
  });
}
