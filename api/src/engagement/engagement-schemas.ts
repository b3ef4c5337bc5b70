import { Type, type Static } from '@fastify/type-provider-typebox';
import { engagementKinds, engagementTargetTypes } from '@binge/core/engagement';
import { maxCounter, maxWallMs, nodeIdPattern } from '@binge/core/protocol/crdt/hlc-stamp';

/**
 * TypeBox schemas of the engagement routes: likes, favourites, follow-ups (追剧) and follows.
 * They validate requests and drive response serialization and the OpenAPI document.
 */
const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description });

export const KindParam = literals(
  engagementKinds,
  'like and favourite: an episode or a series; follow_up (追剧): a series; follow: a user',
);
export const TargetTypeParam = literals(engagementTargetTypes, 'What targetId names');

export const HlcStampSchema = Type.Object(
  {
    wallMs: Type.Integer({ minimum: 0, maximum: maxWallMs }),
    counter: Type.Integer({ minimum: 0, maximum: maxCounter }),
    node: Type.String({ pattern: nodeIdPattern.source }),
  },
  {
    additionalProperties: false,
    description: 'A hybrid logical clock stamp (core/src/protocol/crdt/hlc-stamp.ts)',
  },
);

export const EngagementWriteBody = Type.Object(
  {
    hlc: Type.Optional(
      Type.Object(HlcStampSchema.properties, {
        additionalProperties: false,
        description:
          'The device’s HLC stamp of this change, so that toggles from several devices merge by ' +
          'when they happened. Without it the server stamps the change with its own clock. At ' +
          'most 60 s ahead of the server clock.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EngagementWriteBody = Static<typeof EngagementWriteBody>;

export const EngagementWriteResultSchema = Type.Object({
  present: Type.Boolean({
    description:
      'Whether the target is in the set now: the winning write’s, maybe another device’s',
  }),
  count: Type.Integer({
    description: 'The target’s count of this kind (likes, favourites, follow-ups or followers)',
  }),
  applied: Type.Boolean({
    description: 'false when a write with a later stamp already decided (a stale device)',
  }),
});

const Stamp = Type.Object({
  wallMs: Type.Integer(),
  counter: Type.Integer(),
  node: Type.String(),
});

const NextCursor = Type.Union([
  Type.String({ description: 'Opaque cursor of the next page' }),
  Type.Null(),
]);

export const EngagementListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      targetId: Type.Integer(),
      hlc: Type.Object(Stamp.properties, { description: 'The stamp of the add' }),
    }),
  ),
  nextCursor: NextCursor,
});

export const UserEdgeListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      userId: Type.Integer(),
      hlc: Type.Object(Stamp.properties, { description: 'The stamp of the follow' }),
    }),
  ),
  nextCursor: NextCursor,
});

export const EngagementStateSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      targetId: Type.Integer(),
      present: Type.Boolean({ description: 'Whether the caller’s set holds the target' }),
      count: Type.Integer({
        description: 'The target’s count of this kind (0 when nobody engaged or it is gone)',
      }),
    }),
    { description: 'One item per id asked, in the order asked' },
  ),
});

/** Ids per state request: a screen of cards (a feed page, a grid), not a bulk export. */
export const MAX_STATE_IDS = 100;

export const EngagementStateQuery = Type.Object({
  ids: Type.String({
    description: `Comma-separated target ids, 1 to ${MAX_STATE_IDS} (duplicates answered once each)`,
    maxLength: MAX_STATE_IDS * 11,
  }),
});
