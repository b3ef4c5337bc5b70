import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { TextFilter, TextKind } from '@binge/core/moderation/text-filter';
import type { Profile, ProfileStore } from '@binge/core/progression/profile-store';
import { levelOf } from '@binge/core/protocol/progression/levels';
import { checkProfileText, type ProfileField } from '@binge/core/protocol/progression/profile-text';
import type { PublicProfile } from '@binge/core/protocol/progression/responses';
import type { Storage } from '@binge/core/storage';
import { sessionOptional, sessionRequired } from '../auth/auth-schemas.ts';
import type { SessionGuard } from '../auth/session-guard.ts';
import { IdString, problemResponse } from '../catalog/catalog-schemas.ts';
import { AppError } from '../errors/app-error.ts';
import { parseEntityId } from '../http/entity-id.ts';
import { NoContent } from '../realtime-state/realtime-schemas.ts';
import { AvatarImageError, avatarLimits, makeAvatar } from './avatar-image.ts';
import {
  avatarFiles,
  avatarIdOf,
  avatarKey,
  avatarUrlOf,
  isAvatarFile,
  isAvatarId,
  thumbUrlOf,
} from './avatar-url.ts';
import { ProfilePatchBody, PublicProfileSchema } from './profile-schemas.ts';
import { stringFields } from './string-fields.ts';

export interface ProfileRoutesOptions {
  profiles: ProfileStore;
  storage: Storage;
  guard: SessionGuard;
  /** Nicknames and bios pass it before they are stored (kind `name`, `bio`). */
  textFilter: TextFilter;
}

const unauthorized = problemResponse('AUTH_REQUIRED', 'SESSION_INVALID', 'SESSION_EXPIRED');
const refused = problemResponse('ACCOUNT_BANNED');

export function toPublicProfile(profile: Profile): PublicProfile {
  return {
    id: profile.id,
    handle: profile.handle,
    displayName: profile.displayName,
    avatarUrl: profile.avatarUrl,
    avatarThumbUrl: thumbUrlOf(profile.avatarUrl),
    bio: profile.bio,
    level: levelOf(profile.xp).level,
    xp: profile.xp,
    followers: profile.followers,
    following: profile.following,
    achievements: profile.achievements,
    createdAt: profile.createdAt.toISOString(),
  };
}

const fieldKinds: Record<ProfileField, TextKind> = { displayName: 'name', bio: 'bio' };

/** One year: avatar URLs name their content, so a cached copy is never stale. */
const immutable = 'public, max-age=31536000, immutable';

/**
 * Profiles (issue 4, item 3): anyone's public profile, the caller's own, editing the nickname and
 * bio, and the avatar: uploaded as multipart, made upright, square and metadata-free
 * (avatar-image.ts), stored by content hash and served publicly with immutable caching.
 */
