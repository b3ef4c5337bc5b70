/** One entry of the quality menu: an hls.js level index and the rung it shows as. */
export interface QualityOption {
  /** Index into `hls.levels`; assign it to `hls.currentLevel` to pin that rendition. */
  index: number;
  /** The picture's short side, as rungs are named (`360p` is 360x640 portrait or 640x360 landscape). */
  shortSide: number;
  label: string;
}

/** A rendition's rung: its short side, or its height when the playlist gives no width. */
export function shortSideOf(level: { width: number; height: number }): number {
  return level.width > 0 ? Math.min(level.width, level.height) : level.height;
}

/**
 * The quality menu from hls.js levels, best first. A ladder can hold two renditions of one rung
 * (different bitrates or codecs); the menu shows each rung once, with its richest rendition.
 */
export function qualityOptions(
  levels: ReadonlyArray<{ width: number; height: number; bitrate: number }>,
): QualityOption[] {
  const byRung = new Map<number, { index: number; bitrate: number }>();
  levels.forEach((level, index) => {
    const rung = shortSideOf(level);
    if (!Number.isFinite(rung) || rung <= 0) return;
    const current = byRung.get(rung);
    if (!current || level.bitrate > current.bitrate)
      byRung.set(rung, { index, bitrate: level.bitrate });
  });
  return [...byRung.entries()]
    .sort(([a], [b]) => b - a)
    .map(([shortSide, { index }]) => ({ index, shortSide, label: `${shortSide}p` }));
}
