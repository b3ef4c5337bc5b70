import type { EpisodeSummary, PlaybackInfo, SeriesDetail } from '@binge/core/protocol/catalog';
import type { PageLoad } from './$types';
import { createCatalogClient, type CatalogClient } from '$lib/api/catalog-client.ts';
import { ApiProblem } from '$lib/api/api-problem.ts';
import { idParam, pageError } from '$lib/api/page-error.ts';

export type WatchState =
  | { kind: 'ready'; playback: PlaybackInfo }
  /** 402 EPISODE_LOCKED: paid episode the viewer has not unlocked. */
  | { kind: 'locked'; title: string; code: string; detail?: string; priceCoins: number | null }
  /** 409 EPISODE_NOT_READY: still in the media pipeline. */
  | { kind: 'not-ready'; title: string; code: string; detail?: string };

async function seriesOrNull(api: CatalogClient, id: number | null): Promise<SeriesDetail | null> {
  if (id === null) return null;
  try {
    return await api.seriesDetail(id);
  } catch (failure) {
    // The series only decorates the player (titles, episode strip); its absence is not fatal.
    if (failure instanceof ApiProblem) return null;
    throw failure;
  }
}

function positiveInteger(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number > 0 ? number : null;
}

export const load: PageLoad = async ({ fetch, params, url, depends }) => {
  depends('binge:playback');
  const episodeId = idParam(params.episodeId, 'EPISODE_NOT_FOUND', 'episode');
  const api = createCatalogClient(fetch);
  // Links from the series page carry ?series= so both requests start together.
  const hintedSeriesId = positiveInteger(url.searchParams.get('series'));
  const hintedSeries = seriesOrNull(api, hintedSeriesId);

  let state: WatchState;
  let seriesId = hintedSeriesId;
  try {
    const playback = await api.playback(episodeId);
    state = { kind: 'ready', playback };
    seriesId = playback.seriesId;
  } catch (failure) {
    if (!(failure instanceof ApiProblem)) throw failure;
    const { title, code, detail } = failure.problem;
    const base = { title, code, ...(detail ? { detail } : {}) };
    if (failure.status === 402 && code === 'EPISODE_LOCKED') {
      // Problem extension members (RFC 9457 §3.2) may carry the price and series; else the series
      // detail below supplies them.
      seriesId ??= positiveInteger(failure.problem.seriesId);
      state = { kind: 'locked', ...base, priceCoins: positiveInteger(failure.problem.priceCoins) };
    } else if (failure.status === 409 && code === 'EPISODE_NOT_READY') {
      state = { kind: 'not-ready', ...base };
    } else {
      pageError(failure);
    }
  }

  const series =
    seriesId === hintedSeriesId ? await hintedSeries : await seriesOrNull(api, seriesId);
  const episode: EpisodeSummary | null =
    series?.episodes.find((item) => item.id === episodeId) ?? null;
  if (state.kind === 'locked' && state.priceCoins === null && episode)
    state.priceCoins = episode.priceCoins;
  return { episodeId, state, series, episode };
};
