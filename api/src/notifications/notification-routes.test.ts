import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSqlEngagementStore } from '@binge/core/engagement/store-sql';
import { createSqlNotificationStore } from '@binge/core/notifications/store-sql';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { signInAsGuest, type SessionClient } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { notificationClient, type NotificationClient } from './notification-client.ts';

interface WireNotification {
  id: string;
  kind: string;
  text: string;
  url: string | null;
  createdAt: string;
  readAt: string | null;
}

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`notification routes on ${kind}`, () => {
    let t: TestApp;
    let categoryId: number;
    let alice: SessionClient;
    let bob: SessionClient;
    let aliceApp: NotificationClient;
    let bobApp: NotificationClient;
    let n = 0;
    let wallMs = Date.now();

    before(async () => {
      t = await openTestApp(kind, {}, { guestLimit: { max: 1_000, timeWindowMs: 3_600_000 } });
      categoryId = await insertCategory(t.db.db, { slug: 'drama' });
      alice = await signInAsGuest(t.app);
      bob = await signInAsGuest(t.app);
      aliceApp = notificationClient(t.app, alice);
      bobApp = notificationClient(t.app, bob);
    });
    after(() => t.close());

    /** A new episode of a new series both users follow up, announced as the reactor would. */
    async function newEpisodeFor(...users: SessionClient[]): Promise<number> {
      n += 1;
      const seriesId = await insertSeries(t.db.db, { slug: `series-${n}`, categoryId });
      const engagement = createSqlEngagementStore(t.db.db);
      for (const user of users)
        await engagement.write(user.user.id, {
          kind: 'follow_up',
          targetType: 'series',
          targetId: seriesId,
          present: true,
          hlc: { wallMs: (wallMs += 1), counter: 0, node: 'phone' },
        });
      const { episodeId } = await insertEpisode(t.db.db, { seriesId, number: 1 });
      await createSqlNotificationStore(t.db.db).notifyFollowersOfEpisode(episodeId);
      return episodeId;
    }

    test('the inbox lists the caller’s notifications newest first, pages, and counts unread', async () => {
      const first = await newEpisodeFor(alice, bob);
      const second = await newEpisodeFor(alice);
      const third = await newEpisodeFor(alice);

      const page = await aliceApp.inbox('limit=2');
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.headers['cache-control'], 'private, no-store');
      const body = page.json() as {
        items: WireNotification[];
        unread: number;
        nextCursor?: string;
      };
      assert.deepEqual(
        body.items.map((item) => item.url),
        [`/watch/${third}`, `/watch/${second}`],
      );
      assert.equal(body.unread, 3);
      assert.equal(body.items[0]!.kind, 'episode.new');
      assert.match(body.items[0]!.text, /: episode 1 is out$/);
      assert.equal(body.items[0]!.readAt, null);
      assert.ok(!Number.isNaN(Date.parse(body.items[0]!.createdAt)));
      assert.ok(body.nextCursor);

      const rest = (await aliceApp.inbox(`cursor=${body.nextCursor}&limit=2`)).json();
      assert.deepEqual(
        rest.items.map((item: WireNotification) => item.url),
        [`/watch/${first}`],
      );
      assert.equal(rest.nextCursor, undefined);

      const bobs = (await bobApp.inbox()).json();
      assert.deepEqual(
        bobs.items.map((item: WireNotification) => item.url),
        [`/watch/${first}`],
      );
    });

    test('read marks the ids given (plain or as pushed), or all; never another user’s', async () => {
      await newEpisodeFor(alice, bob);
      const mine = (await aliceApp.inbox('limit=100')).json().items as WireNotification[];
      const bobs = (await bobApp.inbox('limit=100')).json().items as WireNotification[];
      const bobUnread = (await bobApp.inbox()).json().unread as number;
      assert.ok(mine.length >= 2 && bobs.length >= 1);

      // Alice names one of hers, one as its live push id, and all of Bob's.
      const named = [mine[0]!.id, `n${mine[1]!.id}`, ...bobs.map((item) => item.id)];
      const response = await aliceApp.markRead(named);
      assert.equal(response.statusCode, 204, response.body);
      assert.equal(response.body, '');
      const after = (await aliceApp.inbox('limit=100')).json();
      assert.equal(after.unread, mine.length - 2);
      assert.ok(after.items[0].readAt !== null && after.items[1].readAt !== null);
      assert.equal((await bobApp.inbox()).json().unread, bobUnread, 'Bob’s are untouched');

      assert.equal((await aliceApp.markRead()).statusCode, 204);
      assert.equal((await aliceApp.inbox()).json().unread, 0);
      assert.equal((await bobApp.inbox()).json().unread, bobUnread);
      assert.equal((await bobApp.markReadBody({})).statusCode, 204);
      assert.equal((await bobApp.inbox()).json().unread, 0);
    });

    test('wrong input is 400 with a code', async () => {
      assertProblem(await aliceApp.inbox('cursor=abc'), 400, 'INVALID_CURSOR');
      assertProblem(await aliceApp.inbox('cursor=-1'), 400, 'INVALID_CURSOR');
      assertProblem(await aliceApp.inbox(`cursor=${'9'.repeat(40)}`), 400, 'INVALID_CURSOR');
      assertProblem(await aliceApp.inbox('limit=0'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await aliceApp.inbox('limit=101'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await aliceApp.markRead('x'), 400, 'VALIDATION_FAILED');
      assertProblem(await aliceApp.markRead([{ id: 1 }]), 400, 'VALIDATION_FAILED');
      assertProblem(await aliceApp.markRead(['0']), 400, 'VALIDATION_FAILED');
      assertProblem(await aliceApp.markRead(['x1']), 400, 'VALIDATION_FAILED');
      assertProblem(await aliceApp.markRead(['9'.repeat(17)]), 400, 'VALIDATION_FAILED');
      assertProblem(
        await aliceApp.markRead(Array.from({ length: 201 }, (_, i) => String(i + 1))),
        400,
        'VALIDATION_FAILED',
      );
    });

    test('sign-in is required', async () => {
      const anonymous = notificationClient(t.app, null);
      assertProblem(await anonymous.inbox(), 401, 'AUTH_REQUIRED');
      assertProblem(await anonymous.markRead(), 401, 'AUTH_REQUIRED');
      const forged = notificationClient(t.app, { headers: { authorization: 'Bearer x.y.z' } });
      assertProblem(await forged.inbox(), 401, 'SESSION_INVALID');
      assertProblem(await forged.markRead(['1']), 401, 'SESSION_INVALID');
    });

    test('OpenAPI documents the routes', async () => {
      const doc = (await t.app.inject('/docs/json')).json();
      const inbox = doc.paths['/api/v1/me/notifications'];
      const read = doc.paths['/api/v1/me/notifications/read'];
      assert.ok(inbox?.get && read?.post);
      assert.deepEqual(inbox.get.security, [{ session: [] }]);
      assert.deepEqual(read.post.security, [{ session: [] }]);
      assert.ok(read.post.responses['204']);
    });
  });
}
