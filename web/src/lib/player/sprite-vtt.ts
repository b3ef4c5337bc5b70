/**
 * Scrub-preview thumbnails: the WebVTT index of a sprite sheet. Each cue's payload names an image
 * and a media fragment `#xywh=x,y,w,h` (W3C Media Fragments URI 1.0, §4.2.2, pixel units) that
 * cuts one thumbnail out of the sheet. Pure: text in, cues out.
 */
export interface SpriteCue {
  startMs: number;
  endMs: number;
  /** The image reference resolved against the VTT's own URL, without the fragment. */
  url: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export class SpriteVttError extends Error {
  constructor(
    readonly code: 'VTT_MISSING_HEADER',
    message: string,
  ) {
    super(message);
    this.name = 'SpriteVttError';
  }
}

// WebVTT timestamp (W3C WebVTT §4.3): optional hours (2+ digits), then mm:ss.ttt.
const timestamp = /^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const xywh = /#xywh=(?:pixel:)?(\d+),(\d+),(\d+),(\d+)\s*$/;

function parseTimestamp(text: string): number | null {
  const match = timestamp.exec(text.trim());
  if (!match) return null;
  const [, hours, minutes, seconds, millis] = match;
  return (
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes) * 60_000 +
    Number(seconds) * 1000 +
    Number(millis)
  );
}

function resolve(reference: string, baseUrl: string): string {
  try {
    // A relative base (e.g. `/media/…`) needs an origin to resolve against; strip it back off.
    const absolute = /^[a-z][a-z0-9+.-]*:/i.test(baseUrl);
    const resolved = new URL(reference, new URL(baseUrl, 'http://relative.invalid'));
    return absolute || resolved.origin !== 'http://relative.invalid'
      ? resolved.href
      : resolved.pathname + resolved.search;
  } catch {
    return reference;
  }
}

/**
 * Parses a sprite WebVTT file. Blocks that are not cues with an `#xywh` payload (NOTE, STYLE,
 * REGION, malformed timings) are skipped rather than failing the whole index: a preview with a few
 * missing thumbnails beats none. Only a file without the `WEBVTT` signature is rejected.
 */
export function parseSpriteVtt(text: string, vttUrl: string): SpriteCue[] {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (!/^WEBVTT(?:[ \t].*)?(?:\n|$)/.test(normalized)) {
    throw new SpriteVttError(
      'VTT_MISSING_HEADER',
      'Sprite index is not a WebVTT file (no WEBVTT header)',
    );
  }
  const cues: SpriteCue[] = [];
  const blocks = normalized.split(/\n{2,}/).slice(1);
  for (const block of blocks) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    const timingIndex = lines.findIndex((line) => line.includes('-->'));
    if (timingIndex < 0 || timingIndex > 1) continue;
    const [startText, rest = ''] = (lines[timingIndex] ?? '').split('-->');
    const startMs = parseTimestamp(startText ?? '');
    const endMs = parseTimestamp(rest.trim().split(/\s+/)[0] ?? '');
    if (startMs === null || endMs === null || endMs <= startMs) continue;
    const payload = lines[timingIndex + 1]?.trim();
    if (!payload) continue;
    const fragment = xywh.exec(payload);
    if (!fragment) continue;
    const [, x, y, w, h] = fragment.map(Number) as [number, number, number, number, number];
    if (w === 0 || h === 0) continue;
    const reference = payload.slice(0, payload.indexOf('#'));
    cues.push({ startMs, endMs, url: resolve(reference, vttUrl), x, y, w, h });
  }
  return cues.sort((a, b) => a.startMs - b.startMs);
}

/** The cue showing at `ms`, or the nearest one before it (so gaps still show a thumbnail). */
export function spriteCueAt(cues: readonly SpriteCue[], ms: number): SpriteCue | null {
  if (cues.length === 0) return null;
  let low = 0;
  let high = cues.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if ((cues[middle] as SpriteCue).startMs <= ms) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return cues[Math.max(found, 0)] ?? null;
}

/**
 * The URL to draw a cue from. Media URLs carry a per-file signature, so a sheet referenced by a
 * relative name inside the VTT has no token of its own; when it names the same file as the signed
 * `imageUrl` the API handed out, the signed one is used.
 */
export function spriteImageFor(cue: SpriteCue, signedImageUrl: string): string {
  const fileName = (url: string) => {
    const path = url.split(/[?#]/)[0] ?? '';
    return path.slice(path.lastIndexOf('/') + 1);
  };
  return fileName(cue.url) === fileName(signedImageUrl) ? signedImageUrl : cue.url;
}