export async function profileRoutes(app: FastifyInstance, options: ProfileRoutesOptions) {
  const { profiles, storage, guard, textFilter } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();

  // Only this plugin parses multipart bodies; one file, nothing else, at most maxBytes.
  await app.register(multipart, {
    limits: { fileSize: avatarLimits.maxBytes, files: 1, fields: 0, parts: 1 },
  });

  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'private, no-store');
  });

  async function profileOf(userId: number): Promise<PublicProfile> {
    const profile = await profiles.profile(userId);
    if (profile === null) throw new AppError('USER_NOT_FOUND', `User ${userId} does not exist`);
    return toPublicProfile(profile);
  }

  /** The policy, then the keyword filter: the text to store, masked where the filter masks. */
  async function accepted(field: ProfileField, raw: string, userId: number): Promise<string> {
    const checked = checkProfileText(field, raw);
    if (!checked.ok) throw new AppError('VALIDATION_FAILED', `body/${field}: ${checked.reason}`);
    if (checked.text === '') return '';
    const verdict = await textFilter(checked.text, { kind: fieldKinds[field], userId });
    if (!verdict.ok) throw new AppError('TEXT_BLOCKED', `body/${field}: ${verdict.reason}`);
    return verdict.text;
  }

  /** Deletes an avatar's files once no account uses it (under its lock, see ProfileStore). */
  async function release(url: string): Promise<void> {
    const id = avatarIdOf(url);
    if (id === null) return;
    await profiles.withAvatar(url, async (locked) => {
      if (await locked.inUse()) return;
      for (const file of avatarFiles) await storage.delete(avatarKey(id, file));
    });
  }

  typed.get(
    '/users/:id',
    {
      onRequest: guard.resolveViewer,
      schema: {
        summary: 'A user’s public profile',
        description:
          'Nickname, avatar, bio, level and experience, follower and following counts and the ' +
          'number of achievements earned. Anonymous callers may read it.',
        tags: ['profile'],
        security: sessionOptional,
        params: Type.Object({ id: IdString }),
        response: {
          200: PublicProfileSchema,
          400: problemResponse('INVALID_ID'),
          401: unauthorized,
          404: problemResponse('USER_NOT_FOUND'),
        },
      },
    },
    async (request) => profileOf(parseEntityId(request.params.id)),
  );

  typed.get(
    '/me/profile',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'The caller’s profile',
        tags: ['profile'],
        security: sessionRequired,
        response: { 200: PublicProfileSchema, 401: unauthorized, 403: refused },
      },
    },
    async (request) => profileOf(guard.userOf(request).id),
  );

  typed.patch(
    '/me/profile',
    {
      onRequest: guard.requireUser,
      preValidation: stringFields('displayName', 'bio'),
      config: { rateLimit: { max: 30, timeWindow: 3_600_000 } },
      schema: {
        summary: 'Change the caller’s nickname or bio',
        description:
          'Both are trimmed and NFC-normalised; control, bidi and (in names) invisible characters ' +
          'are refused with VALIDATION_FAILED. Text the keyword filter refuses is TEXT_BLOCKED; ' +
          'where it masks a word, the masked text is stored.',
        tags: ['profile'],
        security: sessionRequired,
        body: ProfilePatchBody,
        response: {
          200: PublicProfileSchema,
          400: problemResponse('VALIDATION_FAILED', 'BAD_REQUEST'),
          401: unauthorized,
          403: refused,
          415: problemResponse('UNSUPPORTED_MEDIA_TYPE'),
          422: problemResponse('TEXT_BLOCKED'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request) => {
      const me = guard.userOf(request).id;
      const { displayName, bio } = request.body;
      const changes: { displayName?: string; bio?: string } = {};
      if (displayName !== undefined)
        changes.displayName = await accepted('displayName', displayName, me);
      if (bio !== undefined) changes.bio = await accepted('bio', bio, me);
      const profile = await profiles.update(me, changes);
      if (profile === null) throw new AppError('USER_NOT_FOUND', `User ${me} does not exist`);
      return toPublicProfile(profile);
    },
  );

  typed.put(
    '/me/avatar',
    {
      onRequest: guard.requireUser,
      config: { rateLimit: { max: 20, timeWindow: 3_600_000 } },
      schema: {
        summary: 'Upload the caller’s avatar',
        description:
          'multipart/form-data with one file part (any field name): JPEG, PNG, WebP, GIF, HEIF ' +
          `or TIFF up to ${avatarLimits.maxBytes / 1024 / 1024} MB and ${avatarLimits.maxSide} ` +
          'px a side. It is turned upright by its EXIF orientation, cropped square to 256 and ' +
          '64 px WebP and stripped of all metadata (EXIF, GPS, XMP, ICC) before it is stored.',
        tags: ['profile'],
        security: sessionRequired,
        consumes: ['multipart/form-data'],
        response: {
          200: PublicProfileSchema,
          400: problemResponse('IMAGE_INVALID'),
          401: unauthorized,
          403: refused,
          413: problemResponse('PAYLOAD_TOO_LARGE'),
          415: problemResponse('UNSUPPORTED_MEDIA_TYPE'),
          429: problemResponse('RATE_LIMITED'),
        },
      },
    },
    async (request) => {
      const me = guard.userOf(request).id;
      const upload = await uploadedFile(request);
      let images;
      try {
        images = await makeAvatar(upload);
      } catch (error) {
        if (error instanceof AvatarImageError) throw new AppError('IMAGE_INVALID', error.message);
        throw error;
      }
      const url = avatarUrlOf(images.id);
      const previous = await profiles.withAvatar(url, async (locked) => {
        await storage.put(avatarKey(images.id, avatarFiles[0]), images.large);
        await storage.put(avatarKey(images.id, avatarFiles[1]), images.small);
        return locked.assign(me);
      });
      if (previous === undefined) throw new AppError('USER_NOT_FOUND', `User ${me} does not exist`);
      if (previous !== null && previous !== url) await release(previous);
      return profileOf(me);
    },
  );

  typed.delete(
    '/me/avatar',
    {
      onRequest: guard.requireUser,
      schema: {
        summary: 'Remove the caller’s avatar',
        description: 'Its files are deleted once no account uses the same picture.',
        tags: ['profile'],
        security: sessionRequired,
        response: { 204: NoContent('Removed, or there was none'), 401: unauthorized, 403: refused },
      },
    },
    async (request, reply) => {
      const previous = await profiles.clearAvatar(guard.userOf(request).id);
      if (previous !== null) await release(previous);
      return reply.code(204).send();
    },
  );

  typed.get(
    '/avatars/:avatarId/:file',
    {
      schema: {
        summary: 'An avatar image',
        description:
          'Public; the URL names the picture by its hash, so it is cached as immutable. ' +
          '`file` is 256.webp or 64.webp.',
        tags: ['profile'],
        params: Type.Object({ avatarId: Type.String(), file: Type.String() }),
        response: {
          200: { type: 'string', format: 'binary', description: 'image/webp' },
          304: NoContent('Not modified (If-None-Match)'),
          404: problemResponse('NOT_FOUND'),
        },
      },
    },
    async (request, reply) => sendAvatar(request, reply, storage),
  );
}

async function uploadedFile(request: FastifyRequest): Promise<Buffer> {
  if (!request.isMultipart())
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the picture as multipart/form-data');
  // Every part is read, so a second file or a stray field is refused rather than ignored.
  let image: Buffer | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file' || image !== undefined)
        throw new AppError('IMAGE_INVALID', 'Send exactly one file part and nothing else');
      image = await part.toBuffer();
    }
  } catch (error) {
    throw multipartError(request, error);
  }
  if (image === undefined) throw new AppError('IMAGE_INVALID', 'The form has no file part');
  return image;
}

