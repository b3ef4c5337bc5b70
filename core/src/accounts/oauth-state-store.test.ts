import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newOpaqueToken } from '../auth/opaque-token.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { oauthStates } from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder } from '../db/test-seed.ts';
import { createSqlOAuthStateStore } from './oauth-state-store-sql.ts';
import type { OAuthStateRecord, OAuthStateStore } from './oauth-state-store.ts';

const MINUTE = 60_000;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`SQL OAuth state store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: OAuthStateStore;
    const t0 = new Date('2030-01-01T00:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlOAuthStateStore(handle.db);
    });
    after(() => handle.close());

    const record = (overrides: Partial<OAuthStateRecord> = {}): OAuthStateRecord => ({
      key: newOpaqueToken(),
      provider: 'weibo',
      codeVerifier: newOpaqueToken(),
      redirectUri: 'https://binge.example/api/v1/auth/oauth/weibo/callback',
      returnTo: '/me',
      linkUserId: null,
      expiresAt: at(10 * MINUTE),
      ...overrides,
    });

    test('a state is consumed once, with everything it was created with', async () => {
      const linkUserId = await createTestSeeder(handle.db).user();
      const created = record({ linkUserId });
      await store.create(created, t0);
      assert.deepEqual(await store.consume(created.key, 'weibo', at(MINUTE)), created);
      assert.equal(await store.consume(created.key, 'weibo', at(MINUTE)), null);
    });

    test('unknown, expired and another provider’s states are not found', async () => {
      const created = record();
      await store.create(created, t0);
      assert.equal(await store.consume(newOpaqueToken(), 'weibo', at(1)), null);
      assert.equal(await store.consume(created.key, 'wechat', at(1)), null);
      assert.equal(await store.consume(created.key, 'weibo', at(10 * MINUTE)), null);
      assert.equal(await store.consume('', 'weibo', at(1)), null);
      assert.equal(await store.consume('x'.repeat(1000), 'weibo', at(1)), null);
    });

    test('racing callbacks with one state: one gets it', async () => {
      const created = record();
      await store.create(created, t0);
      const results = await Promise.all([
        store.consume(created.key, 'weibo', at(1)),
        store.consume(created.key, 'weibo', at(1)),
      ]);
      assert.equal(results.filter((r) => r !== null).length, 1);
    });

    test('long-expired states are deleted by a later start', async () => {
      const old = record({ expiresAt: at(MINUTE) });
      await store.create(old, t0);
      await store.create(record(), at(2 * 24 * 60 * MINUTE));
      const keys = (await handle.db.select().from(oauthStates)).map((row) => row.state);
      assert.ok(!keys.includes(old.key));
    });
  });
}
