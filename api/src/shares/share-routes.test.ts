import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { openTestDatabase } from '@binge/core/db/testing';
import {
  episodeCounters,
  series,
  seriesActivityHourly,
  userAchievements,
  seriesCounters,
} from '@binge/core/db/schema';
import type { ShareLink, ShareStats } from '@binge/core/protocol/shares';
import { assertProblem } from '../testing/assert-problem.ts';
import { insertCategory, insertEpisode, insertSeries } from '../testing/catalog-fixtures.ts';
import { clientFor, signInAsGuest, type SessionClient } from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { FIREFOX, shareClient, type ShareClient } from './share-client.ts';
import type { ShareLinkSchema, ShareStatsSchema } from './share-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}
// `npm run typecheck` fails here if a schema drifts from core/src/protocol/shares.ts.
assertType<Equal<Static<typeof ShareLinkSchema>, ShareLink>>();
assertType<Equal<Static<typeof ShareStatsSchema>, ShareStats>>();

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const hostile = `"<script>alert(1)</script>&`;

/** `<meta property|name="k" content="v">` values, unescaped as a browser reads them. */
function metaTags(html: string): Map<string, string> {
  const unescape = (v: string) =>
    v.replace(
      /&(lt|gt|quot|#39|amp);/g,
      (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!,
    );
  return new Map(
    [...html.matchAll(/<meta (?:property|name)="([^"]+)" content="([^"]*)">/g)].map(
      ([, key, value]) => [key!, unescape(value!)],
    ),
  );
}

function routesContract(kind: 'pglite' | 'postgres') {
  describe(`share routes on ${kind}`, () => {
    let t: TestApp;
    let alice: SessionClient;
    let bob: SessionClient;
    let anonymous: ShareClient;
    let seriesId: number;
    let episodeId: number;
    let draftId: number;

    before(async () => {
      t = await openTestApp(kind, {}, { shareLimit: { max: 5, timeWindowMs: 60_000 } });
      alice = await signInAsGuest(t.app);
      bob = await signInAsGuest(t.app);
      anonymous = shareClient(t.app, null);
      const categoryId = await insertCategory(t.db.db, { slug: 'drama' });
      seriesId = await insertSeries(t.db.db, { slug: 'escape', categoryId });
      await t.db.db
        .update(series)
        .set({
          titleEn: `Title ${hostile}`,
          titleZh: `标题 ${hostile}`,
          synopsisEn: `Synopsis ${hostile} `.repeat(20),
        })
        .where(eq(series.id, seriesId));
      ({ episodeId } = await insertEpisode(t.db.db, { seriesId, number: 1 }));
      draftId = await insertSeries(t.db.db, { slug: 'draft', categoryId, status: 'draft' });
    });
    after(() => t.close());

    /** A share from a fresh address, so the rate limit of one test does not reach the next. */
    let address = 0;
    const fresh = () => `198.51.100.${++address}`;

    async function shareOf(client: ShareClient, body: unknown): Promise<ShareLink> {
      const response = await client.share(body, fresh());
      assert.equal(response.statusCode, 201, response.body);
      return response.json();
    }

    test('anyone can share a series or an episode; signed in, the link is theirs', async () => {
      const mine = shareClient(t.app, alice);
      const link = await shareOf(mine, {
        targetType: 'series',
        targetId: seriesId,
        channel: 'wechat',
      });
      assert.match(link.code, /^[A-Za-z0-9]{10}$/);
      assert.equal(link.url, `${t.config.publicUrl}/s/${link.code}`);
      assert.deepEqual(
        { targetType: link.targetType, targetId: link.targetId, channel: link.channel },
        { targetType: 'series', targetId: seriesId, channel: 'wechat' },
      );
      const response = await anonymous.share(
        { targetType: 'episode', targetId: episodeId },
        fresh(),
      );
      assert.equal(response.statusCode, 201);
      assert.equal(response.headers.location, `/api/v1/shares/${response.json().code}`);
      assert.equal(response.json().channel, 'link');

      const [counters] = await t.db.db
        .select()
        .from(seriesCounters)
        .where(eq(seriesCounters.seriesId, seriesId));
      assert.equal(Number(counters!.shares), 2, 'the episode share counts for its series too');
      const [episode] = await t.db.db
        .select()
        .from(episodeCounters)
        .where(eq(episodeCounters.episodeId, episodeId));
      assert.equal(Number(episode!.shares), 1);
      const buckets = await t.db.db
        .select()
        .from(seriesActivityHourly)
        .where(eq(seriesActivityHourly.seriesId, seriesId));
      assert.equal(
        buckets.reduce((n, b) => n + b.shares, 0),
        2,
      );
    });

    test('a signed-in share earns the first-share achievement once; an anonymous one nothing', async () => {
      const carol = await signInAsGuest(t.app);
      const awarded = async () =>
        (
          await t.db.db
            .select({ code: userAchievements.code })
            .from(userAchievements)
            .where(eq(userAchievements.userId, carol.user.id))
        ).map((row) => row.code);
      assert.deepEqual(await awarded(), []);
      await shareOf(shareClient(t.app, carol), { targetType: 'series', targetId: seriesId });
      await shareOf(shareClient(t.app, carol), { targetType: 'episode', targetId: episodeId });
      assert.deepEqual(await awarded(), ['first_share']);
    });

    test('wrong types, bad values and bad targets are refused with codes', async () => {
      const bad: unknown[] = [
        { targetType: 'series', targetId: String(seriesId) },
        { targetType: 'series', targetId: true },
        { targetType: 'series', targetId: 1.5 },
        { targetType: 'series', targetId: 0 },
        { targetType: 'series', targetId: 2 ** 31 },
        { targetType: 'user', targetId: seriesId },
        { targetType: ['series'], targetId: seriesId },
        { targetType: 'series', targetId: seriesId, channel: 'carrier-pigeon' },
        { targetType: 'series', targetId: seriesId, channel: 7 },
        { targetType: 'series' },
        [],
      ];
      for (const body of bad) {
        const response = await anonymous.share(body, fresh());
        assertProblem(response, 400, 'VALIDATION_FAILED');
      }
      assertProblem(await anonymous.share(undefined, fresh()), 400, 'VALIDATION_FAILED');
      const garbled = await t.app.inject({
        method: 'POST',
        url: '/api/v1/shares',
        headers: { 'content-type': 'application/json' },
        payload: '{"targetType":',
      });
      assertProblem(garbled, 400, 'BAD_REQUEST');
      const missing = 2_147_483_647;
      assertProblem(
        await anonymous.share({ targetType: 'series', targetId: missing }, fresh()),
        404,
        'SERIES_NOT_FOUND',
      );
      assertProblem(
        await anonymous.share({ targetType: 'episode', targetId: missing }, fresh()),
        404,
        'EPISODE_NOT_FOUND',
      );
      assertProblem(
        await anonymous.share({ targetType: 'series', targetId: draftId }, fresh()),
        404,
        'SERIES_NOT_FOUND',
      );
      const forged = shareClient(t.app, clientFor(t.app, alice.user, 'not-a-token'));
      const refused = await forged.share({ targetType: 'series', targetId: seriesId }, fresh());
      assert.equal(refused.statusCode, 401);
    });

    test('shares are limited per IP address without a session and per account with one', async () => {
      const ip = fresh();
      const body = { targetType: 'series', targetId: seriesId };
      for (let i = 0; i < 5; i += 1)
        assert.equal((await anonymous.share(body, ip)).statusCode, 201);
      const limited = await anonymous.share(body, ip);
      assertProblem(limited, 429, 'RATE_LIMITED');
      assert.ok(Number(limited.headers['retry-after']) > 0);
      assert.equal((await anonymous.share(body, fresh())).statusCode, 201, 'another address');
      // A signed-in sharer behind the same address has a budget of their own.
      const carol = shareClient(t.app, await signInAsGuest(t.app));
      assert.equal((await carol.share(body, ip)).statusCode, 201);
    });

    test('statistics are the sharer’s alone; an anonymous link’s are nobody’s', async () => {
      const link = await shareOf(shareClient(t.app, alice), {
        targetType: 'series',
        targetId: seriesId,
      });
      const stats = await shareClient(t.app, alice).stats(link.code);
      assert.equal(stats.statusCode, 200, stats.body);
      assert.deepEqual(stats.json(), { ...link, opens: 0 });
      assert.equal(stats.headers['cache-control'], 'private, no-store');
      assertProblem(await shareClient(t.app, bob).stats(link.code), 403, 'FORBIDDEN');
      assertProblem(await anonymous.stats(link.code), 401, 'AUTH_REQUIRED');
      const orphan = await shareOf(anonymous, { targetType: 'series', targetId: seriesId });
      assertProblem(await shareClient(t.app, alice).stats(orphan.code), 403, 'FORBIDDEN');
      assertProblem(await shareClient(t.app, alice).stats('ZZZZZZZZZZ'), 404, 'SHARE_NOT_FOUND');
      for (const bad of ['short', 'a'.repeat(11), 'abc-def_gh', '%3Cscript%3E'])
        assertProblem(await shareClient(t.app, alice).stats(bad), 400, 'VALIDATION_FAILED');
    });

    test('the link page: an escaped Open Graph card of the series and a redirect for people', async () => {
      const link = await shareOf(anonymous, { targetType: 'series', targetId: seriesId });
      const page = await anonymous.open(link.code, { userAgent: FIREFOX });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.ok(!page.body.includes('<script'), 'the title’s markup is inert');
      const tags = metaTags(page.body);
      assert.equal(tags.get('og:title'), `Title ${hostile}`);
      assert.ok(tags.get('og:description')!.startsWith(`Synopsis ${hostile}`));
      assert.ok([...tags.get('og:description')!].length <= 200);
      assert.equal(tags.get('og:type'), 'video.tv_show');
      assert.equal(tags.get('og:url'), link.url);
      assert.equal(tags.get('og:site_name'), 'Binge');
      assert.equal(tags.get('og:locale'), 'en_US');
      assert.match(
        tags.get('og:image')!,
        new RegExp(`^${t.config.publicUrl}/media/[^/]+/episodes/`),
      );
      assert.equal(tags.get('twitter:card'), 'summary_large_image');
      assert.match(
        page.body,
        new RegExp(`<meta http-equiv="refresh" content="0; url=/series/${seriesId}">`),
      );
      // The poster URL in the card is signed and serves the poster.
      const poster = await t.app.inject(new URL(tags.get('og:image')!).pathname);
      assert.notEqual(poster.statusCode, 403);

      const zh = await anonymous.open(link.code, { acceptLanguage: 'zh-CN,zh;q=0.9,en;q=0.5' });
      const zhTags = metaTags(zh.body);
      assert.equal(zhTags.get('og:title'), `标题 ${hostile}`);
      assert.equal(zhTags.get('og:locale'), 'zh_CN');
    });

    test('an episode link is a video.episode card that sends people to the player', async () => {
      const link = await shareOf(anonymous, { targetType: 'episode', targetId: episodeId });
      const page = await anonymous.open(link.code, { userAgent: FIREFOX });
      const tags = metaTags(page.body);
      assert.equal(tags.get('og:type'), 'video.episode');
      assert.equal(tags.get('og:title'), `Title ${hostile} · Episode 1`);
      assert.equal(tags.get('video:series'), `${t.config.publicUrl}/series/${seriesId}`);
      assert.match(page.body, new RegExp(`url=/watch/${episodeId}">`));
    });

    test('opens count people once a minute; unfurlers, prefetches and HEAD get the card uncounted', async () => {
      const owner = shareClient(t.app, alice);
      const link = await shareOf(owner, { targetType: 'series', targetId: seriesId });
      const opens = async () => (await owner.stats(link.code)).json().opens as number;

      await anonymous.open(link.code, { userAgent: FIREFOX, ip: '203.0.113.1' });
      assert.equal(await opens(), 1);
      await anonymous.open(link.code, { userAgent: FIREFOX, ip: '203.0.113.1' });
      assert.equal(await opens(), 1, 'a reload within the minute');
      await anonymous.open(link.code, { userAgent: `${FIREFOX} Other`, ip: '203.0.113.1' });
      assert.equal(await opens(), 2, 'another browser behind the same address');
      await anonymous.open(link.code, { userAgent: FIREFOX, ip: '203.0.113.2' });
      assert.equal(await opens(), 3, 'another address');

      for (const userAgent of [
        'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
        'Twitterbot/1.0',
        'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
        'TelegramBot (like TwitterBot)',
        'WhatsApp/2.23.20.0 A',
        'MicroMessenger Client',
        '',
      ]) {
        const card = await anonymous.open(link.code, { userAgent, ip: '203.0.113.3' });
        assert.equal(card.statusCode, 200);
        assert.equal(metaTags(card.body).get('og:title'), `Title ${hostile}`);
        assert.ok(!card.body.includes('http-equiv="refresh"'), 'no redirect for unfurlers');
      }
      await anonymous.open(link.code, {
        userAgent: FIREFOX,
        ip: '203.0.113.4',
        headers: { 'sec-purpose': 'prefetch;prerender' },
      });
      const head = await anonymous.open(
        link.code,
        { userAgent: FIREFOX, ip: '203.0.113.5' },
        'HEAD',
      );
      assert.equal(head.statusCode, 200);
      assert.equal(await opens(), 3);
    });

    test('unknown and malformed codes: a 404 page for people, a problem for JSON clients', async () => {
      const before = await t.db.db.select().from(seriesCounters);
      for (const path of [
        '/s/ZZZZZZZZZZ',
        '/s/abc',
        '/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E',
        `/s/${'a'.repeat(5000)}`,
        '/s/',
        '/s/a/b',
      ]) {
        const page = await anonymous.open(path, { userAgent: FIREFOX });
        assert.equal(page.statusCode, 404, path);
        assert.match(String(page.headers['content-type']), /^text\/html/);
        assert.ok(!page.body.includes('<script'));
        assertProblem(
          await anonymous.open(path, { accept: 'application/json' }),
          404,
          'SHARE_NOT_FOUND',
        );
      }
      assert.deepEqual(await t.db.db.select().from(seriesCounters), before);
      assertProblem(
        await t.app.inject({ method: 'POST', url: '/s/ZZZZZZZZZZ' }),
        405,
        'METHOD_NOT_ALLOWED',
      );
    });

    test('a link whose series is no longer published is a 404 and counts nothing', async () => {
      const categoryId = await insertCategory(t.db.db, { slug: 'gone' });
      const goneId = await insertSeries(t.db.db, { slug: 'gone', categoryId });
      const link = await shareOf(shareClient(t.app, alice), {
        targetType: 'series',
        targetId: goneId,
      });
      await t.db.db.update(series).set({ status: 'draft' }).where(eq(series.id, goneId));
      const page = await anonymous.open(link.code, { userAgent: FIREFOX });
      assert.equal(page.statusCode, 404);
      assert.equal((await shareClient(t.app, alice).stats(link.code)).json().opens, 0);
    });
  });
}

routesContract('pglite');
routesContract('postgres');

describe('share links in the embedded platform and across API processes', () => {
  test('/s/ is the API’s even when every other unknown path goes to the web app', async () => {
    const t = await openTestApp('pglite', {}, { fallback: (_request, reply) => reply.send('web') });
    try {
      const categoryId = await insertCategory(t.db.db, { slug: 'drama' });
      const seriesId = await insertSeries(t.db.db, { slug: 's', categoryId });
      const link = (
        await shareClient(t.app, null).share({ targetType: 'series', targetId: seriesId })
      ).json();
      assert.match((await shareClient(t.app, null).open(link.code)).body, /og:title/);
      const mangled = await shareClient(t.app, null).open('/s/');
      assert.equal(mangled.statusCode, 404);
      assert.notEqual(mangled.body, 'web');
      assert.equal((await t.app.inject('/series/1')).body, 'web');
    } finally {
      await t.close();
    }
  });

  test('OpenAPI documents the share and ranking routes with their codes', async () => {
    const t = await openTestApp('pglite');
    try {
      const doc = (await t.app.inject('/docs/json')).json();
      for (const path of [
        '/api/v1/shares',
        '/api/v1/shares/{code}',
        '/s/{code}',
        '/api/v1/rankings/{board}',
      ])
        assert.ok(doc.paths[path], `${path} missing from OpenAPI`);
      assert.equal(doc.paths['/s/*'], undefined, 'the catch-all of mangled links is hidden');
      const text = JSON.stringify(doc.paths);
      for (const code of ['SHARE_NOT_FOUND', 'FORBIDDEN', 'RATE_LIMITED', 'CATEGORY_NOT_FOUND'])
        assert.ok(text.includes(code), code);
      const board = doc.paths['/api/v1/rankings/{board}'].get.parameters.find(
        (parameter: { name: string }) => parameter.name === 'board',
      );
      assert.deepEqual(board.schema.enum, ['hot', 'new', 'rating']);
    } finally {
      await t.close();
    }
  });

  test('two API processes on one Redis count a person’s repeat open once', async () => {
    const db = await openTestDatabase('postgres');
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    const env = { REDIS_PREFIX: `binge-test-${randomBytes(4).toString('hex')}:` };
    const first = await openTestApp('postgres', { db, redis, env });
    const second = await openTestApp('postgres', { db, redis, env });
    try {
      const categoryId = await insertCategory(db.db, { slug: 'drama' });
      const seriesId = await insertSeries(db.db, { slug: 's', categoryId });
      const alice = await signInAsGuest(first.app);
      const owner = shareClient(first.app, alice);
      const link: ShareLink = (
        await owner.share({ targetType: 'series', targetId: seriesId })
      ).json();
      const visitor = { userAgent: FIREFOX, ip: '203.0.113.9' };
      await shareClient(first.app, null).open(link.code, visitor);
      await shareClient(second.app, null).open(link.code, visitor);
      assert.equal((await owner.stats(link.code)).json().opens, 1);
    } finally {
      await first.close();
      await second.close();
      const keys = await redis.keys(`${env.REDIS_PREFIX}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await db.close();
    }
  });
});