/** Busboy's limits as our codes; anything else is a malformed form. */
function multipartError(request: FastifyRequest, error: unknown): unknown {
  if (error instanceof AppError) return error;
  const errors = request.server.multipartErrors;
  if (error instanceof errors.RequestFileTooLargeError)
    return new AppError(
      'PAYLOAD_TOO_LARGE',
      `An avatar is at most ${avatarLimits.maxBytes / 1024 / 1024} MB`,
    );
  if (
    error instanceof errors.FilesLimitError ||
    error instanceof errors.PartsLimitError ||
    error instanceof errors.FieldsLimitError
  )
    return new AppError('IMAGE_INVALID', 'Send exactly one file part and nothing else');
  if (error instanceof errors.InvalidMultipartContentTypeError)
    return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the picture as multipart/form-data');
  if (error instanceof Error && /multipart|boundary|Unexpected end of form/i.test(error.message))
    return new AppError('IMAGE_INVALID', `The form is malformed: ${error.message}`);
  return error;
}

async function sendAvatar(request: FastifyRequest, reply: FastifyReply, storage: Storage) {
  const { avatarId, file } = request.params as { avatarId: string; file: string };
  if (!isAvatarId(avatarId) || !isAvatarFile(file))
    throw new AppError('NOT_FOUND', 'No avatar at this path');
  const key = avatarKey(avatarId, file);
  const stat = await storage.stat(key);
  if (stat === null) throw new AppError('NOT_FOUND', 'No avatar at this path');
  reply.header('cache-control', immutable);
  reply.header('etag', stat.etag);
  reply.header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === stat.etag) return reply.code(304).send();
  return reply.type('image/webp').send(await storage.readBuffer(key));
}
