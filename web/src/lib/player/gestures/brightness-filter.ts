/**
 * Brightness for the player's left-half drag. The web has no API for the screen's brightness (the
 * native apps set the window's; a page cannot), so the picture itself is brightened or dimmed with
 * a CSS `filter: brightness()` on the video element (Filter Effects Module Level 1, §13.2). The
 * danmu layer and controls sit outside the filtered element and keep their own contrast.
 *
 * The gesture works on a level from 0 to 1 with the picture as encoded in the middle, so a viewer
 * can go either way from where they start. The floor stays above black: a picture dimmed to
 * nothing looks like a broken player.
 */
export const neutralBrightness = 0.5;

const darkest = 0.25;
const brightest = 1.6;

/** The CSS filter factor for a level 0..1 (0.5 → 1, the picture untouched). */
export function brightnessFactor(level: number): number {
  const value = Number.isFinite(level) ? Math.min(Math.max(level, 0), 1) : neutralBrightness;
  return value <= neutralBrightness
    ? darkest + ((1 - darkest) * value) / neutralBrightness
    : 1 + ((brightest - 1) * (value - neutralBrightness)) / (1 - neutralBrightness);
}

/** The `filter` value for a level, or `none` at the neutral level (no filter pass to composite). */
export function brightnessFilter(level: number): string {
  const factor = brightnessFactor(level);
  return Math.abs(factor - 1) < 1e-3 ? 'none' : `brightness(${factor.toFixed(3)})`;
}
