import type { Page } from 'playwright-core';
import type { RecordingSmsSender } from '@binge/core/accounts/sms-sender-recording';

/**
 * Signs a page in through the web client's sign-in form with the code the recording SMS sender
 * received, as a person reading their phone would. `phone` is E.164 (+86…).
 */
export async function signInByPhone(
  page: Page,
  baseUrl: string,
  sms: RecordingSmsSender,
  phone: string,
  returnTo = '/me',
): Promise<void> {
  await page.goto(`${baseUrl}/signin?returnTo=${encodeURIComponent(returnTo)}`);
  // A click on the server-rendered form before hydration would do nothing.
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
  await page.getByLabel('Phone number').fill(phone.slice(3));
  await page.getByRole('button', { name: 'Send code' }).click();
  const codeField = page.getByLabel('6-digit code');
  await codeField.waitFor();
  await codeField.fill(sms.lastCodeTo(phone));
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => url.pathname === returnTo);
}

/** The access token the page keeps (localStorage `binge.session`), for API reads in tests. */
export async function pageAccessToken(page: Page): Promise<string> {
  const raw = await page.evaluate(() =>
    (
      globalThis as unknown as { localStorage: { getItem(key: string): string | null } }
    ).localStorage.getItem('binge.session'),
  );
  if (!raw) throw new Error('the page keeps no session');
  return (JSON.parse(raw) as { accessToken: string }).accessToken;
}
