/**
 * Wire types of the catalog HTTP API (`/api/v1`). Browser-safe: no Node imports. The API's route
 * schemas are written to produce exactly these shapes; the web client reads them.
 */
export interface LocalizedText {
  en: string;
  zh: string;
}

export interface Category {
  id: number;
  slug: string;
  name: LocalizedText;
  /** Published series in this category. */
  seriesCount: number;
}

export interface Tag {
  slug: string;
  name: LocalizedText;
}

export interface SeriesSummary {
  id: number;
  slug: string;
  title: LocalizedText;
  synopsis: LocalizedText;
  category: { id: number; slug: string; name: LocalizedText };
  tags: Tag[];
  /** Signed URL of the poster (first episode's poster), or null while none is ready. */
  posterUrl: string | null;
  episodeCount: number;
  /** Episodes whose media is ready to play. */
  readyEpisodeCount: number;
  freeEpisodes: number;
  views: number;
  likes: number;
  publishedAt: string | null;
}

export interface EpisodeSummary {
  id: number;
  number: number;
  title: LocalizedText;
  durationMs: number;
  isFree: boolean;
  priceCoins: number;
  status: 'pending' | 'processing' | 'ready' | 'failed';
  posterUrl: string | null;
}

export interface SeriesDetail extends SeriesSummary {
  episodes: EpisodeSummary[];
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, or null at the end. */
  nextCursor: string | null;
}

export interface List<T> {
  items: T[];
}

export interface PlaybackInfo {
  episodeId: number;
  seriesId: number;
  number: number;
  title: LocalizedText;
  durationMs: number;
  /** Signed URL of the HLS master playlist. */
  masterUrl: string;
  posterUrl: string | null;
  /** Scrub preview: a sprite sheet and its WebVTT index (cues with `#xywh=` fragments). */
  sprite: { imageUrl: string; vttUrl: string } | null;
  /** Skip markers in milliseconds of video time. */
  intro: { startMs: number; endMs: number } | null;
  outro: { startMs: number } | null;
  next: { episodeId: number; number: number; isFree: boolean } | null;
  encrypted: boolean;
  /** When the signed URLs stop working (ISO 8601); fetch playback info again after it. */
  expiresAt: string;
}

/** RFC 9457 problem details, as every API error is sent (`application/problem+json`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** Stable machine-readable code from the error registry, e.g. `EPISODE_NOT_FOUND`. */
  code: string;
  instance?: string;
}
