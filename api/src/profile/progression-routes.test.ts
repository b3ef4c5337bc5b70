import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkIns } from '@binge/core/db/schema';
import { achievements } from '@binge/core/protocol/progression/achievements';
import { addDays, utcDay } from '@binge/core/protocol/progression/check-in';
import { dailyTasks } from '@binge/core/protocol/progression/daily-tasks';
import type {
  AchievementList,
  CheckInCalendarView,
  DailyTaskList,
} from '@binge/core/protocol/progression/responses';
import { assertProblem } from '../testing/assert-problem.ts';
import {
  accessTokenFor,
  clientFor,
  signInAsGuest,
  type SessionClient,
} from '../testing/session-client.ts';
import { openTestApp, type TestApp } from '../testing/test-app.ts';
import { profileClient, type ProfileClient } from './profile-client.ts';

const MISSING = 2147483647;

for (const kind of ['pglite', 'postgres'] as const) {
  describe(`progression routes on ${kind}`, () => {
    let t: TestApp;
    let alice: SessionClient;
    let aliceApp: ProfileClient;
    let anonymous: ProfileClient;

    before(async () => {
      t = await openTestApp(kind, {}, { guestLimit: { max: 1_000, timeWindowMs: 3_600_000 } });
      alice = await signInAsGuest(t.app);
      aliceApp = profileClient(t.app, alice);
      anonymous = profileClient(t.app, null);
    });
    after(() => t.close());

    test('check-in: once a UTC day, 10 points on day one; the calendar shows it', async () => {
      const today = utcDay(new Date());
      const first = await aliceApp.checkIn();
      assert.equal(first.statusCode, 201, first.body);
      assert.deepEqual(first.json(), {
        day: today,
        streak: 1,
        points: 10,
        balance: 10,
        achievements: [],
      });
      assertProblem(await aliceApp.checkIn(), 409, 'ALREADY_CHECKED_IN');
      const calendar: CheckInCalendarView = (await aliceApp.calendar()).json();
      assert.deepEqual(calendar, {
        month: today.slice(0, 7),
        today,
        checkedInToday: true,
        streak: 1,
        days: [today],
        nextPoints: 10,
      });
      assert.deepEqual((await aliceApp.calendar('month=2020-01')).json().days, []);
      for (const month of ['2026-13', '2026-00', '2026-1', 'abc', '2026-01-01'])
        assertProblem(await aliceApp.calendar(`month=${month}`), 400, 'VALIDATION_FAILED');
    });

    test('a seventh day in a row pays 50 and earns the streak achievement, with a notification', async () => {
      const bob = await signInAsGuest(t.app);
      const bobApp = profileClient(t.app, bob);
      const today = utcDay(new Date());
      // Six days already checked in, as the store would have written them.
      await t.db.db.insert(checkIns).values(
        [6, 5, 4, 3, 2, 1].map((ago, i) => ({
          userId: bob.user.id,
          day: addDays(today, -ago),
          streak: i + 1,
        })),
      );
      const seventh = (await bobApp.checkIn()).json();
      assert.deepEqual([seventh.streak, seventh.points], [7, 50]);
      assert.deepEqual(seventh.achievements, ['check_in_streak_7']);

      const list: AchievementList = (await bobApp.achievements()).json();
      assert.equal(list.earned, 1);
      assert.deepEqual(
        list.items.map((item) => item.code),
        achievements.map((a) => a.code),
      );
      const streak = list.items.find((item) => item.code === 'check_in_streak_7')!;
      assert.deepEqual(
        { ...streak, earnedAt: typeof streak.earnedAt },
        {
          code: 'check_in_streak_7',
          name: { zh: '七日打卡', en: 'Seven-day streak' },
          description: { zh: '连续签到 7 天', en: 'Check in 7 days in a row' },
          progress: 7,
          goal: 7,
          xp: 30,
          earnedAt: 'string',
        },
      );
      // Anyone sees it on Bob's profile page.
      assert.deepEqual((await anonymous.achievementsOf(bob.user.id)).json(), list);
      assert.equal((await anonymous.profileOf(bob.user.id)).json().achievements, 1);
      const inbox = await t.app.inject({ url: '/api/v1/me/notifications', headers: bob.headers });
      assert.deepEqual(
        inbox.json().items.map((n: { kind: string; url: string }) => [n.kind, n.url]),
        [['achievement', '/me/achievements']],
      );
      assertProblem(await anonymous.achievementsOf(MISSING), 404, 'USER_NOT_FOUND');
      assertProblem(await anonymous.achievementsOf('x'), 400, 'INVALID_ID');
    });

    test('daily tasks: progress, claims once, and only when complete', async () => {
      const carol = profileClient(t.app, await signInAsGuest(t.app));
      const listed: DailyTaskList = (await carol.tasks()).json();
      assert.equal(listed.day, utcDay(new Date()));
      assert.deepEqual(
        listed.items.map((item) => item.id),
        dailyTasks.map((task) => task.id),
      );
      assert.deepEqual(listed.items[0], {
        id: 'check_in',
        name: { zh: '每日签到', en: 'Check in' },
        metric: 'checked_in',
        goal: 1,
        progress: 0,
        points: 5,
        completed: false,
        claimed: false,
      });
      assertProblem(await carol.claim('check_in'), 409, 'TASK_NOT_COMPLETED');
      await carol.checkIn();
      const claimed = await carol.claim('check_in');
      assert.equal(claimed.statusCode, 200, claimed.body);
      assert.deepEqual(claimed.json(), {
        taskId: 'check_in',
        day: listed.day,
        points: 5,
        balance: 15,
      });
      assertProblem(await carol.claim('check_in'), 409, 'TASK_ALREADY_CLAIMED');
      assert.equal((await carol.tasks()).json().items[0].claimed, true);
      for (const id of ['nope', 'CHECK_IN', 'x'.repeat(90), '%20'])
        assertProblem(await carol.claim(id), 404, 'TASK_NOT_FOUND');
    });

    test('no, garbled or expired sessions are 401 on every progression route', async () => {
      const expired = profileClient(
        t.app,
        clientFor(
          t.app,
          alice.user,
          await accessTokenFor(t.config, alice, { nowMs: Date.now() - 3_600_000 }),
        ),
      );
      const garbled = profileClient(t.app, clientFor(t.app, alice.user, 'garbage'));
      const calls = (c: ProfileClient) => [
        () => c.achievements(),
        () => c.checkIn(),
        () => c.calendar(),
        () => c.tasks(),
        () => c.claim('check_in'),
      ];
      for (const call of calls(anonymous)) assertProblem(await call(), 401, 'AUTH_REQUIRED');
      for (const call of calls(expired)) assertProblem(await call(), 401, 'SESSION_EXPIRED');
      for (const call of calls(garbled)) assertProblem(await call(), 401, 'SESSION_INVALID');
      assertProblem(await expired.achievementsOf(alice.user.id), 401, 'SESSION_EXPIRED');
    });
  });
}
