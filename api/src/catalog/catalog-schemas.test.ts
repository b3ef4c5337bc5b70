import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Static } from '@fastify/type-provider-typebox';
import type {
  Category,
  EpisodeSummary,
  List,
  Page,
  PlaybackInfo,
  Problem,
  SeriesDetail,
  SeriesSummary,
} from '@binge/core/protocol/catalog';
import type {
  CategorySchema,
  EpisodeSummarySchema,
  ListSchema,
  PageSchema,
  PlaybackInfoSchema,
  SeriesSummarySchema,
} from './catalog-schemas.ts';
import { ProblemSchema, SeriesDetailSchema } from './catalog-schemas.ts';

/** Compiles only when A and B are the same type (both directions, optionality included). */
type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T) {}

// `npm run typecheck` fails here if a schema drifts from core/src/protocol/catalog.ts.
assertType<Equal<Static<typeof CategorySchema>, Category>>();
assertType<Equal<Static<typeof SeriesSummarySchema>, SeriesSummary>>();
assertType<Equal<Static<typeof EpisodeSummarySchema>, EpisodeSummary>>();
assertType<Equal<Static<typeof SeriesDetailSchema>, SeriesDetail>>();
assertType<Equal<Static<typeof PlaybackInfoSchema>, PlaybackInfo>>();
assertType<
  Equal<Static<ReturnType<typeof PageSchema<typeof SeriesSummarySchema>>>, Page<SeriesSummary>>
>();
assertType<Equal<Static<ReturnType<typeof ListSchema<typeof CategorySchema>>>, List<Category>>>();
assertType<Equal<Static<typeof ProblemSchema>['code'], string>>();
assertType<Equal<Omit<Static<typeof ProblemSchema>, 'code'>, Omit<Problem, 'code'>>>();

test('schemas require every field of their wire type', () => {
  // The runtime half: required lists match the interface's non-optional keys.
  assert.deepEqual([...(SeriesDetailSchema.required ?? [])].sort(), [
    'category',
    'episodeCount',
    'episodes',
    'freeEpisodes',
    'id',
    'likes',
    'posterUrl',
    'publishedAt',
    'readyEpisodeCount',
    'slug',
    'synopsis',
    'tags',
    'title',
    'views',
  ]);
  assert.deepEqual([...(ProblemSchema.required ?? [])].sort(), ['code', 'status', 'title', 'type']);
});
