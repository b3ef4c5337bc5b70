import { and, eq, isNotNull } from 'drizzle-orm';
import { series } from '../db/schema.ts';

/**
 * The SQL condition of a series viewers may see: published, with a publication date. The API's
 * catalog and the realtime gateway (feed pages, chat rooms) must agree on it, so it has one home.
 */
export const isPublishedSeries = and(
  eq(series.status, 'published'),
  isNotNull(series.publishedAt),
)!;
