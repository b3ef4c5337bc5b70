import { Type } from '@fastify/type-provider-typebox';
import {
  shareChannels,
  shareCodePattern,
  shareTargetTypes,
  type ShareChannel,
  type ShareTargetType,
} from '@binge/core/protocol/shares';

/**
 * TypeBox schemas of the share routes; share-routes.test.ts checks at the type level that they
 * are exactly the wire types of core/src/protocol/shares.ts.
 */
export const ShareTargetTypeSchema = Type.Unsafe<ShareTargetType>({
  type: 'string',
  enum: [...shareTargetTypes],
  description: 'What targetId names',
});

export const ShareChannelSchema = Type.Unsafe<ShareChannel>({
  type: 'string',
  enum: [...shareChannels],
  description: 'Where the link is sent (the share sheet’s choice); `link` for a copied link',
});

export const CreateShareBody = Type.Object(
  {
    targetType: ShareTargetTypeSchema,
    targetId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
    channel: Type.Optional(ShareChannelSchema),
  },
  { additionalProperties: false },
);

export const ShareCodeParam = Type.String({
  pattern: shareCodePattern.source,
  description: 'The code of the link: 10 letters or digits',
});

const shareLinkProperties = {
  code: Type.String(),
  url: Type.String({ description: 'The absolute link to send: <PUBLIC_URL>/s/<code>' }),
  targetType: ShareTargetTypeSchema,
  targetId: Type.Integer(),
  channel: ShareChannelSchema,
  createdAt: Type.String({ format: 'date-time' }),
};

export const ShareLinkSchema = Type.Object(shareLinkProperties);

export const ShareStatsSchema = Type.Object({
  ...shareLinkProperties,
  opens: Type.Integer({
    description:
      'Opens by people: GETs of /s/<code> from a User-Agent that is not a link unfurler or ' +
      'crawler, not prefetches, and not a repeat by the same IP and User-Agent within a minute',
  }),
});
