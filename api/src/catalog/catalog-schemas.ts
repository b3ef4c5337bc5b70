import { Type, type TSchema } from '@fastify/type-provider-typebox';
import { errorCodes } from '@binge/core/protocol/errors';

/**
 * TypeBox schemas of the catalog wire types. They validate nothing on the way out; they drive
 * response serialization and the OpenAPI document, and catalog-schemas.test.ts checks at the
 * type level that each one is exactly its interface in core/src/protocol/catalog.ts.
 */
export const LocalizedTextSchema = Type.Object({ en: Type.String(), zh: Type.String() });

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const CategorySchema = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  name: LocalizedTextSchema,
  seriesCount: Type.Integer({ description: 'Published series in this category' }),
});

export const TagSchema = Type.Object({ slug: Type.String(), name: LocalizedTextSchema });

const seriesSummaryProperties = {
  id: Type.Integer(),
  slug: Type.String(),
  title: LocalizedTextSchema,
  synopsis: LocalizedTextSchema,
  category: Type.Object({ id: Type.Integer(), slug: Type.String(), name: LocalizedTextSchema }),
  tags: Type.Array(TagSchema),
  posterUrl: Nullable(Type.String({ description: 'Signed URL of the poster' })),
  episodeCount: Type.Integer(),
  readyEpisodeCount: Type.Integer(),
  freeEpisodes: Type.Integer(),
  views: Type.Integer(),
  likes: Type.Integer(),
  publishedAt: Nullable(Type.String({ format: 'date-time' })),
};

export const SeriesSummarySchema = Type.Object(seriesSummaryProperties);

export const EpisodeSummarySchema = Type.Object({
  id: Type.Integer(),
  number: Type.Integer(),
  title: LocalizedTextSchema,
  durationMs: Type.Integer(),
  isFree: Type.Boolean(),
  priceCoins: Type.Integer(),
  status: Type.Union([
    Type.Literal('pending'),
    Type.Literal('processing'),
    Type.Literal('ready'),
    Type.Literal('failed'),
  ]),
  posterUrl: Nullable(Type.String()),
});

export const SeriesDetailSchema = Type.Object({
  ...seriesSummaryProperties,
  episodes: Type.Array(EpisodeSummarySchema),
});

export const PageSchema = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Nullable(Type.String({ description: 'Opaque cursor of the next page' })),
  });

export const ListSchema = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });

export const PlaybackInfoSchema = Type.Object({
  episodeId: Type.Integer(),
  seriesId: Type.Integer(),
  number: Type.Integer(),
  title: LocalizedTextSchema,
  durationMs: Type.Integer(),
  masterUrl: Type.String({ description: 'Signed URL of the HLS master playlist' }),
  posterUrl: Nullable(Type.String()),
  sprite: Nullable(Type.Object({ imageUrl: Type.String(), vttUrl: Type.String() })),
  intro: Nullable(Type.Object({ startMs: Type.Integer(), endMs: Type.Integer() })),
  outro: Nullable(Type.Object({ startMs: Type.Integer() })),
  next: Nullable(
    Type.Object({ episodeId: Type.Integer(), number: Type.Integer(), isFree: Type.Boolean() }),
  ),
  encrypted: Type.Boolean(),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.String({ enum: errorCodes }),
    instance: Type.Optional(Type.String()),
  },
  { description: 'RFC 9457 problem details (application/problem+json)' },
);

/** A problem response whose description lists the codes a route may answer with that status. */
export function problemResponse(...codes: string[]) {
  return { ...ProblemSchema, description: codes.join(', ') };
}

/** Positive 32-bit ids; anything else is INVALID_ID (see the error handler). */
export const IdString = Type.String({
  pattern: '^[1-9][0-9]{0,9}$',
  description: 'Positive integer up to 2147483647',
});

export const LimitQuery = Type.Integer({ minimum: 1, maximum: 50, default: 20 });
