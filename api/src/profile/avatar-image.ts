import { createHash } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';

/**
 * Turns an uploaded picture into the two avatar sizes we serve: square WebP of 256 and 64 px,
 * turned upright by its EXIF orientation and then stripped of every piece of metadata (EXIF with
 * its GPS position and camera serials, XMP, IPTC, ICC: sharp writes none unless asked, and the
 * pixels are converted to sRGB first so colours survive losing the profile). Named by a hash of
 * the large size's bytes, so the same picture is stored once and its URL can be cached forever.
 */

export const avatarSizes = { large: 256, small: 64 } as const;

export const avatarLimits = {
  /** Upload size (PAYLOAD_TOO_LARGE beyond). */
  maxBytes: 5 * 1024 * 1024,
  /** Decoded pixels: refuses decompression bombs before they are decoded. */
  maxPixels: 40_000_000,
  /** Longest side, and how much longer one side may be than the other. */
  maxSide: 10_000,
  maxAspect: 10,
} as const;

/** What people upload as a photo or a picture; SVG is refused (scripts, external references). */
const acceptedFormats = new Set(['jpeg', 'png', 'webp', 'gif', 'heif', 'tiff']);

export interface AvatarImages {
  /** 32 hex digits of the large image's SHA-256. */
  id: string;
  large: Buffer;
  small: Buffer;
}

export class AvatarImageError extends Error {
  override readonly name = 'AvatarImageError';
}

export async function makeAvatar(input: Buffer): Promise<AvatarImages> {
  const options = { limitInputPixels: avatarLimits.maxPixels, failOn: 'error' } as const;
  let metadata: Metadata;
  try {
    metadata = await sharp(input, options).metadata();
  } catch {
    throw new AvatarImageError('The file is not an image we can read');
  }
  const { format, width, height } = metadata;
  if (!acceptedFormats.has(format))
    throw new AvatarImageError(`${format} images are not accepted; send JPEG, PNG, WebP or GIF`);
  if (width === undefined || height === undefined || width < 1 || height < 1)
    throw new AvatarImageError('The image has no size');
  if (width * height > avatarLimits.maxPixels || Math.max(width, height) > avatarLimits.maxSide)
    throw new AvatarImageError(
      `The image is ${width} × ${height}; at most ${avatarLimits.maxSide} a side`,
    );
  if (Math.max(width, height) > avatarLimits.maxAspect * Math.min(width, height))
    throw new AvatarImageError(`A ${width} × ${height} image is too narrow for an avatar`);
  try {
    const large = await sharp(input, options)
      .rotate()
      .resize(avatarSizes.large, avatarSizes.large, { fit: 'cover' })
      .webp({ quality: 82 })
      .toBuffer();
    const small = await sharp(large)
      .resize(avatarSizes.small, avatarSizes.small)
      .webp({ quality: 82 })
      .toBuffer();
    const id = createHash('sha256').update(large).digest('hex').slice(0, 32);
    return { id, large, small };
  } catch {
    // The header read, the pixels did not: a truncated or corrupt file.
    throw new AvatarImageError('The image data is corrupt or truncated');
  }
}
