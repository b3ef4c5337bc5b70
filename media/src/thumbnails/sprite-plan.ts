/**
 * Layout of the scrub-preview sprite sheet and its WebVTT index: one thumbnail every
 * `intervalSeconds`, `columns` per row, thumbnails `thumbWidth` wide keeping the aspect.
 */
export interface SpritePlan {
  intervalSeconds: number;
  columns: number;
  rows: number;
  count: number;
  thumbWidth: number;
  thumbHeight: number;
}

export function planSprite(
  video: { durationSeconds: number; width: number; height: number },
  options: { intervalSeconds?: number; columns?: number; thumbWidth?: number } = {},
): SpritePlan {
  const intervalSeconds = options.intervalSeconds ?? 2;
  const thumbWidth = options.thumbWidth ?? 90;
  const count = Math.max(1, Math.ceil(video.durationSeconds / intervalSeconds));
  const columns = Math.min(options.columns ?? 10, count);
  return {
    intervalSeconds,
    columns,
    rows: Math.ceil(count / columns),
    count,
    thumbWidth,
    thumbHeight: Math.max(2, Math.round((thumbWidth * video.height) / video.width / 2) * 2),
  };
}

function timestamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** WebVTT (W3C WebVTT §4) cues pointing into the sheet with media fragments (`#xywh=`). */
export function buildSpriteVtt(
  plan: SpritePlan,
  durationSeconds: number,
  imageUrl: string,
): string {
  const cues = ['WEBVTT', ''];
  for (let i = 0; i < plan.count; i++) {
    const start = i * plan.intervalSeconds;
    const end = Math.min((i + 1) * plan.intervalSeconds, durationSeconds);
    if (end <= start) break;
    const x = (i % plan.columns) * plan.thumbWidth;
    const y = Math.floor(i / plan.columns) * plan.thumbHeight;
    cues.push(
      `${timestamp(start)} --> ${timestamp(end)}`,
      `${imageUrl}#xywh=${x},${y},${plan.thumbWidth},${plan.thumbHeight}`,
      '',
    );
  }
  return cues.join('\n');
}
