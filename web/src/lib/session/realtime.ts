import type { RealtimeClient } from '@binge/core/protocol/realtime-client/client';
import { session } from './session.svelte.ts';

/**
 * The page's one realtime connection (created on first use, in the browser only). Feed pages,
 * danmu, chat, progress and counters all share it; the realtime client reconnects and resumes by
 * itself and keeps progress written offline in localStorage until the gateway has it.
 */
let client: Promise<RealtimeClient> | null = null;
/**
 * The session the client speaks for (null: none yet, a guest is being made). A client made for
 * another session is replaced on the next use, so a component that subscribes right after a
 * sign-in (before the caller got to resetRealtime) never lands on the connection about to close.
 */
let clientFor: string | null = null;

const hlcNodeKey = 'binge.hlcNode';

/** A stable id of this browser install for HLC stamps (`[A-Za-z0-9_-]{1,32}`). */
function hlcNode(): string {
  try {
    const existing = localStorage.getItem(hlcNodeKey);
    if (existing && /^[A-Za-z0-9_-]{1,32}$/.test(existing)) return existing;
    const fresh = `w${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
    localStorage.setItem(hlcNodeKey, fresh);
    return fresh;
  } catch {
    return `w${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
  }
}

export function gatewayUrl(location: Location): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/**
 * The shared client, after the session is known (a guest is made on first visit); if the API
 * cannot be reached the connection is anonymous, which still reads the feed and danmu.
 */
export function realtime(): Promise<RealtimeClient> {
  const wanted = session.current?.sessionId ?? null;
  if (client !== null && wanted !== null && clientFor !== null && clientFor !== wanted) close();
  if (client !== null) return client;
  clientFor = wanted;
  const made: Promise<RealtimeClient> = Promise.all([
    session.ensure().catch(() => null),
    // Loaded on first use: the client and its frame validators stay out of the first paint.
    import('@binge/core/protocol/realtime-client/client'),
  ]).then(([current, { createRealtimeClient }]) => {
    // A newer client may have replaced this one while the session was being made.
    if (client === made) clientFor = current?.sessionId ?? null;
    const created = createRealtimeClient({
      url: gatewayUrl(window.location),
      getToken: async () => (current ? session.accessToken() : null),
      hlcNode: hlcNode(),
      userAgent: 'binge-web/1',
      storage: localStorage,
      // The stored queue does not say whose progress it is (client-options.ts).
      storageKey: `binge.realtime.progress.${current?.userId ?? 'anon'}`,
    });
    void created.connect().catch(() => undefined);
    return created;
  });
  client = made;
  return made;
}

function close(): void {
  void client?.then((current) => current.close());
  client = null;
  clientFor = null;
}

/**
 * Closes the connection after the session changed (a sign-in, a sign-out); the next use
 * reconnects. A client already made for the current session (by a component that subscribed
 * first) is kept.
 */
export function resetRealtime(): void {
  const wanted = session.current?.sessionId ?? null;
  if (client !== null && wanted !== null && clientFor === wanted) return;
  close();
}
