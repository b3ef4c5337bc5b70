import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PlaybackInfo } from '@binge/core/protocol/catalog';
import type { CatalogRepository, PlaybackRow } from '../catalog/catalog-repository.ts';
import { sessionOptional } from '../auth/auth-schemas.ts';
import { IdString, PlaybackInfoSchema, problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { parseEntityId } from '../http/entity-id.ts';
import type { MediaUrlSigner } from '../media/media-url.ts';
import type { Entitlements, Viewer } from './entitlements.ts';

export interface PlaybackRoutesOptions {
  catalog: CatalogRepository;
  signer: MediaUrlSigner;
  entitlements: Entitlements;
  viewerOf: (request: FastifyRequest) => Viewer | Promise<Viewer>;
}

/** Playback info with signed media URLs, and the AES-128 key endpoint of encrypted episodes. */
export async function playbackRoutes(app: FastifyInstance, options: PlaybackRoutesOptions) {
  const { catalog, signer, entitlements, viewerOf } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  async function playableEpisode(rawId: string): Promise<PlaybackRow> {
    const id = parseEntityId(rawId);
    const episode = await catalog.findPlayback(id);
    if (episode === null) throw new AppError('EPISODE_NOT_FOUND', `Episode ${id} does not exist`);
    return episode;
  }

  async function assertEntitled(request: FastifyRequest, episode: PlaybackRow) {
    if (!(await entitlements.canWatch(await viewerOf(request), episode)))
      throw new AppError(
        'EPISODE_LOCKED',
        `Episode ${episode.number} costs ${episode.priceCoins} coins to unlock`,
      );
  }

  typed.get(
    '/episodes/:id/playback',
    {
      schema: {
        summary: 'Signed playback URLs, markers and the next episode',
        tags: ['playback'],
        security: sessionOptional,
        params: Type.Object({ id: IdString }),
        response: {
          200: PlaybackInfoSchema,
          400: problemResponse('INVALID_ID'),
          // The viewer's session decides entitlement; a bad one is refused, never anonymous.
          401: problemResponse('SESSION_INVALID', 'SESSION_EXPIRED'),
          402: problemResponse('EPISODE_LOCKED'),
          404: problemResponse('EPISODE_NOT_FOUND'),
          409: problemResponse('EPISODE_NOT_READY'),
        },
      },
    },
    async (request, reply): Promise<PlaybackInfo> => {
      const episode = await playableEpisode(request.params.id);
      // The lock comes first: a viewer learns an episode is paid even while it is transcoding.
      await assertEntitled(request, episode);
      if (
        episode.status !== 'ready' ||
        episode.assetStatus !== 'ready' ||
        episode.masterKey === null ||
        episode.storagePrefix === null
      )
        throw new AppError('EPISODE_NOT_READY', `Episode ${episode.id} is ${episode.status}`);
      const next = await catalog.nextEpisode(episode.seriesId, episode.number);
      const exp = signer.expiry();
      const scope = episode.storagePrefix;
      // Signed URLs are per viewer decision (entitlement), so no shared cache may keep them.
      reply.header('cache-control', 'private, no-store');
      return {
        episodeId: episode.id,
        seriesId: episode.seriesId,
        number: episode.number,
        title: { en: episode.titleEn, zh: episode.titleZh },
        durationMs: episode.durationMs,
        masterUrl: signer.url(episode.masterKey, scope, exp),
        posterUrl: episode.posterKey === null ? null : signer.url(episode.posterKey, scope, exp),
        sprite:
          episode.spriteKey !== null && episode.spriteIndexKey !== null
            ? {
                imageUrl: signer.url(episode.spriteKey, scope, exp),
                vttUrl: signer.url(episode.spriteIndexKey, scope, exp),
              }
            : null,
        intro:
          episode.introStartMs !== null && episode.introEndMs !== null
            ? { startMs: episode.introStartMs, endMs: episode.introEndMs }
            : null,
        outro: episode.outroStartMs === null ? null : { startMs: episode.outroStartMs },
        next,
        encrypted: episode.encrypted === true,
        expiresAt: new Date(exp * 1000).toISOString(),
      };
    },
  );

  typed.get(
    '/episodes/:id/keys/:assetId',
    {
      schema: {
        summary: 'The AES-128 content key of an encrypted asset (16 raw bytes)',
        description:
          'The URI written into EXT-X-KEY of encrypted playlists. Answers only a viewer entitled ' +
          'to the episode; the asset must be the episode’s published one or an earlier ready one.',
        tags: ['playback'],
        security: sessionOptional,
        params: Type.Object({ id: IdString, assetId: IdString }),
        response: {
          200: {
            description: '16-byte AES-128 key',
            content: {
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
          400: problemResponse('INVALID_ID'),
          // The viewer's session decides entitlement; a bad one is refused, never anonymous.
          401: problemResponse('SESSION_INVALID', 'SESSION_EXPIRED'),
          402: problemResponse('EPISODE_LOCKED'),
          404: problemResponse('EPISODE_NOT_FOUND', 'KEY_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      const assetId = parseEntityId(request.params.assetId, 'assetId');
      const episode = await playableEpisode(request.params.id);
      await assertEntitled(request, episode);
      const key = await catalog.findContentKey(assetId);
      const usable =
        key !== null &&
        key.episodeId === episode.id &&
        key.encrypted &&
        key.aesKey !== null &&
        key.aesKey.length === 16 &&
        (key.assetId === episode.assetId || key.status === 'ready');
      if (!usable)
        throw new AppError(
          'KEY_NOT_FOUND',
          `Episode ${episode.id} has no key for asset ${assetId}`,
        );
      // The raw reply: the 200 body is bytes, outside the typed JSON responses.
      return (reply as FastifyReply)
        .header('content-type', 'application/octet-stream')
        .header('cache-control', 'private, no-store')
        .send(key!.aesKey);
    },
  );
}
