import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { eq } from 'drizzle-orm';
import { users } from '@binge/core/db/schema';
import { createSqlEngagementStore } from '@binge/core/engagement/store-sql';
import type { TextFilter } from '@binge/core/moderation/text-filter';
import type { PublicProfile } from '@binge/core/protocol/progression/responses';
import { assertProblem } from '../testing/assert-problem.ts';
import {
  accessTokenFor,
  clientFor,
  signInAsGuest,
  type SessionClient,
} from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { gpsPhoto, plainImage } from './avatar-fixtures.ts';
import { multipartBody, profileClient, type ProfileClient } from './profile-client.ts';

const MISSING = 2147483647;

/** Refuses "forbidden", masks "darn": the two verdicts a keyword filter gives. */
const textFilter: TextFilter = (text) =>
  text.toLowerCase().includes('forbidden')
    ? { ok: false, reason: 'blocked word' }
    : { ok: true, text: text.replaceAll('darn', '****') };

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`profile routes on ${kind}`, () => {
    let t: TestApp;
    let alice: SessionClient;
    let bob: SessionClient;
    let aliceApp: ProfileClient;
    let bobApp: ProfileClient;
    let anonymous: ProfileClient;

    before(async () => {
      t = await openTestApp(
        kind,
        { textFilter },
        { guestLimit: { max: 1_000, timeWindowMs: 3_600_000 } },
      );
      alice = await signInAsGuest(t.app);
      bob = await signInAsGuest(t.app);
      aliceApp = profileClient(t.app, alice);
      bobApp = profileClient(t.app, bob);
      anonymous = profileClient(t.app, null);
    });
    after(() => t.close());

    test('a public profile: nickname, level from experience, follow counts; anyone may read it', async () => {
      await t.db.db.update(users).set({ xp: 1_600 }).where(eq(users.id, alice.user.id));
      await createSqlEngagementStore(t.db.db).write(bob.user.id, {
        kind: 'follow',
        targetType: 'user',
        targetId: alice.user.id,
        present: true,
        hlc: { wallMs: 1, counter: 0, node: 'phone' },
      });
      const response = await anonymous.profileOf(alice.user.id);
      assert.equal(response.statusCode, 200, response.body);
      const profile: PublicProfile = response.json();
      assert.deepEqual(
        {
          ...profile,
          createdAt: undefined,
        },
        {
          id: alice.user.id,
          handle: alice.user.handle,
          displayName: alice.user.displayName,
          avatarUrl: null,
          avatarThumbUrl: null,
          bio: '',
          level: 3,
          xp: 1_600,
          followers: 1,
          following: 0,
          achievements: 0,
          createdAt: undefined,
        },
      );
      assert.ok(!Number.isNaN(Date.parse(profile.createdAt)));
      assert.equal((await bobApp.profileOf(bob.user.id)).json().following, 1);
      assert.deepEqual((await aliceApp.myProfile()).json(), profile);
      assertProblem(await anonymous.profileOf(MISSING), 404, 'USER_NOT_FOUND');
      for (const id of ['abc', '0', '-1', '1.5', '2147483648'])
        assertProblem(await anonymous.profileOf(id), 400, 'INVALID_ID');
    });

    test('editing the nickname and bio: trimmed, checked, filtered', async () => {
      const edited = await aliceApp.editProfile({ displayName: '  小明 ', bio: ' hi\r\nthere ' });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(edited.json().displayName, '小明');
      assert.equal(edited.json().bio, 'hi\nthere');
      assert.equal((await aliceApp.editProfile({ bio: '' })).json().bio, '');
      assert.equal((await aliceApp.myProfile()).json().displayName, '小明', 'untouched');
      // The filter masks a word: the masked text is what is stored.
      assert.equal((await aliceApp.editProfile({ bio: 'darn good' })).json().bio, '**** good');
      assertProblem(
        await aliceApp.editProfile({ displayName: 'Forbidden one' }),
        422,
        'TEXT_BLOCKED',
      );
      assertProblem(await aliceApp.editProfile({ bio: 'so FORBIDDEN' }), 422, 'TEXT_BLOCKED');
      assert.equal((await aliceApp.myProfile()).json().bio, '**** good', 'nothing stored');
    });

    test('bad profile edits are 400 and store nothing', async () => {
      const before = (await aliceApp.myProfile()).json();
      const bad: unknown[] = [
        {},
        { displayName: '' },
        { displayName: '   ' },
        { displayName: 'x'.repeat(25) },
        { displayName: 'a\nb' },
        { displayName: 'evil\u202Eoh' },
        { displayName: '\u200B' },
        { displayName: 42 },
        { displayName: null },
        { bio: ['a'] },
        { bio: 'x'.repeat(201) },
        { bio: 'a\u0000b' },
        { bio: 'x'.repeat(5_000) },
        { role: 'admin' },
        { displayName: true },
      ];
      for (const body of bad) {
        const response = await aliceApp.editProfile(body);
        assert.equal(response.statusCode, 400, `${JSON.stringify(body)}: ${response.body}`);
        assertProblem(response, 400, 'VALIDATION_FAILED');
      }
      assertProblem(
        await t.app.inject({
          method: 'PATCH',
          url: '/api/v1/me/profile',
          headers: { ...alice.headers, 'content-type': 'application/json' },
          payload: '{"displayName": ',
        }),
        400,
        'BAD_REQUEST',
      );
      assert.deepEqual((await aliceApp.myProfile()).json(), before);
    });

    test('an uploaded photo becomes a square, upright, metadata-free WebP avatar', async () => {
      const response = await bobApp.uploadAvatar(await gpsPhoto());
      assert.equal(response.statusCode, 200, response.body);
      const profile: PublicProfile = response.json();
      assert.match(profile.avatarUrl ?? '', /^\/api\/v1\/avatars\/[0-9a-f]{32}\/256\.webp$/);
      assert.match(profile.avatarThumbUrl ?? '', /^\/api\/v1\/avatars\/[0-9a-f]{32}\/64\.webp$/);
      assert.deepEqual(
        (await anonymous.profileOf(bob.user.id)).json().avatarUrl,
        profile.avatarUrl,
      );

      for (const [url, size] of [
        [profile.avatarUrl!, 256],
        [profile.avatarThumbUrl!, 64],
      ] as const) {
        const image = await anonymous.fetch(url);
        assert.equal(image.statusCode, 200);
        assert.equal(image.headers['content-type'], 'image/webp');
        assert.equal(image.headers['cache-control'], 'public, max-age=31536000, immutable');
        assert.equal(image.headers['x-content-type-options'], 'nosniff');
        const metadata = await sharp(image.rawPayload).metadata();
        assert.deepEqual([metadata.format, metadata.width, metadata.height], ['webp', size, size]);
        assert.equal(metadata.exif, undefined, 'no EXIF, so no GPS');
        assert.equal(metadata.icc, undefined);
        assert.equal(metadata.xmp, undefined);
        const etag = String(image.headers.etag);
        assert.equal((await anonymous.fetch(url, etag)).statusCode, 304);
      }
      assertProblem(await anonymous.fetch('/api/v1/avatars/nothex/256.webp'), 404, 'NOT_FOUND');
      assertProblem(
        await anonymous.fetch(`/api/v1/avatars/${'0'.repeat(32)}/256.webp`),
        404,
        'NOT_FOUND',
      );
      assertProblem(
        await anonymous.fetch(profile.avatarUrl!.replace('256.webp', '512.webp')),
        404,
        'NOT_FOUND',
      );
    });

    test('replacing and removing avatars deletes files no account uses any more', async () => {
      const carol = profileClient(t.app, await signInAsGuest(t.app));
      const dave = profileClient(t.app, await signInAsGuest(t.app));
      const blue = await plainImage('png', 300, 300, '#0000ff');
      const first = (await carol.uploadAvatar(blue, 'blue.png')).json().avatarUrl as string;
      // Dave uploads the very same picture: one stored object, two accounts.
      assert.equal((await dave.uploadAvatar(blue, 'same.png')).json().avatarUrl, first);
      const second = (await carol.uploadAvatar(await plainImage('png', 300, 300, '#00ff00'))).json()
        .avatarUrl as string;
      assert.notEqual(second, first);
      assert.equal((await anonymous.fetch(first)).statusCode, 200, 'Dave still shows it');
      assert.equal((await dave.removeAvatar()).statusCode, 204);
      assert.equal((await dave.myProfile()).json().avatarUrl, null);
      assertProblem(await anonymous.fetch(first), 404, 'NOT_FOUND');
      assertProblem(await anonymous.fetch(first.replace('256', '64')), 404, 'NOT_FOUND');
      assert.equal((await carol.removeAvatar()).statusCode, 204);
      assertProblem(await anonymous.fetch(second), 404, 'NOT_FOUND');
      assert.equal((await carol.removeAvatar()).statusCode, 204, 'removing none is fine');
    });

    test('uploads that are not one acceptable picture are refused, and nothing changes', async () => {
      const before = (await aliceApp.myProfile()).json().avatarUrl;
      const huge = Buffer.concat([await plainImage('jpeg', 10, 10), randomBytes(5 * 1024 * 1024)]);
      assertProblem(await aliceApp.uploadAvatar(huge), 413, 'PAYLOAD_TOO_LARGE');
      assertProblem(
        await aliceApp.uploadAvatar(Buffer.from('just text, not a picture')),
        400,
        'IMAGE_INVALID',
      );
      assertProblem(
        await aliceApp.uploadAvatar(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')),
        400,
        'IMAGE_INVALID',
      );
      assertProblem(
        await aliceApp.uploadAvatar(await plainImage('png', 3_000, 100)),
        400,
        'IMAGE_INVALID',
      );
      const noFile = multipartBody([{ name: 'note', data: 'hello' }]);
      assertProblem(
        await aliceApp.uploadAvatarRaw(noFile.payload, noFile.contentType),
        400,
        'IMAGE_INVALID',
      );
      const image = await plainImage('png', 50, 50);
      const two = multipartBody([
        { name: 'a', filename: 'a.png', contentType: 'image/png', data: image },
        { name: 'b', filename: 'b.png', contentType: 'image/png', data: image },
      ]);
      assertProblem(
        await aliceApp.uploadAvatarRaw(two.payload, two.contentType),
        400,
        'IMAGE_INVALID',
      );
      assertProblem(
        await aliceApp.uploadAvatarRaw('--x\r\nbroken', 'multipart/form-data; boundary=x'),
        400,
        'IMAGE_INVALID',
      );
      assertProblem(
        await aliceApp.uploadAvatarRaw(
          '{"avatar":"data:image/png;base64,AAAA"}',
          'application/json',
        ),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      assertProblem(
        await aliceApp.uploadAvatarRaw(image, 'image/png'),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
      assert.equal((await aliceApp.myProfile()).json().avatarUrl, before);
    });

    test('no, garbled or expired sessions are 401 on every profile route', async () => {
      const expired = profileClient(
        t.app,
        clientFor(
          t.app,
          alice.user,
          await accessTokenFor(t.config, alice, { nowMs: Date.now() - 3_600_000 }),
        ),
      );
      const garbled = profileClient(t.app, clientFor(t.app, alice.user, 'not.a.token'));
      const image = await plainImage('png', 20, 20);
      const calls = (c: ProfileClient) => [
        () => c.myProfile(),
        () => c.editProfile({ bio: 'x' }),
        () => c.uploadAvatar(image),
        () => c.removeAvatar(),
      ];
      for (const call of calls(anonymous)) assertProblem(await call(), 401, 'AUTH_REQUIRED');
      for (const call of calls(expired)) assertProblem(await call(), 401, 'SESSION_EXPIRED');
      for (const call of calls(garbled)) assertProblem(await call(), 401, 'SESSION_INVALID');
      // A public read with a bad token is refused too, never answered as anonymous.
      assertProblem(await expired.profileOf(alice.user.id), 401, 'SESSION_EXPIRED');
      assertProblem(await garbled.profileOf(alice.user.id), 401, 'SESSION_INVALID');
    });
  });
}
