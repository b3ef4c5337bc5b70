import type { DanmuComment } from './danmu-comment.ts';
import type { DanmuSettings } from './danmu-settings.ts';

/**
 * Which danmu the viewer's settings let through, decided before lane allocation so hidden ones
 * never take a lane. Your own danmu always show: hiding what you just sent would look like a
 * failed send.
 *
 * Keywords match case-insensitively after NFKC (full-width Ｓｐｏｉｌｅｒ matches "spoiler").
 * Density keeps a fixed share chosen by a hash of the message id, not at random, so the same
 * danmu reappear after a seek and the choice does not flicker.
 */
export type DanmuFilter = (comment: DanmuComment, own: boolean) => boolean;

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** FNV-1a of a string, as a share in [0, 1). */
export function stableShare(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 4294967296;
}

export function createDanmuFilter(settings: DanmuSettings): DanmuFilter {
  const keywords = settings.blockedKeywords.map(fold).filter((keyword) => keyword !== '');
  const blockedModes = new Set(settings.blockedModes);
  return (comment, own) => {
    if (own) return true;
    if (blockedModes.has(comment.mode)) return false;
    if (settings.density < 1 && stableShare(comment.mid ?? comment.text) >= settings.density)
      return false;
    if (keywords.length === 0) return true;
    const text = fold(comment.text);
    return !keywords.some((keyword) => text.includes(keyword));
  };
}
