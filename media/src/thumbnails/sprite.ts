import { writeFile } from 'node:fs/promises';
import { runFfmpeg } from '../ffmpeg/run-ffmpeg.ts';
import { buildSpriteVtt, planSprite, type SpritePlan } from './sprite-plan.ts';

export const spriteName = 'sprite.jpg';
export const spriteIndexName = 'sprite.vtt';

/**
 * Writes the scrub sprite sheet and its WebVTT index. The cues use the sheet's relative name, so
 * the player resolves it against the (signed) VTT URL.
 */
export async function writeSprite(
  ffmpeg: string,
  input: string,
  output: { image: string; vtt: string },
  video: { durationSeconds: number; width: number; height: number },
  signal?: AbortSignal,
): Promise<SpritePlan> {
  const plan = planSprite(video);
  await runFfmpeg(
    ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-y',
      '-v',
      'error',
      '-i',
      input,
      '-an',
      '-vf',
      `fps=1/${plan.intervalSeconds},scale=${plan.thumbWidth}:${plan.thumbHeight},tile=${plan.columns}x${plan.rows}`,
      '-frames:v',
      '1',
      '-q:v',
      '4',
      output.image,
    ],
    { purpose: 'sprite', ...(signal ? { signal } : {}) },
  );
  await writeFile(output.vtt, buildSpriteVtt(plan, video.durationSeconds, spriteName));
  return plan;
}
