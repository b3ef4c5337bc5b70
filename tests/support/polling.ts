import assert from 'node:assert/strict';

/** GETs a JSON resource and fails the test with the body when it does not answer 200. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(
    response.status,
    200,
    `${url} answered ${response.status}: ${await response.clone().text()}`,
  );
  return (await response.json()) as T;
}

/** Polls until `probe` yields a value: the demo catalog is generated in the background. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null>,
  timeoutMs = 240_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
