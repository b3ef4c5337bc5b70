import type { AuthSession } from '@binge/core/protocol/catalog';
import type { SmsCodeSent } from '@binge/core/protocol/accounts';
import { ApiProblem, networkProblem, parseProblem } from '$lib/api/api-problem.ts';
import {
  fromAuthSession,
  needsRefresh,
  parseStoredSession,
  sessionStorageKey,
  type StoredSession,
} from './stored-session.ts';

/**
 * The viewer's session in the browser: guest first (like the apps, nobody is asked to sign in
 * before watching), upgraded in place by a phone code or OAuth. The tokens live in localStorage so
 * every tab of the device shares one session; refreshes are serialised across tabs with the Web
 * Locks API because each refresh token works once and a second use signs the device out
 * (README, Sign-in).
 */
const state = $state<{ current: StoredSession | null; loaded: boolean }>({
  current: null,
  loaded: false,
});

type Fetch = typeof fetch;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Storage disabled (privacy mode in some webviews): the session lives for this page only.
    return null;
  }
}

function readStored(): StoredSession | null {
  return parseStoredSession(storage()?.getItem(sessionStorageKey) ?? null);
}

function write(session: StoredSession | null): void {
  state.current = session;
  const store = storage();
  if (!store) return;
  if (session) store.setItem(sessionStorageKey, JSON.stringify(session));
  else store.removeItem(sessionStorageKey);
}

async function call<T>(
  path: string,
  init: RequestInit & { token?: string | null } = {},
  fetchFn: Fetch = fetch,
): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('accept', 'application/json');
  if (init.body !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  let response: Response;
  try {
    response = await fetchFn(`/api/v1${path}`, { ...init, headers });
  } catch (error) {
    throw new ApiProblem(networkProblem(error));
  }
  const text = await response.text();
  if (!response.ok) throw new ApiProblem(parseProblem(response.status, text));
  if (response.status === 204 || text === '') return undefined as T;
  return JSON.parse(text) as T;
}

let inflight: Promise<StoredSession | null> | null = null;

async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return work();
  return locks.request('binge.session.refresh', work);
}

/** A valid session: the stored one, refreshed when due, or a new guest. Single-flight per tab. */
function ensure(): Promise<StoredSession | null> {
  inflight ??= withRefreshLock(async () => {
    // Another tab may have refreshed (or signed in) while this one waited for the lock.
    let session = readStored();
    const now = Date.now();
    if (session && session.refreshExpiresAt <= now) session = null;
    if (session && needsRefresh(session, now)) {
      try {
        const fresh = await call<AuthSession>('/auth/refresh', {
          method: 'POST',
          body: JSON.stringify({ refreshToken: session.refreshToken }),
        });
        session = fromAuthSession(fresh, session.guest);
      } catch (error) {
        // A refused refresh (revoked, reused, expired) ends the session; a network error keeps it
        // for the next try.
        if (error instanceof ApiProblem && error.status === 401) session = null;
        else throw error;
      }
    }
    if (!session) {
      const guest = await call<AuthSession>('/auth/guest', {
        method: 'POST',
        body: JSON.stringify({ deviceName: deviceName() }),
      });
      session = fromAuthSession(guest, true);
    }
    write(session);
    return session;
  }).finally(() => {
    inflight = null;
  });
  return inflight;
}

function deviceName(): string {
  if (typeof navigator === 'undefined') return 'Web';
  const ua = navigator.userAgent;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : 'Linux';
  return `Web (${os})`;
}

/** The current access token, refreshed or created as needed; null only when the API is unreachable. */
async function accessToken(): Promise<string | null> {
  const session = state.current ?? readStored();
  if (session && !needsRefresh(session, Date.now())) return session.accessToken;
  return (await ensure())?.accessToken ?? null;
}

/** An authenticated API call (JSON in and out); a token refused as expired is renewed once. */
async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = await accessToken();
  try {
    return await call<T>(path, { ...init, token });
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.status !== 401) throw error;
    if (error.code !== 'SESSION_EXPIRED' && error.code !== 'SESSION_INVALID') throw error;
    const stored = readStored();
    if (stored) write({ ...stored, accessExpiresAt: 0 });
    return call<T>(path, { ...init, token: (await ensure())?.accessToken ?? null });
  }
}

function sendSmsCode(phone: string): Promise<SmsCodeSent> {
  return call<SmsCodeSent>('/auth/sms/send', { method: 'POST', body: JSON.stringify({ phone }) });
}

/** Signs in with a phone code; a guest's bearer makes the server upgrade that guest in place. */
async function signInWithSms(phone: string, code: string): Promise<StoredSession> {
  const token = await accessToken().catch(() => null);
  const session = await call<AuthSession>('/auth/sms/verify', {
    method: 'POST',
    token,
    body: JSON.stringify({ phone, code, deviceName: deviceName() }),
  });
  const stored = fromAuthSession(session, false);
  write(stored);
  return stored;
}

/** Adopts a session the OAuth callback answered. */
function adopt(session: AuthSession, guest = false): StoredSession {
  const stored = fromAuthSession(session, guest);
  write(stored);
  return stored;
}

async function signOut(): Promise<void> {
  const session = readStored();
  write(null);
  if (session) {
    await call<void>('/auth/logout', { method: 'POST', token: session.accessToken }).catch(
      () => undefined,
    );
  }
}

/** Loads the stored session once in the browser and follows sign-ins of other tabs. */
function load(): void {
  if (state.loaded || typeof window === 'undefined') return;
  state.loaded = true;
  state.current = readStored();
  window.addEventListener('storage', (event) => {
    if (event.key === sessionStorageKey) state.current = parseStoredSession(event.newValue);
  });
}

export const session = {
  get current(): StoredSession | null {
    return state.current;
  },
  /** Signed in with a phone or OAuth (not a guest). */
  get signedIn(): boolean {
    return state.current !== null && !state.current.guest;
  },
  load,
  ensure,
  accessToken,
  api,
  sendSmsCode,
  signInWithSms,
  adopt,
  signOut,
};
