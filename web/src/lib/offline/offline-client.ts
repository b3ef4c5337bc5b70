import { shouldPrecache, type ConnectionLike } from './connection-policy.ts';
import { loadOfflineSettings, type OfflineSettings } from './offline-settings.ts';
import {
  OfflineError,
  type ClearResult,
  type OfflineReply,
  type OfflineRequest,
  type OfflineResults,
  type PrecacheResult,
  type UsageResult,
} from './offline-protocol.ts';

/**
 * The page's side of offline viewing: registering the service worker and asking it, over a
 * MessageChannel, to save, count or clear episodes. Every call resolves or throws an
 * OfflineError with a code; none throws where service workers do not exist.
 */
export interface OfflineEnvironment {
  navigator: Navigator;
  storage: Pick<Storage, 'getItem'> | null;
}

function browser(): OfflineEnvironment | null {
  if (typeof navigator === 'undefined') return null;
  let storage: Storage | null = null;
  try {
    storage = globalThis.localStorage ?? null;
  } catch {
    storage = null;
  }
  return { navigator, storage };
}

function container(env: OfflineEnvironment | null): ServiceWorkerContainer | null {
  return env !== null && 'serviceWorker' in env.navigator ? env.navigator.serviceWorker : null;
}

/**
 * Registers `/service-worker.js` (SvelteKit builds it from src/service-worker.ts). Only in
 * production builds: in `vite dev` a worker would cache modules the dev server changes under it.
 * Resolves null where service workers are unsupported or not wanted.
 */
export async function registerServiceWorker(
  options: { production: boolean; env?: OfflineEnvironment | null } = { production: true },
): Promise<ServiceWorkerRegistration | null> {
  const workers = container(options.env === undefined ? browser() : options.env);
  if (!options.production || workers === null) return null;
  try {
    return await workers.register('/service-worker.js', { scope: '/' });
  } catch (error) {
    // Not fatal: the app works without it, only offline viewing is lost.
    console.warn('service worker registration failed', error);
    return null;
  }
}

/** Whether this browser can save episodes (a service worker and the Cache API). */
export function offlineSupported(env: OfflineEnvironment | null = browser()): boolean {
  return container(env) !== null && typeof caches !== 'undefined';
}

export async function askWorker<T extends OfflineRequest['type']>(
  request: Extract<OfflineRequest, { type: T }>,
  options: { timeoutMs?: number; env?: OfflineEnvironment | null } = {},
): Promise<OfflineResults[T]> {
  const workers = container(options.env === undefined ? browser() : options.env);
  if (workers === null)
    throw new OfflineError(
      'OFFLINE_UNSUPPORTED',
      'Service workers are not available in this browser',
    );
  const timeoutMs = options.timeoutMs ?? 60_000;
  const registration = await withTimeout(
    workers.ready,
    timeoutMs,
    'The service worker did not start',
  );
  const worker = registration.active;
  if (worker === null) throw new OfflineError('OFFLINE_UNSUPPORTED', 'No active service worker');
  const channel = new MessageChannel();
  const reply = new Promise<OfflineReply<OfflineResults[T]>>((resolve) => {
    channel.port1.onmessage = (event) => resolve(event.data as OfflineReply<OfflineResults[T]>);
  });
  worker.postMessage(request, [channel.port2]);
  try {
    const answer = await withTimeout(
      reply,
      timeoutMs,
      `The service worker did not answer ${request.type}`,
    );
    if (!answer.ok) throw new OfflineError(answer.code, answer.message);
    return answer.result;
  } finally {
    channel.port1.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OfflineError('OFFLINE_TIMEOUT', message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const offlineUsage = (): Promise<UsageResult> => askWorker({ type: 'usage' });
export async function clearOfflineCache(): Promise<ClearResult> {
  const result = await askWorker({ type: 'clear' });
  requested.clear();
  return result;
}
export const setOfflineCap = (capBytes: number): Promise<UsageResult> =>
  askWorker({ type: 'set-cap', capBytes });

export interface NextEpisode {
  episodeId: number;
  masterUrl: string;
}

export type PrecacheNextOutcome =
  | { status: 'skipped'; reason: 'unsupported' | 'network' }
  | {
      status: 'done';
      results: Array<
        | { episodeId: number; ok: true; result: PrecacheResult }
        | { episodeId: number; ok: false; code: string; message: string }
      >;
    };

/** Episodes saved by this page, so a swipe back and forth does not ask twice. */
const requested = new Set<number>();
const maxAhead = 3;

/**
 * Saves the start of the next episodes (the feed passes the next 1–3) when the network allows it
 * (connection-policy.ts) and the viewer's settings do. One episode at a time, nearest first, so
 * the one about to play is saved before the others compete for bandwidth.
 */
export async function precacheNext(
  episodes: readonly NextEpisode[],
  options: {
    connection?: ConnectionLike | null;
    settings?: OfflineSettings;
    maxRungHeight?: number;
    env?: OfflineEnvironment | null;
  } = {},
): Promise<PrecacheNextOutcome> {
  const env = options.env === undefined ? browser() : options.env;
  if (!offlineSupported(env)) return { status: 'skipped', reason: 'unsupported' };
  const connection =
    options.connection !== undefined
      ? options.connection
      : ((env!.navigator as Navigator & { connection?: ConnectionLike }).connection ?? null);
  const settings = options.settings ?? loadOfflineSettings(env!.storage);
  if (!shouldPrecache(connection, settings)) return { status: 'skipped', reason: 'network' };
  const results: Extract<PrecacheNextOutcome, { status: 'done' }>['results'] = [];
  for (const episode of episodes.slice(0, maxAhead)) {
    if (requested.has(episode.episodeId)) continue;
    requested.add(episode.episodeId);
    try {
      const result = await askWorker(
        {
          type: 'precache',
          episodeId: episode.episodeId,
          masterUrl: episode.masterUrl,
          ...(options.maxRungHeight !== undefined ? { maxRungHeight: options.maxRungHeight } : {}),
        },
        { env },
      );
      results.push({ episodeId: episode.episodeId, ok: true, result });
    } catch (error) {
      // A failed one may be tried again on a later call (a token expired, the network blinked).
      requested.delete(episode.episodeId);
      const failure =
        error instanceof OfflineError
          ? error
          : new OfflineError('OFFLINE_FETCH_FAILED', String(error));
      results.push({
        episodeId: episode.episodeId,
        ok: false,
        code: failure.code,
        message: failure.message,
      });
    }
  }
  return { status: 'done', results };
}
