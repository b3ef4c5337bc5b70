import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { count, eq, sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import {
  commentLikes,
  comments,
  episodeCounters,
  seriesActivityHourly,
  seriesCounters,
  userBlocks,
  users,
} from '../db/schema.ts';
import { openTestDatabase } from '../db/test-database.ts';
import { createTestSeeder, type TestSeeder } from '../db/test-seed.ts';
import { seededRandom } from '../protocol/crdt/seeded-random.ts';
import { createSqlCommentStore } from './comment-store-sql.ts';
import type { CommentCursor, CommentListPage, CommentStore } from './comment-store.ts';
import { DiscussionError, type DiscussionErrorCode } from './discussion-error.ts';

async function rejectsWith(promise: Promise<unknown>, code: DiscussionErrorCode) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DiscussionError, String(error));
    assert.equal(error.code, code);
    return true;
  });
}

function storeContract(kind: 'pglite' | 'postgres') {
  describe(`SQL comment store on ${kind}`, () => {
    let handle: DatabaseHandle;
    let store: CommentStore;
    let seed: TestSeeder;

    before(async () => {
      handle = await openTestDatabase(kind);
      store = createSqlCommentStore(handle.db);
      seed = createTestSeeder(handle.db);
    });
    after(() => handle.close());

    const post = (
      episodeId: number,
      userId: number,
      body = 'first!',
      parentId: number | null = null,
      cmid = seed.cmid(),
    ) => store.post({ episodeId, userId, body, parentId, cmid });

    async function counts(episodeId: number, seriesId: number) {
      const [episode] = await handle.db
        .select({ n: episodeCounters.comments })
        .from(episodeCounters)
        .where(eq(episodeCounters.episodeId, episodeId));
      const [seriesRow] = await handle.db
        .select({ n: seriesCounters.comments })
        .from(seriesCounters)
        .where(eq(seriesCounters.seriesId, seriesId));
      const [activity] = await handle.db
        .select({ n: sql<string>`coalesce(sum(${seriesActivityHourly.comments}), 0)::text` })
        .from(seriesActivityHourly)
        .where(eq(seriesActivityHourly.seriesId, seriesId));
      return {
        episode: Number(episode?.n ?? 0),
        series: Number(seriesRow?.n ?? 0),
        activity: Number(activity!.n),
      };
    }

    async function storedLikes(commentId: number) {
      const [row] = await handle.db
        .select({ likes: comments.likes })
        .from(comments)
        .where(eq(comments.id, commentId));
      const [set] = await handle.db
        .select({ n: count() })
        .from(commentLikes)
        .where(eq(commentLikes.commentId, commentId));
      return { counter: row!.likes, set: set!.n };
    }

    test('a post is stored with its author and counted on the episode, series and hot bucket', async () => {
      const { seriesId, episodeId } = await seed.room();
      const author = await seed.user('Ada');
      await handle.db.update(users).set({ xp: 250 }).where(eq(users.id, author));
      const { comment, created } = await post(episodeId, author, '  kept as is  ');
      assert.equal(created, true);
      assert.equal(comment.episodeId, episodeId);
      assert.equal(comment.parentId, null);
      assert.deepEqual(comment.author, {
        id: author,
        displayName: 'Ada',
        avatarUrl: null,
        level: 2,
      });
      assert.equal(comment.body, '  kept as is  ', 'the store keeps what the API checked');
      assert.equal(comment.status, 'visible');
      assert.equal(comment.likedByMe, false);
      assert.deepEqual(await counts(episodeId, seriesId), { episode: 1, series: 1, activity: 1 });
    });

    test('a retried cmid answers with the original and counts once; another episode is refused', async () => {
      const { seriesId, episodeId } = await seed.room();
      const other = await seed.episode(seriesId, 2);
      const author = await seed.user();
      const cmid = seed.cmid();
      const first = await post(episodeId, author, 'once', null, cmid);
      const retry = await post(episodeId, author, 'changed text', null, cmid);
      assert.equal(retry.created, false);
      assert.equal(retry.comment.id, first.comment.id);
      assert.equal(retry.comment.body, 'once');
      // Another user may use the same cmid: keys are per user.
      assert.equal((await post(episodeId, await seed.user(), 'mine', null, cmid)).created, true);
      await rejectsWith(post(other, author, 'elsewhere', null, cmid), 'IDEMPOTENCY_KEY_REUSED');
      assert.deepEqual(await counts(episodeId, seriesId), { episode: 2, series: 2, activity: 2 });
      // Retries racing each other still land once.
      const racing = seed.cmid();
      const results = await Promise.all(
        Array.from({ length: 6 }, () => post(episodeId, author, 'race', null, racing)),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.comment.id)).size, 1);
      assert.equal((await counts(episodeId, seriesId)).episode, 3);
    });

    test('replies: a reply to a reply joins the top-level thread and names whom it answers', async () => {
      const { seriesId, episodeId } = await seed.room();
      const [ada, bo, cy] = [await seed.user(), await seed.user(), await seed.user()];
      const top = (await post(episodeId, ada, 'top')).comment;
      const reply = (await post(episodeId, bo, 'reply', top.id)).comment;
      assert.equal(reply.parentId, top.id);
      assert.equal(reply.replyToUserId, null);
      const nested = (await post(episodeId, cy, 'answer to bo', reply.id)).comment;
      assert.equal(nested.parentId, top.id, 'attached to the top-level comment');
      assert.equal(nested.replyToUserId, bo);
      const [row] = await handle.db
        .select({ replies: comments.replies })
        .from(comments)
        .where(eq(comments.id, top.id));
      assert.equal(row!.replies, 2);
      assert.deepEqual(await counts(episodeId, seriesId), { episode: 3, series: 3, activity: 3 });
    });

    test('reply targets: another episode, a missing comment, a deleted or hidden one', async () => {
      const { seriesId, episodeId } = await seed.room();
      const elsewhere = await seed.episode(seriesId, 2);
      const user = await seed.user();
      const foreign = (await post(elsewhere, user, 'there')).comment;
      await rejectsWith(post(episodeId, user, 'x', foreign.id), 'REPLY_TARGET_INVALID');
      await rejectsWith(
        post(episodeId, user, 'x', Number.MAX_SAFE_INTEGER),
        'REPLY_TARGET_INVALID',
      );

      const deleted = (await post(episodeId, user, 'soon gone')).comment;
      await store.remove(deleted.id, { userId: user, admin: false });
      await rejectsWith(post(episodeId, user, 'x', deleted.id), 'COMMENT_GONE');

      // Moderation hides by setting the status directly.
      const top = (await post(episodeId, user, 'top')).comment;
      const reply = (await post(episodeId, user, 'reply', top.id)).comment;
      await handle.db.update(comments).set({ status: 'hidden' }).where(eq(comments.id, reply.id));
      await rejectsWith(post(episodeId, user, 'x', reply.id), 'COMMENT_GONE');
      await handle.db.update(comments).set({ status: 'hidden' }).where(eq(comments.id, top.id));
      await rejectsWith(post(episodeId, user, 'x', top.id), 'COMMENT_GONE');

      const draft = await seed.series({ status: 'draft' });
      await rejectsWith(post(await seed.episode(draft), user), 'EPISODE_NOT_FOUND');
      await rejectsWith(post(2_147_483_647, user), 'EPISODE_NOT_FOUND');
      const before = await counts(episodeId, seriesId);
      assert.equal(before.episode, 2, 'refused posts counted nothing (deleted one uncounted)');
    });

    test('delete: the author or an admin, counted down once, idempotent', async () => {
      const { seriesId, episodeId } = await seed.room();
      const [author, stranger, admin] = [await seed.user(), await seed.user(), await seed.user()];
      const top = (await post(episodeId, author, 'top')).comment;
      const reply = (await post(episodeId, stranger, 'reply', top.id)).comment;
      await rejectsWith(store.remove(top.id, { userId: stranger, admin: false }), 'FORBIDDEN');
      await rejectsWith(
        store.remove(Number.MAX_SAFE_INTEGER, { userId: author, admin: false }),
        'COMMENT_NOT_FOUND',
      );
      assert.equal(await store.remove(reply.id, { userId: admin, admin: true }), true);
      assert.equal(await store.remove(reply.id, { userId: stranger, admin: false }), false);
      const [row] = await handle.db
        .select({ replies: comments.replies })
        .from(comments)
        .where(eq(comments.id, top.id));
      assert.equal(row!.replies, 0);
      assert.equal(await store.remove(top.id, { userId: author, admin: false }), true);
      assert.equal(await store.remove(top.id, { userId: author, admin: false }), false);
      assert.deepEqual(await counts(episodeId, seriesId), { episode: 0, series: 0, activity: 0 });

      // A moderator's hide leaves the counts; deleting the hidden comment counts it down once.
      const hidden = (await post(episodeId, author, 'hidden later')).comment;
      await handle.db.update(comments).set({ status: 'hidden' }).where(eq(comments.id, hidden.id));
      assert.equal((await counts(episodeId, seriesId)).episode, 1);
      assert.equal(await store.remove(hidden.id, { userId: author, admin: false }), true);
      assert.equal(await store.remove(hidden.id, { userId: author, admin: false }), false);
      assert.equal((await counts(episodeId, seriesId)).episode, 0);
    });

    test('likes: concurrent likes by many users give exact counts; a double like counts once', async () => {
      const { episodeId } = await seed.room();
      const author = await seed.user();
      const comment = (await post(episodeId, author)).comment;
      const likers = await Promise.all(Array.from({ length: 24 }, () => seed.user()));
      const random = seededRandom(5);
      // Every user likes twice and a third of them unlike again, all at once and shuffled.
      const writes = likers.flatMap((user, i) => [
        { user, liked: true },
        { user, liked: true },
        ...(i % 3 === 0 ? [{ user, liked: false, after: true }] : []),
      ]);
      await Promise.all(
        random
          .shuffle(writes.filter((w) => !('after' in w)))
          .map((w) => store.setLike(comment.id, w.user, w.liked)),
      );
      assert.deepEqual(await storedLikes(comment.id), { counter: 24, set: 24 });
      await Promise.all(
        writes.filter((w) => 'after' in w).map((w) => store.setLike(comment.id, w.user, false)),
      );
      assert.deepEqual(await storedLikes(comment.id), { counter: 16, set: 16 });

      const solo = await seed.user();
      assert.deepEqual(await store.setLike(comment.id, solo, true), { liked: true, likes: 17 });
      assert.deepEqual(await store.setLike(comment.id, solo, true), { liked: true, likes: 17 });
      assert.deepEqual(await store.setLike(comment.id, solo, false), { liked: false, likes: 16 });
      assert.deepEqual(await store.setLike(comment.id, solo, false), { liked: false, likes: 16 });
    });

    test('likes never go below zero and a gone comment takes no new likes', async () => {
      const { episodeId } = await seed.room();
      const user = await seed.user();
      const comment = (await post(episodeId, user)).comment;
      assert.deepEqual(await store.setLike(comment.id, user, false), { liked: false, likes: 0 });
      await store.setLike(comment.id, user, true);
      await store.remove(comment.id, { userId: user, admin: false });
      await rejectsWith(store.setLike(comment.id, await seed.user(), true), 'COMMENT_GONE');
      assert.deepEqual(await store.setLike(comment.id, user, false), { liked: false, likes: 0 });
      await rejectsWith(store.setLike(Number.MAX_SAFE_INTEGER, user, true), 'COMMENT_NOT_FOUND');
      await rejectsWith(store.setLike(Number.MAX_SAFE_INTEGER, user, false), 'COMMENT_NOT_FOUND');
    });

    test('a listing: placeholders keep threads, blocked authors are left out, likedByMe', async () => {
      const { episodeId } = await seed.room();
      const [ada, bo, troll, viewer] = [
        await seed.user('Ada'),
        await seed.user('Bo'),
        await seed.user('Troll'),
        await seed.user('Viewer'),
      ];
      await handle.db.insert(userBlocks).values({ blockerId: viewer, blockedId: troll });
      const kept = (await post(episodeId, ada, 'kept')).comment;
      const deletedWithReplies = (await post(episodeId, bo, 'deleted but answered')).comment;
      const replies = [];
      for (const [i, user] of [ada, troll, bo, ada, bo].entries())
        replies.push((await post(episodeId, user, `reply ${i}`, deletedWithReplies.id)).comment);
      await store.remove(deletedWithReplies.id, { userId: bo, admin: false });
      const deletedAlone = (await post(episodeId, ada, 'deleted alone')).comment;
      await store.remove(deletedAlone.id, { userId: ada, admin: false });
      const hiddenWithReply = (await post(episodeId, bo, 'hidden')).comment;
      await post(episodeId, ada, 'under hidden', hiddenWithReply.id);
      await handle.db
        .update(comments)
        .set({ status: 'hidden' })
        .where(eq(comments.id, hiddenWithReply.id));
      const byTroll = (await post(episodeId, troll, 'troll')).comment;
      await store.setLike(kept.id, viewer, true);
      await store.setLike(replies[0]!.id, viewer, true);

      const anonymous = await store.list(episodeId, {
        viewerId: null,
        order: 'new',
        after: null,
        limit: 10,
      });
      assert.deepEqual(
        anonymous.items.map((c) => c.id),
        [byTroll.id, hiddenWithReply.id, deletedWithReplies.id, kept.id],
      );
      assert.equal(anonymous.next, null);
      const placeholder = anonymous.items[2]!;
      assert.equal(placeholder.status, 'deleted');
      assert.equal(placeholder.body, null);
      assert.equal(placeholder.author, null);
      assert.equal(placeholder.replies, 5);
      assert.deepEqual(
        placeholder.firstReplies.map((r) => r.body),
        ['reply 0', 'reply 1', 'reply 2'],
        'the oldest three',
      );
      assert.equal(anonymous.items[1]!.status, 'hidden');
      assert.equal(anonymous.items[1]!.body, null);
      assert.ok(anonymous.items.every((c) => c.likedByMe === null));

      const mine = await store.list(episodeId, {
        viewerId: viewer,
        order: 'new',
        after: null,
        limit: 10,
      });
      assert.deepEqual(
        mine.items.map((c) => c.id),
        [hiddenWithReply.id, deletedWithReplies.id, kept.id],
        'the troll the viewer blocked is left out',
      );
      assert.deepEqual(
        mine.items[1]!.firstReplies.map((r) => [r.body, r.likedByMe]),
        [
          ['reply 0', true],
          ['reply 2', false],
          ['reply 3', false],
        ],
      );
      assert.equal(mine.items[2]!.likedByMe, true);
      assert.equal(mine.items[2]!.likes, 1);
    });

    test('hot: likes descending then id descending; a page walk without changes is complete', async () => {
      const { episodeId } = await seed.room();
      const author = await seed.user();
      const likers = await Promise.all(Array.from({ length: 4 }, () => seed.user()));
      const posted = [];
      for (let i = 0; i < 9; i += 1) posted.push((await post(episodeId, author, `c${i}`)).comment);
      const likesOf = [2, 0, 4, 1, 2, 0, 3, 1, 2];
      for (const [i, n] of likesOf.entries())
        for (const liker of likers.slice(0, n)) await store.setLike(posted[i]!.id, liker, true);
      const expected = posted
        .map((c, i) => ({ id: c.id, likes: likesOf[i]! }))
        .sort((a, b) => b.likes - a.likes || b.id - a.id)
        .map((c) => c.id);
      const walked: number[] = [];
      let cursor: CommentCursor | null = null;
      do {
        const page = await store.list(episodeId, {
          viewerId: null,
          order: 'hot',
          after: cursor,
          limit: 2,
        });
        walked.push(...page.items.map((c) => c.id));
        cursor = page.next;
      } while (cursor !== null);
      assert.deepEqual(walked, expected);
    });

    test('new: a cursor walk returns every comment exactly once in order while new ones arrive', async () => {
      const { episodeId } = await seed.room();
      const authors = await Promise.all(Array.from({ length: 5 }, () => seed.user()));
      const existing: number[] = [];
      for (let i = 0; i < 40; i += 1)
        existing.push((await post(episodeId, authors[i % 5]!, `old ${i}`)).comment.id);
      const random = seededRandom(11);
      const seen: number[] = [];
      let arrived = 0;
      let cursor: CommentCursor | null = null;
      do {
        // Between pages, and during them: new comments, replies and likes land concurrently.
        const [page]: [CommentListPage, ...unknown[]] = await Promise.all([
          store.list(episodeId, { viewerId: null, order: 'new', after: cursor, limit: 7 }),
          post(episodeId, random.pick(authors), `new ${arrived++}`),
          store.setLike(random.pick(existing), random.pick(authors), true),
          post(episodeId, random.pick(authors), 'a reply', random.pick(existing)),
        ]);
        const ids = page.items.map((c) => c.id);
        for (let i = 1; i < ids.length; i += 1) assert.ok(ids[i - 1]! > ids[i]!, 'descending');
        seen.push(...ids);
        cursor = page.next;
      } while (cursor !== null);
      assert.equal(new Set(seen).size, seen.length, 'no comment twice');
      const seenOld = seen.filter((id) => existing.includes(id));
      assert.deepEqual(seenOld, [...existing].reverse(), 'every old comment, newest first');
      assert.ok(arrived > 0);
    });

    test('replies: oldest first with a cursor; blocked authors and gone replies left out', async () => {
      const { episodeId } = await seed.room();
      const [ada, troll, viewer] = [await seed.user(), await seed.user(), await seed.user()];
      await handle.db.insert(userBlocks).values({ blockerId: viewer, blockedId: troll });
      const top = (await post(episodeId, ada, 'top')).comment;
      const replyIds: number[] = [];
      for (let i = 0; i < 7; i += 1)
        replyIds.push((await post(episodeId, i === 2 ? troll : ada, `r${i}`, top.id)).comment.id);
      await store.remove(replyIds[4]!, { userId: ada, admin: false });
      const walk = async (viewerId: number | null) => {
        const ids: number[] = [];
        let after: number | null = null;
        do {
          const page = await store.replies(top.id, { viewerId, after, limit: 2 });
          ids.push(...page.items.map((c) => c.id));
          after = page.next;
        } while (after !== null);
        return ids;
      };
      const visible = replyIds.filter((_, i) => i !== 4);
      assert.deepEqual(await walk(null), visible);
      assert.deepEqual(
        await walk(viewer),
        visible.filter((id) => id !== replyIds[2]),
      );
      await rejectsWith(
        store.replies(Number.MAX_SAFE_INTEGER, { viewerId: null, after: null, limit: 5 }),
        'COMMENT_NOT_FOUND',
      );
    });

    test('a listing of an unknown or unpublished episode is EPISODE_NOT_FOUND', async () => {
      const draft = await seed.series({ status: 'draft' });
      const episodeId = await seed.episode(draft);
      const options = { viewerId: null, order: 'new' as const, after: null, limit: 5 };
      await rejectsWith(store.list(episodeId, options), 'EPISODE_NOT_FOUND');
      await rejectsWith(store.list(2_147_483_647, options), 'EPISODE_NOT_FOUND');
    });

    test('malformed arguments are RangeErrors, and nothing is written', async () => {
      const { episodeId } = await seed.room();
      const user = await seed.user();
      const [before] = await handle.db.select({ n: count() }).from(comments);
      await assert.rejects(post(episodeId, user, ''), RangeError);
      await assert.rejects(post(episodeId, user, 'x'.repeat(2001)), RangeError);
      await assert.rejects(post(episodeId, user, 'ok', null, 'short'), RangeError);
      await assert.rejects(post(episodeId, user, 'ok', null, 'bad cmid!!'), RangeError);
      await assert.rejects(post(0, user), RangeError);
      await assert.rejects(post(episodeId, user, 'ok', 0), RangeError);
      const list = (options: Partial<Parameters<CommentStore['list']>[1]>) =>
        store.list(episodeId, { viewerId: null, order: 'new', after: null, limit: 5, ...options });
      await assert.rejects(list({ limit: 0 }), RangeError);
      await assert.rejects(list({ limit: 101 }), RangeError);
      await assert.rejects(list({ after: { order: 'hot', likes: 1, id: 1 } }), RangeError);
      await assert.rejects(
        list({ order: 'hot', after: { order: 'hot', likes: -1, id: 1 } }),
        RangeError,
      );
      await assert.rejects(list({ order: 'best' as 'new' }), RangeError);
      const [after] = await handle.db.select({ n: count() }).from(comments);
      assert.equal(after!.n, before!.n);
    });
  });
}

storeContract('pglite');
storeContract('postgres');
