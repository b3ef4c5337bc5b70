import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A font file for ffmpeg's drawtext; `cjk` says whether it has Chinese glyphs. */
export interface FontFile {
  file: string;
  cjk: boolean;
}

/** Debian/Ubuntu `fonts-noto-cjk`, then other common locations of CJK and Latin fonts. */
const cjkCandidates = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/System/Library/Fonts/PingFang.ttc',
];
const latinCandidates = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/System/Library/Fonts/Helvetica.ttc',
];

function fcList(pattern: string): string | null {
  const result = spawnSync('fc-list', [pattern, 'file'], { encoding: 'utf8', timeout: 5000 });
  if (result.status !== 0 || typeof result.stdout !== 'string') return null;
  const file = result.stdout
    .split('\n')
    .map((line) => line.replace(/:\s*$/, '').trim())
    .find((line) => /\.(ttf|ttc|otf)$/i.test(line));
  return file ?? null;
}

/**
 * Finds a font for burned-in text: a CJK font when one is installed (titles are Chinese and
 * English), else a Latin one (Chinese then renders as boxes, so callers drop it), else null and
 * callers render no text at all.
 */
export function findFont(): FontFile | null {
  const cjk = cjkCandidates.find((file) => existsSync(file)) ?? fcList(':lang=zh');
  if (cjk) return { file: cjk, cjk: true };
  const latin = latinCandidates.find((file) => existsSync(file)) ?? fcList(':lang=en');
  return latin ? { file: latin, cjk: false } : null;
}
