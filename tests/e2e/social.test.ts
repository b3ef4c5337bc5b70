import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  createRecordingSmsSender,
  type RecordingSmsSender,
} from '@binge/core/accounts/sms-sender-recording';
import { topics } from '@binge/core/bus';
import { reportReasons as apiReportReasons } from '@binge/core/moderation/store';
import { notifyMessageOf } from '@binge/core/notifications/episode-reminders';
import { createSqlNotificationStore } from '@binge/core/notifications/store-sql';
import type { List, SeriesDetail, SeriesSummary } from '@binge/core/protocol/catalog';
import { startPlatform, type Platform } from '../../bin/platform.ts';
import { reportReasons as webReportReasons } from '../../web/src/lib/social/report-reasons.ts';
import { chromiumArgs, chromiumPath, phone } from '../support/browser.ts';
import { getJson, waitFor } from '../support/polling.ts';
import { ensureWebBuild } from '../support/web-build.ts';

/**
 * The social side of the web client in Chromium against the whole embedded platform, with two
 * people in two browser contexts (two devices): each signs in with a phone code (read from a
 * recording SMS sender handed to the platform, as a phone would receive it), then a comment, a
 * fan-chat line and a DM written by one show up on the other's screen, live where the gateway
 * carries them, and the DM's read receipt comes back to its sender.
 */
interface Person {
  context: BrowserContext;
  page: Page;
  phone: string;
  userId: number;
  name: string;
}

/** The session the page keeps (typed by shape: the repository's tsconfig has no DOM lib). */
async function storedSession(
  page: Page,
): Promise<{ userId: number; guest: boolean; displayName: string }> {
  const raw = await page.evaluate(() =>
    (
      globalThis as unknown as { localStorage: { getItem(key: string): string | null } }
    ).localStorage.getItem('binge.session'),
  );
  assert.ok(raw, 'the page keeps a session');
  return JSON.parse(raw) as { userId: number; guest: boolean; displayName: string };
}

