import { isStorable } from './cached-response.ts';
import {
  PlaylistError,
  defaultSegmentPolicy,
  isMasterPlaylist,
  parseMaster,
  parseMedia,
  pickVariant,
  segmentsToStore,
  type SegmentPolicy,
} from './hls-playlist.ts';
import { mediaCacheKey } from './media-cache-key.ts';
import type { MediaStore } from './media-store.ts';
import { OfflineError, type OfflineRequest, type PrecacheResult } from './offline-protocol.ts';

export interface PrecacheDeps {
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  store: MediaStore;
  /** The worker's origin: content keys are only fetched from it (media-cache-key.ts). */
  appOrigin: string;
  policy?: SegmentPolicy;
}

type PrecacheRequest = Extract<OfflineRequest, { type: 'precache' }>;

/**
 * Stores the start of one episode for offline play: its master playlist, one rendition's
 * playlist, the AES-128 key and init section that rendition needs, then its segments in order
 * (all of a short episode, else the first few). Files already cached are not fetched again. The
 * cap stops it early (`complete: false`) rather than evicting this episode's own earlier parts.
 */
export async function precacheEpisode(
  request: PrecacheRequest,
  deps: PrecacheDeps,
): Promise<PrecacheResult> {
  const { store, appOrigin } = deps;
  const cachedKeys = await store.keys();
  const mine = new Set<string>();
  let stored = 0;
  let bytes = 0;

  function keyOf(url: string) {
    const key = mediaCacheKey(new URL(url), appOrigin);
    if (key === null)
      throw new OfflineError('OFFLINE_FETCH_FAILED', `Not a media URL the cache can hold: ${url}`);
    return key.key;
  }

  async function download(url: string): Promise<{ body: ArrayBuffer; headers: Headers }> {
    let response: Response;
    try {
      // Same-origin credentials as the player's own requests, so the key endpoint sees the same viewer.
      response = await deps.fetch(url, { credentials: 'same-origin' });
    } catch (error) {
      throw new OfflineError('OFFLINE_FETCH_FAILED', `${url}: ${(error as Error).message}`);
    }
    if (!isStorable(response)) {
      await response.body?.cancel().catch(() => undefined);
      throw new OfflineError('OFFLINE_FETCH_FAILED', `${url} answered ${response.status}`);
    }
    const body = await response.arrayBuffer();
    const declared = response.headers.get('content-length');
    // A body cut short by a dropped connection must not be stored as the whole file.
    if (
      declared !== null &&
      Number(declared) !== body.byteLength &&
      response.headers.get('content-encoding') === null
    )
      throw new OfflineError(
        'OFFLINE_FETCH_FAILED',
        `${url} ended after ${body.byteLength} of ${declared} bytes`,
      );
    return { body, headers: response.headers };
  }

  /** Fetches and stores `url` unless cached; false when the cap leaves no room for it. */
  async function keep(
    url: string,
    known?: { body: ArrayBuffer; headers: Headers },
  ): Promise<boolean> {
    const key = keyOf(url);
    if (cachedKeys.has(key) && known === undefined) {
      mine.add(key);
      return true;
    }
    const { body, headers } = known ?? (await download(url));
    const outcome = await store.put(key, body, headers, {
      episodeId: request.episodeId,
      protect: mine,
    });
    if (outcome === 'over-cap') return false;
    mine.add(key);
    cachedKeys.add(key);
    stored++;
    bytes += body.byteLength;
    return true;
  }

  const decode = (body: ArrayBuffer) => new TextDecoder().decode(body);
  const result = (rung: number | null, segments: number, complete: boolean): PrecacheResult => ({
    episodeId: request.episodeId,
    rung,
    stored,
    bytes,
    segments,
    complete,
  });

  try {
    const master = await download(request.masterUrl);
    const masterText = decode(master.body);
    let rung: number | null = null;
    let mediaUrl = request.masterUrl;
    let media = { text: masterText, download: master };
    if (isMasterPlaylist(masterText)) {
      const variant = pickVariant(
        parseMaster(masterText, request.masterUrl),
        request.maxRungHeight,
      );
      if (variant === null)
        throw new OfflineError('OFFLINE_NO_RENDITION', 'The master playlist lists no rendition');
      rung = variant.rung;
      mediaUrl = variant.uri;
      const download2 = await download(mediaUrl);
      media = { text: decode(download2.body), download: download2 };
    }
    const playlist = parseMedia(media.text, mediaUrl);
    const planned = segmentsToStore(playlist, deps.policy ?? defaultSegmentPolicy);

    // Master last among the playlists: while it is missing the offline master lists nothing, so
    // a half-stored episode never advertises a rendition it cannot play.
    if (!(await keep(mediaUrl, media.download))) return result(rung, 0, false);
    for (const url of [...playlist.keys, ...playlist.inits])
      if (!(await keep(url))) return result(rung, 0, false);
    let segments = 0;
    for (const segment of planned) {
      if (!(await keep(segment.uri))) break;
      segments++;
    }
    // A start cut short by the cap still plays its first seconds offline, so it gets its master.
    if (segments === 0) return result(rung, 0, false);
    if (mediaUrl !== request.masterUrl && !(await keep(request.masterUrl, master)))
      return result(rung, segments, false);
    return result(rung, segments, segments === planned.length);
  } catch (error) {
    if (error instanceof PlaylistError)
      throw new OfflineError('OFFLINE_PLAYLIST_INVALID', error.message);
    throw error;
  }
}
