/**
 * Where avatars live: storage keys `avatars/<id>/256.webp` and `avatars/<id>/64.webp`, served at
 * `/api/v1/avatars/<id>/<size>.webp`. The id is a hash of the picture, so a URL never changes
 * meaning and is cached as immutable; users.avatar_url holds the large one's URL.
 */
import { avatarSizes } from './avatar-image.ts';

export const avatarFiles = [`${avatarSizes.large}.webp`, `${avatarSizes.small}.webp`] as const;
export type AvatarFile = (typeof avatarFiles)[number];

const idPattern = /^[0-9a-f]{32}$/;
const urlPattern = /^\/api\/v1\/avatars\/([0-9a-f]{32})\/256\.webp$/;

export function isAvatarId(value: string): boolean {
  return idPattern.test(value);
}

export function isAvatarFile(value: string): value is AvatarFile {
  return (avatarFiles as readonly string[]).includes(value);
}

export function avatarKey(id: string, file: AvatarFile): string {
  return `avatars/${id}/${file}`;
}

/** The URL kept in users.avatar_url. */
export function avatarUrlOf(id: string): string {
  return `/api/v1/avatars/${id}/${avatarFiles[0]}`;
}

/** The id behind a stored URL; null for a URL that is not one of ours. */
export function avatarIdOf(url: string): string | null {
  return urlPattern.exec(url)?.[1] ?? null;
}

/** The small size's URL of a stored avatar URL. */
export function thumbUrlOf(url: string | null): string | null {
  const id = url === null ? null : avatarIdOf(url);
  return id === null ? null : `/api/v1/avatars/${id}/${avatarFiles[1]}`;
}