describe('social features in Chromium, two people', () => {
  let dataDir: string;
  let platform: Platform;
  let browser: Browser;
  let sms: RecordingSmsSender;
  let series: SeriesDetail;
  let episodeId: number;
  const people: Person[] = [];
  const errors: string[] = [];

  async function open(phoneNumber: string): Promise<Person> {
    const context = await browser.newContext({ ...phone, locale: 'en-US' });
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400)
        errors.push(
          `response: ${response.status()} ${response.request().method()} ${response.url()}`,
        );
    });
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    return { context, page, phone: phoneNumber, userId: 0, name: '' };
  }

  before(
    async () => {
      ensureWebBuild();
      dataDir = await mkdtemp(path.join(tmpdir(), 'binge-social-e2e-'));
      sms = createRecordingSmsSender();
      platform = await startPlatform(
        {
          PORT: '0',
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          DEMO_SEED: 'true',
          DEMO_SCALE: 'tiny',
          LOG_LEVEL: 'warn',
        },
        { smsSender: sms },
      );
      // Comments need an episode and the fan room a published series; neither needs the video.
      series = await waitFor('a published series with an episode', async () => {
        const list = await getJson<List<SeriesSummary>>(`${platform.url}/api/v1/lists/new`);
        for (const item of list.items) {
          const detail = await getJson<SeriesDetail>(`${platform.url}/api/v1/series/${item.id}`);
          if (detail.episodes.length > 0) return detail;
        }
        return null;
      });
      episodeId = series.episodes[0]!.id;
      browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
      people.push(await open('+8613800138000'), await open('+8613900139000'));
    },
    { timeout: 300_000 },
  );

  after(async () => {
    await browser?.close();
    await platform?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test('the web client offers the report reasons the API takes', () => {
    assert.deepEqual([...webReportReasons], [...apiReportReasons]);
  });

  test(
    'each person signs in with the phone code the SMS brought',
    { timeout: 60_000 },
    async () => {
      for (const person of people) {
        const { page } = person;
        await page.goto(`${platform.url}/signin?returnTo=/me`);
        await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
        // Typed as people do: a mainland number without +86.
        await page
          .getByLabel('Phone number')
          .fill(person.phone.slice(3).replace(/(\d{3})(\d{4})/, '$1 $2 '));
        await page.getByText(`We will text ${person.phone}`).waitFor();
        await page.getByRole('button', { name: 'Send code' }).click();
        const codeField = page.getByLabel('6-digit code');
        await codeField.waitFor();
        await codeField.fill(sms.lastCodeTo(person.phone));
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        // (A glob would match the sign-in URL itself: its query ends in /me.)
        await page.waitForURL((url) => url.pathname === '/me');
        const stored = await storedSession(page);
        assert.equal(stored.guest, false, 'the guest was upgraded to a signed-in account');
        person.userId = stored.userId;
        person.name = stored.displayName;
        await page.locator(`section[data-user-id="${stored.userId}"] h1`).waitFor();
        assert.equal(
          await page.locator(`section[data-user-id="${stored.userId}"] h1`).innerText(),
          stored.displayName,
        );
        // The devices list marks this one.
        await page.getByText('this device').waitFor();
      }
      assert.notEqual(people[0]!.userId, people[1]!.userId);
    },
  );

  test('an OAuth provider that is not configured answers a coded problem, shown', async () => {
    const page = await (await browser.newContext({ ...phone, locale: 'en-US' })).newPage();
    await page.goto(`${platform.url}/signin`);
    // A click on the server-rendered button before hydration would do nothing.
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: 'Sign in with WeChat' }).click();
    const problem = page.locator('[data-problem-code="PROVIDER_NOT_FOUND"]');
    await problem.waitFor();
    assert.match(await problem.innerText(), /Sign-in with WeChat is not available/);
    await page.context().close();
  });

  test(
    'a comment posted by one person shows for the other, who likes it',
    { timeout: 60_000 },
    async () => {
      const [alice, bob] = people as [Person, Person];
      const text = `Great twist in this one ${Date.now()}`;
      await alice.page.goto(`${platform.url}/watch/${episodeId}/comments`);
      const dialog = alice.page.getByRole('dialog', { name: 'Comments' });
      await dialog.waitFor();
      await dialog.getByText('No comments yet. Be the first.').waitFor();
      await dialog.getByLabel('Your comment').fill(text);
      await dialog.getByRole('button', { name: 'Send' }).click();
      const mine = dialog.locator('article', { hasText: text });
      await mine.waitFor();
      assert.equal(await mine.getByRole('button', { name: 'Delete' }).count(), 1, 'own comment');

      await bob.page.goto(`${platform.url}/watch/${episodeId}/comments`);
      const theirs = bob.page.getByRole('dialog', { name: 'Comments' }).locator('article', {
        hasText: text,
      });
      await theirs.waitFor();
      assert.equal(await theirs.getByRole('button', { name: 'Delete' }).count(), 0);
      const like = theirs.locator('button.like');
      await like.click();
      await bob.page.waitForFunction(
        (selector) => {
          const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } })
            .document;
          const button = doc.querySelector(selector) as {
            getAttribute(n: string): string | null;
          } | null;
          return (
            button?.getAttribute('aria-pressed') === 'true' &&
            button.getAttribute('data-likes') === '1'
          );
        },
        `article[data-comment-id="${await theirs.getAttribute('data-comment-id')}"] button.like`,
      );

      // Bob reports it; the form says it was received.
      await theirs.getByRole('button', { name: 'Report' }).click();
      await theirs.getByLabel('Reason').selectOption('spam');
      await theirs.getByRole('button', { name: 'Send report' }).click();
      await theirs.getByText('Reported. A moderator will look at it.').waitFor();

      // Bob replies; Alice sees the reply under her comment after reopening.
      await theirs.getByRole('button', { name: 'Reply' }).click();
      const reply = `Agreed ${Date.now()}`;
      await bob.page.getByLabel('Your reply').fill(reply);
      await bob.page.getByRole('button', { name: 'Send' }).click();
      await bob.page.locator('article.reply', { hasText: reply }).waitFor();
      await alice.page.reload();
      await alice.page.locator('article.reply', { hasText: reply }).waitFor();

      // Escape closes the sheet (and returns to the episode).
      await alice.page.keyboard.press('Escape');
      await alice.page.waitForURL((url) => url.pathname === `/watch/${episodeId}`);
    },
  );

  test('a fan-chat line arrives live on the other screen', { timeout: 60_000 }, async () => {
    const [alice, bob] = people as [Person, Person];
    for (const person of people) {
      await person.page.goto(`${platform.url}/series/${series.id}/chat`);
      await person.page.locator(`[data-fan-chat="${series.id}"]`).getByText('Live').waitFor();
    }
    const line = `Who else binged all night? ${Date.now()}`;
    await alice.page.getByLabel('Message the fans').fill(line);
    await alice.page.getByLabel('Message the fans').press('Enter');
    await alice.page
      .locator('li.line[data-own="true"][data-state="sent"]', { hasText: line })
      .waitFor();
    const arrived = bob.page.locator('li.line[data-own="false"]', { hasText: line });
    await arrived.waitFor({ timeout: 10_000 });
    assert.match(await arrived.innerText(), new RegExp(alice.name));
  });

  test(
    'a DM reaches the other person live and its read receipt comes back',
    { timeout: 60_000 },
    async () => {
      const [alice, bob] = people as [Person, Person];
      await bob.page.goto(`${platform.url}/messages`);
      await bob.page.getByText('No messages yet.', { exact: false }).waitFor();

      await alice.page.goto(`${platform.url}/messages/${bob.userId}`);
      const text = `Hi Bob, episode 2 tonight? ${Date.now()}`;
      await alice.page.getByLabel('Your message').fill(text);
      await alice.page.getByRole('button', { name: 'Send' }).click();
      const sent = alice.page.locator('li.line[data-own="true"]', { hasText: text });
      await sent.waitFor();

      // Bob's inbox lists the conversation as it arrives; Alice sees it delivered.
      const conversation = bob.page.locator(`a[data-peer-id="${alice.userId}"]`);
      await conversation.waitFor({ timeout: 10_000 });
      assert.match(await conversation.innerText(), new RegExp(text.slice(0, 20)));
      await alice.page
        .locator('li.line[data-own="true"][data-delivery="delivered"]', { hasText: text })
        .waitFor({ timeout: 10_000 });

      // Bob opens it: read, and Alice's screen says so.
      await conversation.click();
      await bob.page.locator('li.line[data-own="false"]', { hasText: text }).waitFor();
      await alice.page
        .locator('li.line[data-own="true"][data-delivery="read"]', { hasText: text })
        .waitFor({ timeout: 10_000 })
        .catch((error: Error) => {
          throw new Error(`no read receipt: ${error.message}\n${errors.join('\n')}`);
        });
    },
  );

  test('a check-in credits points and marks today', { timeout: 30_000 }, async () => {
    const { page } = people[0]!;
    await page.goto(`${platform.url}/tasks`);
    const button = page.getByRole('button', { name: /^Check in \(\+\d+\)$/ });
    await button.click();
    await page.getByText(/^\+\d+ points, day 1 of your streak$/).waitFor();
    await page.getByRole('button', { name: 'Checked in today' }).waitFor();
    await page.getByText(/^Points: \d+$/).waitFor();
    assert.equal(await page.locator('td.checked').count(), 1);
  });

  test(
    'a notification pushed while the page is open raises the bell, shows, and is read',
    { timeout: 30_000 },
    async () => {
      const { page, userId } = people[1]!;
      await page.goto(`${platform.url}/me`);
      const bell = page.locator('a.bell[data-live="true"]');
      await bell.waitFor();
      // Earlier steps may have earned notifications already (an achievement for a first comment).
      const before = await waitFor(
        'the unread count on the bell',
        async () => {
          const label = await bell.getAttribute('aria-label');
          if (label === 'Notifications') return 0;
          const match = /^Notifications, (\d+) unread$/.exec(label ?? '');
          return match ? Number(match[1]) : null;
        },
        10_000,
      );
      // What the follow-up reminders do for a new episode: store it, then push it on the bus.
      const push = async (text: string) => {
        const stored = await createSqlNotificationStore(platform.database.db).create({
          userId,
          kind: 'episode.new',
          text,
          url: `/series/${series.id}`,
          dedupeKey: `e2e:${text}`,
        });
        assert.ok(stored);
        await platform.bus.publish(topics.notify, notifyMessageOf(stored));
      };
      await push('Episode 3 is out');
      await page
        .getByRole('link', { name: `Notifications, ${before + 1} unread` })
        .waitFor({ timeout: 10_000 });

      await bell.click();
      await page.waitForURL((url) => url.pathname === '/notifications');
      await page.locator('li.unread', { hasText: 'Episode 3 is out' }).waitFor();
      await page.locator('.notifications[data-live="true"]').waitFor();
      await push('Episode 4 is out');
      await page.locator('li.unread', { hasText: 'Episode 4 is out' }).waitFor({ timeout: 10_000 });
      await page.getByText(`${before + 2} unread`, { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Mark all read' }).click();
      await page.getByText('All read', { exact: true }).waitFor();
      assert.equal(await page.locator('li.unread').count(), 0);
      // The API agrees: nothing unread after a reload.
      await page.reload();
      await page.locator('li', { hasText: 'Episode 4 is out' }).waitFor();
      assert.equal(await page.locator('li.unread').count(), 0);
    },
  );

  test('signing out leaves a fresh guest on the device', { timeout: 30_000 }, async () => {
    const { page, userId } = people[0]!;
    await page.goto(`${platform.url}/me`);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const stored = await waitFor(
      'a guest session',
      async () => {
        const current = await storedSession(page).catch(() => null);
        return current?.guest ? current : null;
      },
      10_000,
    );
    assert.notEqual(stored.userId, userId);
  });

  test('no page error was thrown along the way', (t) => {
    for (const line of errors) t.diagnostic(line);
    assert.deepEqual(
      errors.filter((line) => line.startsWith('pageerror')),
      [],
    );
  });
});
