import { Type } from '@fastify/type-provider-typebox';
import { rankingBoards, type RankingBoard } from '@binge/core/protocol/rankings';
import { BOARD_DEPTH } from '@binge/core/rankings/store';
import { SeriesSummarySchema } from '../catalog/catalog-schemas.ts';

/**
 * TypeBox schemas of the ranking routes; rankings-schemas.test.ts checks at the type level that
 * they are exactly the wire types of core/src/protocol/rankings.ts.
 */
export const BoardParam = Type.Unsafe<RankingBoard>({
  type: 'string',
  enum: [...rankingBoards],
  description:
    'hot: engagement of the last 7 days with a 24 h half-life; new: newest published; ' +
    'rating: Bayesian average of the reviews',
});

export const RankingQuery = Type.Object({
  category: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'A category slug; the board of every category without it',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: BOARD_DEPTH, default: 20 })),
});

export const RankedSeriesSchema = Type.Object({
  ...SeriesSummarySchema.properties,
  rank: Type.Integer({ description: '1 is the top' }),
  score: Type.Number({ description: 'The board’s score (see the route description)' }),
});

export const RankingPageSchema = Type.Object({
  board: BoardParam,
  category: Type.Union([Type.String(), Type.Null()]),
  computedAt: Type.Union([
    Type.String({ format: 'date-time', description: 'When the board was computed' }),
    Type.Null(),
  ]),
  items: Type.Array(RankedSeriesSchema),
});
