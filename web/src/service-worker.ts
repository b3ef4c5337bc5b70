/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, version } from '$service-worker';
import { preferredLocale } from '$lib/i18n/locale.ts';
import { answerFromCache } from '$lib/offline/cached-response.ts';
import { filterMaster, isMasterPlaylist } from '$lib/offline/hls-playlist.ts';
import { mediaCacheKey, type MediaCacheKey } from '$lib/offline/media-cache-key.ts';
import { openMediaManifest } from '$lib/offline/media-manifest.ts';
import { createMediaStore } from '$lib/offline/media-store.ts';
import { offlinePage } from '$lib/offline/offline-page.ts';
import {
  OfflineError,
  parseOfflineRequest,
  type OfflineReply,
  type OfflineRequest,
} from '$lib/offline/offline-protocol.ts';
import { precacheEpisode } from '$lib/offline/precache-episode.ts';

/**
 * The service worker: the app shell precached per build, media served cache-first from a cache
 * the page fills with the next episodes (lib/offline/), navigations network-first with an offline
 * page. See docs/architecture.md, "Offline".
 */
const sw = self as unknown as ServiceWorkerGlobalScope;

const shellPrefix = 'shell-';
const shellCache = `${shellPrefix}${version}`;
/** Not versioned: saved episodes outlive a deploy of the app. */
const mediaCache = 'media-v1';
const shellAssets = new Set([...build, ...files]);
/** Playlists are tiny and the master must list the whole ladder when online: network first. */
const playlistNetworkTimeoutMs = 4000;

const store = createMediaStore({
  caches: sw.caches,
  manifest: openMediaManifest(sw.indexedDB),
  cacheName: mediaCache,
  now: () => Date.now(),
});

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await sw.caches.open(shellCache);
      await cache.addAll([...shellAssets]);
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await sw.caches.keys())
        if (name.startsWith(shellPrefix) && name !== shellCache) await sw.caches.delete(name);
      // The page request starts while the worker boots, so the worker adds no latency to it.
      await sw.registration.navigationPreload?.enable();
      await store.reconcile().catch(() => undefined);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request, event.preloadResponse));
    return;
  }
  if (url.origin === sw.location.origin && shellAssets.has(url.pathname)) {
    event.respondWith(shellAsset(request));
    return;
  }
  const key = mediaCacheKey(url, sw.location.origin);
  if (key !== null) event.respondWith(media(request, key));
});

async function navigate(request: Request, preload: Promise<unknown>): Promise<Response> {
  try {
    const preloaded = (await preload) as Response | undefined;
    return preloaded ?? (await fetch(request));
  } catch {
    return new Response(offlinePage(preferredLocale(sw.navigator.languages), request.url), {
      status: 503,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
}

async function shellAsset(request: Request): Promise<Response> {
  const cached = await (await sw.caches.open(shellCache)).match(request);
  return cached ?? fetch(request);
}

async function media(request: Request, key: MediaCacheKey): Promise<Response> {
  if (key.kind === 'playlist') return playlist(request, key.key);
  const stored = await store.match(key.key);
  if (stored) return answerFromCache(stored, request.headers.get('range'));
  return fetch(request);
}

async function playlist(request: Request, key: string): Promise<Response> {
  const stored = await store.peek(key);
  // Nothing saved to fall back on: the network without a deadline, as if there were no worker.
  if (!stored) return fetch(request);
  let failure: unknown;
  try {
    const response = await fetchWithin(request, playlistNetworkTimeoutMs);
    // An expired token (403) must reach the player, which fetches fresh URLs; a server error
    // or no answer falls back to the saved copy.
    if (response.status < 500) return response;
    failure = new Error(`HTTP ${response.status}`);
  } catch (error) {
    failure = error;
  }
  await store.match(key);
  const text = await stored.clone().text();
  if (!isMasterPlaylist(text)) return answerFromCache(stored, null);
  // Offline, the player may only pick renditions whose playlists are saved.
  const saved = await store.keys();
  const filtered = filterMaster(text, request.url, (variantUrl) => {
    const variant = mediaCacheKey(new URL(variantUrl), sw.location.origin);
    return variant !== null && saved.has(variant.key);
  });
  if (filtered === null) throw failure;
  return new Response(filtered, {
    status: 200,
    headers: {
      'content-type': stored.headers.get('content-type') ?? 'application/vnd.apple.mpegurl',
      'x-binge-offline': 'hit',
    },
  });
}

async function fetchWithin(request: Request, ms: number): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    return await fetch(request, { signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

sw.addEventListener('message', (event) => {
  const port = event.ports[0];
  if (!port) return;
  event.waitUntil(answer(event.data).then((reply) => port.postMessage(reply)));
});

async function answer(data: unknown): Promise<OfflineReply<unknown>> {
  try {
    const request = parseOfflineRequest(data, sw.location.origin);
    return { ok: true, result: await handle(request) };
  } catch (error) {
    if (error instanceof OfflineError)
      return { ok: false, code: error.code, message: error.message };
    return {
      ok: false,
      code: 'OFFLINE_STORAGE_FAILED',
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

async function handle(request: OfflineRequest): Promise<unknown> {
  switch (request.type) {
    case 'precache':
      await store.reconcile();
      return precacheEpisode(request, {
        fetch: (url, init) => fetch(url, init),
        store,
        appOrigin: sw.location.origin,
      });
    case 'clear':
      return store.clear();
    case 'usage':
      return store.usage();
    case 'set-cap':
      return store.setCap(request.capBytes);
  }
}
