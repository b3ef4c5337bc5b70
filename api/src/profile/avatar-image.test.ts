import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { AvatarImageError, makeAvatar } from './avatar-image.ts';
import { gpsPhoto, pixelAt, plainImage } from './avatar-fixtures.ts';

test('a phone photo comes out upright, square, WebP, and without EXIF, GPS or ICC', async () => {
  const photo = await gpsPhoto();
  const before = await sharp(photo).metadata();
  assert.equal(before.orientation, 6);
  assert.ok(before.exif?.includes(Buffer.from([0x25, 0x88])), 'the input has a GPS IFD');
  assert.ok(before.icc !== undefined, 'the input has an ICC profile');

  const { id, large, small } = await makeAvatar(photo);
  assert.match(id, /^[0-9a-f]{32}$/);
  for (const [image, size] of [
    [large, 256],
    [small, 64],
  ] as const) {
    const after = await sharp(image).metadata();
    assert.deepEqual([after.format, after.width, after.height], ['webp', size, size]);
    assert.equal(after.exif, undefined);
    assert.equal(after.icc, undefined);
    assert.equal(after.xmp, undefined);
    assert.equal(after.iptc, undefined);
    assert.equal(after.orientation, undefined);
  }
  // Red was on the left of the sensor; orientation 6 turns it clockwise to the top.
  const [top, bottom] = [await pixelAt(large, 128, 20), await pixelAt(large, 128, 235)];
  assert.ok(top[0] > 200 && top[2] < 60, `top ${top}`);
  assert.ok(bottom[2] > 200 && bottom[0] < 60, `bottom ${bottom}`);
});

test('the same picture gets the same id; another picture another', async () => {
  const a = await makeAvatar(await plainImage('png', 300, 200, '#336699'));
  const b = await makeAvatar(await plainImage('png', 300, 200, '#336699'));
  const c = await makeAvatar(await plainImage('png', 300, 200, '#993366'));
  assert.equal(a.id, b.id);
  assert.notEqual(a.id, c.id);
});

test('PNG, WebP and GIF are accepted; text, SVG, corrupt data and absurd shapes are not', async () => {
  for (const format of ['png', 'webp', 'gif'] as const)
    assert.match((await makeAvatar(await plainImage(format, 40, 30))).id, /^[0-9a-f]{32}$/);
  const refusals = [
    Buffer.from('definitely not an image'),
    Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
    (await plainImage('jpeg', 400, 400)).subarray(0, 300),
    await plainImage('png', 2_000, 20),
    await plainImage('png', 10_001, 1_001),
  ];
  for (const [i, input] of refusals.entries())
    await assert.rejects(makeAvatar(input), AvatarImageError, `refusal ${i}`);
});
