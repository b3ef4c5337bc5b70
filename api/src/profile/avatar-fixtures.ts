import sharp from 'sharp';

/** Real images made with sharp for the avatar tests. */

export function plainImage(
  format: 'jpeg' | 'png' | 'webp' | 'gif',
  width: number,
  height: number,
  background = '#4080c0',
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background } })
    .toFormat(format)
    .toBuffer();
}

/**
 * A JPEG as a phone writes it: 200 × 100 stored sideways (red left half, blue right half) with
 * EXIF orientation 6 (turn 90° clockwise to view), a GPS position and a Display P3 ICC profile.
 */
export async function gpsPhoto(): Promise<Buffer> {
  const half = (background: string) =>
    sharp({ create: { width: 100, height: 100, channels: 3, background } })
      .png()
      .toBuffer();
  return sharp({ create: { width: 200, height: 100, channels: 3, background: '#000000' } })
    .composite([
      { input: await half('#ff0000'), left: 0, top: 0 },
      { input: await half('#0000ff'), left: 100, top: 0 },
    ])
    .jpeg()
    .withExif({
      IFD0: { Make: 'PhoneMaker', Model: 'Phone 9', Copyright: 'Alice' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '39/1 54/1 2400/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '116/1 23/1 3000/100',
      },
    })
    .withMetadata({ orientation: 6 })
    .withIccProfile('p3')
    .toBuffer();
}

/** The RGB of one pixel. */
export async function pixelAt(
  image: Buffer,
  x: number,
  y: number,
): Promise<[number, number, number]> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [data[at]!, data[at + 1]!, data[at + 2]!];
}
