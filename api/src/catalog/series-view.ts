import type { EpisodeSummary, SeriesSummary, Tag } from '@binge/core/protocol/catalog';
import type { MediaUrlSigner } from '../media/media-url.ts';
import type { EpisodeRow, SeriesRow, TagRow } from './catalog-repository.ts';

/** Maps repository rows to the wire types of core/src/protocol/catalog.ts. */
export function groupTags(rows: TagRow[]): Map<number, Tag[]> {
  const bySeries = new Map<number, Tag[]>();
  for (const row of rows) {
    let list = bySeries.get(row.seriesId);
    if (!list) bySeries.set(row.seriesId, (list = []));
    list.push({ slug: row.slug, name: { en: row.nameEn, zh: row.nameZh } });
  }
  return bySeries;
}

export function toSeriesSummary(
  row: SeriesRow,
  tags: Tag[],
  signer: MediaUrlSigner,
  exp: number,
): SeriesSummary {
  // An operator-chosen series poster wins over the first episode's.
  const posterUrl =
    row.seriesPosterKey !== null
      ? signer.url(row.seriesPosterKey, null, exp)
      : row.posterKey !== null
        ? signer.url(row.posterKey, row.posterScope, exp)
        : null;
  return {
    id: row.id,
    slug: row.slug,
    title: { en: row.titleEn, zh: row.titleZh },
    synopsis: { en: row.synopsisEn, zh: row.synopsisZh },
    category: {
      id: row.categoryId,
      slug: row.categorySlug,
      name: { en: row.categoryNameEn, zh: row.categoryNameZh },
    },
    tags,
    posterUrl,
    episodeCount: row.episodeCount,
    readyEpisodeCount: row.readyEpisodeCount,
    freeEpisodes: row.freeEpisodes,
    views: row.views,
    likes: row.likes,
    publishedAt: row.publishedAt === null ? null : row.publishedAt.toISOString(),
  };
}

export function toEpisodeSummary(
  row: EpisodeRow,
  signer: MediaUrlSigner,
  exp: number,
): EpisodeSummary {
  return {
    id: row.id,
    number: row.number,
    title: { en: row.titleEn, zh: row.titleZh },
    durationMs: row.durationMs,
    isFree: row.isFree,
    priceCoins: row.priceCoins,
    status: row.status,
    posterUrl:
      row.status === 'ready' && row.posterKey !== null
        ? signer.url(row.posterKey, row.posterScope, exp)
        : null,
  };
}
