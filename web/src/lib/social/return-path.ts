/**
 * Where to go after signing in: a same-origin path only (`/me`, `/watch/3?t=1`), never `//host`
 * or `https://…`, which would make the sign-in page an open redirect (the API checks `returnTo`
 * the same way).
 */
export function returnPath(raw: string | null | undefined, fallback = '/me'): string {
  if (!raw || raw.length > 512) return fallback;
  return /^\/(?![/\\])[\x21-\x7e]*$/.test(raw) ? raw : fallback;
}
