import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { comments, episodeCounters, users } from '@binge/core/db/schema';
import type { TextFilter } from '@binge/core/moderation/text-filter';
import type { Comment, CommentPage, CommentThread } from '@binge/core/protocol/discussion';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import {
  accessTokenFor,
  clientFor,
  signInAsGuest,
  type SessionClient,
} from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { discussionClient, newCmid, type DiscussionClient } from './discussion-client.ts';

const MISSING = 2147483647;
const COMMENTS_PER_MINUTE = 8;

/** Masks `badword`, refuses anything with `forbidden`: a filter whose verdicts a test can name. */
const textFilter: TextFilter = (text) =>
  text.includes('forbidden')
    ? { ok: false, reason: 'listed word' }
    : { ok: true, text: text.replaceAll('badword', '*******') };

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`comment routes on ${kind}`, () => {
    let t: TestApp;
    let seriesId: number;
    let draftEpisodeId: number;
    let episodeNumber = 0;

    before(async () => {
      t = await openTestApp(
        kind,
        { textFilter },
        {
          guestLimit: { max: 1_000, timeWindowMs: 3_600_000 },
          commentLimit: { max: COMMENTS_PER_MINUTE, timeWindowMs: 60_000 },
        },
      );
      const categoryId = await insertCategory(t.db.db, { slug: 'drama' });
      seriesId = await insertSeries(t.db.db, { slug: 'series', categoryId });
      const draft = await insertSeries(t.db.db, { slug: 'draft', categoryId, status: 'draft' });
      draftEpisodeId = (await insertEpisode(t.db.db, { seriesId: draft, number: 1 })).episodeId;
    });
    after(() => t.close());

    /** A fresh episode, so each test reads its own comments. */
    async function newEpisode(): Promise<number> {
      episodeNumber += 1;
      return (await insertEpisode(t.db.db, { seriesId, number: episodeNumber })).episodeId;
    }

    async function user(): Promise<{ session: SessionClient; app: DiscussionClient }> {
      const session = await signInAsGuest(t.app);
      return { session, app: discussionClient(t.app, session) };
    }

    async function posted(client: DiscussionClient, episodeId: number, body: string) {
      const response = await client.comment(episodeId, body);
      assert.equal(response.statusCode, 201, response.body);
      return response.json() as Comment;
    }

    async function storedCount(episodeId: number): Promise<number> {
      const [row] = await t.db.db
        .select({ n: episodeCounters.comments })
        .from(episodeCounters)
        .where(eq(episodeCounters.episodeId, episodeId));
      return Number(row?.n ?? 0);
    }

    test('a thread: comment, reply, reply to the reply, then the listing', async () => {
      const episodeId = await newEpisode();
      const [ada, bo, cy] = [await user(), await user(), await user()];
      const created = await ada.app.comment(episodeId, '  Episode 3 twist!  ');
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.headers['cache-control'], 'private, no-store');
      const top: Comment = created.json();
      assert.deepEqual(
        { ...top, id: 'x', createdAt: 'x' },
        {
          id: 'x',
          episodeId,
          parentId: null,
          replyToUserId: null,
          author: {
            id: ada.session.user.id,
            displayName: ada.session.user.displayName,
            avatarUrl: null,
            level: top.author!.level,
          },
          body: 'Episode 3 twist!',
          likes: 0,
          replies: 0,
          likedByMe: false,
          createdAt: 'x',
          status: 'visible',
        },
      );
      assert.match(top.id, /^[1-9][0-9]*$/);
      assert.ok(!Number.isNaN(Date.parse(top.createdAt)));

      const reply: Comment = (await bo.app.reply(episodeId, top.id, 'agreed')).json();
      assert.equal(reply.parentId, top.id);
      const nested = await cy.app.reply(episodeId, reply.id, 'me too');
      assert.equal(nested.statusCode, 201, nested.body);
      assert.equal(nested.json().parentId, top.id, 'a reply to a reply joins the thread');
      assert.equal(nested.json().replyToUserId, bo.session.user.id);

      await bo.app.like(top.id);
      const anonymous = discussionClient(t.app, null);
      const page: CommentPage = (await anonymous.comments(episodeId)).json();
      assert.equal(page.nextCursor, null);
      assert.equal(page.items.length, 1);
      const thread = page.items[0]!;
      assert.equal(thread.replies, 2);
      assert.equal(thread.likes, 1);
      assert.ok(!('likedByMe' in thread), 'no likedByMe for anonymous readers');
      assert.deepEqual(
        thread.firstReplies.map((r) => r.body),
        ['agreed', 'me too'],
      );
      const seenByBo: CommentThread = (await bo.app.comments(episodeId)).json().items[0];
      assert.equal(seenByBo.likedByMe, true);
      assert.equal(seenByBo.firstReplies[0]!.likedByMe, false);
      assert.equal(await storedCount(episodeId), 3);
    });

    test('a retried cmid answers 200 with the original; on another episode it is 409', async () => {
      const episodeId = await newEpisode();
      const other = await newEpisode();
      const { app } = await user();
      const cmid = newCmid();
      const first = await app.comment(episodeId, 'only once', { cmid });
      assert.equal(first.statusCode, 201);
      const retry = await app.comment(episodeId, 'only once', { cmid });
      assert.equal(retry.statusCode, 200, retry.body);
      // The same comment; its author may have levelled up in between (progression).
      const withoutLevel = (comment: Comment) => ({ ...comment, author: comment.author?.id });
      assert.deepEqual(withoutLevel(retry.json()), withoutLevel(first.json()));
      assertProblem(await app.comment(other, 'only once', { cmid }), 409, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(await storedCount(episodeId), 1);
    });

    test('markup is stored verbatim and comes back as a JSON string, never as HTML', async () => {
      const episodeId = await newEpisode();
      const { app } = await user();
      const markup = '<script>alert("hi")</script> <b>bold</b> & <img src=x onerror=alert(1)>';
      const response = await app.comment(episodeId, markup);
      assert.equal(response.statusCode, 201, response.body);
      assert.match(String(response.headers['content-type']), /^application\/json/);
      assert.equal(response.json().body, markup);
      assert.ok(!response.body.includes('&lt;'), 'not HTML-escaped: JSON carries it as text');
      const [row] = await t.db.db
        .select({ body: comments.body })
        .from(comments)
        .where(eq(comments.id, Number(response.json().id)));
      assert.equal(row!.body, markup, 'stored as sent');
      const listed = await app.comments(episodeId, 'order=new');
      assert.match(String(listed.headers['content-type']), /^application\/json/);
      assert.equal(listed.json().items[0].body, markup);
    });

    test('the keyword filter masks a listed word, or refuses the comment with 422', async () => {
      const episodeId = await newEpisode();
      const { app } = await user();
      const masked = await app.comment(episodeId, 'what a badword ending');
      assert.equal(masked.statusCode, 201, masked.body);
      assert.equal(masked.json().body, 'what a ******* ending');
      assertProblem(await app.comment(episodeId, 'this is forbidden'), 422, 'TEXT_BLOCKED');
      assert.equal(await storedCount(episodeId), 1);
    });

    test('sign-in: none, forged or expired is 401 before anything else; reading is open', async () => {
      const episodeId = await newEpisode();
      const { session, app } = await user();
      const top = await posted(app, episodeId, 'hello');
      const anonymous = discussionClient(t.app, null);
      for (const response of [
        await anonymous.comment(episodeId, 'x'),
        await anonymous.comment('nope', 5),
        await anonymous.deleteComment(top.id),
        await anonymous.like(top.id),
        await anonymous.unlike(top.id),
      ])
        assertProblem(response, 401, 'AUTH_REQUIRED');
      assert.equal((await anonymous.comments(episodeId)).statusCode, 200);
      assert.equal((await anonymous.replies(top.id)).statusCode, 200);

      const forged = discussionClient(t.app, { headers: { authorization: 'Bearer x.y.z' } });
      assertProblem(await forged.comment(episodeId, 'x'), 401, 'SESSION_INVALID');
      // A bad token is refused on reads too, never silently read as anonymous.
      assertProblem(await forged.comments(episodeId), 401, 'SESSION_INVALID');

      // The caller's own session, with an access token that expired an hour ago.
      const expired = discussionClient(
        t.app,
        clientFor(
          t.app,
          session.user,
          await accessTokenFor(t.config, session, { nowMs: Date.now() - 3_600_000 }),
        ),
      );
      assertProblem(await expired.comment(episodeId, 'late'), 401, 'SESSION_EXPIRED');
      assertProblem(await expired.deleteComment(top.id), 401, 'SESSION_EXPIRED');
      assertProblem(await expired.like(top.id), 401, 'SESSION_EXPIRED');
      assertProblem(await expired.comments(episodeId), 401, 'SESSION_EXPIRED');

      await t.db.db
        .update(users)
        .set({ bannedAt: new Date(), banReason: 'spam' })
        .where(eq(users.id, session.user.id));
      assertProblem(await app.comment(episodeId, 'still here?'), 403, 'ACCOUNT_BANNED');
      assertProblem(await app.like(top.id), 403, 'ACCOUNT_BANNED');
      assert.equal(await storedCount(episodeId), 1);
    });

    test('bad input: wrong types, missing fields, too long, control characters, bad ids', async () => {
      const episodeId = await newEpisode();
      const { app } = await user();
      const cmid = newCmid();
      const invalid: unknown[] = [
        { body: 5, cmid },
        { body: ['a'], cmid },
        { body: null, cmid },
        { body: { text: 'x' }, cmid },
        { body: 'ok', cmid: 12345678 },
        { body: 'ok', cmid: 'short' },
        { body: 'ok', cmid: 'has spaces in it' },
        { body: 'ok', cmid, parentId: 5 },
        { body: 'ok', cmid, parentId: true },
        { body: 'ok', cmid, parentId: '0' },
        { body: 'ok', cmid, parentId: '99999999999999999' },
        { body: 'ok', cmid, extra: 'field' },
        { cmid },
        { body: 'ok' },
        {},
        'just a string',
        [1, 2],
        { body: '', cmid },
        { body: '   \n\t ', cmid },
        { body: 'a'.repeat(501), cmid },
        { body: 'a'.repeat(2001), cmid },
        { body: 'bell\u0007', cmid },
        { body: 'nul\u0000', cmid },
        { body: 'flip\u202Eit', cmid },
      ];
      for (const payload of invalid)
        assertProblem(await app.postComment(episodeId, payload), 400, 'VALIDATION_FAILED');
      const longest = await app.comment(episodeId, '字'.repeat(500));
      assert.equal(longest.statusCode, 201, '500 characters fit');

      for (const id of ['0', '-1', 'abc', '1e3', '99999999999'])
        assertProblem(await app.comment(id, 'x'), 400, 'INVALID_ID');
      for (const id of ['0', 'abc', '1.5', '99999999999999999']) {
        assertProblem(await app.deleteComment(id), 400, 'INVALID_ID');
        assertProblem(await app.like(id), 400, 'INVALID_ID');
        assertProblem(await app.replies(id), 400, 'INVALID_ID');
      }
      assertProblem(await app.comments(episodeId, 'order=best'), 400, 'VALIDATION_FAILED');
      assertProblem(await app.comments(episodeId, 'limit=0'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await app.comments(episodeId, 'limit=51'), 400, 'PAGE_SIZE_OUT_OF_RANGE');
      assertProblem(await app.comments(episodeId, 'limit=1e1'), 400, 'VALIDATION_FAILED');
      assertProblem(await app.comments(episodeId, 'cursor=garbage'), 400, 'INVALID_CURSOR');
      assert.equal(await storedCount(episodeId), 1, 'nothing refused was stored');
    });

    test('cursors: opaque, signed, and only good for the list that issued them', async () => {
      const episodeId = await newEpisode();
      const other = await newEpisode();
      const { app } = await user();
      for (let i = 0; i < 3; i += 1) await posted(app, episodeId, `c${i}`);
      const first = (await app.comments(episodeId, 'order=new&limit=2')).json();
      const cursor: string = first.nextCursor;
      assert.ok(cursor);
      assert.equal(
        (await app.comments(episodeId, `order=new&limit=2&cursor=${cursor}`)).statusCode,
        200,
      );
      assertProblem(await app.comments(other, `order=new&cursor=${cursor}`), 400, 'INVALID_CURSOR');
      assertProblem(
        await app.comments(episodeId, `order=hot&cursor=${cursor}`),
        400,
        'INVALID_CURSOR',
      );
      const [payload, signature] = cursor.split('.') as [string, string];
      const forged = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), i: 1 }),
      ).toString('base64url');
      assertProblem(
        await app.comments(episodeId, `order=new&cursor=${forged}.${signature}`),
        400,
        'INVALID_CURSOR',
      );
      assertProblem(
        await app.replies(first.items[0].id, `cursor=${cursor}`),
        400,
        'INVALID_CURSOR',
      );
    });

    test('reply targets and episodes: another episode, a deleted parent, an unpublished episode', async () => {
      const episodeId = await newEpisode();
      const other = await newEpisode();
      const { app } = await user();
      const foreign = await posted(app, other, 'elsewhere');
      assertProblem(await app.reply(episodeId, foreign.id, 'x'), 400, 'REPLY_TARGET_INVALID');
      assertProblem(
        await app.reply(episodeId, '9007199254740991', 'x'),
        400,
        'REPLY_TARGET_INVALID',
      );
      const gone = await posted(app, episodeId, 'gone soon');
      assert.equal((await app.deleteComment(gone.id)).statusCode, 204);
      assertProblem(await app.reply(episodeId, gone.id, 'x'), 409, 'COMMENT_GONE');
      assertProblem(await app.comment(MISSING, 'x'), 404, 'EPISODE_NOT_FOUND');
      assertProblem(await app.comment(draftEpisodeId, 'x'), 404, 'EPISODE_NOT_FOUND');
      assertProblem(await app.comments(draftEpisodeId), 404, 'EPISODE_NOT_FOUND');
      assertProblem(await app.replies('9007199254740991'), 404, 'COMMENT_NOT_FOUND');
    });

    test('delete: someone else’s is 403; the author’s is 204 twice; an admin may delete any', async () => {
      const episodeId = await newEpisode();
      const [ada, bo, admin] = [await user(), await user(), await user()];
      await t.db.db.update(users).set({ role: 'admin' }).where(eq(users.id, admin.session.user.id));
      const top = await posted(ada.app, episodeId, 'top');
      const reply = (await bo.app.reply(episodeId, top.id, 'a reply')).json() as Comment;
      assertProblem(await bo.app.deleteComment(top.id), 403, 'FORBIDDEN');
      assertProblem(await ada.app.deleteComment(reply.id), 403, 'FORBIDDEN');
      assertProblem(await ada.app.deleteComment('9007199254740991'), 404, 'COMMENT_NOT_FOUND');
      assert.equal(await storedCount(episodeId), 2);

      assert.equal((await ada.app.deleteComment(top.id)).statusCode, 204);
      assert.equal((await ada.app.deleteComment(top.id)).statusCode, 204, 'idempotent');
      assert.equal(await storedCount(episodeId), 1, 'counted down once');
      const placeholder: CommentThread = (await bo.app.comments(episodeId)).json().items[0];
      assert.equal(placeholder.status, 'deleted');
      assert.equal(placeholder.body, null);
      assert.equal(placeholder.author, null);
      assert.deepEqual(
        placeholder.firstReplies.map((r) => r.id),
        [reply.id],
      );

      assert.equal((await admin.app.deleteComment(reply.id)).statusCode, 204);
      assert.equal(await storedCount(episodeId), 0);
      assert.deepEqual((await bo.app.comments(episodeId)).json().items, [], 'nothing left to show');
    });

    test('likes: set semantics, exact under concurrency, and none on a deleted comment', async () => {
      const episodeId = await newEpisode();
      const { app } = await user();
      const top = await posted(app, episodeId, 'like me');
      assert.deepEqual((await app.like(top.id)).json(), { liked: true, likes: 1 });
      assert.deepEqual((await app.like(top.id)).json(), { liked: true, likes: 1 });
      assert.deepEqual((await app.unlike(top.id)).json(), { liked: false, likes: 0 });
      assert.deepEqual((await app.unlike(top.id)).json(), { liked: false, likes: 0 });

      const fans = await Promise.all(Array.from({ length: 12 }, () => user()));
      const responses = await Promise.all(
        fans.flatMap(({ app: fan }) => [fan.like(top.id), fan.like(top.id)]),
      );
      for (const response of responses) assert.equal(response.statusCode, 200, response.body);
      const listed: CommentThread = (await app.comments(episodeId)).json().items[0];
      assert.equal(listed.likes, 12);

      assertProblem(await app.like('9007199254740991'), 404, 'COMMENT_NOT_FOUND');
      await app.deleteComment(top.id);
      assertProblem(await fans[0]!.app.like(top.id), 409, 'COMMENT_GONE');
      assert.deepEqual((await fans[0]!.app.unlike(top.id)).json(), { liked: false, likes: 11 });
    });

    test('hot and new orders, reply pages, and blocked authors left out', async () => {
      const episodeId = await newEpisode();
      const [ada, troll, viewer] = [await user(), await user(), await user()];
      const fans = await Promise.all(Array.from({ length: 3 }, () => user()));
      const posts: Comment[] = [];
      for (const body of ['a', 'b', 'c', 'd']) posts.push(await posted(ada.app, episodeId, body));
      const trolling = await posted(troll.app, episodeId, 'troll');
      // b gets 3 likes, d 2, a 1; c none.
      for (const [i, n] of [
        [1, 3],
        [3, 2],
        [0, 1],
      ] as const)
        for (const fan of fans.slice(0, n)) await fan.app.like(posts[i]!.id);
      const walk = async (client: DiscussionClient, query: string) => {
        const ids: string[] = [];
        let cursor: string | null = null;
        do {
          const suffix: string = cursor === null ? '' : `&cursor=${cursor}`;
          const page: CommentPage = (await client.comments(episodeId, `${query}${suffix}`)).json();
          ids.push(...page.items.map((c) => c.id));
          cursor = page.nextCursor;
        } while (cursor !== null);
        return ids;
      };
      const [a, b, c, d] = posts.map((p) => p.id) as [string, string, string, string];
      assert.deepEqual(await walk(viewer.app, 'order=hot&limit=2'), [b, d, a, trolling.id, c]);
      assert.deepEqual(
        await walk(viewer.app, 'limit=2'),
        [b, d, a, trolling.id, c],
        'hot by default',
      );
      assert.deepEqual(await walk(viewer.app, 'order=new&limit=2'), [trolling.id, d, c, b, a]);

      assert.equal((await viewer.session.block(troll.session.user.id)).statusCode, 204);
      assert.deepEqual(await walk(viewer.app, 'order=new&limit=2'), [d, c, b, a]);

      const replies: string[] = [];
      for (let i = 0; i < 5; i += 1)
        replies.push(((await fans[i % 3]!.app.reply(episodeId, a, `r${i}`)).json() as Comment).id);
      const first = (await viewer.app.replies(a, 'limit=2')).json();
      assert.deepEqual(
        first.items.map((r: Comment) => r.id),
        replies.slice(0, 2),
      );
      const second = (await viewer.app.replies(a, `limit=2&cursor=${first.nextCursor}`)).json();
      assert.deepEqual(
        second.items.map((r: Comment) => r.id),
        replies.slice(2, 4),
      );
    });

    test('posting is rate limited per account', async () => {
      const episodeId = await newEpisode();
      const [spammer, other] = [await user(), await user()];
      for (let i = 0; i < COMMENTS_PER_MINUTE; i += 1)
        assert.equal((await spammer.app.comment(episodeId, `spam ${i}`)).statusCode, 201);
      const limited = await spammer.app.comment(episodeId, 'one more');
      assertProblem(limited, 429, 'RATE_LIMITED');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await other.app.comment(episodeId, 'my first')).statusCode, 201);
      // Likes and reads are not posts.
      assert.equal((await spammer.app.comments(episodeId)).statusCode, 200);
      assert.equal(await storedCount(episodeId), COMMENTS_PER_MINUTE + 1);
    });

    test('a first comment counts towards progression (experience)', async () => {
      const episodeId = await newEpisode();
      const { session, app } = await user();
      const xpOf = async () =>
        (
          await t.db.db.select({ xp: users.xp }).from(users).where(eq(users.id, session.user.id))
        )[0]!.xp;
      const before = await xpOf();
      await posted(app, episodeId, 'my very first comment');
      assert.ok((await xpOf()) > before, 'the comment earned experience');
    });

    test('OpenAPI documents the routes and their codes', async () => {
      const doc = (await t.app.inject('/docs/json')).json();
      const post = doc.paths['/api/v1/episodes/{id}/comments'];
      assert.ok(post.post && post.get);
      assert.deepEqual(post.post.security, [{ session: [] }]);
      for (const path of ['/api/v1/comments/{id}/replies', '/api/v1/comments/{id}'])
        assert.ok(doc.paths[path], `${path} missing`);
      assert.ok(doc.paths['/api/v1/comments/{id}/like'].put);
      const text = JSON.stringify(post);
      for (const code of ['REPLY_TARGET_INVALID', 'COMMENT_GONE', 'TEXT_BLOCKED', 'RATE_LIMITED'])
        assert.ok(text.includes(code), code);
    });
  });
}
